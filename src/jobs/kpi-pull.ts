/**
 * @module jobs/kpi-pull
 * The scheduled pull of KPI values from sources named in KPI_PULL_SOURCES: a JSON array of
 * `{ name?, url, format: "json"|"csv", mapping: { kpi, period, value, unit? }, token?, path? }`.
 * A mapping entry names the field (a dot path in JSON, a column in CSV) that holds the KPI id,
 * period, value or unit, or gives a fixed value after "=" (e.g. "kpi": "=bd-dvc-toan-trinh").
 * `path` points at the array of records inside a JSON body. Each pulled row goes through the
 * same checks and idempotent upsert as an upload; one failing source never stops the others.
 */
import type { Job, JobContext } from './job';
import type { Audit } from '../admin/index';
import { describeError } from '../log';
import { parseCsv } from '../text/csv';
import type { KpiService } from '../kpi/service';
import type { SourcedRow } from '../kpi/ingest';
import type { PullSource } from '../config-pull-sources';
import { readBounded } from '../text/bounded-read';

const PULL_TIMEOUT_MS = 10_000;
const PULL_MAX_BYTES = 1024 * 1024;

interface PullJobDeps {
  kpi: KpiService;
  sources: PullSource[];
  fetch?: typeof fetch;
  audit?: Audit;
  timeoutMs?: number;
}

export function kpiPullJob(deps: PullJobDeps): Job {
  return { id: 'kpi-pull', run: (ctx) => runPull(deps, ctx) };
}

function sourceLabel(source: PullSource): string {
  return source.name ?? new URL(source.url).host;
}

async function runPull(deps: PullJobDeps, ctx: JobContext): Promise<Record<string, number>> {
  const counts = { sources: deps.sources.length, fetched: 0, written: 0, unchanged: 0, rejected: 0, failed: 0 };
  for (const source of deps.sources) {
    const label = sourceLabel(source);
    try {
      const body = await fetchBody(source, deps.fetch ?? fetch, deps.timeoutMs ?? PULL_TIMEOUT_MS);
      const rows = source.format === 'json' ? rowsFromJsonSource(source, body) : rowsFromCsvSource(source, body);
      counts.fetched++;
      const report = await deps.kpi.ingest(rows, { origin: 'pull', defaultSource: `pull:${label}`, at: ctx.at });
      const written = report.created + report.updated;
      counts.written += written;
      counts.unchanged += report.unchanged;
      counts.rejected += report.rejected;
      if (report.rejected) {
        ctx.log.warn('kpi pull rows rejected', { source: label, rejected: report.rejected, first: report.errors.slice(0, 3) });
      }
      if (written && deps.audit) {
        await deps.audit({ actor: 'kpi-pull', action: 'metrics.pull', target: label, detail: { written, unchanged: report.unchanged, rejected: report.rejected }, at: ctx.at.toISOString() });
      }
    } catch (e) {
      counts.failed++;
      ctx.log.warn('kpi pull failed', { source: label, error: describeError(e) });
    }
  }
  return counts;
}

async function fetchBody(source: PullSource, fetchFn: typeof fetch, timeoutMs: number): Promise<string> {
  const headers: Record<string, string> = { accept: source.format === 'json' ? 'application/json' : 'text/csv' };
  if (source.token) headers.authorization = `Bearer ${source.token}`;
  const res = await fetchFn(source.url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  return readLimited(res, PULL_MAX_BYTES);
}

/** The body as text, refusing (without reading on) one larger than `max` bytes. */
async function readLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new Error(`response larger than ${max} bytes`);
  }
  return new TextDecoder().decode(await readBounded(res.body, max, () => new Error(`response larger than ${max} bytes`)));
}

function pick(record: unknown, spec: string): unknown {
  if (spec.startsWith('=')) return spec.slice(1);
  let cur: unknown = record;
  for (const part of spec.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Mapped fields as a row for ingestion: text stays text, numbers stay numbers. */
function mapRecord(source: PullSource, get: (spec: string) => unknown): Record<string, unknown> {
  const asText = (v: unknown) => (typeof v === 'number' ? String(v) : v);
  const row: Record<string, unknown> = {
    kpi: asText(get(source.mapping.kpi)),
    period: asText(get(source.mapping.period)),
    value: get(source.mapping.value),
  };
  if (source.mapping.unit) row.unit = asText(get(source.mapping.unit));
  return row;
}

function rowsFromJsonSource(source: PullSource, body: string): SourcedRow[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('the response is not JSON');
  }
  const list = source.path ? pick(json, source.path) : json;
  if (!Array.isArray(list)) throw new Error(`no array of records${source.path ? ` at ${source.path}` : ''}`);
  return list.map((record, i) => ({ ref: { row: i + 1 }, raw: mapRecord(source, (spec) => pick(record, spec)) }));
}

function rowsFromCsvSource(source: PullSource, body: string): SourcedRow[] {
  const [header, ...data] = parseCsv(body);
  if (!header) throw new Error('the CSV is empty');
  const columns = header.fields.map((f) => f.trim());
  for (const spec of Object.values(source.mapping)) {
    if (spec && !spec.startsWith('=') && !columns.includes(spec)) throw new Error(`the CSV has no column ${spec.slice(0, 40)}`);
  }
  return data.map((rec, i) => {
    const cells = new Map(columns.map((c, j) => [c, rec.fields[j] ?? '']));
    return {
      ref: { row: i + 1, line: rec.line },
      raw: mapRecord(source, (spec) => (spec.startsWith('=') ? spec.slice(1) : cells.get(spec))),
    };
  });
}
