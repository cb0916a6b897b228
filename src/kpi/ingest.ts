/**
 * @module kpi/ingest
 * Turning uploaded or pulled rows into stored KPI values. Every row is checked on its own (a
 * known KPI, its unit, a finite value in range, a real period that has begun) and either
 * written whole or rejected with a reason; a batch whose shape is wrong (bad JSON, a CSV with a
 * wrong header, too many rows) is refused before anything is written. Writing the same rows
 * again changes nothing.
 */
import { z } from 'zod';
import type { KpiCatalog } from './definitions';
import type { ObservationStore, UpsertOutcome } from './observations';
import { parseCsv, CsvError } from '../text/csv';
import { periodProblem, unitProblem, valueProblem } from './validate';
import type { Observation, ObservationOrigin } from './schema';
import { describeError, type Logger } from '../log';

const MAX_ROWS = 5000;
export const CSV_COLUMNS = ['kpi', 'period', 'value', 'unit', 'source', 'url', 'note'] as const;
const REQUIRED_COLUMNS = ['kpi', 'period', 'value'] as const;

function required(input: unknown, field: string, what: string): string {
  return input === undefined ? `${field} is required (${what})` : `${field} must be ${what}`;
}

/** A row as sent: strings from CSV, numbers or strings from JSON. */
const RawRowSchema = z
  .object({
    kpi: z.string({ error: (iss) => required(iss.input, 'kpi', 'a KPI id') }).trim().min(1, 'kpi is required').max(64),
    period: z.string({ error: (iss) => required(iss.input, 'period', 'text such as 2026-10') }).trim().min(1, 'period is required').max(40),
    value: z.union([z.number(), z.string().trim()], {
      error: (iss) => (iss.input === undefined ? 'value is required' : 'value must be a number'),
    }),
    unit: z.string().trim().max(20).optional(),
    source: z.string().trim().max(300).optional(),
    url: z.union([z.url(), z.literal('')]).optional(),
    note: z.string().trim().max(500).optional(),
  })
  .strict();

/** The JSON body: a bare array of rows, or rows with a default source for all of them. */
const JsonBatchSchema = z.union([
  z.array(z.unknown()),
  z.object({ source: z.string().trim().min(1).max(300).optional(), observations: z.array(z.unknown()) }).strict(),
]);

/** A batch refused as a whole: nothing was written. */
export class BatchError extends Error {
  override name = 'BatchError';
}

interface RowRef {
  /** 1-based position among the data rows. */
  row: number;
  /** The CSV line the row starts on. */
  line?: number;
  kpi?: string;
  period?: string;
}

interface RowResult extends RowRef {
  outcome: UpsertOutcome;
}

export interface RowError extends RowRef {
  reason: string;
}

export interface IngestReport {
  received: number;
  /** Rows that passed validation (written, or already there). */
  accepted: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  dryRun: boolean;
  results: RowResult[];
  errors: RowError[];
  /** True when a store failure stopped some valid rows from being saved. */
  storeFailed: boolean;
}

interface IngestDeps {
  catalog: KpiCatalog;
  observations: ObservationStore;
  now: Date;
  origin: ObservationOrigin;
  /** Source recorded for rows that do not name one. */
  defaultSource: string;
  dryRun?: boolean;
  log?: Logger;
}

export interface SourcedRow {
  ref: RowRef;
  raw: unknown;
}

/** Rows from a JSON body (already parsed); throws BatchError when the shape is wrong. */
export function rowsFromJson(body: unknown): { rows: SourcedRow[]; source?: string } {
  const parsed = JsonBatchSchema.safeParse(body);
  if (!parsed.success) {
    throw new BatchError('the body must be a JSON array of rows, or {"observations": [rows], "source"?: text}');
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.observations;
  const source = Array.isArray(parsed.data) ? undefined : parsed.data.source;
  checkCount(list.length);
  return { rows: list.map((raw, i) => ({ ref: { row: i + 1 }, raw })), source };
}

/** Rows from CSV text with a header line; throws BatchError on a wrong header or bad quoting. */
export function rowsFromCsv(text: string): SourcedRow[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    throw new BatchError(`the CSV cannot be read: ${e instanceof CsvError ? e.message : 'malformed'}`);
  }
  const [header, ...data] = records;
  if (!header) throw new BatchError('the CSV is empty: it needs a header line and at least one row');
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (unknown.length || missing.length || repeated.length) {
    const parts = [
      unknown.length ? `unknown column(s): ${unknown.map((c) => c.slice(0, 30)).join(', ')}` : '',
      missing.length ? `missing column(s): ${missing.join(', ')}` : '',
      repeated.length ? `repeated column(s): ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    throw new BatchError(`wrong CSV header (${parts.join('; ')}); expected kpi,period,value and optionally unit,source,url,note`);
  }
  checkCount(data.length);
  return data.map((rec, i) => {
    const ref: RowRef = { row: i + 1, line: rec.line };
    if (rec.fields.length !== columns.length) {
      return { ref, raw: { __fieldCount: `expected ${columns.length} fields, got ${rec.fields.length}` } };
    }
    const raw: Record<string, string> = {};
    columns.forEach((c, j) => {
      const v = rec.fields[j]!;
      // An empty optional cell means "not given", not an empty value.
      if (v !== '' || (REQUIRED_COLUMNS as readonly string[]).includes(c)) raw[c] = v;
    });
    return { ref, raw };
  });
}

function checkCount(n: number): void {
  if (n === 0) throw new BatchError('there are no rows to ingest');
  if (n > MAX_ROWS) throw new BatchError(`too many rows: ${n} (at most ${MAX_ROWS} per request)`);
}

/** A number from JSON or text; accepts a Vietnamese decimal comma ("85,52"). */
export function parseNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (/^-?\d+,\d+$/.test(s)) return Number(s.replace(',', '.'));
  return Number.NaN;
}

type Checked = { ok: Observation } | { reason: string };

/** One row checked against its KPI; pure apart from the clock passed in. */
function checkRow(raw: unknown, deps: Pick<IngestDeps, 'catalog' | 'now' | 'origin' | 'defaultSource'>): Checked {
  if (raw && typeof raw === 'object' && '__fieldCount' in raw) return { reason: String((raw as { __fieldCount: string }).__fieldCount) };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { reason: 'a row must be an object with kpi, period and value' };
  const parsed = RawRowSchema.safeParse(raw);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => k.slice(0, 30)).join(', ')}` : issue.message,
    );
    return { reason: reasons.join('; ') };
  }
  const row = parsed.data;
  const def = deps.catalog.get(row.kpi);
  if (!def) return { reason: `unknown KPI ${row.kpi.slice(0, 64)}` };
  const unitIssue = unitProblem(def, row.unit);
  if (unitIssue) return { reason: unitIssue };
  const value = parseNumber(row.value);
  const valueIssue = valueProblem(def, value);
  if (valueIssue) return { reason: typeof row.value === 'string' ? `${valueIssue} (got ${row.value.slice(0, 20)})` : valueIssue };
  const period = periodProblem(row.period, deps.now);
  if ('problem' in period) return { reason: period.problem };
  return {
    ok: {
      kpi: def.id,
      unit: def.unit,
      period: period.period.key,
      value,
      source: row.source || deps.defaultSource,
      ...(row.url ? { url: row.url } : {}),
      ...(row.note ? { note: row.note } : {}),
      recordedAt: deps.now.toISOString(),
      origin: deps.origin,
    },
  };
}

/** Checks every row, then writes the valid ones one by one (each write is one atomic field). */
export async function ingestRows(rows: SourcedRow[], deps: IngestDeps): Promise<IngestReport> {
  const report: IngestReport = {
    received: rows.length,
    accepted: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    dryRun: Boolean(deps.dryRun),
    results: [],
    errors: [],
    storeFailed: false,
  };
  const firstRowFor = new Map<string, number>();
  const valid: Array<{ ref: RowRef; obs: Observation }> = [];
  for (const { ref, raw } of rows) {
    const checked = checkRow(raw, deps);
    if ('reason' in checked) {
      report.errors.push({ ...ref, ...pickRef(raw), reason: checked.reason });
      continue;
    }
    const key = `${checked.ok.kpi}|${checked.ok.unit}|${checked.ok.period}`;
    const first = firstRowFor.get(key);
    if (first !== undefined) {
      // Two values for one period in one batch: which one is meant cannot be known.
      report.errors.push({ ...ref, kpi: checked.ok.kpi, period: checked.ok.period, reason: `the same KPI and period as row ${first}` });
      continue;
    }
    firstRowFor.set(key, ref.row);
    valid.push({ ref: { ...ref, kpi: checked.ok.kpi, period: checked.ok.period }, obs: checked.ok });
  }
  for (const { ref, obs } of valid) {
    if (deps.dryRun) {
      report.results.push({ ...ref, outcome: 'unchanged' });
      report.accepted++;
      continue;
    }
    try {
      const outcome = await deps.observations.upsert(obs);
      report.results.push({ ...ref, outcome });
      report.accepted++;
      report[outcome]++;
    } catch (e) {
      // The cause goes to the log; the reply names no infrastructure.
      deps.log?.error('kpi value not saved', { kpi: obs.kpi, period: obs.period, error: describeError(e) });
      report.storeFailed = true;
      report.errors.push({ ...ref, reason: 'not saved: the store is unavailable, send the row again later' });
    }
  }
  report.rejected = report.errors.length;
  report.errors.sort((a, b) => a.row - b.row);
  return report;
}

function pickRef(raw: unknown): { kpi?: string; period?: string } {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  return {
    ...(typeof r.kpi === 'string' ? { kpi: r.kpi.slice(0, 64) } : {}),
    ...(typeof r.period === 'string' ? { period: r.period.slice(0, 40) } : {}),
  };
}
