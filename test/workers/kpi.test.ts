/**
 * The KPI feature inside workerd: the bundled catalogue loads, the status rule runs, and an
 * upload through the admin shell is stored once (a repeat changes nothing) with the same
 * composition the Node tests use.
 */
import { describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { makeAudit } from '../../src/admin/index';
import { metricsAdmin } from '../../src/admin/metrics';
import { KpiService } from '../../src/kpi/service';
import { evaluateStatus } from '../../src/kpi/status';

const TOKEN = 'admin-token-0123456789';

function compose() {
  const now = () => new Date('2026-11-21T08:00:00+07:00');
  const store = new MemoryStore({ now: () => now().getTime() });
  const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store, now });
  const kpi = new KpiService({ store, now });
  const app = createApp(rt);
  app.route('/admin/metrics', metricsAdmin({ kpi, audit: makeAudit({ store, now }), log: rt.log }));
  return { app, kpi };
}

describe('KPIs in workerd', () => {
  it('judges a trend that lands exactly on the target as on track', () => {
    const r = evaluateStatus({
      direction: 'up',
      target: 50,
      deadline: '2023-01-21',
      cadence: 'monthly',
      today: '2023-01-12',
      points: [
        { asOf: '2023-01-01', value: 40 },
        { asOf: '2023-01-11', value: 45 },
      ],
    });
    expect(r).toMatchObject({ status: 'on_track', projected: 50 });
  });

  it('stores an upload once and reports a repeat as unchanged', async () => {
    const { app, kpi } = compose();
    const init = {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${TOKEN}` },
      body: 'kpi,period,value\nbd-dvc-toan-trinh,2026-10,44\n',
    };
    const first = await app.request('/admin/metrics', init);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ created: 1, rejected: 0 });
    const again = await app.request('/admin/metrics', init);
    expect(await again.json()).toMatchObject({ written: 0, unchanged: 1 });
    const view = await kpi.view(kpi.catalog.get('bd-dvc-toan-trinh')!);
    expect(view.latest).toMatchObject({ period: '2026-10', value: 44, origin: 'admin' });
    expect(view.evaluation.status).toBe('off_track');
  });

  it('refuses a period in the future with a reason', async () => {
    const { app } = compose();
    const res = await app.request('/admin/metrics', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify([{ kpi: 'bd-dvc-toan-trinh', period: '2027-01', value: 50 }]),
    });
    expect(res.status).toBe(422);
    const body = await res.json<{ errors: Array<{ reason: string }> }>();
    expect(body.errors[0]!.reason).toMatch(/has not begun yet/);
  });
});
