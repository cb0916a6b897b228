/**
 * Every webhook body in test/fixtures/zalo (shapes found in other projects and reports, see its
 * README) sent as raw bytes through POST /webhooks/zalo with the real runtime and the fake Bot
 * API: each is acknowledged with 200 and does what its expectation says, in groups only when
 * addressed to the bot.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { makeZaloHarness, sentTo } from './harness';

const DIR = join(__dirname, '..', 'fixtures', 'zalo');

type Expectation =
  /** The assistant is asked `asks` and its answer goes to `chat`. */
  | { do: 'answer'; chat: string; asks: string }
  /** The "I only read text" notice goes to `chat`; the assistant is not asked. */
  | { do: 'notice'; chat: string }
  /** Nothing is sent anywhere and the assistant is not asked. */
  | { do: 'nothing' };

const EXPECTED: Record<string, Expectation> = {
  'private-text.json': { do: 'answer', chat: '6ede9afa66b88fe6d6a9', asks: 'Chỉ thị 22-CT/TU ban hành ngày nào?' },
  'private-text-wrapped.json': { do: 'answer', chat: '7fef0b0b77c99f07e7ba', asks: 'tro giup' },
  // Every digit kept: parsed as a JavaScript number this chat would be 8446421582866818000.
  'private-text-numeric-ids.json': { do: 'answer', chat: '8446421582866817655', asks: 'tro giup' },
  'group-text-no-mention.json': { do: 'nothing' },
  'group-text-mention.json': { do: 'answer', chat: 'g-1a2b3c4d5e6f70819293', asks: 'cho hỏi chỉ thị 22-CT/TU ban hành ngày nào?' },
  'group-command.json': { do: 'answer', chat: 'g-2b3c4d5e6f708192a3b4', asks: '/help' },
  'group-mention-command.json': { do: 'answer', chat: 'g-3c4d5e6f708192a3b4c5', asks: '/start' },
  'group-sticker.json': { do: 'nothing' },
  'private-sticker.json': { do: 'notice', chat: 'c4d5e6f7a8b9c0d1e2f3' },
  'private-sticker-object.json': { do: 'notice', chat: 'd5e6f7a8b9c0d1e2f3a4' },
  'private-image-photo-string.json': { do: 'notice', chat: 'e6f7a8b9c0d1e2f3a4b5' },
  'private-image-photo-object.json': { do: 'notice', chat: 'f7a8b9c0d1e2f3a4b5c6' },
  'private-image-live.json': { do: 'notice', chat: '08b9c0d1e2f3a4b5c6d7' },
  'link-event.json': {
    do: 'answer',
    chat: '19c0d1e2f3a4b5c6d7e8',
    asks: 'Thủ tục cấp hộ chiếu phổ thông\nCổng Dịch vụ công quốc gia\nhttps://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001234',
  },
  'text-link-attachment.json': {
    do: 'answer',
    chat: '2ad1e2f3a4b5c6d7e8f9',
    asks: 'Kế hoạch cải cách hành chính năm 2025\nSở Nội vụ\nhttps://sonoivu.example.gov.vn/ke-hoach-cchc-2025',
  },
  'unsupported-no-message.json': { do: 'nothing' },
  'private-unsupported.json': { do: 'notice', chat: '3be2f3a4b5c6d7e8f9a0' },
  'group-unsupported.json': { do: 'nothing' },
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe('Zalo webhook bodies from other projects (test/fixtures/zalo)', () => {
  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s', async (file) => {
    const expected = EXPECTED[file]!;
    const t = makeZaloHarness(fake);
    const asked = vi.spyOn(t.rt.assistant, 'handle');
    // Raw bytes, as Zalo sends them: a JSON.parse/stringify round trip here would already lose digits.
    const res = await t.post(readFileSync(join(DIR, file), 'utf8'));
    expect(res.status).toBe(200);
    await t.background.drain();

    const sends = fake.calls('sendMessage');
    if (expected.do === 'nothing') {
      expect(asked).not.toHaveBeenCalled();
      expect(sends).toEqual([]);
      return;
    }
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.every((c) => c.params.chat_id === expected.chat && c.status === 200)).toBe(true);
    if (expected.do === 'notice') {
      expect(asked).not.toHaveBeenCalled();
      expect(sentTo(fake, expected.chat)).toEqual([t.rt.texts.get('vi', 'zalo-text-only')]);
    } else {
      expect(asked).toHaveBeenCalledTimes(1);
      expect(asked.mock.calls[0]![0]).toMatchObject({ channel: 'zalo', chatId: expected.chat, text: expected.asks });
    }
  });
});
