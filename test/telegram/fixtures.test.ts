/**
 * Every update shape in test/fixtures/telegram (real payloads' shapes, see its README) through
 * the composed app's webhook and the loopback fake Bot API: each is acknowledged with 200, and
 * the bot sends what it should (or nothing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';
import { FAKE_BOT_USERNAME, startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram';

const DIR = new URL('../fixtures/telegram/', import.meta.url);
const SECRET = 'fixture-secret_0123456789';
/** Calls that only read (the bot's own username); everything else the bot would show someone. */
const READS = new Set(['getMe']);

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

type Params = Record<string, unknown>;
interface Expectation {
  /** What was shown, in order, as [method, params] for the calls that show something. */
  check(shown: Array<[string, Params]>): void;
}

const silent: Expectation = {
  check: (shown) => expect(shown).toEqual([]),
};

/** One answer (possibly in parts): the first part matches `text` and the params in `where`. */
function answer(text: RegExp, where: Params = {}): Expectation {
  return {
    check(shown) {
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.every(([m]) => m === 'sendMessage')).toBe(true);
      const [, first] = shown[0]!;
      expect(first.text).toMatch(text);
      expect(first).toMatchObject(where);
    },
  };
}

const group = -1001987654321;
const clarify = /chưa rõ bạn muốn hỏi gì/;
const quotes = /Theo các nguồn tôi có|According to my sources/;

const expectations: Record<string, Expectation> = {
  'private-bare-number': answer(clarify, { chat_id: 5012345678 }),
  'private-bare-year-en': answer(/not sure what you mean/, { chat_id: 5098765432 }),
  'private-fullwidth-number': answer(clarify),
  'group-unknown-command': silent,
  'group-command-other-bot': silent,
  'group-anonymous-admin-kpi': answer(/Các chỉ số cải cách hành chính/, { chat_id: group, reply_parameters: { message_id: 134548 } }),
  'group-anonymous-admin-forward': silent,
  'group-migrated-from-group': silent,
  'group-video-chat-started': silent,
  'group-new-chat-members': silent,
  'group-pinned-message': silent,
  'group-dice': silent,
  'forum-topic-created': silent,
  'forum-topic-help': answer(/\/trogiup/, { chat_id: -1001555000111, message_thread_id: 5341, reply_parameters: { message_id: 5343 } }),
  'group-automatic-forward': silent,
  'group-via-bot': silent,
  'private-write-access-allowed': silent,
  'private-successful-payment': silent,
  'private-auto-delete-timer': silent,
  'private-photo-with-caption': answer(/chỉ đọc được tin nhắn chữ/, { chat_id: 5012345678 }),
  'edited-message': silent,
  'channel-post': silent,
  'my-chat-member-kicked': silent,
  'message-reaction': silent,
  'chat-join-request': silent,
  'callback-inline-message': {
    check: (shown) => expect(shown).toEqual([['answerCallbackQuery', expect.objectContaining({ text: expect.stringContaining('hết hạn') })]]),
  },
  'callback-inaccessible-message': {
    check(shown) {
      expect(shown.map(([m]) => m)).toEqual(['answerCallbackQuery', 'sendMessage']);
      expect(shown[1]![1]).toMatchObject({ chat_id: 5012345678, text: expect.stringContaining('/trogiup') });
    },
  },
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
let bots = 0;

describe('Telegram fixtures through the composed app', () => {
  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(files).toEqual(Object.keys(expectations).sort());
  });

  it.each(files)('%s: 200, and the right thing sent', async (name) => {
    const update = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as unknown;
    const token = `${800000 + ++bots}:FIXTURE-${name}`;
    const t = makeTestApp({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url });
    const res = await t.request('/webhooks/telegram', postJson(update, { 'x-telegram-bot-api-secret-token': SECRET }));
    expect(res.status).toBe(200);
    await t.background.drain();
    const shown = fake
      .calls(token)
      .filter((c: RecordedCall) => !READS.has(c.method))
      .map((c): [string, Params] => [c.method, c.params]);
    expectations[name]!.check(shown);
    // A number alone is never answered with unrelated quotes.
    for (const [, p] of shown) expect(String(p.text ?? '')).not.toMatch(quotes);
    expect(t.logs.join('\n')).not.toContain('telegram update failed');
  });

  it('addresses the bot by the username the fake Bot API reports', () => {
    expect(readFileSync(new URL('group-anonymous-admin-kpi.json', DIR), 'utf8')).toContain(`@${FAKE_BOT_USERNAME}`);
  });
});
