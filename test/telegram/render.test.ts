/**
 * Telegram rendering without any I/O: HTML escaping and the tag whitelist, the source list,
 * splitting at 4096 characters, the plain-text fallback and the streamed preview. The fake's
 * own HTML checker (Telegram's rules) judges every part.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  HTML_TAGS,
  escapeHtml,
  htmlToPlain,
  partialPreview,
  renderReplyHtml,
  safeUrl,
  splitHtml,
} from '../../src/channels/telegram/render';
import { addressedText, localeOf } from '../../src/channels/telegram/adapter';
import { parseTelegramHtml } from '../support/fake-telegram';
import type { Reply } from '../../src/core/types';

const shown = (html: string): string => {
  const parsed = parseTelegramHtml(html);
  if (typeof parsed !== 'string') throw new Error(`${parsed.error} in ${JSON.stringify(html.slice(0, 200))}`);
  return parsed;
};

const tagsIn = (html: string) => [...html.matchAll(/<\/?([a-z-]+)/gi)].map((m) => m[1]!.toLowerCase());

describe('renderReplyHtml', () => {
  const reply: Reply = {
    intent: 'ask',
    blocks: [
      { type: 'heading', text: 'Thủ tục <A> & B' },
      { type: 'text', text: 'Dùng <script>alert(1)</script> & <b>không</b> in đậm' },
      { type: 'quote', text: 'Một đoạn trích', cite: 2 },
      { type: 'list', items: ['một', 'hai'], ordered: true },
      { type: 'list', items: ['x'] },
    ],
    citations: [
      { id: 'a', title: 'Văn bản A', source: 'UBND tỉnh', date: '2023-09-30', url: 'https://vb.gov.vn/a?x=1&y="2"' },
      { id: 'b', title: 'Văn bản <B>', source: 'Sở Nội vụ', date: '2024-01-05', url: 'javascript:alert(1)' },
    ],
  };

  it('escapes every text and writes only whitelisted tags', () => {
    const html = renderReplyHtml(reply, 'Nguồn');
    expect(html).toContain('<b>Thủ tục &lt;A&gt; &amp; B</b>');
    expect(html).toContain('Dùng &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;không&lt;/b&gt; in đậm');
    expect(html).toContain('<blockquote>Một đoạn trích [2]</blockquote>');
    expect(html).toContain('1. một\n2. hai');
    expect(html).toContain('• x');
    expect(new Set(tagsIn(html))).toEqual(new Set(HTML_TAGS));
    expect(typeof parseTelegramHtml(html)).toBe('string');
  });

  it('lists sources as a compact numbered list, linking only http(s) URLs, dates the Vietnamese way', () => {
    const html = renderReplyHtml(reply, 'Nguồn');
    expect(html).toContain(
      '<b>Nguồn</b>\n1. <a href="https://vb.gov.vn/a?x=1&amp;y=%222%22">Văn bản A</a> — UBND tỉnh, 30/9/2023\n2. Văn bản &lt;B&gt; — Sở Nội vụ, 5/1/2024',
    );
    expect(html).not.toContain('javascript');
  });

  it('leaves out the sources heading when there are no sources', () => {
    expect(renderReplyHtml({ intent: 'help', blocks: [{ type: 'text', text: 'Xin chào' }], citations: [] }, 'Nguồn')).toBe('Xin chào');
  });

  it('keeps any text, however hostile, inside the whitelist and parseable', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }), fc.string(), (texts, title) => {
        const html = renderReplyHtml(
          { intent: 'x', blocks: texts.map((text) => ({ type: 'quote' as const, text })), citations: [{ id: 'i', title, source: title, date: '2020-01-01', url: `https://x.vn/${title}` }] },
          'Nguồn',
        );
        for (const tag of tagsIn(html)) expect(HTML_TAGS).toContain(tag);
        expect(typeof parseTelegramHtml(html)).toBe('string');
      }),
    );
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://a.vn/x', 'https://a.vn/x'],
    ['http://a.vn', 'http://a.vn/'],
    ['javascript:alert(1)', undefined],
    ['tg://resolve?domain=x', undefined],
    ['/relative', undefined],
    [`https://a.vn/${'x'.repeat(1000)}`, undefined],
  ])('%s -> %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});

describe('splitHtml', () => {
  it('leaves a short message whole', () => {
    expect(splitHtml('<b>ngắn</b>')).toEqual(['<b>ngắn</b>']);
  });

  it('cuts at the last paragraph boundary that fits', () => {
    const a = 'a'.repeat(30);
    const b = 'b'.repeat(30);
    const c = 'c'.repeat(30);
    expect(splitHtml(`${a}\n\n${b}\n\n${c}`, 70)).toEqual([`${a}\n\n${b}`, c]);
  });

  it('prefers a paragraph boundary to a later line break or space', () => {
    const text = `${'a'.repeat(20)}\n\n${'b '.repeat(10)}\n${'c'.repeat(30)}`;
    expect(splitHtml(text, 60)[0]).toBe('a'.repeat(20));
  });

  it('closes a tag open at the cut and reopens it in the next part', () => {
    const parts = splitHtml(`<blockquote>${'từ '.repeat(40).trim()}</blockquote>`, 50);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(50);
      expect(p).toMatch(/^<blockquote>.*<\/blockquote>$/s);
      shown(p);
    }
  });

  it('never cuts inside an entity or a tag', () => {
    const text = `<a href="https://x.vn/?a=1&amp;b=2">${'&amp;'.repeat(30)}</a>`;
    for (const p of splitHtml(text, 60)) {
      expect(p.length).toBeLessThanOrEqual(60);
      shown(p);
      expect(p).toMatch(/^<a href="https:\/\/x\.vn\/\?a=1&amp;b=2">(&amp;)+<\/a>$/);
    }
  });

  it('never cuts a surrogate pair', () => {
    const parts = splitHtml('😀'.repeat(100), 33);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(33);
      expect(p).toMatch(/^(?:😀)+$/u);
    }
    expect(parts.join('')).toBe('😀'.repeat(100));
  });

  it('does not leave an empty tag pair at the end of a part', () => {
    const parts = splitHtml(`${'a'.repeat(45)}<b>${'b'.repeat(20)}</b>`, 50);
    expect(parts[0]).toBe('a'.repeat(45));
    expect(parts[1]).toBe(`<b>${'b'.repeat(20)}</b>`);
  });

  it('splits any rendered reply into parseable parts within the limit that keep every word', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'đ', 'ệ', '&', '<', '>', '"', '😀', 'x'), minLength: 1, maxLength: 12 });
    const text = fc.array(word, { minLength: 1, maxLength: 60 }).map((ws) => ws.join(' '));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), fc.integer({ min: 40, max: 400 }), (texts, limit) => {
        const reply: Reply = {
          intent: 'x',
          blocks: texts.map((t, i) => (i % 3 === 1 ? { type: 'quote' as const, text: t, cite: 1 } : { type: 'text' as const, text: t })),
          citations: [{ id: 'i', title: 'T', source: 'S', date: '2020-01-01', url: 'https://x.vn/a' }],
        };
        const html = renderReplyHtml(reply, 'Nguồn');
        const parts = splitHtml(html, limit);
        const words = (s: string) => s.split(/\s+/).filter(Boolean);
        for (const p of parts) {
          expect(p.length).toBeLessThanOrEqual(limit);
          expect(p).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        }
        // Cuts only ever fall between words or inside an over-long one: joined back, nothing is lost.
        expect(words(parts.map(shown).join('')).join('')).toBe(words(shown(html)).join(''));
      }),
    );
  });
});

describe('htmlToPlain', () => {
  it('drops tags, keeps a link as "title (url)" and decodes entities', () => {
    expect(htmlToPlain('<b>A &amp; B</b> &lt;x&gt;\n<a href="https://x.vn/?a=1&amp;b=2">Văn bản</a>')).toBe(
      'A & B <x>\nVăn bản (https://x.vn/?a=1&b=2)',
    );
  });

  it('inverts the renderer on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(htmlToPlain(escapeHtml(text))).toBe(text);
      }),
    );
  });
});

describe('partialPreview', () => {
  it('marks unfinished text with an ellipsis and fits one message', () => {
    expect(partialPreview('Đang viết')).toBe('Đang viết …');
    const long = partialPreview('😀'.repeat(3000));
    expect(long.length).toBeLessThanOrEqual(4096);
    expect(long).toMatch(/^(?:😀)+ …$/u);
  });
});

describe('group addressing', () => {
  it.each([
    ['/help', 'bot', '/help'],
    ['/help@bot', 'bot', '/help'],
    ['/hoi@Bot chỉ thị 22', 'bot', '/hoi chỉ thị 22'],
    ['/help@other_bot', 'bot', undefined],
    ['@bot chỉ thị 22?', 'bot', 'chỉ thị 22?'],
    ['Hỏi @BOT: hạn nộp?', 'bot', 'Hỏi: hạn nộp?'],
    ['@bot', 'bot', '/help'],
    ['@botanist xin chào', 'bot', undefined],
    ['email a@bot.vn', 'bot', undefined],
    ['chỉ thị 22', 'bot', undefined],
    ['@bot hi', undefined, undefined],
  ])('%s (bot @%s) -> %s', (text, username, expected) => {
    expect(addressedText(text, username)).toBe(expected);
  });
});

describe('small helpers', () => {

  it('speaks English only to English clients', () => {
    expect(localeOf('en')).toBe('en');
    expect(localeOf('en-US')).toBe('en');
    expect(localeOf('vi')).toBe('vi');
    expect(localeOf('fr')).toBe('vi');
    expect(localeOf(undefined)).toBe('vi');
  });
});
