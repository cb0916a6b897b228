/**
 * POST /admin/metrics through the whole app (global body limit, admin auth, error handler):
 * good rows are upserted once, bad input is refused with reasons and changes nothing, a
 * repeated upload changes nothing, and every write is audited.
 */
import { describe, expect, it } from 'vitest';
import { AUTH, makeKpiApp, postCsv, postJson, snapshot } from './support';
import { readAudit } from '../../src/admin/audit';

interface IngestBody {
  received: number;
  accepted: number;
  written: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: Array<{ row: number; line?: number; kpi?: string; reason: string }>;
  results: Array<{ row: number; kpi: string; period: string; outcome: string }>;
}

const good = [
  { kpi: 'bd-dvc-toan-trinh', period: '2026-09', value: 41.5, unit: 'percent', source: 'Sở TT&TT Bình Dương, báo cáo tháng 9' },
  { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 44 },
  { kpi: 'bd-766-tong-diem', period: '2026-W46', value: 86.2 },
];

describe('POST /admin/metrics', () => {
  it('is behind the admin bearer token', async () => {
    const t = makeKpiApp();
    const res = await t.request(...postJson('/admin/metrics', good, {}));
    expect(res.status).toBe(401);
    expect(await t.kpi.observations.stored('bd-dvc-toan-trinh')).toEqual([]);
  });

  it('stores valid JSON rows with their source and recording time, and audits the write', async () => {
    const t = makeKpiApp();
    const res = await t.request(...postJson('/admin/metrics', { source: 'Cổng DVC tỉnh', observations: good }, { ...AUTH, 'x-admin-actor': 'lan' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as IngestBody;
    expect(body).toMatchObject({ received: 3, accepted: 3, written: 3, created: 3, rejected: 0, errors: [] });
    const stored = await t.kpi.observations.stored('bd-dvc-toan-trinh');
    expect(stored.map((o) => [o.period, o.value, o.source, o.origin])).toEqual(
      expect.arrayContaining([
        ['2026-09', 41.5, 'Sở TT&TT Bình Dương, báo cáo tháng 9', 'admin'],
        ['2026-10', 44, 'Cổng DVC tỉnh', 'admin'],
      ]),
    );
    expect(stored[0]!.recordedAt).toBe('2026-11-21T01:00:00.000Z');
    const audit = await readAudit(t.store, new Date(0), new Date('2030-01-01'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'lan', action: 'metrics.ingest', detail: { created: 3, rejected: 0, format: 'json' } });
  });

  it('changes nothing when the same upload is sent again', async () => {
    const t = makeKpiApp();
    await t.request(...postJson('/admin/metrics', good));
    const before = await snapshot(t.store);
    t.clock.now = new Date('2026-11-22T09:00:00+07:00');
    const res = await t.request(...postJson('/admin/metrics', good));
    const body = (await res.json()) as IngestBody;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ accepted: 3, written: 0, unchanged: 3, rejected: 0 });
    expect(await snapshot(t.store)).toEqual(before);
  });

  it('updates a value sent again with a different number, keeping one value per KPI, unit and period', async () => {
    const t = makeKpiApp();
    await t.request(...postJson('/admin/metrics', good));
    const res = await t.request(...postJson('/admin/metrics', [{ kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 45 }]));
    expect(((await res.json()) as IngestBody).updated).toBe(1);
    const oct = (await t.kpi.observations.stored('bd-dvc-toan-trinh')).filter((o) => o.period === '2026-10');
    expect(oct).toHaveLength(1);
    expect(oct[0]!.value).toBe(45);
  });

  it('refuses bad rows with a reason each and changes nothing', async () => {
    const t = makeKpiApp();
    const before = await snapshot(t.store);
    const bad = [
      { kpi: 'bd-khong-co-chi-so-nay', period: '2026-10', value: 1 },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 40, unit: 'points' },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 'NaN' },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-12', value: 40 },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 140 },
      { kpi: 'bd-par-index-rank', period: '2026', value: 4.5 },
      { kpi: 'bd-dvc-toan-trinh', period: '10/2026', value: 40 },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-10', valeu: 40 },
      'not a row',
    ];
    const res = await t.request(...postJson('/admin/metrics', bad));
    expect(res.status).toBe(422);
    const body = (await res.json()) as IngestBody;
    expect(body).toMatchObject({ received: 9, accepted: 0, written: 0, rejected: 9 });
    const reasons = body.errors.map((e) => `${e.row}: ${e.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^1: unknown KPI bd-khong-co-chi-so-nay/),
      expect.stringMatching(/^2: unit must be percent/),
      expect.stringMatching(/^3: value must be a finite number \(got NaN\)/),
      expect.stringMatching(/^4: period 2026-12 has not begun yet/),
      expect.stringMatching(/^5: a percent must be between 0 and 100/),
      expect.stringMatching(/^6: a rank must be a whole number/),
      expect.stringMatching(/^7: period must be one of/),
      expect.stringMatching(/^8: value is required; unknown field\(s\) valeu/),
      expect.stringMatching(/^9: a row must be an object/),
    ]);
    expect(await snapshot(t.store)).toEqual(before);
  });

  it('writes the good rows of a mixed batch and reports the bad ones', async () => {
    const t = makeKpiApp();
    const res = await t.request(
      ...postJson('/admin/metrics', [good[0], { kpi: 'bd-dvc-toan-trinh', period: '2027-01', value: 50 }, good[0]]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as IngestBody;
    expect(body).toMatchObject({ accepted: 1, written: 1, rejected: 2 });
    expect(body.errors.map((e) => e.row)).toEqual([2, 3]);
    expect(body.errors[1]!.reason).toMatch(/same KPI and period as row 1/);
  });

  it('accepts CSV with quoted fields and a Vietnamese decimal comma', async () => {
    const t = makeKpiApp();
    const csv = 'kpi,period,value,source\r\nbd-muc-do-hai-long,2025,"86,1","Bộ Nội vụ, công bố PAR Index 2025"\r\nbd-so-hoa-cap-xa,2026-10,33.5,\r\n';
    const res = await t.request(...postCsv('/admin/metrics?source=Báo%20cáo%20tháng', csv));
    expect(res.status).toBe(200);
    expect((await res.json()) as IngestBody).toMatchObject({ accepted: 2, rejected: 0 });
    const sat = (await t.kpi.observations.stored('bd-muc-do-hai-long'))[0]!;
    expect(sat).toMatchObject({ value: 86.1, source: 'Bộ Nội vụ, công bố PAR Index 2025' });
    expect((await t.kpi.observations.stored('bd-so-hoa-cap-xa'))[0]!.source).toBe('Báo cáo tháng');
  });

  it('refuses a CSV with a wrong header as a whole and changes nothing', async () => {
    const t = makeKpiApp();
    const before = await snapshot(t.store);
    const res = await t.request(...postCsv('/admin/metrics', 'chi_tieu,ky,gia_tri\nbd-dvc-toan-trinh,2026-10,44\n'));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/wrong CSV header/);
    expect(error).toMatch(/missing column\(s\): kpi, period, value/);
    expect(await snapshot(t.store)).toEqual(before);
  });

  it('refuses CSV rows with NaN or a wrong field count, pointing at their lines', async () => {
    const t = makeKpiApp();
    const res = await t.request(...postCsv('/admin/metrics', 'kpi,period,value\nbd-dvc-toan-trinh,2026-10,NaN\nbd-dvc-toan-trinh,2026-09\n'));
    expect(res.status).toBe(422);
    const body = (await res.json()) as IngestBody;
    expect(body.errors).toEqual([
      expect.objectContaining({ row: 1, line: 2, reason: expect.stringMatching(/finite number/) }),
      expect.objectContaining({ row: 2, line: 3, reason: 'expected 3 fields, got 2' }),
    ]);
  });

  it.each([
    ['JSON', 'application/json', () => JSON.stringify([{ kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 1, note: 'x'.repeat(10 * 1024 * 1024) }])],
    ['CSV', 'text/csv', () => 'kpi,period,value\n' + 'bd-dvc-toan-trinh,2026-10,44\n'.repeat(360_000)],
  ])('refuses a 10 MB %s body with 413 and a reason, and changes nothing', async (_name, type, make) => {
    const t = makeKpiApp();
    const before = await snapshot(t.store);
    const body = make();
    expect(body.length).toBeGreaterThan(10_000_000);
    const res = await t.request('/admin/metrics', { method: 'POST', headers: { 'content-type': type, ...AUTH }, body });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBeTruthy();
    expect(await snapshot(t.store)).toEqual(before);
  });

  it.each([
    ['invalid JSON', 'application/json', '{"observations": [', 400, /not valid JSON/],
    ['an object without rows', 'application/json', '{"rows": []}', 400, /JSON array of rows/],
    ['an empty batch', 'application/json', '[]', 400, /no rows/],
    ['an empty CSV', 'text/csv', '', 400, /empty/],
    ['an unclosed CSV quote', 'text/csv', 'kpi,period,value\n"bd,2026,1\n', 400, /cannot be read/],
    ['another content type', 'text/plain', 'kpi,period,value', 415, /application\/json or text\/csv/],
  ])('refuses %s with %i and a reason', async (_name, type, body, status, reason) => {
    const t = makeKpiApp();
    const before = await snapshot(t.store);
    const res = await t.request('/admin/metrics', { method: 'POST', headers: { 'content-type': type, ...AUTH }, body });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
    expect(await snapshot(t.store)).toEqual(before);
  });

  it('refuses more than 5000 rows at once', async () => {
    const t = makeKpiApp();
    const rows = Array.from({ length: 5001 }, () => good[0]);
    const res = await t.request(...postJson('/admin/metrics', rows));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/too many rows: 5001/);
  });

  it('checks without writing on a dry run', async () => {
    const t = makeKpiApp();
    const before = await snapshot(t.store);
    const res = await t.request(...postJson('/admin/metrics?dryRun=1', good));
    expect(res.status).toBe(200);
    expect((await res.json()) as IngestBody).toMatchObject({ accepted: 3, written: 0, rejected: 0 });
    expect(await snapshot(t.store)).toEqual(before);
  });
});

describe('GET /admin/metrics', () => {
  it('lists each KPI with its latest value, bundled or uploaded, and its status', async () => {
    const t = makeKpiApp();
    await t.request(...postJson('/admin/metrics', good));
    const res = await t.request('/admin/metrics', { headers: AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { kpis: Array<{ kpi: string; status: string; latest: { value: number; period: string } | null }> };
    const byId = new Map(body.kpis.map((k) => [k.kpi, k]));
    expect(byId.get('bd-par-index-rank')).toMatchObject({ status: 'off_track', latest: { value: 23, period: '2024' } });
    expect(byId.get('bd-dvc-toan-trinh')).toMatchObject({ status: 'off_track', latest: { value: 44, period: '2026-10' } });
    expect(byId.get('bd-so-hoa-cap-tinh')).toMatchObject({ status: 'no_data', latest: null });
  });

  it('gives one KPI history and 404 for an unknown one', async () => {
    const t = makeKpiApp();
    const res = await t.request('/admin/metrics?kpi=bd-par-index-rank', { headers: AUTH });
    const body = (await res.json()) as { history: Array<{ period: string; value: number; source: string }> };
    expect(body.history.map((o) => [o.period, o.value])).toEqual([['2021', 22], ['2022', 4], ['2024', 23]]);
    expect(body.history[1]!.source).toContain('Báo Lao Động');
    expect((await t.request('/admin/metrics?kpi=nope', { headers: AUTH })).status).toBe(404);
  });
});
