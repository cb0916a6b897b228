/**
 * The channel-neutral feedback store: one vote per answer, daily counters, and the vote attached
 * to the question in analytics when the answer carried its id.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import { feedbackCounts, feedbackKeyPrefixes, recordFeedback, rememberAnswer } from '../../src/analytics/feedback';
import { readDay, recordQuestion } from '../../src/analytics/questions';

const ref = { channel: 'telegram' as const, chatId: '7', messageRef: '1001' };
const day = 86_400;

describe('recordFeedback', () => {
  it('counts the first vote on an answer, attaches it to the question, and refuses a second', async () => {
    const now = Date.parse('2026-11-21T23:30:00+07:00');
    const store = new MemoryStore({ now: () => now });
    const questionId = await recordQuestion(store, { at: new Date(now), channel: 'telegram', intent: 'ask', found: true, latencyMs: 5, text: 'Hạn nộp?', retentionDays: 30 });
    await rememberAnswer(store, ref, { intent: 'ask', questionId, ttlSeconds: 30 * day });

    expect(await recordFeedback(store, { ...ref, value: 'down', now: new Date(now), ttlSeconds: 30 * day })).toBe('recorded');
    expect(await recordFeedback(store, { ...ref, value: 'up', now: new Date(now), ttlSeconds: 30 * day })).toBe('duplicate');

    // 23:30 on the 21st in Vietnam is still the 21st.
    expect(await feedbackCounts(store, new Date(now))).toEqual({ up: 0, down: 1 });
    expect((await readDay(store, '2026-11-21')).feedback).toEqual({ [questionId]: 'down' });
  });

  it('counts votes on different answers separately, also when the answer note has expired', async () => {
    let now = Date.parse('2026-11-21T08:00:00+07:00');
    const store = new MemoryStore({ now: () => now });
    await rememberAnswer(store, ref, { intent: 'ask', ttlSeconds: 60 });
    now += 120_000;
    await recordFeedback(store, { ...ref, value: 'up', now: new Date(now), ttlSeconds: day });
    await recordFeedback(store, { ...ref, messageRef: '1002', value: 'up', now: new Date(now), ttlSeconds: day });
    expect(await feedbackCounts(store, new Date(now))).toEqual({ up: 2, down: 0 });
  });

  it('keeps per-chat keys only under prefixes an erase can find, expiring with the retention', async () => {
    const now = Date.parse('2026-11-21T08:00:00+07:00');
    const store = new MemoryStore({ now: () => now });
    await rememberAnswer(store, ref, { intent: 'ask', ttlSeconds: day });
    await recordFeedback(store, { ...ref, value: 'up', now: new Date(now), ttlSeconds: day });
    const perChat = (await store.keysWithPrefix('feedback:')).filter((k) => k.includes(':7:'));
    const found = (await Promise.all(feedbackKeyPrefixes('telegram', '7').map((p) => store.keysWithPrefix(p)))).flat();
    expect(found.sort()).toEqual(perChat.sort());
    expect(perChat).toHaveLength(2);
    for (const key of perChat) expect(await store.ttl(key)).toBe(day);
  });
});
