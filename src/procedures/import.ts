/**
 * @module procedures/import
 * Reads a procedure catalogue export (JSON or CSV) into validated records, reporting every bad
 * row with its line and reason, and builds the bundled catalogue deterministically. Pure: the
 * ingest script does the file I/O and the all-or-nothing write.
 *
 * JSON: one record, an array of records, or `{ "procedures": [...] }`, each record in the shape
 * of ProcedureSchema. CSV (UTF-8, comma-separated, RFC 4180 quoting, header row; read as every
 * CSV import is, see kpi/csv: bad quoting refuses the file at its line) with columns:
 *   id, code, name, aliases, field, level, levelSince, levelNote, agency, applicants, steps,
 *   inPersonWhere, inPersonTime, inPersonFee, onlineWhere, onlineTime, onlineFee,
 *   postWhere, postTime, postFee, documents, result, legalBasis, onlineLevel, portalUrl,
 *   notes, asOf, sources
 * List cells separate items with " | ". A document item is
 *   `Tên giấy tờ [chính 1, sao 0] (mẫu CT01) {khi: điều kiện}` (brackets optional);
 * a source item is `Tiêu đề <https://…> (2026-11-21)` (URL optional, date required).
 * Unknown columns are an error, so a typo never silently drops a field.
 */
import { CsvError, parseCsv, type CsvRecord } from '../text/csv';
import { ProcedureCatalogSchema, ProcedureSchema, describeIssues, type Procedure } from './schema';

export interface RowError {
  /** 1-based line where the bad record starts. */
  line: number;
  id?: string;
  reason: string;
}

interface ParseResult {
  records: Procedure[];
  errors: RowError[];
}

export function parseCatalogueFile(name: string, content: string): ParseResult {
  const text = content.replace(/^\uFEFF/, '').normalize('NFC');
  if (/\.csv$/i.test(name)) return parseCsvCatalogue(text);
  if (/\.json$/i.test(name)) return parseJsonCatalogue(text);
  return { records: [], errors: [{ line: 1, reason: `unsupported file type (expected .json or .csv): ${name}` }] };
}

// ---------- JSON ----------

function parseJsonCatalogue(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { records: [], errors: [{ line: jsonErrorLine(text, e), reason: `not valid JSON: ${(e as Error).message}` }] };
  }
  const wrapped = isObject(data) && Array.isArray(data.procedures);
  const items: unknown[] = Array.isArray(data) ? data : wrapped ? (data as { procedures: unknown[] }).procedures : [data];
  const lines = Array.isArray(data) || wrapped ? elementLines(text, wrapped) : [firstLine(text)];
  const records: Procedure[] = [];
  const errors: RowError[] = [];
  items.forEach((item, i) => {
    const line = lines[i] ?? 1;
    const parsed = ProcedureSchema.safeParse(item);
    if (parsed.success) records.push(parsed.data);
    else errors.push({ line, id: idOf(item), reason: describeIssues(parsed.error) });
  });
  return withDuplicates(records, errors, lines, items);
}

function jsonErrorLine(text: string, e: unknown): number {
  const m = /position (\d+)/.exec((e as Error).message);
  return m ? lineAt(text, Number(m[1])) : 1;
}

/** Lines where the elements of the top-level array (or of `procedures`) start. */
function elementLines(text: string, wrapped: boolean): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let target = wrapped ? -1 : 1;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (expecting && depth === target && ch !== ']') {
      out.push(lineAt(text, i));
      expecting = false;
    }
    if (ch === '"') {
      if (wrapped && target === -1 && depth === 1 && text.startsWith('"procedures"', i)) target = 2;
      inString = true;
    } else if (ch === '[' || ch === '{') {
      depth++;
      if (ch === '[' && depth === target) expecting = true;
    } else if (ch === ']' || ch === '}') {
      depth--;
    } else if (ch === ',' && depth === target) {
      expecting = true;
    }
  }
  return out;
}

function firstLine(text: string): number {
  const i = text.search(/\S/);
  return i < 0 ? 1 : lineAt(text, i);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

// ---------- CSV ----------

export const CSV_COLUMNS = [
  'id', 'code', 'name', 'aliases', 'field', 'level', 'levelSince', 'levelNote', 'agency', 'applicants', 'steps',
  'inPersonWhere', 'inPersonTime', 'inPersonFee', 'onlineWhere', 'onlineTime', 'onlineFee',
  'postWhere', 'postTime', 'postFee', 'documents', 'result', 'legalBasis', 'onlineLevel', 'portalUrl',
  'notes', 'asOf', 'sources',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

function parseCsvCatalogue(text: string): ParseResult {
  let rows: CsvRecord[];
  try {
    rows = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) return { records: [], errors: [{ line: e.line, reason: e.reason }] };
    throw e;
  }
  const header = rows.shift();
  if (!header) return { records: [], errors: [{ line: 1, reason: 'empty CSV file' }] };
  const columns = header.fields;
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  const missing = ['id', 'name', 'field', 'asOf', 'sources'].filter((c) => !columns.includes(c));
  if (unknown.length || missing.length) {
    const reason = [unknown.length ? `unknown column(s): ${unknown.join(', ')}` : '', missing.length ? `missing column(s): ${missing.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    return { records: [], errors: [{ line: header.line, reason }] };
  }
  const records: Procedure[] = [];
  const errors: RowError[] = [];
  const items: unknown[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      errors.push({ line: row.line, reason: `expected ${columns.length} cells, found ${row.fields.length}` });
      items.push(undefined);
      continue;
    }
    const get = (c: Column) => row.fields[columns.indexOf(c)] ?? '';
    let raw: Record<string, unknown>;
    try {
      raw = csvRecord(get);
    } catch (e) {
      errors.push({ line: row.line, id: get('id') || undefined, reason: (e as Error).message });
      items.push(undefined);
      continue;
    }
    items.push(raw);
    const parsed = ProcedureSchema.safeParse(raw);
    if (parsed.success) records.push(parsed.data);
    else errors.push({ line: row.line, id: get('id') || undefined, reason: describeIssues(parsed.error) });
  }
  return withDuplicates(records, errors, rows.map((r) => r.line), items);
}

const SEP = /\s+\|\s+/;

function list(cell: string): string[] {
  return cell ? cell.split(SEP).map((s) => s.trim()).filter(Boolean) : [];
}

function csvRecord(get: (c: Column) => string): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    id: get('id'),
    name: get('name'),
    field: get('field'),
    aliases: list(get('aliases')),
    applicants: list(get('applicants')),
    steps: list(get('steps')),
    legalBasis: list(get('legalBasis')),
    notes: list(get('notes')),
    asOf: get('asOf'),
    documents: list(get('documents')).map(documentItem),
    sources: list(get('sources')).map(sourceItem),
    channels: (['inPerson', 'online', 'post'] as const).flatMap((k) => {
      const where = get(`${k}Where`);
      const timeLimit = get(`${k}Time`);
      const fee = get(`${k}Fee`);
      if (!where && !timeLimit && !fee) return [];
      return [omitEmpty({ kind: k === 'inPerson' ? 'in-person' : k, where, timeLimit, fee })];
    }),
  };
  for (const c of ['code', 'agency', 'result', 'onlineLevel', 'portalUrl'] as const) if (get(c)) raw[c] = get(c);
  if (get('level')) raw.level = omitEmpty({ value: get('level'), since: get('levelSince'), note: get('levelNote') });
  else if (get('levelSince') || get('levelNote')) throw new Error('levelSince/levelNote given without level');
  return raw;
}

const DOC_ITEM = /^(.*?)\s*(?:\[\s*(?:chính|chinh)\s*(\d+)\s*,\s*sao\s*(\d+)\s*\])?\s*(?:\(\s*(?:mẫu|mau)\s+([^)]+)\))?\s*(?:\{\s*(?:khi|when)\s*:\s*([^}]+)\})?$/i;

function documentItem(item: string): Record<string, unknown> {
  const m = DOC_ITEM.exec(item);
  if (!m || !m[1]) throw new Error(`documents: cannot read "${item}"`);
  return omitEmpty({
    name: m[1],
    originals: m[2] === undefined ? undefined : Number(m[2]),
    copies: m[3] === undefined ? undefined : Number(m[3]),
    form: m[4]?.trim(),
    when: m[5]?.trim(),
  });
}

const SOURCE_ITEM = /^(.*?)\s*(?:<([^>]+)>)?\s*\((\d{4}-\d{2}-\d{2})\)$/;

function sourceItem(item: string): Record<string, unknown> {
  const m = SOURCE_ITEM.exec(item);
  if (!m || !m[1]) throw new Error(`sources: "${item}" must read "Title <url> (YYYY-MM-DD)"`);
  return omitEmpty({ title: m[1], url: m[2], checkedAt: m[3] });
}

function omitEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

// ---------- shared ----------

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function idOf(item: unknown): string | undefined {
  return isObject(item) && typeof item.id === 'string' ? item.id : undefined;
}

/** Adds an error for every record whose id or code repeats one earlier in the same file. */
function withDuplicates(records: Procedure[], errors: RowError[], lines: number[], items: unknown[]): ParseResult {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    for (const key of [item.id, item.code]) {
      if (typeof key !== 'string' || !key) continue;
      const first = seen.get(key);
      if (first !== undefined) errors.push({ line: lines[i] ?? 1, id: idOf(item), reason: `${key} already used on line ${first}` });
      else seen.set(key, lines[i] ?? 1);
    }
  });
  errors.sort((a, b) => a.line - b.line);
  return { records, errors };
}

/** The bundled catalogue: records sorted by id, validated as a whole, serialised stably. */
export function buildCatalogue(records: readonly Procedure[]): string {
  const procedures = [...records].sort((a, b) => a.id.localeCompare(b.id));
  const catalogue = ProcedureCatalogSchema.parse({ version: 1, procedures });
  return JSON.stringify(catalogue, null, 1) + '\n';
}

/** One record as a data file: fields in schema order, empty lists left out. */
export function recordFile(p: Procedure): string {
  const compact = Object.fromEntries(Object.entries(p).filter(([, v]) => !(Array.isArray(v) && v.length === 0)));
  return JSON.stringify(compact, null, 2) + '\n';
}
