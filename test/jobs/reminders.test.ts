/**
 * The daily reminder job on Node with the in-memory store: one digest per subscriber per run,
 * each (subscriber, task, stage) sent exactly once across re-runs, overlapping runs and
 * invocations that hand over through the cursor; failed sends retried with backoff, then paused.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/tasks/calendar';
import { TaskRepository } from '../../src/tasks/repository';
import { createRemindersJob, cursorKey, defaultBackoffMs, type ReminderCounts } from '../../src/jobs/reminders';
import { DELIVERY_KEY, SENT_INDEX_KEY, SUBSCRIPTIONS_KEY, Subscriptions, eraseReminderData } from '../../src/tasks/subscriptions';
import { meteredStore } from '../../src/tasks/metered-store';
import { makeHarness, task } from '../tasks/support/harness';
import { RecordingOutbound, replyText } from '../tasks/support/recording-outbound';

const UNIT = { unit: 'don-vi-thu', owner: 'Đơn vị thử nghiệm' };

async function withTask(deadline: string, id = 'viec-thu', day = '2026-11-21') {
  const h = makeHarness({ day });
  await new TaskRepository(h.store).create(task({ id, deadline, ...UNIT }));
  return h;
}

describe('the reminder job', () => {
  it('sends a digest only at T-7, T-3, T-1, on the day and on overdue days 1, 8 and 15', async () => {
    const h = await withTask('2026-12-01');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    const sentOn: Record<string, string> = {};
    for (let d = 0; d <= 26; d++) {
      const day = addDays('2026-11-21', d);
      h.setDay(day);
      await h.runJob();
      for (const s of h.outbound.take()) sentOn[day] = replyText(s.reply);
    }
    expect(Object.keys(sentOn)).toEqual([
      '2026-11-24', '2026-11-28', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-09', '2026-12-16',
    ]);
    expect(sentOn['2026-11-24']).toContain('còn 7 ngày');
    expect(sentOn['2026-11-28']).toContain('còn 3 ngày');
    expect(sentOn['2026-11-30']).toContain('còn 1 ngày');
    expect(sentOn['2026-12-01']).toContain('hạn chót là hôm nay');
    expect(sentOn['2026-12-02']).toContain('quá hạn 1 ngày');
    expect(sentOn['2026-12-09']).toContain('quá hạn 8 ngày');
    expect(sentOn['2026-12-16']).toContain('quá hạn 15 ngày');
  });

  it('sends nothing on a same-day re-run, reading a handful of keys and claiming none', async () => {
    const h = await withTask('2026-11-28');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    const first = await h.runJob();
    expect(first).toMatchObject({ sent: 1, items: 1, failed: 0 });
    const metered = meteredStore(h.store);
    const again = await createRemindersJob({ outbound: h.outbound, texts: h.rt.texts }).run({ at: h.now(), store: metered.store, log: h.rt.log });
    expect(again).toMatchObject({ due: 1, sent: 0, skipped: 1 });
    expect(h.outbound.sent).toHaveLength(1);
    expect(metered.calls()).toBeLessThanOrEqual(6);
  });

  it('sends each reminder once when two runs overlap', async () => {
    const h = await withTask('2026-11-28');
    await new TaskRepository(h.store).create(task({ id: 'viec-hai', deadline: '2026-11-22', ...UNIT }));
    for (let i = 0; i < 25; i++) await h.say('/nhacviec chon don-vi:don-vi-thu', { chatId: `chat-${i}` });
    const slow = new RecordingOutbound();
    const send = slow.send.bind(slow);
    // Yield between steps so the two runs interleave on every await.
    slow.send = async (to, reply) => {
      for (let i = 0; i < 3; i++) await Promise.resolve();
      return send(to, reply);
    };
    const job = createRemindersJob({ outbound: slow, texts: h.rt.texts, concurrency: 3 });
    const ctx = { at: h.now(), store: h.store, log: h.rt.log };
    const [a, b] = await Promise.all([job.run(ctx), job.run(ctx)]);
    expect(a.sent + b.sent).toBe(25);
    const perChat = new Map<string, number>();
    for (const s of slow.sent) perChat.set(s.to.chatId, (perChat.get(s.to.chatId) ?? 0) + s.reply.blocks.filter((bl) => bl.type === 'list').reduce((n, bl) => n + (bl.type === 'list' ? bl.items.length : 0), 0));
    expect([...perChat.values()].every((items) => items === 2)).toBe(true);
    expect(perChat.size).toBe(25);
  });

  it('hands over through a cursor when the subrequest budget runs out, and the invocations send each digest once', async () => {
    const h = await withTask('2026-11-28');
    for (let i = 0; i < 30; i++) await h.say('/nhacviec chon don-vi:don-vi-thu', { chatId: `chat-${String(i).padStart(2, '0')}` });
    const runs: ReminderCounts[] = [];
    for (let tick = 0; tick < 10; tick++) {
      const counts = await h.runJob({ maxSubrequests: 40 });
      runs.push(counts);
      expect(counts.subrequests).toBeLessThanOrEqual(40);
      if (counts.deferred === 0) break;
    }
    expect(runs.length).toBeGreaterThan(2);
    expect(runs[0]!.deferred).toBeGreaterThan(0);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(30);
    expect(new Set(h.outbound.sent.map((s) => s.to.chatId)).size).toBe(30);
    expect(await h.store.get(cursorKey('2026-11-21'))).toBeNull();
  });

  it('retries a failed send on a later run after its backoff, then pauses the chat after four failures in a row', async () => {
    const h = await withTask('2026-11-20'); // overdue since yesterday: one stage window for a week
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    h.outbound.failNext({ times: 10 });
    const subs = new Subscriptions(h.store);
    const chat = { channel: 'telegram' as const, chatId: '1001' };

    expect(await h.runJob()).toMatchObject({ sent: 0, failed: 1, paused: 0 });
    expect((await subs.deliveryState(chat))?.failures).toBe(1);

    h.setDay('2026-11-21', 8); // same instant: still inside the 30-minute backoff
    expect(await h.runJob()).toMatchObject({ failed: 0, skipped: 1 });
    expect(h.outbound.attempts).toBe(1);

    const attemptsAt = [addDays('2026-11-21', 1), addDays('2026-11-21', 2), addDays('2026-11-21', 3)];
    for (const day of attemptsAt) {
      h.setDay(day);
      expect((await h.runJob()).failed).toBe(1);
    }
    expect(h.outbound.attempts).toBe(4);
    const state = await subs.deliveryState(chat);
    expect(state).toMatchObject({ failures: 4 });
    expect(state?.pausedAt).toBeDefined();

    h.setDay(addDays('2026-11-21', 4));
    expect(await h.runJob()).toMatchObject({ skipped: 1, failed: 0, sent: 0 });
    expect(h.outbound.attempts).toBe(4);

    // Choosing again resumes the chat; the reminder still owed for this week goes out.
    const list = await h.say('/nhacviec danh sach');
    expect(replyText(list)).toContain('tạm dừng');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    h.outbound.clearFailures();
    const resumed = await h.runJob();
    expect(resumed).toMatchObject({ sent: 1 });
    expect(await subs.deliveryState(chat)).toBeUndefined();
  });

  it('pauses a chat at once when the failure is permanent (bot blocked)', async () => {
    const h = await withTask('2026-11-28');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    h.outbound.failNext({ permanent: true });
    expect(await h.runJob()).toMatchObject({ failed: 1, paused: 1 });
    const raw = await h.store.hashGetAll(DELIVERY_KEY);
    expect(JSON.parse(raw['telegram:1001']!)).toMatchObject({ failures: 1, reason: 'telegram 403: bot was blocked by the user' });
    h.setDay('2026-11-22');
    expect(await h.runJob()).toMatchObject({ skipped: 1 });
    expect(h.outbound.attempts).toBe(1);
  });

  it('releases the claims of a failed send so the retry can take them', async () => {
    const h = await withTask('2026-11-28');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    h.outbound.failNext();
    await h.runJob();
    expect(await h.store.keysWithPrefix('remind:claim:')).toEqual([]);
    h.setDay('2026-11-21', 9);
    expect(await h.runJob()).toMatchObject({ sent: 1 });
  });

  it('starts the stages again when an admin extends the deadline, and stops when the task is closed', async () => {
    const h = await withTask('2026-11-28');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    expect((await h.runJob()).sent).toBe(1);
    const repo = new TaskRepository(h.store);
    const t = (await repo.get('viec-thu'))!;
    await repo.replace({ ...t, deadline: '2026-12-05' });
    h.setDay('2026-11-28'); // T-7 of the new deadline
    h.outbound.take();
    expect((await h.runJob()).sent).toBe(1);
    const [digest] = h.outbound.take();
    expect(replyText(digest!.reply)).toContain('hạn 5/12/2026 (còn 7 ngày)');
    await repo.replace({ ...t, deadline: '2026-12-05', status: 'done' });
    h.setDay('2026-12-02');
    expect(await h.runJob()).toMatchObject({ due: 0, sent: 0 });
  });

  it('keeps only current stages in the sent index and forgets chats that unsubscribed', async () => {
    const h = await withTask('2026-11-28');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    await h.say('/nhacviec chon don-vi:don-vi-thu', { chatId: '2002' });
    await h.runJob();
    expect(Object.keys(await h.store.hashGetAll(SENT_INDEX_KEY))).toHaveLength(2);
    await h.say('/huynhac', { chatId: '2002' });
    h.setDay('2026-11-24'); // 4 days left: the T-7 window is still current
    await h.runJob();
    expect(Object.keys(await h.store.hashGetAll(SENT_INDEX_KEY))).toHaveLength(1);
    h.setDay('2026-11-25'); // 3 days left: the T-3 window opens and the T-7 record is stale
    await h.runJob();
    const fields = Object.keys(await h.store.hashGetAll(SENT_INDEX_KEY));
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatch(/^telegram:1001\|/);
    expect(Object.keys(await h.store.hashGetAll(SUBSCRIPTIONS_KEY))).toEqual(['telegram:1001']);
  });

  it('sends a subscriber to all units every due bundled task in one digest, each with days overdue, owner and source', async () => {
    const h = makeHarness({ day: '2026-11-21' });
    await h.say('/nhacviec chon tat-ca');
    expect(await h.runJob()).toMatchObject({ sent: 1, items: 16 });
    const [digest] = h.outbound.take();
    const text = replyText(digest!.reply);
    expect(text).toContain('Nhắc hạn nhiệm vụ cải cách hành chính — 21/11/2026');
    expect(text).toContain(
      '- Hợp nhất Cổng Dịch vụ công tỉnh và Hệ thống một cửa điện tử tỉnh thành Hệ thống thông tin giải quyết thủ tục hành chính, liên thông với Cổng Dịch vụ công quốc gia — hạn 30/9/2023 đã qua (quá hạn 1.148 ngày), chưa có tin đã hoàn thành. Chủ trì: Ban chỉ đạo chuyển đổi số tỉnh Bình Dương. Nguồn: Báo Lao Động, 21/8/2023.',
    );
    expect(text).not.toContain('100% hồ sơ'); // due in 2030: no stage yet
    expect(digest!.reply.citations.map((c) => c.id)).toContain('bd-nhiem-vu-cchc-cds-cuoi-nam-2023');
  });

  it('backs off 30 minutes, then doubles, capped at 12 hours', () => {
    expect([1, 2, 3, 6, 10].map((n) => defaultBackoffMs(n) / 60_000)).toEqual([30, 60, 120, 720, 720]);
  });
});

describe('the reminder job under a small budget', () => {
  it('splits a digest too large for one invocation across invocations instead of getting stuck', async () => {
    const h = makeHarness({ day: '2026-11-21' });
    await h.say('/nhacviec chon tat-ca', { channel: 'zalo', chatId: 'z1' });
    const first = await h.runJob({ maxSubrequests: 25 });
    expect(first).toMatchObject({ sent: 1, deferred: 1 });
    expect(first.items).toBeLessThan(16);
    expect(first.subrequests).toBeLessThanOrEqual(25);
    let total = first.items;
    for (let tick = 0; tick < 5 && total < 16; tick++) total += (await h.runJob({ maxSubrequests: 25 })).items;
    expect(total).toBe(16);
    expect(() => createRemindersJob({ outbound: h.outbound, texts: h.rt.texts, maxSubrequests: 10 })).toThrow(/at least/);
  });
});

describe('erasing a chat', () => {
  it("removes the chat's subscription, delivery state, sent records and claims, and nothing of other chats", async () => {
    const h = await withTask('2026-11-28');
    await h.say('/nhacviec chon don-vi:don-vi-thu');
    await h.say('/nhacviec chon don-vi:don-vi-thu', { chatId: '2002' });
    h.outbound.failNext({ chatId: '2002' });
    await h.runJob();
    await h.store.claim('remind:claim:telegram:1001:x', 60);
    // subscription + sent record + the run's claim (kept until it expires) + the extra claim
    expect(await eraseReminderData(h.store, { channel: 'telegram', chatId: '1001' })).toBe(4);
    expect(Object.keys(await h.store.hashGetAll(SUBSCRIPTIONS_KEY))).toEqual(['telegram:2002']);
    expect(Object.keys(await h.store.hashGetAll(SENT_INDEX_KEY))).toEqual([]);
    expect(Object.keys(await h.store.hashGetAll(DELIVERY_KEY))).toEqual(['telegram:2002']);
    expect(await h.store.keysWithPrefix('remind:claim:telegram:1001')).toEqual([]);
  });
});
