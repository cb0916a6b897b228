/**
 * A 👎 keeps the reply that was voted on: masked, tied to no one, kept as long as the day's
 * questions; a reply waits REPLY_WAIT_DAYS for a vote and then goes. Through the real assistant
 * and vote handler, and on the analytics functions themselves.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';
import { MemoryStore } from '../../src/store/memory';
import {
  attachFeedback,
  downRepliesKey,
  pendingReplyKey,
  questionsKey,
  readDay,
  recordQuestion,
  REPLY_WAIT_DAYS,
  stats,
} from '../../src/analytics/questions';
import { rememberAnswer } from '../../src/analytics/feedback';
import type { Inbound, Reply } from '../../src/core/types';

const DAY = '2026-11-21';
const CHAT = '4242';
const person = (text: string, extra: Partial<Inbound> = {}): Inbound => ({ channel: 'telegram', chatId: CHAT, userId: CHAT, text, locale: 'vi', ...extra });
const firstText = (r: Reply) => {
  const b = r.blocks[0]!;
  return b.type === 'list' ? b.items[0]! : b.text;
};

describe('a 👎 through the assistant keeps the reply that was given', () => {
  async function answerThenVote(value: 'up' | 'down', question = 'Chỉ thị 22-CT/TU ban hành ngày nào?') {
    const t = makeTestApp();
    const reply = await t.rt.assistant.handle(person(question));
    expect(reply.questionId).toBeDefined();
    // What the Telegram adapter notes under the sent message.
    await rememberAnswer(t.store, { channel: 'telegram', chatId: CHAT, messageRef: '901' }, { intent: reply.intent, questionId: reply.questionId, ttlSeconds: 3600 });
    const voted = await t.rt.assistant.handle(person('', { vote: { value, messageRef: '901' } }));
    expect(voted.intent).toBe('feedback');
    return { t, reply };
  }

  it('shows the reply beside the 👎 in the report, with its sources', async () => {
    const { t, reply } = await answerThenVote('down');
    const report = await stats(t.store, DAY, DAY);
    expect(report.downvoted).toHaveLength(1);
    const [d] = report.downvoted;
    expect(d).toMatchObject({ id: reply.questionId, channel: 'telegram', intent: reply.intent, question: 'Chỉ thị 22-CT/TU ban hành ngày nào?' });
    expect(d!.reply).toContain(firstText(reply).trim().slice(0, 40));
    expect(reply.citations.length).toBeGreaterThan(0);
    expect(d!.reply).toContain(`[1] ${reply.citations[0]!.title}`);
    // Kept as long as the day's questions.
    expect(await t.store.ttl(downRepliesKey(DAY))).toBe(await t.store.ttl(questionsKey(DAY)));
  });

  it('keeps no reply for a 👍', async () => {
    const { t } = await answerThenVote('up');
    expect(await t.store.keysWithPrefix(downRepliesKey(DAY))).toEqual([]);
    expect((await stats(t.store, DAY, DAY)).downvoted).toEqual([]);
  });

  it('ties the kept reply to no one', async () => {
    const { t } = await answerThenVote('down', 'tôi là Lan, gọi 0912345678: Chỉ thị 22-CT/TU ban hành ngày nào?');
    for (const key of await t.store.keysWithPrefix('analytics:')) {
      expect(key).not.toContain(CHAT);
      const value = JSON.stringify(await t.store.get(key).catch(() => t.store.hashGetAll(key).catch(() => t.store.zRangeByScore(key, -Infinity, Infinity))));
      expect(value).not.toContain(CHAT);
      expect(value).not.toContain('0912345678');
    }
  });
});

describe('replies wait for a vote', () => {
  it('only from a channel with 👍/👎 buttons', async () => {
    const t = makeTestApp();
    const web = await t.rt.assistant.handle(person('Chỉ thị 22-CT/TU ban hành ngày nào?', { channel: 'web', chatId: 'web-s-1', userId: 'web-s-1' }));
    const zalo = await t.rt.assistant.handle(person('Chỉ thị 22-CT/TU ban hành ngày nào?', { channel: 'zalo', chatId: 'z1', userId: 'z1' }));
    const telegram = await t.rt.assistant.handle(person('Chỉ thị 22-CT/TU ban hành ngày nào?'));
    expect(await t.store.keysWithPrefix('analytics:reply:')).toEqual([pendingReplyKey(telegram.questionId!)]);
    expect([web.questionId, zalo.questionId].every(Boolean)).toBe(true);
  });
});

describe('the kept reply', () => {
  function setup() {
    let now = new Date('2026-11-21T08:00:00+07:00');
    const store = new MemoryStore({ now: () => now.getTime() });
    const ask = (reply?: string) =>
      recordQuestion(store, { at: now, channel: 'zalo', intent: 'ask', found: true, latencyMs: 5, text: 'Làm hộ chiếu ở đâu?', retentionDays: 90, ...(reply === undefined ? {} : { reply }) });
    return { store, ask, advanceDays: (n: number) => (now = new Date(now.getTime() + n * 86_400_000)) };
  }

  it('is masked before it is stored, line breaks kept', async () => {
    const { store, ask } = setup();
    const id = await ask('Gọi   0912 345 678 hoặc lan@example.vn\n• Bước 1\n\n\n\n• Bước 2');
    expect(await store.get(pendingReplyKey(id))).toBe('Gọi [số điện thoại] hoặc [email]\n• Bước 1\n\n• Bước 2');
    expect(await attachFeedback(store, id, 'down')).toBe(true);
    expect((await readDay(store, DAY)).replies).toEqual({ [id]: 'Gọi [số điện thoại] hoặc [email]\n• Bước 1\n\n• Bước 2' });
  });

  it(`waits ${REPLY_WAIT_DAYS} days for a vote; a later 👎 counts without it`, async () => {
    const { store, ask, advanceDays } = setup();
    const id = await ask('Tại bộ phận một cửa.');
    expect(await store.ttl(pendingReplyKey(id))).toBe(REPLY_WAIT_DAYS * 86_400);
    advanceDays(REPLY_WAIT_DAYS + 1);
    expect(await attachFeedback(store, id, 'down')).toBe(true);
    const report = await stats(store, DAY, DAY);
    expect(report.feedback.down).toBe(1);
    expect(report.downvoted).toEqual([expect.objectContaining({ id, reply: null })]);
  });

  it('goes when a 👎 is changed to 👍', async () => {
    const { store, ask } = setup();
    const id = await ask('Tại bộ phận một cửa.');
    await attachFeedback(store, id, 'down');
    await attachFeedback(store, id, 'up');
    expect(await store.hashGetAll(downRepliesKey(DAY))).toEqual({});
  });

  it('is not written for a question recorded without a reply', async () => {
    const { store, ask } = setup();
    await ask();
    expect(await store.keysWithPrefix('analytics:')).toEqual([questionsKey(DAY)]);
  });
});
