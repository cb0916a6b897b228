/**
 * @module admin/metrics
 * `POST /admin/metrics`: KPI values uploaded as JSON (`[rows]` or `{ source?, observations: [rows] }`)
 * or CSV (header `kpi,period,value[,unit,source,url,note]`), each row checked and upserted by
 * KPI, unit and period; the reply counts accepted and rejected rows with a reason for each
 * rejected one. `?dryRun=1` checks without writing. Writes are audited; a repeated upload
 * writes (and audits) nothing. `GET /admin/metrics` lists each KPI's latest value and status;
 * `GET /admin/metrics?kpi=<id>` gives one KPI's whole history.
 * Mounted under the admin shell, so the bearer token is already checked here.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isDryRun, type AdminEnv, type Audit } from './index';
import type { Logger } from '../log';
import type { KpiService } from '../kpi/service';
import { BatchError, rowsFromCsv, rowsFromJson, type IngestReport, type SourcedRow } from '../kpi/ingest';

/** Same as the app-wide limit: a bigger upload should be split. */
const METRICS_MAX_BYTES = 1024 * 1024;
const MAX_SOURCE_CHARS = 300;

interface MetricsAdminDeps {
  kpi: KpiService;
  audit: Audit;
  log: Logger;
}

export function metricsAdmin(deps: MetricsAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(
    '*',
    bodyLimit({
      maxSize: METRICS_MAX_BYTES,
      onError: (c) => c.json({ error: `the body is larger than ${METRICS_MAX_BYTES} bytes: split the upload` }, 413),
    }),
  );

  app.post('/', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const dryRun = isDryRun(c);
    let rows: SourcedRow[];
    let source: string | undefined;
    let format: 'json' | 'csv';
    try {
      if (type === 'application/json') {
        format = 'json';
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return c.json({ error: 'the body is not valid JSON' }, 400);
        }
        ({ rows, source } = rowsFromJson(body));
      } else if (type === 'text/csv' || type === 'application/csv') {
        format = 'csv';
        source = c.req.query('source')?.trim() || undefined;
        if (source && source.length > MAX_SOURCE_CHARS) return c.json({ error: `source must be at most ${MAX_SOURCE_CHARS} characters` }, 400);
        let csv: string;
        try {
          csv = await c.req.text();
        } catch {
          // The uploader went away in the middle of the body: no server error, nothing written.
          return c.json({ error: 'the body could not be read' }, 400);
        }
        rows = rowsFromCsv(csv);
      } else {
        return c.json({ error: 'send the rows as application/json or text/csv' }, 415);
      }
    } catch (e) {
      if (e instanceof BatchError) return c.json({ error: e.message }, 400);
      throw e;
    }

    const actor = c.get('actor');
    const report = await deps.kpi.ingest(rows, { origin: 'admin', defaultSource: source ?? `admin API (${actor})`, dryRun });
    const written = report.created + report.updated;
    if (written > 0) {
      const kpis = [...new Set(report.results.filter((r) => r.outcome !== 'unchanged').map((r) => r.kpi))];
      await deps.audit({
        actor,
        action: 'metrics.ingest',
        target: kpis.join(',').slice(0, 200),
        detail: { format, created: report.created, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected },
      });
    }
    deps.log.info('kpi values ingested', { actor, format, dryRun, written, unchanged: report.unchanged, rejected: report.rejected });
    const status = report.storeFailed ? 503 : report.accepted === 0 ? 422 : 200;
    return c.json(replyBody(report), status);
  });

  app.get('/', async (c) => {
    const id = c.req.query('kpi');
    if (id) {
      const def = deps.kpi.catalog.get(id);
      if (!def) return c.json({ error: `unknown KPI ${id.slice(0, 64)}` }, 404);
      const view = await deps.kpi.view(def);
      return c.json({ kpi: def.id, name: def.name, unit: def.unit, evaluation: view.evaluation, history: view.history });
    }
    const views = await deps.kpi.views(deps.kpi.catalog.all());
    return c.json({
      at: deps.kpi.now().toISOString(),
      kpis: views.map((v) => ({
        kpi: v.def.id,
        name: v.def.name,
        unit: v.def.unit,
        visibility: v.def.visibility,
        target: v.evaluation.target,
        deadline: v.evaluation.deadline,
        status: v.evaluation.status,
        stale: v.evaluation.stale,
        asOf: v.asOf,
        latest: v.latest,
      })),
    });
  });
  return app;
}

function replyBody(r: IngestReport) {
  return {
    received: r.received,
    accepted: r.accepted,
    written: r.created + r.updated,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    rejected: r.rejected,
    dryRun: r.dryRun,
    results: r.results,
    errors: r.errors,
  };
}
