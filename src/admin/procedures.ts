/**
 * @module admin/procedures
 * Procedure records published live, mounted under /admin/procedures by the composition root:
 *   POST   /admin/procedures[?dryRun=1]  one record (JSON), or a catalogue export (JSON or CSV, as
 *                                        `npm run ingest:procedures` reads it; raw body or multipart
 *                                        `file`): all or nothing. 400 { error, rows: [{ line, reason }] }
 *                                        for bad rows, nothing written; ?dryRun=1 previews
 *   GET    /admin/procedures[?q=&origin=&status=]  bundled and live, with where each comes from
 *   GET    /admin/procedures/:id         one, with its record and the card as users see it
 *   DELETE /admin/procedures/:id         retired: hidden from every answer (bundled ones too)
 * Every change is audited; this isolate answers from it at once, others within the refresh interval.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isDryRun, type AdminEnv, type Audit } from './index';
import type { Texts } from '../core/texts';
import type { Locale } from '../core/types';
import { vnDay } from '../core/vn-time';
import { renderPlain } from '../channels/plain';
import { LiveRecordError } from '../store/live-records';
import { parseCatalogueFile, type RowError } from '../procedures/import';
import { procedureCard } from '../procedures/card';
import type { LiveProcedures } from '../procedures/live';
import type { Procedure } from '../procedures/schema';
import { slugify } from '../text/normalize';
import { elementLines, firstLine } from '../text/json-lines';

interface ProceduresAdminDeps {
  live: LiveProcedures;
  audit: Audit;
  texts: Texts;
  now: () => Date;
  maxUploadMb: number;
  /** Called after every change, so this runtime's matcher is rebuilt at once. */
  onChange?: () => Promise<void>;
}

/** An upload's text and the name that says how to read it (.json or .csv). */
interface Upload {
  name: string;
  text: string;
}

class UploadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function proceduresAdmin(deps: ProceduresAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const maxBytes = deps.maxUploadMb * 1024 * 1024;
  const tooLarge = `Tệp vượt quá giới hạn ${deps.maxUploadMb} MB. — The file is over the ${deps.maxUploadMb} MB limit.`;
  const limit = bodyLimit({ maxSize: maxBytes + 64 * 1024, onError: (c) => c.json({ error: tooLarge }, 413) });

  app.post('/', limit, async (c) => {
    let upload: Upload;
    try {
      upload = await readUpload(c, maxBytes, tooLarge);
    } catch (e) {
      if (e instanceof UploadError) return c.json({ error: e.reason }, e.status);
      throw e;
    }
    const parsed = parseCatalogueFile(upload.name, upload.text);
    if (parsed.errors.length) return badRows(c, parsed.errors);
    if (parsed.records.length === 0) return badRows(c, [{ line: 1, reason: 'the file holds no records' }]);
    const lines = recordLines(upload, parsed.records.length);
    const conflicts = await deps.live.conflicts(parsed.records, lines);
    if (conflicts.length) return badRows(c, conflicts);

    const existing = new Map((await deps.live.listing()).map((l) => [l.id, l]));
    const described = parsed.records.map((p) => ({
      id: p.id,
      name: p.name,
      ...(p.code ? { code: p.code } : {}),
      action: existing.has(p.id) ? ('replace' as const) : ('add' as const),
      replaces: existing.get(p.id)?.origin,
    }));
    if (isDryRun(c)) {
      const locale = localeOf(c);
      const records = parsed.records.map((p, i) => ({ ...described[i], card: cardText(p, deps, locale) }));
      return c.json({ dryRun: true, status: 'preview', count: records.length, procedures: records }, 200);
    }
    try {
      const entries = await deps.live.publish(parsed.records, c.get('actor'));
      await deps.audit({
        actor: c.get('actor'),
        action: 'procedure.publish',
        target: entries.length === 1 ? entries[0]!.id : undefined,
        detail: { count: entries.length, ids: entries.slice(0, 50).map((e) => e.id) },
      });
      await deps.onChange?.();
      const byId = new Map(entries.map((e) => [e.id, e]));
      return c.json({ status: 'published', count: entries.length, procedures: described.map((d) => ({ ...d, version: byId.get(d.id)?.version })) }, 201);
    } catch (e) {
      if (e instanceof LiveRecordError) return c.json({ error: e.reason, code: e.code }, e.status);
      throw e;
    }
  });

  app.get('/', async (c) => {
    const q = c.req.query('q');
    const origin = c.req.query('origin');
    const status = c.req.query('status');
    const needle = q?.trim() ? slugify(q) : '';
    const procedures = (await deps.live.listing()).filter(
      (p) => (!origin || p.origin === origin) && (!status || p.status === status) && (!needle || slugify(`${p.id} ${p.name} ${p.code ?? ''} ${p.field}`).includes(needle)),
    );
    return c.json({ procedures });
  });

  app.get('/:id', async (c) => {
    const found = await deps.live.one(c.req.param('id'));
    if (!found) return c.json({ error: `Không có thủ tục "${c.req.param('id').slice(0, 60)}". — No such procedure.` }, 404);
    const { listing, record } = found;
    return c.json({ ...listing, record: record ?? null, card: record ? cardText(record, deps, localeOf(c)) : null });
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    try {
      const entry = await deps.live.retire(id, c.get('actor'));
      await deps.audit({ actor: c.get('actor'), action: 'procedure.retire', target: id, detail: { bundled: Boolean(entry.bundled), version: entry.version } });
      await deps.onChange?.();
      return c.json({ id, status: entry.status, bundled: Boolean(entry.bundled) });
    } catch (e) {
      if (e instanceof LiveRecordError) return c.json({ error: e.reason, code: e.code }, e.status);
      throw e;
    }
  });

  return app;
}

/** The body as text with the name its format goes by: JSON, CSV, or a multipart `file`. */
async function readUpload(c: Context, maxBytes: number, tooLarge: string): Promise<Upload> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      throw new UploadError(400, 'Không đọc được biểu mẫu multipart. — The multipart form could not be read.');
    }
    const file = form['file'];
    if (!(file instanceof File)) throw new UploadError(400, 'Hãy gửi tệp trong trường "file". — Send the file in the "file" field.');
    if (file.size > maxBytes) throw new UploadError(413, tooLarge);
    const csv = /\.csv$/i.test(file.name) || /csv/.test(file.type);
    return { name: csv ? 'upload.csv' : 'upload.json', text: await file.text() };
  }
  if (/^application\/([\w.-]+\+)?json$/.test(type)) return { name: 'upload.json', text: await c.req.text() };
  if (type === 'text/csv' || type === 'application/csv') return { name: 'upload.csv', text: await c.req.text() };
  throw new UploadError(415, 'Gửi JSON (application/json), CSV (text/csv) hoặc multipart/form-data với trường "file". — Send JSON, CSV, or multipart/form-data with "file".');
}

/** Where each record starts (for conflicts found after parsing), read as the parser reads them. */
function recordLines(upload: Upload, count: number): number[] {
  // parseCatalogueFile reports lines for bad rows only; a file with none maps record i to start i.
  return (upload.name.endsWith('.csv') ? csvRecordStarts(upload.text) : jsonStarts(upload.text)).slice(0, count);
}

/** Lines where the CSV's data records start (a quoted cell may span lines; blank lines are skipped). */
function csvRecordStarts(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let inQuotes = false;
  let atStart = true;
  let header = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (atStart && !/[\r\n]/.test(ch)) {
      if (!header) out.push(line);
      header = false;
      atStart = false;
    }
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '\n' && !inQuotes) {
      line++;
      atStart = true;
    } else if (ch === '\n') line++;
  }
  return out;
}

function jsonStarts(text: string): number[] {
  try {
    const data = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    if (Array.isArray(data)) return elementLines(text);
    if (typeof data === 'object' && data !== null && Array.isArray((data as { procedures?: unknown }).procedures)) return elementLines(text, 'procedures');
  } catch {
    return [];
  }
  return [firstLine(text)];
}

function badRows(c: Context, rows: RowError[]): Response {
  const error = `${rows.length} dòng không hợp lệ; không có gì được ghi. — ${rows.length} bad row(s); nothing was written.`;
  return c.json({ error, rows: rows.map((r) => ({ line: r.line, ...(r.id ? { id: r.id } : {}), reason: r.reason })) }, 400);
}

function cardText(p: Procedure, deps: Pick<ProceduresAdminDeps, 'texts' | 'now'>, locale: Locale): string {
  return renderPlain(procedureCard(p, deps.texts, locale, vnDay(deps.now())), deps.texts, locale);
}

function localeOf(c: Context): Locale {
  return c.req.query('locale') === 'en' ? 'en' : 'vi';
}

