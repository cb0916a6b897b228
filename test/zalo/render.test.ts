/**
 * The pure middle of the Zalo channel: splitting long answers into ≤2000-character messages at
 * natural boundaries, rendering sources and numbered choices, typed-number picks, the
 * constant-time secret check and the two event envelopes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pickChoice, renderChoices, renderZalo } from '../../src/channels/zalo/render';
import { unwrapEvent } from '../../src/channels/zalo/schema';
import { ZALO_MAX_TEXT } from '../../src/channels/zalo/client';
import { splitPlain } from '../../src/channels/plain';
import { Texts, type TextTable } from '../../src/core/texts';
import bundle from '../../src/generated/bundle.json';
import type { Reply } from '../../src/core/types';

const texts = new Texts((bundle as { prompts: TextTable }).prompts);

/** A long Vietnamese answer: 12 paragraphs of several sentences each, about 4,900 characters. */
function longVietnameseAnswer(): string {
  const sentences = [
    'Hồ sơ đề nghị cấp đổi thẻ Căn cước được nộp tại Công an cấp xã nơi cư trú hoặc qua Cổng Dịch vụ công quốc gia.',
    'Thời hạn giải quyết là 7 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ theo quy định.',
    'Lệ phí cấp đổi là 50.000 đồng; trường hợp nộp trực tuyến được giảm 50% theo Thông tư của Bộ Tài chính.',
    'Người dân cần mang theo thẻ cũ, và nếu thông tin thay đổi thì mang giấy tờ chứng minh.',
  ];
  return Array.from({ length: 12 }, (_, i) => `Mục ${i + 1}. ${sentences.join(' ')}`).join('\n\n');
}

const squash = (s: string) => s.replace(/\s+/g, '');
/** Zalo's messages come from the one plain-text splitter at Zalo's limit. */
const splitMessage = (text: string, max = ZALO_MAX_TEXT) => splitPlain(text, max);

describe('splitPlain at Zalo\'s 2000 characters', () => {
  it('keeps a short answer as one message', () => {
    expect(splitMessage('Xin chào, tôi có thể giúp gì?')).toEqual(['Xin chào, tôi có thể giúp gì?']);
  });

  it('splits a long Vietnamese answer at paragraph boundaries into parts of at most 2000 characters', () => {
    const text = longVietnameseAnswer();
    expect(text.length).toBeGreaterThan(4000);
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      // Every part starts a paragraph: nothing was cut mid-paragraph.
      expect(p).toMatch(/^Mục \d+\. Hồ sơ/);
      expect(p.endsWith('theo quy định.') || p.endsWith('chứng minh.')).toBe(true);
    }
    expect(parts.join('\n\n')).toBe(text);
  });

  it('splits one paragraph longer than a message at sentence boundaries, not inside words', () => {
    const sentence = 'Ủy ban nhân dân tỉnh giao Sở Nội vụ theo dõi, đôn đốc việc thực hiện Chỉ thị 22-CT/TU ngày 22/6/2022. ';
    const text = sentence.repeat(40).trim();
    const parts = splitMessage(text);
    expect(parts.length).toBe(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.startsWith('Ủy ban')).toBe(true);
      expect(p.endsWith('22/6/2022.')).toBe(true);
    }
  });

  it('splits at the end of a sentence rather than after the last word that fits, keeping dotted numbers whole', () => {
    const parts = splitMessage('Lệ phí 1.000.000 đồng nộp trước 30.9.2023 tại bộ phận một cửa. Câu hai.', 70);
    expect(parts).toEqual(['Lệ phí 1.000.000 đồng nộp trước 30.9.2023 tại bộ phận một cửa.', 'Câu hai.']);
  });

  it('cuts a single word longer than a message without breaking a surrogate pair', () => {
    const parts = splitMessage('😀'.repeat(5), 3);
    expect(parts.every((p) => p.length <= 3 && !/[\ud800-\udbff]$/.test(p))).toBe(true);
    expect(parts.join('')).toBe('😀'.repeat(5));
  });

  it('composes decomposed Vietnamese (NFD) before counting', () => {
    const nfd = 'Thủ tục hành chính'.normalize('NFD');
    expect(splitMessage(nfd)).toEqual(['Thủ tục hành chính']);
  });

  it('returns no parts for blank text', () => {
    expect(splitMessage('  \n\n ')).toEqual([]);
  });

  it('for any text: parts are non-empty, within the limit, and keep every visible character in order', () => {
    const alphabet = fc.constantFrom('a', 'ă', 'Đ', 'ệ', ' ', '\n', '.', '!', '?', '…', '”', '😀', '1', ',');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 400 }).map((a) => a.join('')), fc.integer({ min: 2, max: 60 }), (text, max) => {
        const parts = splitMessage(text, max);
        for (const p of parts) {
          expect(p.length).toBeGreaterThan(0);
          expect(p.length).toBeLessThanOrEqual(max);
          expect(p).toBe(p.trim());
        }
        expect(squash(parts.join(''))).toBe(squash(text.normalize('NFC')));
      }),
      { numRuns: 300 },
    );
  });
});

describe('renderZalo', () => {
  const reply: Reply = {
    intent: 'ask',
    blocks: [
      { type: 'text', text: 'Theo các nguồn tôi có:' },
      { type: 'quote', text: 'Chỉ thị 22-CT/TU ban hành ngày 22/6/2022.', cite: 1 },
    ],
    citations: [
      { id: 'ct-22', title: 'Chỉ thị 22-CT/TU', source: 'Tỉnh ủy', date: '2022-06-22', url: 'https://example.gov.vn/ct22' },
      { id: 'kh-1', title: 'Kế hoạch 01/KH', source: 'UBND tỉnh', date: '2023-01-05' },
    ],
    buttons: [[{ label: 'Xem các lệnh', action: '/help' }], [{ label: 'Hỏi tiếp', action: '/hoi' }]],
  };

  it('renders plain text with numbered sources and their links, then numbered choices', () => {
    const { parts, actions } = renderZalo(reply, texts, 'vi');
    expect(parts).toHaveLength(1);
    expect(parts[0]).toBe(
      [
        'Theo các nguồn tôi có:',
        '“Chỉ thị 22-CT/TU ban hành ngày 22/6/2022.” [1]',
        'Nguồn:\n[1] Chỉ thị 22-CT/TU — Tỉnh ủy, 22/6/2022 (https://example.gov.vn/ct22)\n[2] Kế hoạch 01/KH — UBND tỉnh, 5/1/2023',
        'Gõ 1: Xem các lệnh\nGõ 2: Hỏi tiếp',
      ].join('\n\n'),
    );
    expect(actions).toEqual(['/help', '/hoi']);
    expect(parts[0]).not.toMatch(/<[a-z]|\*\*/);
  });

  it('renders choices in English for English replies', () => {
    expect(renderChoices([[{ label: 'Help', action: '/help' }]], texts, 'en').text).toBe('Type 1: Help');
  });

  it('renders a reply without buttons with no choices', () => {
    const { parts, actions } = renderZalo({ intent: 'help', blocks: [{ type: 'text', text: 'Các lệnh' }], citations: [] }, texts, 'vi');
    expect(parts).toEqual(['Các lệnh']);
    expect(actions).toEqual([]);
  });
});

describe('pickChoice', () => {
  const actions = ['/help', '/hoi'];
  it.each([
    ['1', '/help'],
    [' 2 ', '/hoi'],
    ['2.', '/hoi'],
    ['1)', '/help'],
  ])('turns %j into its action', (text, action) => {
    expect(pickChoice(text, actions)).toBe(action);
  });
  it.each(['3', '0', '12 giờ', 'một', '1 2'])('leaves %j as text', (text) => {
    expect(pickChoice(text, actions)).toBeUndefined();
  });
});


describe('unwrapEvent', () => {
  const event = { event_name: 'message.text.received', message: { text: 'x' } };
  it('accepts the bare form live traffic uses and the wrapped form the docs show', () => {
    expect(unwrapEvent(event)).toBe(event);
    expect(unwrapEvent({ ok: true, result: event })).toBe(event);
  });
  it('leaves a failed envelope alone so validation reports it', () => {
    const failed = { ok: false, result: event };
    expect(unwrapEvent(failed)).toBe(failed);
  });
});
