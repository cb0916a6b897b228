/**
 * The weekly KPI briefing: officials subscribe with /kpi baocao (/kpi huybaocao to stop); on
 * Monday from 08:00 Vietnam time each gets one message with one chart saying what changed in
 * the week, every line sourced; exactly once per week across repeated and overlapping runs; a
 * failed send is retried or the chat dropped; former officials are dropped; /xoadulieu erases
 * it all. The job's own tests use a small catalogue of their own (the bundled figures change
 * with the data); the product tests go through the composed app, the loopback fake Telegram
 * and Zalo, the PNG renderer and /admin/jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import { KpiService } from '../../src/kpi/service';
import { KpiCatalog } from '../../src/kpi/definitions';
import { KpiBundleSchema, type KpiDefinition } from '../../src/kpi/schema';
import { BriefingSubscriptions, briefingClaimKey, briefingEraser, BRIEFING_SUBSCRIBERS_KEY, isoWeek } from '../../src/kpi/briefing';
import { briefingDue, kpiBriefingJob, BRIEFING_JOB_ID } from '../../src/jobs/briefing';
import { Texts, type TextTable } from '../../src/core/texts';
import { createLogger } from '../../src/log';
import type { ChannelName, Role } from '../../src/core/types';
import { createApp, createRuntime, runScheduled } from '../../src/app';
import { loadConfig, type RawEnv } from '../../src/config';
import { pngRenderer } from '../../src/media/png';
import { nodePng } from '../../src/media/png-node';
import { MAX_CAPTION_LENGTH } from '../../src/channels/telegram/sender';
import bundleJson from '../../src/generated/bundle.json';
import { RecordingOutbound, replyText } from '../kpi/support';
import { startFakeTelegram, parseTelegramHtml, type FakeTelegram, type UploadedFile } from '../support/fake-telegram';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { decodePng, pixelStats } from '../support/png-decode';

const texts = new Texts((bundleJson as unknown as { prompts: TextTable }).prompts);
const MONDAY = new Date('2026-11-23T08:00:00+07:00');

const source = { title: 'Kế hoạch thử nghiệm', publisher: 'UBND tỉnh (thử)', date: '2026-01-15' };
function def(over: Partial<KpiDefinition> & Pick<KpiDefinition, 'id'>): Record<string, unknown> {
  return {
    name: `Chỉ số ${over.id}`,
    nameEn: `Indicator ${over.id}`,
    short: `Chỉ số ${over.id}`,
    shortEn: `Indicator ${over.id}`,
    aliases: [over.id],
    region: 'Tỉnh thử',
    group: 'target',
    unit: 'percent',
    direction: 'up',
    target: null,
    deadline: null,
    cadence: 'monthly',
    visibility: 'internal',
    source,
    ...over,
  };
}

const catalog = new KpiCatalog(
  KpiBundleSchema.parse({
    version: 1,
    definitions: [
      def({ id: 'test-dvc', target: 80, deadline: '2027-01-31' }),
      def({ id: 'test-rank', unit: 'rank', outOf: 63, direction: 'down', target: 10, deadline: '2028-12-31', cadence: 'yearly', visibility: 'public' }),
      def({ id: 'test-quiet', unit: 'count' }),
    ],
    observations: [],
  }),
);

function setup(roles: Record<string, Role> = { 'telegram:official-1': 'official', 'zalo:official-2': 'admin' }) {
  const clock = { now: new Date('2026-11-10T10:00:00+07:00') };
  const store = new MemoryStore({ now: () => clock.now.getTime() });
  const kpi = new KpiService({ store, now: () => clock.now, catalog });
  const subscriptions = new BriefingSubscriptions(store, () => clock.now);
  const outbound = new RecordingOutbound();
  const logs: string[] = [];
  const job = kpiBriefingJob({
    kpi,
    subscriptions,
    outbound,
    texts,
    roleOf: async (channel: ChannelName, userId: string) => roles[`${channel}:${userId}`] ?? 'citizen',
  });
  const run = (at = MONDAY) => job.run({ at, store, log: createLogger('debug', (l) => logs.push(l)) });
  const put = (kpiId: string, period: string, value: number) =>
    kpi.ingest([{ ref: { row: 1 }, raw: { kpi: kpiId, period, value, source: 'Sở Nội vụ (thử)' } }], { origin: 'admin', defaultSource: 'test' });
  return { clock, store, kpi, subscriptions, outbound, run, put, logs };
}

/** Values before the week (at risk: improving too slowly), then in the week a fall (off track) and a first rank. */
async function eventfulWeek(t: ReturnType<typeof setup>): Promise<void> {
  await t.put('test-dvc', '2026-09', 60);
  await t.put('test-dvc', '2026-10', 62);
  t.clock.now = new Date('2026-11-20T09:00:00+07:00');
  await t.put('test-dvc', '2026-11', 50);
  await t.put('test-rank', '2025', 12);
  t.clock.now = MONDAY;
}

describe('the week of an instant', () => {
  it('is the ISO week of the Vietnamese day, across year ends', () => {
    expect(isoWeek(MONDAY)).toBe('2026-W48');
    // Sunday evening in UTC is Monday morning in Vietnam.
    expect(isoWeek(new Date('2026-11-22T18:00:00Z'))).toBe('2026-W48');
    expect(isoWeek(new Date('2026-11-22T16:00:00Z'))).toBe('2026-W47');
    expect(isoWeek(new Date('2027-01-01T08:00:00+07:00'))).toBe('2026-W53');
    expect(isoWeek(new Date('2024-12-30T08:00:00+07:00'))).toBe('2025-W01');
  });

  it('is due from Monday 08:00 Vietnam time to the end of that week (a failed send is retried on later days)', () => {
    expect(briefingDue(MONDAY)).toBe(true);
    expect(briefingDue(new Date('2026-11-23T01:00:00Z'))).toBe(true);
    expect(briefingDue(new Date('2026-11-23T07:00:00+07:00'))).toBe(false);
    expect(briefingDue(new Date('2026-11-23T00:30:00+07:00'))).toBe(false);
    expect(briefingDue(new Date('2026-11-22T23:00:00Z'))).toBe(false); // Monday 06:00 in Vietnam
    expect(briefingDue(new Date('2026-11-23T23:59:00+07:00'))).toBe(true);
    expect(briefingDue(new Date('2026-11-24T08:00:00+07:00'))).toBe(true);
    expect(briefingDue(new Date('2026-11-29T23:59:00+07:00'))).toBe(true);
    expect(briefingDue(new Date('2026-11-30T07:00:00+07:00'))).toBe(false);
  });
});

describe('kpi briefing job', () => {
  it('sends each official one briefing on Monday: new values, status changes and near deadlines, each sourced, with a chart', async () => {
    const t = setup();
    await eventfulWeek(t);
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'chat-1', locale: 'vi' }, 'official-1');

    expect(await t.run(new Date('2026-11-23T07:00:00+07:00'))).toMatchObject({ due: 0, subscribers: 1, sent: 0 });
    // The Sunday before is still last week's window, but the chat subscribed after it began.
    expect(await t.run(new Date('2026-11-22T08:00:00+07:00'))).toMatchObject({ subscribers: 1, sent: 0, waiting: 1 });
    expect(t.outbound.sent).toEqual([]);

    expect(await t.run()).toMatchObject({ due: 1, subscribers: 1, sent: 1, skipped: 0, failed: 0 });
    expect(t.outbound.sent).toHaveLength(1);
    const { to, reply } = t.outbound.sent[0]!;
    expect(to).toEqual({ channel: 'telegram', chatId: 'chat-1', locale: 'vi' });
    expect(reply.intent).toBe('kpi-briefing');
    const text = replyText(reply);
    expect(text).toContain('Báo cáo chỉ số tuần (16/11/2026 – 23/11/2026)');
    expect(text).toMatch(/Giá trị mới\nChỉ số test-dvc: 50% \(tháng 11\/2026[^)]*\) \[(\d)\]/);
    expect(text).toMatch(/Chỉ số test-rank: hạng 12\/63 \(năm 2025\) \[\d\]/);
    expect(text).toMatch(/Thay đổi trạng thái\nChỉ số test-dvc: Có nguy cơ → Chệch hướng; hiện 50% [^\n]*\[\d\]; mục tiêu ≥ 80%, hạn 31\/1\/2027 \[\d\]/);
    expect(text).toContain('Chỉ số test-rank: Chưa có số liệu → Có nguy cơ');
    expect(text).toMatch(/Chỉ tiêu sắp đến hạn cần chú ý\nChỉ số test-dvc: Chệch hướng, còn 69 ngày/);
    // The rank's deadline is years away; the untargeted count never changed.
    expect(text).not.toMatch(/sắp đến hạn[\s\S]*test-rank/);
    expect(text).not.toContain('test-quiet');
    // Every [n] names a citation: the values' publisher and the targets' plan.
    const marks = [...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(Math.max(...marks)).toBe(reply.citations.length);
    expect(reply.citations.map((c) => c.title).sort()).toEqual(['Kế hoạch thử nghiệm', 'Sở Nội vụ (thử)']);
    expect(reply.image?.svg).toMatch(/^<svg/);
    expect(reply.image?.alt).toMatch(/^Biểu đồ 2 chỉ số/);
    expect(reply.buttons?.[0]?.[0]?.action).toBe('/kpi');
  });

  it('briefs each subscriber once a week across repeated and overlapping runs, and again the next Monday', async () => {
    const t = setup();
    await eventfulWeek(t);
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.subscriptions.subscribe({ channel: 'zalo', chatId: 'b', locale: 'en' }, 'official-2');
    const [r1, r2] = await Promise.all([t.run(), t.run()]);
    expect(r1!.sent + r2!.sent).toBe(2);
    expect(r1!.skipped + r2!.skipped).toBe(2);
    expect(t.outbound.sent.map((s) => `${s.to.channel}:${s.to.chatId}`).sort()).toEqual(['telegram:a', 'zalo:b']);
    expect(replyText(t.outbound.sent.find((s) => s.to.channel === 'zalo')!.reply)).toContain('Weekly indicator briefing');

    expect(await t.run(new Date('2026-11-23T15:00:00+07:00'))).toMatchObject({ sent: 0, skipped: 2 });
    const next = new Date('2026-11-30T08:00:00+07:00');
    t.clock.now = next;
    expect(await t.run(next)).toMatchObject({ sent: 2 });
    expect(replyText(t.outbound.sent.at(-1)!.reply)).toContain('(23/11/2026 – 30/11/2026)');
  });

  it('says so in a quiet week, still with the card of the reform targets', async () => {
    const t = setup();
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    expect(await t.run()).toMatchObject({ sent: 1 });
    const quiet = t.outbound.sent[0]!.reply;
    expect(replyText(quiet)).toContain('Tuần qua không có giá trị mới');
    expect(quiet.citations).toEqual([]);
    expect(quiet.image?.alt).toMatch(/^Biểu đồ 3 chỉ số/);
  });

  it('retries a failed send on a later run that Monday and drops a chat that cannot be reached', async () => {
    const t = setup();
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.subscriptions.subscribe({ channel: 'zalo', chatId: 'b', locale: 'vi' }, 'official-2');
    t.outbound.failNext({ ok: false, permanent: false, reason: 'timeout' }, { ok: false, permanent: true, reason: 'blocked' });
    expect(await t.run()).toMatchObject({ sent: 0, failed: 1, dropped: 1 });
    expect((await t.subscriptions.list()).map((s) => s.chatId)).toEqual(['a']);
    expect(await t.run(new Date('2026-11-23T09:00:00+07:00'))).toMatchObject({ sent: 1, failed: 0 });
    expect(t.outbound.sent.map((s) => s.to.chatId)).toEqual(['a', 'b', 'a']);
  });

  it('drops a subscriber who is no longer an official instead of briefing them', async () => {
    const t = setup({ 'telegram:official-1': 'official' });
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'c', locale: 'vi' }, 'former-official');
    expect(await t.run()).toMatchObject({ sent: 1, dropped: 1 });
    expect(t.outbound.sent.map((s) => s.to.chatId)).toEqual(['a']);
    expect((await t.subscriptions.list()).map((s) => s.chatId)).toEqual(['a']);
  });

  it('erases a person\'s subscriptions and their chats\' claims, and nothing of others', async () => {
    const t = setup({ 'telegram:official-1': 'official', 'telegram:official-9': 'official' });
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.subscriptions.subscribe({ channel: 'telegram', chatId: 'other', locale: 'vi' }, 'official-9');
    await t.run();
    expect(await t.store.get(briefingClaimKey(isoWeek(MONDAY), { channel: 'telegram', chatId: 'a' }))).not.toBeNull();
    const removed = await briefingEraser.erase(t.store, { channel: 'telegram', userId: 'official-1', chatId: 'a' });
    expect(removed).toBe(2);
    expect(Object.keys(await t.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY))).toEqual(['telegram:other']);
    expect(await t.store.get(briefingClaimKey(isoWeek(MONDAY), { channel: 'telegram', chatId: 'a' }))).toBeNull();
    expect(await t.store.get(briefingClaimKey(isoWeek(MONDAY), { channel: 'telegram', chatId: 'other' }))).not.toBeNull();
  });
});

describe('the weekly briefing in the product', () => {
  let telegram: FakeTelegram;
  let zalo: FakeZalo;
  beforeAll(async () => {
    telegram = await startFakeTelegram();
    zalo = await startFakeZalo();
  });
  afterAll(async () => {
    await telegram.close();
    await zalo.close();
  });

  const ADMIN = 'admin-token-0123456789';
  const BASE = 'https://cchc.example.gov.vn';
  let bots = 0;

  function product() {
    zalo.reset();
    const token = `${700 + ++bots}:BRIEF-token`;
    const env: RawEnv = {
      ADMIN_TOKEN: ADMIN,
      OFFICIAL_ALLOWLIST: 'telegram:official-1,zalo:official-2',
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_WEBHOOK_SECRET: 'secret_0123456789',
      TELEGRAM_API_BASE: telegram.url,
      ZALO_BOT_TOKEN: zalo.token,
      ZALO_WEBHOOK_SECRET: 'secret_0123456789',
      ZALO_API_BASE: zalo.url,
      PUBLIC_BASE_URL: BASE,
    };
    const clock = { now: new Date('2026-11-21T10:00:00+07:00') };
    const store = new MemoryStore({ now: () => clock.now.getTime() });
    const rt = createRuntime(loadConfig(env), { store, now: () => clock.now, log: createLogger('error'), renderPng: pngRenderer(nodePng) });
    const app = createApp(rt);
    const say = (text: string, who: { channel?: ChannelName; userId?: string; chatId?: string; isGroup?: boolean; role?: Role } = {}) =>
      rt.assistant.handle({ channel: who.channel ?? 'telegram', chatId: who.chatId ?? '5551', userId: who.userId ?? 'official-1', text, locale: 'vi', isGroup: who.isGroup, role: who.role });
    return { rt, app, env, clock, store, token, say };
  }

  it('subscribes officials in private chats only and unsubscribes on /kpi huybaocao', async () => {
    const p = product();
    expect(replyText(await p.say('/kpi baocao', { userId: 'citizen-1' }))).toContain('Chỉ cán bộ');
    expect(replyText(await p.say('/kpi baocao', { isGroup: true, chatId: '-100' }))).toContain('chat riêng');
    expect(replyText(await p.say('/kpi baocao', { channel: 'web', chatId: 'session-1', role: 'official' }))).toContain('Telegram hoặc Zalo');
    expect(await p.rt.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY)).toEqual({});
    expect(replyText(await p.say('/kpi baocao'))).toContain('8 giờ sáng thứ Hai');
    expect(replyText(await p.say('/kpi bao cao'))).toContain('đã đăng ký');
    expect(replyText(await p.say('/kpi huybaocao'))).toContain('Đã hủy');
    expect(replyText(await p.say('/kpi huybaocao'))).toContain('chưa đăng ký');
    expect(await p.rt.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY)).toEqual({});
  });

  it('retries a briefing Telegram refused on Monday with the next daily run, exactly once', async () => {
    const p = product();
    await p.say('/kpi baocao');
    const delivered = () => telegram.callsOf('sendPhoto', p.token).concat(telegram.callsOf('sendMessage', p.token)).filter((c) => !c.error && String(c.params.chat_id) === '5551');
    const before = delivered().length; // the subscription's answer
    // Monday 08:00 (the daily cron): Telegram is down for the photo and for the text.
    telegram.script({ method: 'sendPhoto', error_code: 502, description: 'Bad Gateway', token: p.token });
    telegram.script({ method: 'sendMessage', error_code: 502, description: 'Bad Gateway', token: p.token });
    p.clock.now = MONDAY;
    const brief = async (at: Date) => {
      p.clock.now = at;
      return (await runScheduled(p.rt, at)).find((j) => j.job === BRIEFING_JOB_ID)!.counts;
    };
    expect(await brief(MONDAY)).toMatchObject({ due: 1, sent: 0, failed: 1, dropped: 0 });
    expect(delivered()).toHaveLength(before);
    expect(Object.keys(await p.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY))).toEqual(['telegram:5551']);
    // Tuesday 08:00: the next daily run sends it, once.
    expect(await brief(new Date('2026-11-24T08:00:00+07:00'))).toMatchObject({ due: 1, sent: 1, failed: 0 });
    const after = delivered().slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(after.map((c) => String(c.params.caption ?? c.params.text)).join('\n')).toContain('Báo cáo chỉ số tuần');
    // Wednesday: already briefed this week.
    expect(await brief(new Date('2026-11-25T08:00:00+07:00'))).toMatchObject({ sent: 0, skipped: 1 });
    expect(delivered().slice(before)).toHaveLength(after.length);
  });

  it('sends one photo with the briefing on Telegram and on Zalo once across overlapping runs, counted in /admin/jobs, and /xoadulieu erases it', async () => {
    const p = product();
    await p.say('/kpi baocao');
    await p.say('/kpi baocao', { channel: 'zalo', userId: 'official-2', chatId: 'zchat' });
    p.clock.now = MONDAY;
    const runs = await Promise.all([runScheduled(p.rt, MONDAY), runScheduled(p.rt, MONDAY)]);
    const counts = runs.map((r) => r.find((j) => j.job === BRIEFING_JOB_ID)!.counts);
    expect(counts.reduce((n, c) => n + c.sent!, 0)).toBe(2);

    const photos = telegram.callsOf('sendPhoto', p.token);
    expect(photos).toHaveLength(1);
    expect(String(photos[0]!.params.chat_id)).toBe('5551');
    const png = decodePng(new Uint8Array(Buffer.from((photos[0]!.params.photo as UploadedFile).base64, 'base64')));
    expect(png.width).toBeGreaterThanOrEqual(1080);
    expect(pixelStats(png).dark).toBeGreaterThan(10_000);
    const caption = parseTelegramHtml(String(photos[0]!.params.caption));
    expect(typeof caption === 'string' && caption.length).toBeLessThanOrEqual(MAX_CAPTION_LENGTH);
    const shown = [String(caption), ...telegram.callsOf('sendMessage', p.token).map((c) => String(c.params.text))].join('\n');
    expect(shown).toContain('Báo cáo chỉ số tuần');

    const zaloPhotos = zalo.calls('sendPhoto');
    expect(zaloPhotos).toHaveLength(1);
    const url = String(zaloPhotos[0]!.params.photo);
    expect(url.startsWith(`${BASE}/media/`)).toBe(true);
    const served = await p.app.request(new URL(url).pathname, {}, p.env);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(zalo.calls('sendMessage').map((c) => String(c.params.text)).join('\n')).toContain('Báo cáo chỉ số tuần');

    const jobs = await p.app.request(`/admin/jobs?job=${BRIEFING_JOB_ID}`, { headers: { authorization: `Bearer ${ADMIN}` } }, p.env);
    expect(jobs.status).toBe(200);
    const body = (await jobs.json()) as { totals: Record<string, Record<string, number>> };
    expect(body.totals[BRIEFING_JOB_ID]).toMatchObject({ runs: 2, sent: 2, skipped: 2, failedRuns: 0 });

    expect((await p.say('/xoadulieu xacnhan')).intent).toBe('erase');
    expect(Object.keys(await p.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY))).toEqual(['zalo:zchat']);
    expect(await p.store.get(briefingClaimKey(isoWeek(MONDAY), { channel: 'telegram', chatId: '5551' }))).toBeNull();
  });
});
