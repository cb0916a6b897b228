/**
 * @module channels/plain
 * Renders a Reply as plain text: for the web chat's `reply` string and for channels without
 * markup (Zalo). Sources become numbered lines; dates are written the Vietnamese way. Also the
 * one plain-text splitter, for Zalo's messages and Telegram's plain fallback.
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

function citationLine(c: Citation, n: number): string {
  return `[${n}] ${c.title} — ${c.source}, ${formatDate(c.date)}${c.url ? ` (${c.url})` : ''}`;
}

export function renderSources(citations: Citation[], texts: Texts, locale: Locale, label = 'sources'): string {
  if (citations.length === 0) return '';
  return `${texts.get(locale, label)}:\n${citations.map((c, i) => citationLine(c, i + 1)).join('\n')}`;
}

/** Related reading offered with a "not found": under its own label, never as the answer's sources. */
export function renderRelated(reply: Reply, texts: Texts, locale: Locale): string {
  return renderSources(reply.related ?? [], texts, locale, 'related');
}

/** The whole reply as one plain text, sources (or related reading) last. */
export function renderPlain(reply: Reply, texts: Texts, locale: Locale): string {
  return [renderBlocks(reply), renderSources(reply.citations, texts, locale), renderRelated(reply, texts, locale)].filter(Boolean).join('\n\n');
}

interface SplitLevel {
  split(text: string): string[];
  glue: string;
}

/** Paragraphs, then lines, then sentences, then words: the coarsest boundary that fits wins. */
const LEVELS: SplitLevel[] = [
  { split: (s) => s.split(/\n\s*\n/), glue: '\n\n' },
  { split: (s) => s.split('\n'), glue: '\n' },
  // After . ! ? … (and any closing quote or bracket), so "22/6/2022." ends a sentence but "1.000" does not.
  { split: (s) => s.split(/(?<=[.!?…][”"’')\]]*)\s+/u), glue: ' ' },
  { split: (s) => s.split(/\s+/), glue: ' ' },
];

/**
 * Splits plain text into messages of at most `max` characters (UTF-16 units, which is never
 * fewer than a platform's count), preferring paragraph, then line, then sentence, then word
 * boundaries. Every part is non-empty and trimmed; no non-space character is lost or reordered.
 */
export function splitPlain(text: string, max: number): string[] {
  if (max < 2) throw new Error('splitPlain: max must be at least 2');
  const clean = text.normalize('NFC').trim();
  return clean ? pack(clean, max, 0) : [];
}

function pack(text: string, max: number, level: number): string[] {
  if (text.length <= max) return [text];
  const lvl = LEVELS[level];
  if (!lvl) return hardCut(text, max);
  const out: string[] = [];
  let current = '';
  for (const raw of lvl.split(text)) {
    const piece = raw.trim();
    if (!piece) continue;
    if (piece.length > max) {
      if (current) out.push(current);
      current = '';
      out.push(...pack(piece, max, level + 1));
      continue;
    }
    const joined = current ? current + lvl.glue + piece : piece;
    if (joined.length <= max) {
      current = joined;
    } else {
      out.push(current);
      current = piece;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Last resort for a "word" longer than a message (a long URL): cut, never inside a surrogate pair. */
function hardCut(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}
