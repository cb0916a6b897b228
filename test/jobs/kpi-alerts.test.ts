/**
 * Off-track alerts: subscribed officials are told once when a KPI turns off track, again only
 * after it recovers and turns off track anew; failed sends are retried or the subscriber is
 * dropped; stale values and former officials get nothing.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import { KpiService } from '../../src/kpi/service';
import { kpiAlertJob, ALERT_STATE_KEY } from '../../src/jobs/kpi-alerts';
import { Texts, type TextTable } from '../../src/core/texts';
import { createLogger } from '../../src/log';
import type { JobContext } from '../../src/jobs/job';
import type { ChannelName, Role } from '../../src/core/types';
import bundleJson from '../../src/generated/bundle.json';
import { RecordingOutbound, replyText } from '../kpi/support';

const texts = new Texts((bundleJson as unknown as { prompts: TextTable }).prompts);

function setup(roles: Record<string, Role> = { 'telegram:official-1': 'official', 'zalo:official-2': 'official' }) {
  const clock = { now: new Date('2026-11-21T08:00:00+07:00') };
  const store = new MemoryStore({ now: () => clock.now.getTime() });
  const kpi = new KpiService({ store, now: () => clock.now });
  const outbound = new RecordingOutbound();
  const logs: string[] = [];
  const job = kpiAlertJob({
    kpi,
    outbound,
    texts,
    roleOf: async (channel: ChannelName, userId: string) => roles[`${channel}:${userId}`] ?? 'citizen',
  });
  const run = () => job.run({ at: clock.now, store, log: createLogger('debug', (l) => logs.push(l)) } satisfies JobContext);
  const put = (kpiId: string, period: string, value: number) =>
    kpi.ingest([{ ref: { row: 1 }, raw: { kpi: kpiId, period, value } }], { origin: 'admin', defaultSource: 'test' });
  return { clock, store, kpi, outbound, run, put, logs };
}

describe('kpi alert job', () => {
  it('tells a subscribed official once when a KPI turns off track, and nothing about stale ones', async () => {
    const t = setup();
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'chat-9', locale: 'vi' }, 'official-1');
    await t.put('bd-dvc-toan-trinh', '2026-10', 44);

    const first = await t.run();
    expect(first).toMatchObject({ turned: 1, sent: 1, failed: 0 });
    expect(t.outbound.sent).toHaveLength(1);
    const { to, reply } = t.outbound.sent[0]!;
    expect(to).toEqual({ channel: 'telegram', chatId: 'chat-9', locale: 'vi' });
    expect(reply.intent).toBe('kpi-alert');
    expect(replyText(reply)).toContain('Tỷ lệ dịch vụ công trực tuyến toàn trình của tỉnh Bình Dương (cũ): 44% (tháng 10/2026)');
    expect(replyText(reply)).toContain('Đã quá hạn 31/12/2023');
    expect(reply.buttons?.[0]?.[0]?.action).toBe('/kpi bd-dvc-toan-trinh');

    const second = await t.run();
    expect(second).toMatchObject({ turned: 0, sent: 0 });
    expect(t.outbound.sent).toHaveLength(1);
  });

  it('tells again only after the KPI recovered and turned off track anew', async () => {
    const t = setup();
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'chat-9', locale: 'en' }, 'official-1');
    await t.put('bd-dvc-toan-trinh', '2026-10', 44);
    await t.run();
    await t.put('bd-dvc-toan-trinh', '2026-11', 51);
    expect(await t.run()).toMatchObject({ sent: 0 });
    expect(JSON.parse((await t.store.hashGetAll(ALERT_STATE_KEY))['bd-dvc-toan-trinh']!)).toEqual({ status: 'on_track' });
    t.clock.now = new Date('2026-12-20T08:00:00+07:00');
    await t.put('bd-dvc-toan-trinh', '2026-12', 47);
    expect(await t.run()).toMatchObject({ turned: 1, sent: 1 });
    expect(t.outbound.sent).toHaveLength(2);
    expect(replyText(t.outbound.sent[1]!.reply)).toContain('turned off track');
  });

  it('tells each subscriber once even when two runs overlap', async () => {
    const t = setup();
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.kpi.subscribe({ channel: 'zalo', chatId: 'b', locale: 'vi' }, 'official-2');
    await t.put('bd-dvc-toan-trinh', '2026-10', 44);
    await Promise.all([t.run(), t.run()]);
    expect(t.outbound.sent.map((s) => `${s.to.channel}:${s.to.chatId}`).sort()).toEqual(['telegram:a', 'zalo:b']);
  });

  it('retries a send that failed for a passing reason, and drops a chat that is gone', async () => {
    const t = setup();
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.kpi.subscribe({ channel: 'zalo', chatId: 'b', locale: 'vi' }, 'official-2');
    await t.put('bd-dvc-toan-trinh', '2026-10', 44);
    t.outbound.failNext({ ok: false, permanent: false, reason: 'timeout' }, { ok: false, permanent: true, reason: 'blocked' });
    expect(await t.run()).toMatchObject({ sent: 0, failed: 2 });
    expect((await t.kpi.subscribers()).map((s) => s.chatId)).toEqual(['a']);
    expect(await t.run()).toMatchObject({ sent: 1, failed: 0 });
    expect(t.outbound.sent.map((s) => s.to.chatId)).toEqual(['a', 'b', 'a']);
    expect(await t.run()).toMatchObject({ sent: 0 });
  });

  it('unsubscribes, and does not tell, someone who is no longer an official', async () => {
    const t = setup({});
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.put('bd-dvc-toan-trinh', '2026-10', 44);
    expect(await t.run()).toMatchObject({ dropped: 1, sent: 0 });
    expect(t.outbound.sent).toEqual([]);
    expect(await t.kpi.subscribers()).toEqual([]);
  });

  it('raises no alert for a KPI whose off-track value is stale', async () => {
    const t = setup();
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    // The bundled DTI rank (19/63 in 2022 against a Top 10 aim for 2023) is off track but years old.
    const dti = await t.kpi.view(t.kpi.catalog.get('bd-dti-rank')!);
    expect(dti.evaluation).toMatchObject({ status: 'off_track', stale: true });
    expect(await t.run()).toMatchObject({ offTrack: 0, sent: 0 });
  });
});

describe('kpiEraser', () => {
  it('removes a person\'s subscription and the alert claims of their chat, and nothing of others', async () => {
    const { kpiEraser } = await import('../../src/kpi/erase');
    const t = setup();
    await t.kpi.subscribe({ channel: 'telegram', chatId: 'a', locale: 'vi' }, 'official-1');
    await t.kpi.subscribe({ channel: 'zalo', chatId: 'b', locale: 'vi' }, 'official-2');
    await t.put('bd-dvc-toan-trinh', '2026-10', 44);
    await t.run();
    expect(await t.store.keysWithPrefix('kpi:alerted:')).toHaveLength(2);
    const removed = await kpiEraser.erase(t.store, { channel: 'telegram', userId: 'official-1', chatId: 'a' });
    expect(removed).toBe(2);
    expect((await t.kpi.subscribers()).map((s) => s.chatId)).toEqual(['b']);
    expect(await t.store.keysWithPrefix('kpi:alerted:')).toEqual([expect.stringMatching(/:zalo:b$/)]);
  });
});
