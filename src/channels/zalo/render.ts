/**
 * @module channels/zalo/render
 * A Reply as Zalo messages: plain text of at most 2000 characters a message (split by the one
 * plain-text splitter at paragraph, line, then sentence boundaries), sources as numbered lines,
 * and buttons as numbered choices ("Gõ 1: …"), since Zalo has none; a typed number picks one.
 */
import type { Texts } from '../../core/texts';
import type { Button, Locale, Reply, ReplyImage } from '../../core/types';
import { renderBlocks, renderRelated, renderSources, splitPlain } from '../plain';
import { ZALO_MAX_TEXT } from './client';

/** Buttons as "Gõ 1: …" lines, and the actions those numbers stand for, in the same order. */
export function renderChoices(
  buttons: Button[][] | undefined,
  texts: Texts,
  locale: Locale,
): { text: string; actions: string[] } {
  const flat = (buttons ?? []).flat();
  return {
    text: flat.map((b, i) => texts.get(locale, 'zalo-choice', { n: i + 1, label: b.label })).join('\n'),
    actions: flat.map((b) => b.action),
  };
}

/** Zalo messages, and the actions their numbered choices stand for. */
export interface ZaloOutgoing {
  parts: string[];
  actions: string[];
  /** A chart to send as a photo before the text (Zalo fetches it by URL). */
  image?: ReplyImage;
}

/** A Reply as Zalo messages: the body, numbered sources with links, then numbered choices. */
export function renderZalo(reply: Reply, texts: Texts, locale: Locale): ZaloOutgoing {
  const choices = renderChoices(reply.buttons, texts, locale);
  const sections = [renderBlocks(reply), renderSources(reply.citations, texts, locale), renderRelated(reply, texts, locale), choices.text].filter(Boolean);
  return { parts: splitPlain(sections.join('\n\n'), ZALO_MAX_TEXT), actions: choices.actions, ...(reply.image ? { image: reply.image } : {}) };
}

/** The action a typed number picks ("1", " 2.", "3)"), or undefined when it is not a pick. */
export function pickChoice(text: string, actions: string[]): string | undefined {
  const m = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  return m ? actions[Number(m[1]) - 1] : undefined;
}
