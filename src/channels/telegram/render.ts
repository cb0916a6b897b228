/**
 * @module channels/telegram/render
 * Pure rendering for Telegram: a Reply becomes Telegram HTML (all text escaped, tags only from
 * a fixed whitelist the renderer itself writes), sources a compact numbered list with links;
 * long messages are split into parts of at most 4096 characters, preferring paragraph
 * boundaries and never cutting inside a tag, an entity or a surrogate pair (tags open at a
 * cut are closed and reopened). Also the plain-text fallback for when Telegram refuses the HTML
 * (split by channels/plain like every plain text). No I/O here, so all of it is tested without a fake.
 */
import type { Citation, Reply } from '../../core/types';
import { formatDate } from '../../core/texts';

/** Telegram's limit on a message's text, in UTF-16 code units (as String.length counts). */
export const MAX_MESSAGE_LENGTH = 4096;

/** The only tags this renderer writes (Telegram accepts a few more; we need no others). */
export const HTML_TAGS = ['b', 'a', 'blockquote'] as const;

/** Links longer than this are shown as plain titles: a source URL is never that long. */
const MAX_URL_LENGTH = 1000;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** Only absolute http(s) URLs become links: anything else (javascript:, tg:, relative) is text. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url || url.length > MAX_URL_LENGTH) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The reply's blocks as Telegram HTML, paragraphs separated by a blank line. */
function renderBlocksHtml(reply: Reply): string {
  return reply.blocks
    .map((b) => {
      switch (b.type) {
        case 'text':
          return escapeHtml(b.text.trim());
        case 'heading':
          return b.text.trim() ? `<b>${escapeHtml(b.text.trim())}</b>` : '';
        case 'quote':
          return b.text.trim() ? `<blockquote>${escapeHtml(b.text.trim())}${b.cite ? ` [${b.cite}]` : ''}</blockquote>` : '';
        case 'list':
          return b.items
            .filter((item) => item.trim())
            .map((item, i) => `${b.ordered ? `${i + 1}.` : '•'} ${escapeHtml(item.trim())}`)
            .join('\n');
      }
    })
    .filter((s) => s.length > 0)
    .join('\n\n');
}

/** One source line: "1. <a href>Title</a> — Source, 30/9/2023". */
function sourceLineHtml(c: Citation, n: number): string {
  const url = safeUrl(c.url);
  const title = url ? `<a href="${escapeAttribute(url)}">${escapeHtml(c.title)}</a>` : escapeHtml(c.title);
  return `${n}. ${title} — ${escapeHtml(c.source)}, ${formatDate(c.date)}`;
}

function renderSourcesHtml(citations: Citation[], label: string): string {
  if (citations.length === 0) return '';
  return `<b>${escapeHtml(label)}</b>\n${citations.map((c, i) => sourceLineHtml(c, i + 1)).join('\n')}`;
}

/**
 * The whole reply as one HTML text (not yet split), sources last; related reading offered with
 * a "not found" after them under its own label (left out when no label is given).
 */
export function renderReplyHtml(reply: Reply, sourcesLabel: string, relatedLabel?: string): string {
  const related = relatedLabel ? renderSourcesHtml(reply.related ?? [], relatedLabel) : '';
  return [renderBlocksHtml(reply), renderSourcesHtml(reply.citations, sourcesLabel), related].filter(Boolean).join('\n\n');
}

// Tokens are atomic for splitting: a whole tag, a whole entity, or one code point (the `u`
// flag makes [\s\S] match a surrogate pair as one).
const HTML_TOKEN = /<\/?[A-Za-z][^<>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);|[\s\S]/gu;

interface OpenTag {
  name: string;
  open: string;
}

interface Break {
  /** Where the part would end (index into the part being built). */
  at: number;
  /** The token index to resume from. */
  token: number;
  stack: OpenTag[];
}

/**
 * Splits Telegram HTML into parts of at most `limit` characters. Each part ends at the latest
 * paragraph break that fits, else a line break, else a space, else at any token; tags open at
 * the cut are closed at the end of the part and reopened at the start of the next.
 */
export function splitHtml(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  // Most answers fit in one message: nothing to cut, so nothing to rebalance.
  if (text.length <= limit && text.trim() === text) return text ? [text] : [];
  const tokens = text.match(HTML_TOKEN) ?? [];
  const parts: string[] = [];

  let stack: OpenTag[] = [];
  let cur = '';
  let start = 0; // length of the reopened tags at the start of cur
  let breaks: Array<Break | undefined> = [];

  const begin = (reopen: OpenTag[]) => {
    stack = reopen.map((t) => ({ ...t }));
    cur = stack.map((t) => t.open).join('');
    start = cur.length;
    breaks = [];
  };
  const emit = (body: string, open: OpenTag[]) => {
    // A tag opened right at the cut moves whole to the next part instead of leaving "<b></b>".
    const still = open.slice();
    for (let top = still.at(-1); top && body.replace(/\s+$/u, '').endsWith(top.open); top = still.at(-1)) {
      body = body.replace(/\s+$/u, '').slice(0, -top.open.length);
      still.pop();
    }
    const trimmed = body.replace(/\s+$/u, '');
    if (trimmed.length > start) parts.push(trimmed + closers(still));
  };
  begin([]);

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // Whitespace right at the start of a part is dropped: the cut already separates the parts.
    if (cur.length === start && /^\s$/u.test(t)) continue;
    const next = applyTag(stack, t);
    if (cur.length + t.length + closers(next).length > limit && cur.length > start) {
      const best = breaks[3] ?? breaks[2] ?? breaks[1];
      const cut: Break = best && best.at > start ? best : { at: cur.length, token: i, stack: stack.map((s) => ({ ...s })) };
      emit(cur.slice(0, cut.at), cut.stack);
      begin(cut.stack);
      i = cut.token - 1;
      continue;
    }
    cur += t;
    stack = next;
    const priority = t === '\n' ? (cur.endsWith('\n\n') ? 3 : 2) : t === ' ' ? 1 : 0;
    if (priority) breaks[priority] = { at: cur.length, token: i + 1, stack: stack.map((s) => ({ ...s })) };
  }
  emit(cur, stack);
  return parts;
}

/** The open-tag stack after token t (a copy when it changes). */
function applyTag(stack: OpenTag[], t: string): OpenTag[] {
  if (t.length < 3 || t[0] !== '<') return stack;
  const m = /^<(\/?)([A-Za-z][\w-]*)/.exec(t);
  if (!m) return stack;
  const name = m[2]!.toLowerCase();
  if (!m[1]) return [...stack, { name, open: t }];
  const at = stack.map((s) => s.name).lastIndexOf(name);
  return at < 0 ? stack : stack.slice(0, at);
}

function closers(stack: OpenTag[]): string {
  return stack
    .slice()
    .reverse()
    .map((t) => `</${t.name}>`)
    .join('');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Telegram HTML back to plain text, for when Telegram refuses to parse it: tags dropped, a
 * link kept as "title (url)" when the two differ, entities decoded.
 */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, title: string) => {
      const url = decodeEntities(href);
      const text = decodeEntities(title.replace(/<[^>]*>/g, ''));
      return text === url ? text : `${text} (${url})`;
    })
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m) => decodeEntities(m));
}

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * A model's unfinished answer as shown while it is written: plain text (half-written markup
 * must not make Telegram refuse the edit), cut to fit one message, with a trailing ellipsis.
 */
export function partialPreview(textSoFar: string, limit = MAX_MESSAGE_LENGTH): string {
  const suffix = ' …';
  const text = textSoFar.trim();
  if (text.length + suffix.length <= limit) return text + suffix;
  let cut = limit - suffix.length;
  // Never leave half a surrogate pair at the end.
  if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
  return text.slice(0, cut) + suffix;
}
