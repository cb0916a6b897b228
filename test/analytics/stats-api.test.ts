/**
 * GET /admin/stats, the fields added for the console: each day split by channel, channel and
 * intent filters, the answers voted 👎 with their reply, and the listed questions. The older
 * fields keep their shape (test/admin/routes.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';
import { attachFeedback, recordQuestion } from '../../src/analytics/questions';
import type { StatsReport } from '../../src/analytics/report';

const TOKEN = 'admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const NOW = new Date('2026-11-21T08:00:00+07:00');

async function seeded() {
  const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
  const ask = (channel: 'telegram' | 'zalo' | 'web', intent: string, daysAgo: number, reply?: string) =>
    recordQuestion(t.store, {
      at: new Date(NOW.getTime() - daysAgo * 86_400_000),
      channel,
      intent,
      found: true,
      latencyMs: 5,
      text: `câu hỏi ${channel} ${intent} ${daysAgo}`,
      retentionDays: 90,
      ...(reply ? { reply } : {}),
    });
  await ask('telegram', 'ask', 0);
  await ask('zalo', 'ask', 0);
  await ask('zalo', 'procedure', 1);
  const voted = await ask('web', 'procedure', 2, 'Nộp hồ sơ tại bộ phận một cửa, gọi 0912345678.');
  await attachFeedback(t.store, voted, 'down');
  const get = async (query: string) => {
    const res = await t.request(`/admin/stats${query}`, { headers: auth });
    return { status: res.status, body: (await res.json()) as StatsReport & { error?: string } };
  };
  return { t, get, voted };
}

describe('GET /admin/stats for the console', () => {
  it('splits each day by channel, so a month is one call', async () => {
    const { get } = await seeded();
    const { status, body } = await get('?from=2026-10-23&to=2026-11-21&top=1');
    expect(status).toBe(200);
    expect(body.perDay).toHaveLength(30);
    expect(body.perDay.slice(-3)).toEqual([
      expect.objectContaining({ day: '2026-11-19', questions: 1, answered: 1, byChannel: { web: 1 }, down: 1 }),
      expect.objectContaining({ day: '2026-11-20', questions: 1, byChannel: { zalo: 1 } }),
      expect.objectContaining({ day: '2026-11-21', questions: 2, byChannel: { telegram: 1, zalo: 1 } }),
    ]);
  });

  it('filters by channel and intent', async () => {
    const { get } = await seeded();
    const zalo = (await get('?channel=zalo')).body;
    expect(zalo.totals.questions).toBe(2);
    expect(zalo.filter).toEqual({ channel: 'zalo', intent: null });
    expect(zalo.byIntent).toEqual({ ask: 1, procedure: 1 });
    const both = (await get('?channel=zalo&intent=procedure')).body;
    expect(both.totals.questions).toBe(1);
    expect(both.topQuestions.map((q) => q.text)).toEqual(['câu hỏi zalo procedure 1']);
  });

  it('gives the 👎 answers with the masked reply, and lists questions on request', async () => {
    const { get, voted } = await seeded();
    const { body } = await get('?list=10&outcome=down');
    expect(body.downvoted).toEqual([expect.objectContaining({ id: voted, channel: 'web', reply: 'Nộp hồ sơ tại bộ phận một cửa, gọi [số điện thoại].' })]);
    expect(body.questions).toEqual([expect.objectContaining({ id: voted, vote: 'down', reply: 'Nộp hồ sơ tại bộ phận một cửa, gọi [số điện thoại].' })]);
    expect((await get('')).body.questions).toBeUndefined();
    expect((await get('?list=2')).body.questions).toHaveLength(2);
  });

  it.each([
    ['an unknown channel', '?channel=sms', /channel/],
    ['an empty intent', '?intent=', /intent/],
    ['too long an intent', `?intent=${'x'.repeat(41)}`, /intent/],
    ['too long a list', '?list=501', /list/],
    ['a negative list', '?list=-1', /list/],
    ['an unknown outcome', '?outcome=maybe', /outcome/],
  ])('refuses %s with 400 and a reason', async (_name, query, reason) => {
    const { get } = await seeded();
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body.error).toMatch(reason);
  });
});
