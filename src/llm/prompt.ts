/**
 * @module llm/prompt
 * What the model is sent, built by pure functions: the retrieved passages numbered [1], [2]…
 * with their source and date, the recent turns and the question, each inside its own tag so the
 * system prompt can say that user text is data, never instructions. Everything user-written is
 * masked here again (belt and braces), and every part is capped so the input stays small.
 */
import type { Turn } from '../core/conversation';
import { formatDate } from '../core/texts';
import { maskPersonalData } from './redact';

/** A passage as retrieved: a section of one knowledge document. */
export interface PassageInput {
  docId: string;
  title: string;
  source: string;
  /** ISO date of the document. */
  date: string;
  url?: string;
  heading?: string;
  text: string;
}

/** A passage with the number the model cites it by. */
export interface Passage extends PassageInput {
  n: number;
}

export interface PromptLimits {
  /** Characters of one passage's text. */
  passageChars: number;
  /** Characters of all passages together. */
  passagesChars: number;
  /** Turns of history (a question and its answer are two). */
  historyTurns: number;
  /** Characters of one history turn. */
  turnChars: number;
  /** Characters of the question. */
  questionChars: number;
}

export const DEFAULT_PROMPT_LIMITS: PromptLimits = {
  passageChars: 1500,
  passagesChars: 9000,
  historyTurns: 6,
  turnChars: 500,
  questionChars: 1000,
};

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** Numbers passages from `first` on, cutting each to the limit and dropping any beyond the total. */
export function numberPassages(inputs: PassageInput[], first = 1, limits: PromptLimits = DEFAULT_PROMPT_LIMITS): Passage[] {
  const out: Passage[] = [];
  let total = 0;
  for (const p of inputs) {
    const text = clip(p.text, limits.passageChars);
    if (out.length > 0 && total + text.length > limits.passagesChars) break;
    total += text.length;
    out.push({ ...p, text, n: first + out.length });
  }
  return out;
}

/** `[n] Title — Source, 30/9/2023 — Heading` then the text: the format the system prompt describes. */
export function renderPassages(passages: Passage[]): string {
  return passages
    .map((p) => {
      const head = [p.title, `${p.source}, ${formatDate(p.date)}`, p.heading].filter(Boolean).join(' — ');
      return `[${p.n}] ${oneLine(head)}\n${p.text}`;
    })
    .join('\n\n');
}

/** The user message for an answer: passages, recent turns and the question, each tagged. */
export function buildAnswerMessages(
  system: string,
  passages: Passage[],
  question: string,
  history: Turn[],
  limits: PromptLimits = DEFAULT_PROMPT_LIMITS,
): ChatMessage[] {
  const parts = [`<passages>\n${passages.length ? renderPassages(passages) : '(none)'}\n</passages>`];
  const turns = renderHistory(history, limits);
  if (turns) parts.push(`<history>\n${turns}\n</history>`);
  parts.push(`<question>\n${asData(question, limits.questionChars)}\n</question>`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** The user message for rewriting a follow-up into a standalone question. */
export function buildRewriteMessages(
  system: string,
  question: string,
  history: Turn[],
  limits: PromptLimits = DEFAULT_PROMPT_LIMITS,
): ChatMessage[] {
  return [
    { role: 'system', content: system },
    {
      role: 'user',
      content: `<history>\n${renderHistory(history, limits) || '(none)'}\n</history>\n\n<question>\n${asData(question, limits.questionChars)}\n</question>`,
    },
  ];
}

/** The last turns as "user: …" / "assistant: …" lines, masked and clipped. */
export function renderHistory(history: Turn[], limits: PromptLimits = DEFAULT_PROMPT_LIMITS): string {
  return history
    .slice(-limits.historyTurns)
    .map((t) => `${t.role}: ${oneLine(asData(t.text, limits.turnChars))}`)
    .join('\n');
}

/**
 * User text made safe to place between our tags: personal numbers masked, and anything that
 * looks like one of our tags defused so it cannot close the data block early.
 */
export function asData(text: string, maxChars: number): string {
  const masked = maskPersonalData(text.normalize('NFC'));
  return clip(masked.replace(/<\/?\s*(passages|history|question|system)\s*>/gi, (m) => m.replace(/[<>]/g, '')), maxChars);
}

/** Rough token count for budgeting: Vietnamese runs about 2.5 characters a token. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 2.5);
}

export function messagesChars(messages: Array<{ content?: unknown }>): number {
  return messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length), 0);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
