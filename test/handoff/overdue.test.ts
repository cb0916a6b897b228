/**
 * The overdue notice (src/jobs/handoff-overdue.ts), through the composed app and the loopback
 * fake Bot API: a conversation nobody took that waited past the target of working time is
 * reported to the staff group once, however often or concurrently the handoff ticks run, in one
 * digest per tick however many are overdue; never outside working hours; never for one taken or
 * closed; a notice the group did not get for a reason that may pass is tried again on the next
 * tick, one it can never get (the bot was removed) is not retried every ten minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { runScheduled } from '../../src/app';
import { HANDOFF_OVERDUE_JOB_ID } from '../../src/jobs/handoff-overdue';
import { HANDOFF_OVERDUE_CRON, jobsForCron } from '../../src/jobs/schedule';
import { handoffApp, handoffsOfChat, listHandoffs, MONDAY_9, type HandoffApp } from './support';

const STAFF = '-1001234567890';
const MINUTE = 60_000;
/** Thirty citizens asking from one test address within a minute. */
const MANY = { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000' };

let telegram: FakeTelegram;
beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(() => telegram.close());

let bots = 0;

interface OverdueApp {
  app: HandoffApp;
  token: string;
  /** The overdue notices the staff group received, in order. */
  notices(): string[];
  /** One handoff tick at the app's clock, as the Workers handoff cron runs it. */
  tick(): Promise<Record<string, number>>;
}

function overdueApp(start = MONDAY_9, more: Record<string, string> = {}): OverdueApp {
  const token = `${820000 + ++bots}:HANDOFF-OVERDUE`;
  const app = handoffApp(
    { TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: 'handoff-overdue-secret', TELEGRAM_API_BASE: telegram.url, HANDOFF_TELEGRAM_CHAT_ID: STAFF, ...more },
    start,
  );
  return {
    app,
    token,
    notices: () =>
      telegram
        .callsOf('sendMessage', token)
        .filter((c) => !c.error && String(c.params.chat_id) === STAFF && String(c.params.text).includes('quá thời gian mục tiêu'))
        .map((c) => String(c.params.text)),
    async tick() {
      const runs = await runScheduled(app.rt, new Date(app.clock.now), jobsForCron(HANDOFF_OVERDUE_CRON));
      expect(runs.map((r) => r.job)).toEqual([HANDOFF_OVERDUE_JOB_ID]);
      expect(runs[0]!.ok).toBe(true);
      return runs[0]!.counts;
    },
  };
}

async function askForPerson(app: HandoffApp, first = 'Hộ chiếu số B1234567 của tôi bị mất'): Promise<{ id: string; session: { id?: string } }> {
  const session: { id?: string } = {};
  await app.web(first, session);
  await app.web('gặp cán bộ', session);
  const mine = await handoffsOfChat(app, session.id!, 'open');
  expect(mine).toHaveLength(1);
  return { id: mine[0]!.id, session };
}

describe('the overdue notice to the staff group', () => {
  it('is sent once when a conversation waited past the target in working hours, with the link and nothing the citizen wrote', async () => {
    const t = overdueApp(MONDAY_9, { PUBLIC_BASE_URL: 'https://cchc.example.gov.vn' });
    const { id, session } = await askForPerson(t.app);

    t.app.clock.now = MONDAY_9 + 29 * MINUTE;
    expect(await t.tick()).toMatchObject({ open: 1, overdue: 0, notified: 0 });
    expect(t.notices()).toEqual([]);

    t.app.clock.now = MONDAY_9 + 31 * MINUTE;
    expect(await t.tick()).toMatchObject({ open: 1, overdue: 1, notified: 1, skipped: 0 });
    expect(t.notices()).toHaveLength(1);
    const text = t.notices()[0]!;
    expect(text).toContain('31 phút');
    expect(text).toContain('trang web');
    expect(text).toContain(`https://cchc.example.gov.vn/console/support/${id}`);
    expect(text).not.toContain('B1234567');
    expect(text).not.toContain(session.id!);

    // The run is listed with its counts.
    const jobs = await t.app.admin('GET', `/jobs?job=${HANDOFF_OVERDUE_JOB_ID}`);
    expect((jobs.body.runs as Array<{ counts: Record<string, number> }>).map((r) => r.counts.notified)).toEqual([1, 0]);
  });

  it('is not sent again by later or concurrent runs', async () => {
    const t = overdueApp();
    await askForPerson(t.app);
    t.app.clock.now = MONDAY_9 + 40 * MINUTE;
    const concurrent = await Promise.all([t.tick(), t.tick(), t.tick()]);
    expect(concurrent.map((c) => c.notified).sort()).toEqual([0, 0, 1]);
    t.app.clock.now = MONDAY_9 + 50 * MINUTE;
    expect(await t.tick()).toMatchObject({ overdue: 1, notified: 0, skipped: 1 });
    t.app.clock.now = MONDAY_9 + 24 * 60 * MINUTE;
    await t.tick();
    expect(t.notices()).toHaveLength(1);
  });

  it('is one per conversation: a second one waiting gets its own', async () => {
    const t = overdueApp();
    const first = await askForPerson(t.app);
    t.app.clock.now = MONDAY_9 + 20 * MINUTE;
    const second = await askForPerson(t.app, 'cho hỏi thủ tục cấp đổi giấy phép lái xe');
    t.app.clock.now = MONDAY_9 + 35 * MINUTE;
    await t.tick();
    t.app.clock.now = MONDAY_9 + 55 * MINUTE;
    await t.tick();
    const notices = t.notices();
    expect(notices).toHaveLength(2);
    expect(notices[0]).toContain(first.id);
    expect(notices[1]).toContain(second.id);
  });

  it('is not sent outside working hours, and counts only working time', async () => {
    const t = overdueApp(Date.parse('2026-11-20T16:50:00+07:00')); // Friday, 10 minutes before closing
    await askForPerson(t.app);
    for (const at of ['2026-11-20T17:30:00+07:00', '2026-11-21T09:00:00+07:00', '2026-11-23T07:00:00+07:00', '2026-11-23T07:45:00+07:00']) {
      t.app.clock.now = Date.parse(at);
      await t.tick();
    }
    expect(t.notices()).toEqual([]); // Friday 10 minutes + Monday 15 minutes: within the target
    t.app.clock.now = Date.parse('2026-11-23T07:55:00+07:00');
    expect(await t.tick()).toMatchObject({ notified: 1 });
    expect(t.notices()[0]).toContain('35 phút');
  });

  it('waits through the lunch break even for a conversation already past the target', async () => {
    const t = overdueApp(Date.parse('2026-11-23T10:50:00+07:00'));
    await askForPerson(t.app);
    t.app.clock.now = Date.parse('2026-11-23T12:00:00+07:00');
    expect((await listHandoffs(t.app, 'open'))[0]).toMatchObject({ overdue: true }); // the inbox marks it
    expect(await t.tick()).toMatchObject({ outsideHours: 1, notified: 0 });
    expect(t.notices()).toEqual([]);
    t.app.clock.now = Date.parse('2026-11-23T13:30:00+07:00');
    expect(await t.tick()).toMatchObject({ outsideHours: 0, notified: 1 });
  });

  it('is not sent for a conversation an operator took or closed', async () => {
    const t = overdueApp();
    const taken = await askForPerson(t.app);
    const closed = await askForPerson(t.app, 'cho hỏi thủ tục cấp đổi giấy phép lái xe');
    expect((await t.app.admin('POST', `/handoffs/${taken.id}/take`, { actor: 'lan' })).status).toBe(200);
    expect((await t.app.admin('POST', `/handoffs/${closed.id}/close`, { actor: 'lan' })).status).toBe(200);
    t.app.clock.now = MONDAY_9 + 60 * MINUTE;
    expect(await t.tick()).toMatchObject({ open: 0, notified: 0 });
    expect(t.notices()).toEqual([]);
  });

  it('tries again on the next run when the group did not get it for a reason that may pass', async () => {
    const t = overdueApp();
    await askForPerson(t.app);
    t.app.clock.now = MONDAY_9 + 31 * MINUTE;
    telegram.script({ method: 'sendMessage', error_code: 502, description: 'Bad Gateway', token: t.token });
    expect(await t.tick()).toMatchObject({ notified: 0, failed: 1 });
    expect(t.app.logs.some((l) => l.includes('handoff-overdue: staff group not notified'))).toBe(true);
    t.app.clock.now = MONDAY_9 + 41 * MINUTE;
    expect(await t.tick()).toMatchObject({ notified: 1, failed: 0 });
    expect(t.notices()).toHaveLength(1);
  });

  it('is not retried every run when the group can never get it (the bot was removed)', async () => {
    const t = overdueApp();
    await askForPerson(t.app);
    t.app.clock.now = MONDAY_9 + 31 * MINUTE;
    telegram.script({ method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat', token: t.token });
    expect(await t.tick()).toMatchObject({ overdue: 1, notified: 0, failed: 1 });
    expect(t.app.logs.some((l) => l.includes('handoff-overdue: staff group not notified'))).toBe(true);
    const attempts = () => telegram.callsOf('sendMessage', t.token).filter((c) => String(c.params.chat_id) === STAFF).length;
    const before = attempts();
    for (const minutes of [41, 51, 61]) {
      t.app.clock.now = MONDAY_9 + minutes * MINUTE;
      expect(await t.tick()).toMatchObject({ overdue: 1, notified: 0, skipped: 1, failed: 0 });
    }
    expect(attempts()).toBe(before);
    expect(t.notices()).toEqual([]);
  });

  it('tells the group about 30 conversations overdue in one tick in one message', async () => {
    const t = overdueApp(MONDAY_9, MANY);
    for (let i = 0; i < 30; i++) await askForPerson(t.app, `câu hỏi số ${i} về thủ tục hành chính`);
    const staffMessages = () => telegram.callsOf('sendMessage', t.token).filter((c) => String(c.params.chat_id) === STAFF && !c.error);
    const before = staffMessages().length; // the opening notices
    t.app.clock.now = MONDAY_9 + 31 * MINUTE;
    expect(await t.tick()).toMatchObject({ overdue: 30, notified: 30, failed: 0 });
    expect(staffMessages().slice(before)).toHaveLength(1);
    expect(t.notices()).toHaveLength(1);
    expect(t.notices()[0]).toContain('30 người dân');
  });

  it('names each overdue conversation once across overlapping ticks, one digest per tick at most', async () => {
    const t = overdueApp(MONDAY_9, MANY);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await askForPerson(t.app, `câu hỏi số ${i} về thủ tục hành chính`)).id);
    t.app.clock.now = MONDAY_9 + 31 * MINUTE;
    const counts = await Promise.all([t.tick(), t.tick()]);
    expect(counts.reduce((n, c) => n + c.notified!, 0)).toBe(30);
    expect(counts.reduce((n, c) => n + c.skipped!, 0)).toBe(30);
    const digests = t.notices();
    expect(digests).toHaveLength(counts.filter((c) => c.notified! > 0).length);
    const text = digests.join('\n');
    const named = ids.filter((id) => text.includes(id));
    for (const id of named) expect(text.split(id).length - 1).toBe(1);
    const more = [...text.matchAll(/và (\d+) cuộc trò chuyện khác/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(named.length + more).toBe(30);
    t.app.clock.now = MONDAY_9 + 41 * MINUTE;
    expect(await t.tick()).toMatchObject({ overdue: 30, notified: 0, skipped: 30 });
    expect(t.notices()).toHaveLength(digests.length);
  });

  it('leaves nothing naming the conversation after /xoadulieu', async () => {
    const t = overdueApp();
    const { id, session } = await askForPerson(t.app);
    t.app.clock.now = MONDAY_9 + 31 * MINUTE;
    await t.tick();
    expect(t.notices()).toHaveLength(1);
    await t.app.web('/xoadulieu xacnhan', session);
    expect((await t.app.store.keysWithPrefix('')).filter((k) => k.includes(id))).toEqual([]);
  });

  it('is not scheduled without a staff group', () => {
    const app = handoffApp();
    expect(app.rt.jobs.map((j) => j.id)).not.toContain(HANDOFF_OVERDUE_JOB_ID);
  });
});
