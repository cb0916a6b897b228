/**
 * @module admin/kpis
 * KPI definitions published live, mounted under /admin/kpis by the composition root:
 *   POST   /admin/kpis[?dryRun=1]  one definition, an array, or a knowledge/kpis file
 *                                  (`{ placeNote?, definitions, observations? }`; raw JSON or
 *                                  multipart `file`), checked as scripts/build-kpis.ts checks the
 *                                  data files: all or nothing, 400 { error, rows: [{ line, reason }] }
 *   GET    /admin/kpis[?origin=&status=]  bundled and live definitions, with where each comes from
 *   GET    /admin/kpis/:id         one definition
 *   DELETE /admin/kpis/:id         retired: hidden from /kpi, alerts and briefings (bundled ones too)
 * Values are not definitions: a file's `observations` are left out (POST /admin/metrics takes
 * values) and counted in the answer. Every change is audited.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isDryRun, type AdminEnv, type Audit } from './index';
import { LiveRecordError, type LiveRecordEntry } from '../store/live-records';
import type { PlaceLabels } from '../kpi/definitions';
import { parseDefinitions, type DefinitionRowError } from '../kpi/live';
import type { KpiService } from '../kpi/service';
import type { KpiDefinition } from '../kpi/schema';

interface KpisAdminDeps {
  kpi: KpiService;
  audit: Audit;
  labels: PlaceLabels;
  documentExists?: (docId: string) => boolean;
  maxUploadMb: number;
}

interface KpiListing {
  id: string;
  name: string;
  group: KpiDefinition['group'];
  unit: KpiDefinition['unit'];
  visibility: KpiDefinition['visibility'];
  origin: 'bundled' | 'live';
  status: 'published' | 'retired';
  bundled: boolean;
  version?: number;
  updatedAt?: string;
  actor?: string;
}

export function kpisAdmin(deps: KpisAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const maxBytes = deps.maxUploadMb * 1024 * 1024;
  const tooLarge = `Tệp vượt quá giới hạn ${deps.maxUploadMb} MB. — The file is over the ${deps.maxUploadMb} MB limit.`;
  const limit = bodyLimit({ maxSize: maxBytes + 64 * 1024, onError: (c) => c.json({ error: tooLarge }, 413) });
  const live = () => {
    if (!deps.kpi.live) throw new Error('live KPI definitions are off');
    return deps.kpi.live;
  };
  const bundled = (id: string) => deps.kpi.catalog.isBundled(id);

  app.post('/', limit, async (c) => {
    const text = await readJson(c, maxBytes);
    if (text instanceof Response) return text;
    const parsed = parseDefinitions(text, { labels: deps.labels, documentExists: deps.documentExists });
    if (parsed.errors.length) return badRows(c, parsed.errors);
    const current = await listing(deps);
    const known = new Map(current.map((l) => [l.id, l]));
    const described = parsed.definitions.map((d) => ({
      id: d.id,
      name: d.name,
      action: known.has(d.id) ? ('replace' as const) : ('add' as const),
      replaces: known.get(d.id)?.origin,
    }));
    const ignored = parsed.ignoredValues ? { ignoredValues: parsed.ignoredValues } : {};
    if (isDryRun(c)) return c.json({ dryRun: true, status: 'preview', count: described.length, definitions: parsed.definitions.map((d, i) => ({ ...described[i], definition: d })), ...ignored }, 200);
    try {
      const entries = await live().publish(parsed.definitions, c.get('actor'), bundled);
      await deps.audit({
        actor: c.get('actor'),
        action: 'kpi-definition.publish',
        target: entries.length === 1 ? entries[0]!.id : undefined,
        detail: { count: entries.length, ids: entries.slice(0, 50).map((e) => e.id) },
      });
      await deps.kpi.refresh(true);
      const byId = new Map(entries.map((e) => [e.id, e]));
      return c.json({ status: 'published', count: entries.length, definitions: described.map((d) => ({ ...d, version: byId.get(d.id)?.version })), ...ignored }, 201);
    } catch (e) {
      if (e instanceof LiveRecordError) return c.json({ error: e.reason, code: e.code }, e.status);
      throw e;
    }
  });

  app.get('/', async (c) => {
    const origin = c.req.query('origin');
    const status = c.req.query('status');
    const definitions = (await listing(deps)).filter((d) => (!origin || d.origin === origin) && (!status || d.status === status));
    return c.json({ definitions });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const one = (await listing(deps)).find((d) => d.id === id);
    if (!one) return c.json({ error: `Không có chỉ số "${id.slice(0, 64)}". — No such KPI.` }, 404);
    const entry = live().state.entries.get(id);
    const definition = deps.kpi.catalog.get(id) ?? (entry ? await live().lastPublished(entry) : undefined) ?? deps.kpi.catalog.bundled(id);
    return c.json({ ...one, definition: definition ?? null });
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    try {
      const entry = await live().retire(id, c.get('actor'), bundled);
      await deps.audit({ actor: c.get('actor'), action: 'kpi-definition.retire', target: id, detail: { bundled: Boolean(entry.bundled), version: entry.version } });
      await deps.kpi.refresh(true);
      return c.json({ id, status: entry.status, bundled: Boolean(entry.bundled) });
    } catch (e) {
      if (e instanceof LiveRecordError) return c.json({ error: e.reason, code: e.code }, e.status);
      throw e;
    }
  });

  return app;
}

/** Bundled and live definitions (retired included), from the store as it is now. */
async function listing(deps: KpisAdminDeps): Promise<KpiListing[]> {
  await deps.kpi.refresh(true);
  const live = deps.kpi.live;
  const entries: ReadonlyMap<string, LiveRecordEntry> = live?.state.entries ?? new Map();
  const records = live?.state.records ?? new Map<string, KpiDefinition>();
  const out: KpiListing[] = [];
  const seen = new Set<string>();
  const add = (d: KpiDefinition, e: LiveRecordEntry | undefined, bundled: boolean) => {
    seen.add(d.id);
    out.push({
      id: d.id,
      name: d.name,
      group: d.group,
      unit: d.unit,
      visibility: d.visibility,
      origin: e && e.version > 0 ? 'live' : 'bundled',
      status: e?.status ?? 'published',
      bundled,
      ...(e ? { version: e.version, updatedAt: e.updatedAt, actor: e.actor } : {}),
    });
  };
  for (const e of entries.values()) {
    const bundled = deps.kpi.catalog.bundled(e.id);
    const def = records.get(e.id) ?? (live ? await live.lastPublished(e) : undefined) ?? bundled;
    if (def) add(def, e, Boolean(bundled));
  }
  for (const d of deps.kpi.catalog.all()) if (!seen.has(d.id)) add(d, undefined, deps.kpi.catalog.isBundled(d.id));
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** The JSON text of the body (raw or a multipart `file`), or the refusal. */
async function readJson(c: Context, maxBytes: number): Promise<string | Response> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      return c.json({ error: 'Không đọc được biểu mẫu multipart. — The multipart form could not be read.' }, 400);
    }
    const file = form['file'];
    if (!(file instanceof File)) return c.json({ error: 'Hãy gửi tệp trong trường "file". — Send the file in the "file" field.' }, 400);
    if (file.size > maxBytes) return c.json({ error: 'Tệp quá lớn. — The file is too large.' }, 413);
    return file.text();
  }
  if (/^application\/([\w.-]+\+)?json$/.test(type)) return c.req.text();
  return c.json({ error: 'Gửi JSON (application/json) hoặc multipart/form-data với trường "file". — Send JSON, or multipart/form-data with "file".' }, 415);
}

function badRows(c: Context, rows: DefinitionRowError[]): Response {
  const error = `${rows.length} định nghĩa không hợp lệ; không có gì được ghi. — ${rows.length} bad definition(s); nothing was written.`;
  return c.json({ error, rows: rows.map((r) => ({ line: r.line, ...(r.id ? { id: r.id } : {}), reason: r.reason })) }, 400);
}

