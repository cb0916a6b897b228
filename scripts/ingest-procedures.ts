/**
 * @module scripts/ingest-procedures
 * Validates procedure records and builds the catalogue the app bundles.
 *
 *   npm run ingest:procedures                      rebuild src/generated/procedures.json from
 *                                                  knowledge/procedures/*.json
 *   npm run ingest:procedures -- export.json|.csv  validate a catalogue export and load it: each
 *                                                  record becomes knowledge/procedures/<id>.json
 *                                                  (replacing one with the same id), then rebuild
 *   options: --dry-run (validate only), --check (fail when the generated file is stale),
 *            --dir <records folder>, --out <generated file>
 *
 * All or nothing: every bad row is reported with its line and reason, and if there is any,
 * nothing is written. Files are written to temporary names first and renamed at the end, so a
 * failed write leaves the previous state in place.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCatalogue, parseCatalogueFile, recordFile, type RowError } from '../src/procedures/import';
import { ProcedureSchema, describeIssues, type Procedure } from '../src/procedures/schema';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DIR = join(root, 'knowledge/procedures');
export const DEFAULT_OUT = join(root, 'src/generated/procedures.json');

export interface IngestOptions {
  /** A catalogue export to load; absent means rebuild from the records folder. */
  file?: string;
  dir?: string;
  out?: string;
  dryRun?: boolean;
  check?: boolean;
}

export interface IngestResult {
  ok: boolean;
  errors: string[];
  /** Records in the catalogue after the run (or that would be, on a dry run). */
  count: number;
  /** Record files written (or that would be). */
  written: string[];
  message: string;
}

/** Reads every record file of the folder; a file that fails is reported with its path and line. */
export function readRecords(dir: string): { records: Procedure[]; errors: string[] } {
  const records: Procedure[] = [];
  const errors: string[] = [];
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  for (const file of files) {
    const path = join(dir, file);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      errors.push(`${file}: not valid JSON: ${(e as Error).message}`);
      continue;
    }
    const parsed = ProcedureSchema.safeParse(data);
    if (!parsed.success) {
      errors.push(`${file}: ${describeIssues(parsed.error)}`);
      continue;
    }
    if (`${parsed.data.id}.json` !== file) errors.push(`${file}: file name must be ${parsed.data.id}.json`);
    records.push(parsed.data);
  }
  return { records, errors };
}

export function ingest(opts: IngestOptions): IngestResult {
  const dir = opts.dir ?? DEFAULT_DIR;
  const out = opts.out ?? DEFAULT_OUT;
  const existing = readRecords(dir);
  if (existing.errors.length) return fail(existing.errors, 'the records folder has problems');

  let imported: Procedure[] = [];
  if (opts.file) {
    if (!existsSync(opts.file)) return fail([`no such file: ${opts.file}`], 'nothing to import');
    const parsed = parseCatalogueFile(basename(opts.file), readFileSync(opts.file, 'utf8'));
    if (parsed.errors.length) return fail(parsed.errors.map(formatRowError), `${parsed.errors.length} bad row(s)`);
    if (parsed.records.length === 0) return fail(['the file holds no records'], 'nothing to import');
    imported = parsed.records;
  }

  const byId = new Map(existing.records.map((r) => [r.id, r]));
  for (const r of imported) byId.set(r.id, r);
  let catalogue: string;
  try {
    catalogue = buildCatalogue([...byId.values()]);
  } catch (e) {
    const issues = e instanceof Error && 'issues' in e ? describeIssues(e as never, 10) : (e as Error).message;
    return fail([issues], 'the merged catalogue is not consistent');
  }

  const writes = new Map<string, string>(imported.map((r) => [join(dir, `${r.id}.json`), recordFile(r)]));
  const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (opts.check) {
    const stale = current !== catalogue || imported.length > 0;
    return {
      ok: !stale,
      errors: stale ? [`${relative(root, out)} is stale: run npm run ingest:procedures`] : [],
      count: byId.size,
      written: [],
      message: stale ? 'procedure catalogue is stale' : 'procedure catalogue is up to date',
    };
  }
  if (current !== catalogue) writes.set(out, catalogue);
  if (!opts.dryRun) writeAll(writes);
  const verb = opts.dryRun ? 'would write' : 'wrote';
  return {
    ok: true,
    errors: [],
    count: byId.size,
    written: [...writes.keys()],
    message: `ingest:procedures: ${byId.size} procedures${imported.length ? `, ${imported.length} imported` : ''}; ${verb} ${writes.size} file(s)`,
  };
}

/** Temp files first, then renames; on any failure the temp files are removed and nothing changes. */
function writeAll(writes: Map<string, string>): void {
  const temps: Array<[string, string]> = [];
  try {
    for (const [path, content] of writes) {
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, content);
      temps.push([tmp, path]);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, path] of temps) renameSync(tmp, path);
}

function formatRowError(e: RowError): string {
  return `line ${e.line}${e.id ? ` (${e.id})` : ''}: ${e.reason}`;
}

function fail(errors: string[], message: string): IngestResult {
  return { ok: false, errors, count: 0, written: [], message: `ingest:procedures: ${message}; nothing written` };
}

function parseArgs(argv: string[]): IngestOptions {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? resolve(argv[i + 1] ?? '') : undefined;
  };
  const positional = argv.filter((a, i) => !a.startsWith('--') && !['--dir', '--out'].includes(argv[i - 1] ?? ''));
  return {
    file: positional[0] ? resolve(positional[0]) : undefined,
    dir: value('--dir'),
    out: value('--out'),
    dryRun: argv.includes('--dry-run'),
    check: argv.includes('--check'),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const result = ingest(parseArgs(process.argv.slice(2)));
  for (const e of result.errors) console.error(`  - ${e}`);
  (result.ok ? console.log : console.error)(result.message);
  process.exitCode = result.ok ? 0 : 1;
}
