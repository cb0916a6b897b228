/**
 * The reminder job inside workerd, with a frozen clock walked across days (the in-memory store
 * reads the same clock): the digests at T-7, T-3, T-1, on the day and when overdue are exactly
 * right, a same-day re-run sends nothing, and failed sends are retried with backoff, then the
 * chat is paused. (Subscriptions surviving a restart on Upstash are tested on Node, in
 * test/tasks/upstash.test.ts, where a real redis-server can run.)
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Texts, type TextTable } from '../../src/core/texts';
import { silentLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import bundle from '../../src/generated/bundle.json';
import { addDays, localInstant } from '../../src/tasks/calendar';
import { withHistory, readHistory } from '../../src/jobs/history';
import { createRemindersJob } from '../../src/jobs/reminders';
import type { Task } from '../../src/tasks/schema';
import { Subscriptions, applyChange } from '../../src/tasks/subscriptions';
import { RecordingOutbound, replyText } from '../tasks/support/recording-outbound';

const texts = new Texts((bundle as { prompts: TextTable }).prompts);

const MERGE: Task = {
  id: 'hop-nhat-cong-dvc',
  title: 'Hợp nhất Cổng Dịch vụ công tỉnh và Hệ thống một cửa điện tử',
  owner: 'Sở Thông tin và Truyền thông tỉnh Bình Dương',
  unit: 'so-tttt-bd',
  deadline: '2026-12-01',
  status: 'open',
  source: { title: 'Kế hoạch chuyển đổi số', outlet: 'Báo Lao Động', date: '2026-10-15' },
};
const REVIEW: Task = {
  id: 'ra-soat-tthc',
  title: 'Rà soát 30% thủ tục hành chính',
  owner: 'Các sở, ngành tỉnh Bình Dương',
  unit: 'so-nganh-bd',
  deadline: '2026-12-03',
  status: 'open',
  source: { title: 'Kế hoạch cải cách thủ tục', outlet: 'Cổng thông tin PCI', date: '2026-09-01' },
};

/** A coming deadline with the days left; a passed one spoken of as past, no completion known. */
const when = (deadline: string, left: string) =>
  left.startsWith('quá hạn') ? `hạn ${deadline} đã qua (${left}), chưa có tin đã hoàn thành` : `hạn ${deadline} (${left})`;
const merge = (left: string) =>
  `- Hợp nhất Cổng Dịch vụ công tỉnh và Hệ thống một cửa điện tử — ${when('1/12/2026', left)}. Chủ trì: Sở Thông tin và Truyền thông tỉnh Bình Dương. Nguồn: Báo Lao Động, 15/10/2026.`;
const review = (left: string) =>
  `- Rà soát 30% thủ tục hành chính — ${when('3/12/2026', left)}. Chủ trì: Các sở, ngành tỉnh Bình Dương. Nguồn: Cổng thông tin PCI, 1/9/2026.`;
const FOOTER = 'Gõ /nhacviec danh sach để xem các đăng ký, /huynhac để dừng nhắc.';
const digest = (day: string, ...groups: Array<[string, ...string[]]>) =>
  [`Nhắc hạn nhiệm vụ cải cách hành chính — ${day}`, ...groups.flat(), FOOTER].join('\n');

/** Exactly what the chat must receive on each day of the walk; every other day, nothing. */
const EXPECTED: Record<string, string> = {
  '2026-11-24': digest('24/11/2026', ['Còn 4–7 ngày', merge('còn 7 ngày')]),
  '2026-11-26': digest('26/11/2026', ['Còn 4–7 ngày', review('còn 7 ngày')]),
  '2026-11-28': digest('28/11/2026', ['Còn 2–3 ngày', merge('còn 3 ngày')]),
  '2026-11-30': digest('30/11/2026', ['Còn 1 ngày', merge('còn 1 ngày')], ['Còn 2–3 ngày', review('còn 3 ngày')]),
  '2026-12-01': digest('1/12/2026', ['Đến hạn hôm nay', merge('hạn chót là hôm nay')]),
  '2026-12-02': digest('2/12/2026', ['Đã quá hạn', merge('quá hạn 1 ngày')], ['Còn 1 ngày', review('còn 1 ngày')]),
  '2026-12-03': digest('3/12/2026', ['Đến hạn hôm nay', review('hạn chót là hôm nay')]),
  '2026-12-04': digest('4/12/2026', ['Đã quá hạn', review('quá hạn 1 ngày')]),
  '2026-12-09': digest('9/12/2026', ['Đã quá hạn', merge('quá hạn 8 ngày')]),
  '2026-12-11': digest('11/12/2026', ['Đã quá hạn', review('quá hạn 8 ngày')]),
  '2026-12-16': digest('16/12/2026', ['Đã quá hạn', merge('quá hạn 15 ngày')]),
  '2026-12-18': digest('18/12/2026', ['Đã quá hạn', review('quá hạn 15 ngày')]),
};

function setup(start: string) {
  let now = localInstant(start);
  const store = new MemoryStore({ now: () => now.getTime() });
  const outbound = new RecordingOutbound();
  const job = withHistory(createRemindersJob({ outbound, texts, bundled: [MERGE, REVIEW] }), { clock: () => now.getTime() });
  return {
    store,
    outbound,
    at(day: string, hour = 8, minute = 0) {
      now = localInstant(day, hour, minute);
    },
    run: () => job.run({ at: now, store, log: silentLogger }),
    async subscribe(chatId: string, change: Parameters<typeof applyChange>[2]) {
      const subs = new Subscriptions(store);
      const recipient = { channel: 'telegram' as const, chatId, locale: 'vi' as const };
      await subs.save(applyChange(await subs.get(recipient), recipient, change, now.toISOString()));
    },
  };
}

describe('deadline reminders in workerd', () => {
  it('runs inside workerd', () => {
    expect((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent).toBe('Cloudflare-Workers');
    expect(env).toBeDefined();
  });

  it('sends exactly the right digest on each day of a walk from T-11 to 17 days overdue, and nothing on a same-day re-run', async () => {
    const t = setup('2026-11-20');
    await t.subscribe('1001', { op: 'add', all: true });
    const received: Record<string, string> = {};
    for (let d = 0; d <= 30; d++) {
      const day = addDays('2026-11-20', d);
      t.at(day, 8);
      const first = await t.run();
      for (const s of t.outbound.take()) {
        expect(received[day]).toBeUndefined(); // one digest per run
        received[day] = replyText(s.reply);
      }
      t.at(day, 11); // the same day, later: a re-run
      const again = await t.run();
      expect(again.sent).toBe(0);
      expect(t.outbound.take()).toEqual([]);
      expect(again.skipped).toBe(first.due);
    }
    expect(received).toEqual(EXPECTED);
  });

  it('follows only the units a chat chose: the second unit’s task never reaches it', async () => {
    const t = setup('2026-11-24');
    await t.subscribe('1001', { op: 'add', unit: 'so-tttt-bd' });
    t.at('2026-11-30');
    await t.run();
    const [only] = t.outbound.take();
    expect(replyText(only!.reply)).toBe(digest('30/11/2026', ['Còn 1 ngày', merge('còn 1 ngày')]));
  });

  it('retries a failed send on the next runs with backoff, then pauses the chat, and keeps the counts of every run', async () => {
    const t = setup('2026-12-02'); // the merge task is overdue: its weekly window stays open all week
    await t.subscribe('1001', { op: 'add', unit: 'so-tttt-bd' });
    await t.subscribe('2002', { op: 'add', unit: 'so-tttt-bd' });
    t.outbound.failNext({ chatId: '1001', times: 100 });

    const day1 = await t.run();
    expect(day1).toMatchObject({ sent: 1, failed: 1, paused: 0 });
    t.at('2026-12-02', 8, 10); // ten minutes later: still backing off
    expect(await t.run()).toMatchObject({ sent: 0, failed: 0, skipped: 2 });
    t.at('2026-12-02', 9); // an hour later: retried, fails again
    expect(await t.run()).toMatchObject({ failed: 1 });
    t.at('2026-12-03');
    expect(await t.run()).toMatchObject({ failed: 1, paused: 0 });
    t.at('2026-12-04');
    expect(await t.run()).toMatchObject({ failed: 1, paused: 1 });
    t.at('2026-12-05');
    expect(await t.run()).toMatchObject({ failed: 0, skipped: 2, sent: 0 });
    expect(t.outbound.attempts).toBe(5); // 4 tries for the failing chat, 1 success for the other

    const runs = await readHistory(t.store, { from: new Date('2026-12-01'), to: new Date('2026-12-06'), job: 'reminders', limit: 10 });
    expect(runs.map((r) => [r.counts.sent, r.counts.skipped, r.counts.failed])).toEqual([
      [0, 2, 0],
      [0, 1, 1],
      [0, 1, 1],
      [0, 1, 1],
      [0, 2, 0],
      [1, 0, 1],
    ]);
  });
});
