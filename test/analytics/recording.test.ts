/**
 * The assistant keeps each question for the operator after it answers: through the real app,
 * with the retention from config, never for bare commands or sensitive turns, and never at the
 * cost of the answer.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';
import { attachFeedback, questionsKey, readDay } from '../../src/analytics/questions';
import { createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import type { Inbound } from '../../src/core/types';

const DAY = '2026-11-21';
const inbound = (text: string): Inbound => ({ channel: 'telegram', chatId: '4242', userId: '4242', text, locale: 'vi' });

describe('question analytics from the assistant', () => {
  it('records a question with its masked text, intent, found flag and channel, and returns its id', async () => {
    const t = makeTestApp();
    const reply = await t.rt.assistant.handle(inbound('Chỉ thị 22-CT/TU ban hành ngày nào? gọi tôi 0912345678'));
    expect(reply.questionId).toMatch(/^[0-9a-z]+\.[0-9a-f]{6}$/);
    const { questions } = await readDay(t.store, DAY);
    expect(questions).toEqual([
      expect.objectContaining({
        id: reply.questionId,
        channel: 'telegram',
        intent: reply.intent,
        found: reply.found !== false,
        text: 'Chỉ thị 22-CT/TU ban hành ngày nào? gọi tôi [số điện thoại]',
      }),
    ]);
    expect(await attachFeedback(t.store, reply.questionId!, 'up')).toBe(true);
    // Nothing in analytics says who asked.
    for (const key of await t.store.keysWithPrefix('analytics:')) {
      expect(key).not.toContain('4242');
      const value = await t.store.zRangeByScore(key, -Infinity, Infinity).catch(() => t.store.hashGetAll(key).catch(() => t.store.get(key)));
      expect(JSON.stringify(value)).not.toContain('4242');
    }
  });

  it('counts a question nothing relevant was found for as unanswered', async () => {
    const t = makeTestApp();
    const reply = await t.rt.assistant.handle(inbound('/hoi xyzzy plugh frobnicate'));
    expect(reply.found).toBe(false);
    expect((await readDay(t.store, DAY)).questions).toEqual([expect.objectContaining({ found: false, text: '/hoi xyzzy plugh frobnicate' })]);
  });

  it('does not record bare commands or unknown commands', async () => {
    const t = makeTestApp();
    for (const text of ['/start', '/help', '/khongcolenh', '/toi']) {
      expect((await t.rt.assistant.handle(inbound(text))).questionId).toBeUndefined();
    }
    expect(await t.store.keysWithPrefix('analytics:')).toEqual([]);
  });

  it('keeps questions for ANALYTICS_RETENTION_DAYS after their day', async () => {
    const t = makeTestApp({ ANALYTICS_RETENTION_DAYS: '10' });
    await t.rt.assistant.handle(inbound('nghị quyết 05 chuyển đổi số'));
    // Asked at 08:00 on the 21st: the day's key goes 10 days after the day ends.
    expect(await t.store.ttl(questionsKey(DAY))).toBe(11 * 86_400 - 8 * 3600);
  });

  it('answers even when the analytics write fails, and logs only a warning', async () => {
    const logs: string[] = [];
    const store = new MemoryStore({ now: () => Date.parse('2026-11-21T08:00:00+07:00') });
    store.zAdd = async () => {
      throw new Error('store down');
    };
    const rt = createRuntime(loadConfig({}), { store, now: () => new Date('2026-11-21T08:00:00+07:00'), log: createLogger('debug', (l) => logs.push(l)) });
    const reply = await rt.assistant.handle(inbound('nghị quyết 05 chuyển đổi số'));
    expect(reply.intent).not.toBe('error');
    expect(reply.questionId).toBeUndefined();
    expect(logs.join('\n')).toContain('question not recorded');
  });

  it('records web chat questions under the web channel', async () => {
    const t = makeTestApp();
    await t.request('/api/chat', postJson({ message: 'mục tiêu số hoá hồ sơ', sessionId: 'web-analytics-1' }));
    expect((await readDay(t.store, DAY)).questions.map((q) => q.channel)).toEqual(['web']);
  });
});
