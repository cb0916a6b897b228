/**
 * @module channels/plain
 * Renders a Reply as plain text: for the web chat's `reply` string and for channels without
 * markup (Zalo). Sources become numbered lines; dates are written the Vietnamese way.
 */
import type { Citation, Locale, Reply } from '../core/types';
import { formatDate, type Texts } from '../core/texts';

export function renderBlocks(reply: Reply): string {
  return reply.blocks
    .map((b) => {
      switch (b.type) {
        case 'text':
        case 'heading':
          return b.text;
        case 'quote':
          return `“${b.text}”${b.cite ? ` [${b.cite}]` : ''}`;
        case 'list':
          return b.items.map((item, i) => (b.ordered ? `${i + 1}. ${item}` : `• ${item}`)).join('\n');
      }
    })
    .filter((s) => s.length > 0)
    .join('\n\n');
}

export function citationLine(c: Citation, n: number): string {
  return `[${n}] ${c.title} — ${c.source}, ${formatDate(c.date)}${c.url ? ` (${c.url})` : ''}`;
}

export function renderSources(citations: Citation[], texts: Texts, locale: Locale): string {
  if (citations.length === 0) return '';
  return `${texts.get(locale, 'sources')}:\n${citations.map((c, i) => citationLine(c, i + 1)).join('\n')}`;
}

/** The whole reply as one plain text, sources last. */
export function renderPlain(reply: Reply, texts: Texts, locale: Locale): string {
  const sources = renderSources(reply.citations, texts, locale);
  return sources ? `${renderBlocks(reply)}\n\n${sources}` : renderBlocks(reply);
}
