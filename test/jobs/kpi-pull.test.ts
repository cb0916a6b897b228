/**
 * The scheduled pull against a loopback fake source: JSON and CSV with field mappings, a
 * bearer token that is sent but never logged, the same checks as uploads, idempotence, and
 * one failing source not stopping the others. Also the KPI_PULL_SOURCES parser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import { KpiService } from '../../src/kpi/service';
import { kpiPullJob } from '../../src/jobs/kpi-pull';
import { parsePullSources, type PullSource } from '../../src/config-pull-sources';
import { makeAudit } from '../../src/admin/index';
import { readAudit } from '../../src/admin/audit';
import { createLogger } from '../../src/log';
import { startFakeMetricsSource, type FakeMetricsSource } from '../kpi/fake-metrics-source';

let fake: FakeMetricsSource;
const SECRET = 'pull-token-s3cr3t';

beforeAll(async () => {
  fake = await startFakeMetricsSource();
  fake.routes.set('/dvc.json', {
    token: SECRET,
    body: JSON.stringify({
      data: {
        items: [
          { chi_tieu: 'bd-dvc-toan-trinh', ky: '2026-09', gia_tri: 41.5 },
          { chi_tieu: 'bd-dvc-toan-trinh', ky: '2026-10', gia_tri: '44' },
          { chi_tieu: 'bd-khong-ton-tai', ky: '2026-10', gia_tri: 1 },
          { chi_tieu: 'bd-dvc-toan-trinh', ky: '2027-01', gia_tri: 50 },
        ],
      },
    }),
  });
  fake.routes.set('/so-hoa.csv', { type: 'text/csv', body: 'thang,ty_le\n2026-09,31\n2026-10,"33,5"\n' });
  fake.routes.set('/broken', { status: 500, body: 'oops' });
  fake.routes.set('/huge.json', { body: JSON.stringify([{ a: 'x'.repeat(2 * 1024 * 1024) }]) });
});
afterAll(() => fake.close());

function setup(sources: PullSource[]) {
  const now = new Date('2026-11-21T08:00:00+07:00');
  const store = new MemoryStore({ now: () => now.getTime() });
  const kpi = new KpiService({ store, now: () => now });
  const logs: string[] = [];
  const job = kpiPullJob({ kpi, sources, audit: makeAudit({ store, now: () => now }) });
  const run = () => job.run({ at: now, store, log: createLogger('debug', (l) => logs.push(l)) });
  return { store, kpi, run, logs };
}

const jsonSource = (): PullSource => ({
  name: 'cong-dvc',
  url: `${fake.url}/dvc.json`,
  format: 'json',
  path: 'data.items',
  mapping: { kpi: 'chi_tieu', period: 'ky', value: 'gia_tri' },
  token: SECRET,
});
const csvSource = (): PullSource => ({
  url: `${fake.url}/so-hoa.csv`,
  format: 'csv',
  mapping: { kpi: '=bd-so-hoa-cap-tinh', period: 'thang', value: 'ty_le', unit: '=percent' },
});

describe('kpi pull job', () => {
  it('pulls mapped JSON and CSV rows, keeps their source, refuses bad rows, and audits the write', async () => {
    const t = setup([jsonSource(), csvSource()]);
    const counts = await t.run();
    expect(counts).toEqual({ sources: 2, fetched: 2, written: 4, unchanged: 0, rejected: 2, failed: 0 });
    const dvc = await t.kpi.observations.stored('bd-dvc-toan-trinh');
    expect(dvc.map((o) => [o.period, o.value, o.source, o.origin]).sort()).toEqual([
      ['2026-09', 41.5, 'pull:cong-dvc', 'pull'],
      ['2026-10', 44, 'pull:cong-dvc', 'pull'],
    ]);
    const soHoa = await t.kpi.observations.stored('bd-so-hoa-cap-tinh');
    expect(soHoa.map((o) => [o.period, o.value, o.source]).sort()).toEqual([
      ['2026-09', 31, `pull:${new URL(fake.url).host}`],
      ['2026-10', 33.5, `pull:${new URL(fake.url).host}`],
    ]);
    const audit = await readAudit(t.store, new Date(0), new Date('2030-01-01'));
    expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual(
      expect.arrayContaining([['kpi-pull', 'metrics.pull', 'cong-dvc']]),
    );
  });

  it('sends the token to the source and never writes it to the log', async () => {
    const t = setup([jsonSource()]);
    fake.calls.length = 0;
    await t.run();
    expect(fake.calls[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(t.logs.join('\n')).not.toContain(SECRET);
    expect(t.logs.join('\n')).toContain('unknown KPI bd-khong-ton-tai');
  });

  it('changes nothing when the source returns the same values again', async () => {
    const t = setup([jsonSource(), csvSource()]);
    await t.run();
    const before = await t.store.hashGetAll('kpi:obs:bd-dvc-toan-trinh');
    const auditBefore = await readAudit(t.store, new Date(0), new Date('2030-01-01'));
    expect(await t.run()).toMatchObject({ written: 0, unchanged: 4 });
    expect(await t.store.hashGetAll('kpi:obs:bd-dvc-toan-trinh')).toEqual(before);
    expect(await readAudit(t.store, new Date(0), new Date('2030-01-01'))).toHaveLength(auditBefore.length);
  });

  it('counts a failing, unauthorised, missing or oversized source as failed and goes on with the others', async () => {
    const t = setup([
      { ...jsonSource(), name: 'broken', url: `${fake.url}/broken` },
      { ...jsonSource(), name: 'no-token', token: undefined },
      { ...jsonSource(), name: 'huge', url: `${fake.url}/huge.json`, path: undefined },
      { ...csvSource(), mapping: { ...csvSource().mapping, period: 'month' } },
      csvSource(),
    ]);
    expect(await t.run()).toMatchObject({ sources: 5, fetched: 1, written: 2, failed: 4 });
    const logged = t.logs.join('\n');
    expect(logged).toContain('HTTP 500');
    expect(logged).toContain('HTTP 401');
    expect(logged).toContain('larger than');
    expect(logged).toContain('no column month');
  });
});

describe('parsePullSources (KPI_PULL_SOURCES)', () => {
  it('is empty when unset and parses a valid list', () => {
    expect(parsePullSources(undefined)).toEqual([]);
    expect(parsePullSources('  ')).toEqual([]);
    const raw = JSON.stringify([{ url: 'https://example.gov.vn/kpi.csv', format: 'csv', mapping: { kpi: '=bd-dvc-toan-trinh', period: 'ky', value: 'gia_tri' } }]);
    expect(parsePullSources(raw)).toHaveLength(1);
  });

  it.each([
    ['not JSON', '[{', /must be a JSON array/],
    ['a missing value mapping', JSON.stringify([{ url: 'https://x.vn/a', format: 'json', mapping: { kpi: 'k', period: 'p' } }]), /0\.mapping\.value/],
    ['an ftp URL', JSON.stringify([{ url: 'ftp://x.vn/a', format: 'csv', mapping: { kpi: 'k', period: 'p', value: 'v' } }]), /0\.url/],
    ['an unknown format', JSON.stringify([{ url: 'https://x.vn/a', format: 'xml', mapping: { kpi: 'k', period: 'p', value: 'v' } }]), /0\.format/],
  ])('refuses %s naming the variable and never echoing a token', (_name, raw, reason) => {
    const withToken = raw.replace('"url"', `"token":"${SECRET}","url"`);
    for (const input of [raw, withToken]) {
      let message = '';
      try {
        parsePullSources(input);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^KPI_PULL_SOURCES: /);
      expect(message).toMatch(reason);
      expect(message).not.toContain(SECRET);
    }
  });
});
