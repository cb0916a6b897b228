/**
 * Question analytics on their own: what one record keeps (masked text, no ids), how long it is
 * kept, how feedback attaches to it, and the report built from them.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import {
  attachFeedback,
  feedbackKey,
  questionsKey,
  readDay,
  recordQuestion,
  shouldRecord,
  stats,
  type QuestionEvent,
} from '../../src/analytics/questions';
import { aggregate, questionKey, type DayData } from '../../src/analytics/report';
import { addDays, daySpan, daysBetween, isIsoDay, vnDay } from '../../src/core/vn-time';

function setup(start = '2026-11-21T08:00:00+07:00') {
  let now = new Date(start);
  const store = new MemoryStore({ now: () => now.getTime() });
  const ask = (over: Partial<QuestionEvent> = {}) =>
    recordQuestion(store, { at: now, channel: 'telegram', intent: 'ask', found: true, latencyMs: 120, text: 'Chỉ thị 22 ban hành ngày nào?', retentionDays: 90, ...over });
  return {
    store,
    ask,
    now: () => now,
    advanceDays: (d: number) => {
      now = new Date(now.getTime() + d * 86_400_000);
    },
  };
}

describe('recordQuestion', () => {
  it('keeps masked text, intent, found, latency and channel under the Vietnamese day, and nothing else', async () => {
    const { store, ask } = setup();
    const id = await ask({ text: 'Tôi là Lan, SĐT 0912 345 678, CCCD 001203004567   hỏi  cấp lại hộ chiếu', found: false, latencyMs: 87.6, channel: 'zalo', intent: 'procedure' });
    const day = await readDay(store, '2026-11-21');
    expect(day.questions).toEqual([
      {
        id,
        at: Date.parse('2026-11-21T08:00:00+07:00'),
        channel: 'zalo',
        intent: 'procedure',
        found: false,
        latencyMs: 88,
        text: 'Tôi là Lan, SĐT [số điện thoại], CCCD [số CCCD] hỏi cấp lại hộ chiếu',
      },
    ]);
    const [raw] = await store.zRangeByScore(questionsKey('2026-11-21'), -Infinity, Infinity);
    expect(Object.keys(JSON.parse(raw!.member)).sort()).toEqual(['c', 'f', 'i', 'id', 'ms', 'q']);
    expect(raw!.member).not.toMatch(/0912|001203004567/);
  });

  it('files a question asked at 23:30 UTC under the next Vietnamese day', async () => {
    const { store } = setup();
    await recordQuestion(store, { at: new Date('2026-11-20T23:30:00Z'), channel: 'web', intent: 'ask', found: true, latencyMs: 1, text: 'x', retentionDays: 30 });
    expect(await store.keysWithPrefix('analytics:')).toEqual(['analytics:q:2026-11-21']);
  });

  it('keeps a day for the retention period after it ends, then lets it expire', async () => {
    const { store, ask, advanceDays } = setup('2026-11-21T00:00:00+07:00');
    await ask({ retentionDays: 30 });
    // The key lives until the end of the day plus 30 days: 31 days from the day's start.
    expect(await store.ttl(questionsKey('2026-11-21'))).toBe(31 * 86_400);
    advanceDays(30.99);
    expect((await readDay(store, '2026-11-21')).questions).toHaveLength(1);
    advanceDays(0.02);
    expect((await readDay(store, '2026-11-21')).questions).toHaveLength(0);
    expect(await store.keysWithPrefix('')).toEqual([]);
  });

  it('gives each question its own id, even two in the same millisecond', async () => {
    const { ask } = setup();
    const ids = await Promise.all([ask(), ask(), ask()]);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]+\.[0-9a-f]{6}$/);
  });
});

describe('attachFeedback', () => {
  it('links a vote to its question with the same retention, the last vote standing', async () => {
    const { store, ask } = setup();
    const id = await ask();
    expect(await attachFeedback(store, id, 'down')).toBe(true);
    expect(await attachFeedback(store, id, 'up')).toBe(true);
    expect((await readDay(store, '2026-11-21')).feedback).toEqual({ [id]: 'up' });
    expect(await store.ttl(feedbackKey('2026-11-21'))).toBe(await store.ttl(questionsKey('2026-11-21')));
  });

  it('refuses malformed ids, unknown questions and other values, writing nothing', async () => {
    const { store, ask } = setup();
    const id = await ask();
    const [time] = id.split('.');
    expect(await attachFeedback(store, 'garbage', 'up')).toBe(false);
    expect(await attachFeedback(store, `${time}.000000`, 'up')).toBe(false);
    expect(await attachFeedback(store, `${(Number.parseInt(time!, 36) + 1).toString(36)}.${id.split('.')[1]}`, 'up')).toBe(false);
    expect(await attachFeedback(store, id, 'meh' as 'up')).toBe(false);
    expect(await store.keysWithPrefix('analytics:fb:')).toEqual([]);
  });

  it('refuses a vote on a question past its retention', async () => {
    const { store, ask, advanceDays } = setup();
    const id = await ask({ retentionDays: 1 });
    advanceDays(3);
    expect(await attachFeedback(store, id, 'up')).toBe(false);
    expect(await store.keysWithPrefix('')).toEqual([]);
  });
});

describe('stats', () => {
  it('reports per day, by intent and channel, top and unanswered questions, and the feedback ratio', async () => {
    const { store, ask, advanceDays } = setup('2026-11-19T09:00:00+07:00');
    const minute = 1 / 1440;
    const a = await ask({ text: 'Làm CCCD ở đâu?', intent: 'procedure', latencyMs: 100 });
    advanceDays(minute);
    await ask({ text: 'lam cccd o dau', intent: 'procedure', channel: 'zalo', latencyMs: 300 });
    advanceDays(1);
    const c = await ask({ text: 'giá vàng hôm nay', found: false, channel: 'web', latencyMs: 50 });
    advanceDays(minute);
    await ask({ text: 'Giá vàng hôm nay?', found: false, channel: 'web', latencyMs: 70 });
    advanceDays(minute);
    await ask({ text: 'Làm CCCD ở đâu?', intent: 'procedure', latencyMs: 200 });
    await attachFeedback(store, a, 'up');
    await attachFeedback(store, c, 'down');
    advanceDays(5);
    await ask({ text: 'outside the range' });

    const report = await stats(store, '2026-11-18', '2026-11-20', { top: 5 });
    expect(report.from).toBe('2026-11-18');
    expect(report.totals).toEqual({ questions: 5, answered: 3, unanswered: 2, answeredRatio: 0.6, avgLatencyMs: 144, p95LatencyMs: 300 });
    expect(report.perDay).toEqual([
      { day: '2026-11-18', questions: 0, unanswered: 0, up: 0, down: 0, answered: 0, byChannel: {} },
      { day: '2026-11-19', questions: 2, unanswered: 0, up: 1, down: 0, answered: 2, byChannel: { telegram: 1, zalo: 1 } },
      { day: '2026-11-20', questions: 3, unanswered: 2, up: 0, down: 1, answered: 1, byChannel: { web: 2, telegram: 1 } },
    ]);
    expect(report.byIntent).toEqual({ procedure: 3, ask: 2 });
    expect(report.byChannel).toEqual({ telegram: 2, zalo: 1, web: 2 });
    expect(report.topQuestions.map((q) => [q.text, q.count, q.unanswered])).toEqual([
      ['Làm CCCD ở đâu?', 3, 0],
      ['Giá vàng hôm nay?', 2, 2],
    ]);
    // Two wordings asked once each: the one asked last is shown.
    expect(report.unanswered).toEqual([{ text: 'Giá vàng hôm nay?', count: 2, unanswered: 2, lastAt: '2026-11-20T02:02:00.000Z' }]);
    expect(report.feedback).toEqual({ up: 1, down: 1, ratio: 0.5 });
    expect(report.filter).toEqual({ channel: null, intent: null });
    // Recorded without a reply: the 👎 is listed, its reply not kept.
    expect(report.downvoted).toEqual([{ id: c, at: '2026-11-20T02:01:00.000Z', channel: 'web', intent: 'ask', question: 'giá vàng hôm nay', reply: null }]);
    expect(report.questions).toBeUndefined();

    // Filtered: everything narrows, except the facet counts of the filter's own dimension.
    const web = await stats(store, '2026-11-18', '2026-11-20', { top: 5, channel: 'web' });
    expect(web.totals.questions).toBe(2);
    expect(web.perDay.map((d) => d.byChannel)).toEqual([{}, {}, { web: 2 }]);
    expect(web.byChannel).toEqual({ telegram: 2, zalo: 1, web: 2 });
    expect(web.byIntent).toEqual({ ask: 2 });
    expect(web.feedback).toEqual({ up: 0, down: 1, ratio: 0 });
    const procedure = await stats(store, '2026-11-18', '2026-11-20', { top: 5, intent: 'procedure' });
    expect(procedure.totals.questions).toBe(3);
    expect(procedure.byChannel).toEqual({ telegram: 2, zalo: 1 });
    expect(procedure.byIntent).toEqual({ procedure: 3, ask: 2 });
    expect(procedure.downvoted).toEqual([]);

    // The single questions: 👎 first, then newest; `outcome` picks which.
    const listed = await stats(store, '2026-11-18', '2026-11-20', { top: 5, list: 3 });
    expect(listed.questions!.map((q) => [q.text, q.vote ?? null])).toEqual([
      ['giá vàng hôm nay', 'down'],
      ['Làm CCCD ở đâu?', null],
      ['Giá vàng hôm nay?', null],
    ]);
    expect(listed.totals.questions).toBe(5);
    const unanswered = await stats(store, '2026-11-18', '2026-11-20', { top: 5, list: 10, outcome: 'unanswered' });
    expect(unanswered.questions!.map((q) => q.found)).toEqual([false, false]);
    const down = await stats(store, '2026-11-18', '2026-11-20', { top: 5, list: 10, outcome: 'down' });
    expect(down.questions!.map((q) => q.id)).toEqual([c]);
  });

  it('reports nothing as zeros and nulls rather than dividing by zero', async () => {
    const { store } = setup();
    const report = await stats(store, '2026-11-21', '2026-11-21');
    expect(report.totals).toEqual({ questions: 0, answered: 0, unanswered: 0, answeredRatio: null, avgLatencyMs: null, p95LatencyMs: null });
    expect(report.feedback.ratio).toBeNull();
    expect(report.topQuestions).toEqual([]);
  });

  it('skips unreadable members instead of failing the report', async () => {
    const { store, ask } = setup();
    await ask();
    await store.zAdd(questionsKey('2026-11-21'), 1, 'not json');
    await store.zAdd(questionsKey('2026-11-21'), 2, '{"id":"x"}');
    await store.hashSet(feedbackKey('2026-11-21'), { x: 'maybe' });
    const day = await readDay(store, '2026-11-21');
    expect(day.questions).toHaveLength(1);
    expect(day.feedback).toEqual({});
  });
});

describe('aggregate', () => {
  const q = (text: string, at: number, found = true) => ({ id: `${at}`, at, channel: 'web' as const, intent: 'ask', found, latencyMs: 10, text });

  it('groups wordings that differ only in case, marks and punctuation, showing the commonest', () => {
    const days: DayData[] = [{ day: '2026-11-21', questions: [q('lam cccd o dau', 1), q('Làm CCCD ở đâu?', 2), q('Làm CCCD ở đâu?', 3), q('...', 4)], feedback: {} }];
    const report = aggregate(days, { top: 10 });
    expect(report.topQuestions).toEqual([{ text: 'Làm CCCD ở đâu?', count: 3, unanswered: 0, lastAt: new Date(3).toISOString() }]);
    expect(questionKey('  Đăng ký   KẾT HÔN!! ')).toBe('dang ky ket hon');
  });

  it('keeps only the top N, most asked first, the latest first among equals', () => {
    const days: DayData[] = [{ day: 'd', questions: [q('a', 1), q('b', 2), q('b', 3), q('c', 4)], feedback: {} }];
    expect(aggregate(days, { top: 2 }).topQuestions.map((t) => t.text)).toEqual(['b', 'c']);
  });

  it('counts votes only for questions of the range', () => {
    const days: DayData[] = [{ day: 'd', questions: [q('a', 1)], feedback: { '1': 'down', stray: 'up' } }];
    expect(aggregate(days, { top: 1 }).feedback).toEqual({ up: 0, down: 1, ratio: 0 });
  });
});

describe('shouldRecord', () => {
  it.each([
    [{ via: 'fallback', args: 'câu hỏi', intent: 'ask' }, true],
    [{ via: 'detect', args: 'kpi quý 3', intent: 'kpi' }, true],
    [{ via: 'command', args: 'đăng ký kết hôn', intent: 'procedure' }, true],
    [{ via: 'command', args: '', intent: 'help' }, false],
    [{ via: 'unknown-command', args: '', intent: 'help' }, false],
    [{ via: 'fallback', args: 'x', intent: 'rate-limited' }, false],
  ])('%o -> %s', (turn, expected) => {
    expect(shouldRecord(turn)).toBe(expected);
  });
});

describe('Vietnamese days', () => {
  it('compute days, spans and validity the Vietnamese way', () => {
    expect(vnDay(new Date('2026-11-20T16:59:59Z'))).toBe('2026-11-20');
    expect(vnDay(new Date('2026-11-20T17:00:00Z'))).toBe('2026-11-21');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daySpan('2026-01-01', '2026-12-31')).toBe(365);
    expect(daySpan('2026-01-02', '2026-01-01')).toBe(0);
    expect(isIsoDay('2026-02-29')).toBe(false);
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(isIsoDay('2026-1-01')).toBe(false);
  });
});
