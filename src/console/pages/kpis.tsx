/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/kpis
 * Chỉ số: the catalogue with each KPI's latest value, target and status mark (GET /admin/metrics),
 * one KPI's history chart (values, target line, deadline, projection: media/kpi-history, drawn
 * on the server), and the upload of values as CSV or JSON through POST /admin/metrics, first
 * as a dry run that previews the accepted and rejected rows.
 */
import { raw } from 'hono/html';
import { kpiView } from '../../kpi/service';
import { formatValue, kpiName, targetText } from '../../kpi/render';
import type { StatusResult } from '../../kpi/status';
import type { Observation } from '../../kpi/schema';
import { kpiHistorySvg } from '../../media/kpi-history';
import type { PageContext } from '../deps';
import { CsrfField, ModeButtons, Table, vnDate, type Notice } from '../view';

interface MetricsRow {
  kpi: string;
  name: string;
  target: number | null;
  deadline: string | null;
  status: StatusResult['status'];
  stale: boolean;
  asOf: string | null;
  latest: Observation | null;
}

interface UploadReport {
  received: number;
  accepted: number;
  written: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  dryRun: boolean;
  results: Array<{ row: number; line?: number; kpi?: string; period?: string; outcome: string }>;
  errors: Array<{ row: number; line?: number; kpi?: string; period?: string; reason: string }>;
}

/** What the upload form sent, kept so a previewed upload can be written without choosing the file again. */
export interface UploadInput {
  content: string;
  format: 'csv' | 'json';
  source?: string;
}

export interface UploadOutcome {
  input: UploadInput;
  report?: UploadReport;
  notices: Notice[];
}

const MARK: Record<StatusResult['status'], string> = { on_track: '🟢', at_risk: '🟡', off_track: '🔴', no_target: '🔵', no_data: '⚪' };

/** Sends the values to POST /admin/metrics (dry run or not) and keeps what came back. */
export async function uploadValues(ctx: PageContext, input: UploadInput, dryRun: boolean): Promise<UploadOutcome> {
  const { api, v } = ctx;
  const params = new URLSearchParams();
  if (dryRun) params.set('dryRun', '1');
  let body: { json: unknown } | { text: string; type: string };
  if (input.format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.content);
    } catch {
      return { input, notices: [{ kind: 'error', text: v.t('console-kpi-bad-json') }] };
    }
    // A source typed in the form applies to rows that name none, as the API's { source } does.
    body = { json: input.source && Array.isArray(parsed) ? { source: input.source, observations: parsed } : parsed };
  } else {
    if (input.source) params.set('source', input.source);
    body = { text: input.content, type: 'text/csv' };
  }
  const res = await api.send<UploadReport>('POST', `/metrics${params.size ? `?${params}` : ''}`, body);
  const report = res.data && typeof res.data.received === 'number' ? res.data : undefined;
  const notices: Notice[] = [];
  if (report) {
    const key = dryRun ? 'console-kpi-preview-summary' : 'console-kpi-written-summary';
    notices.push({
      kind: report.rejected > 0 || !res.ok ? 'warn' : 'ok',
      text: v.t(key, { accepted: report.accepted, rejected: report.rejected, written: report.written, unchanged: report.unchanged }),
    });
  } else {
    notices.push({ kind: 'error', text: v.t('console-kpi-refused'), detail: res.error });
  }
  return { input, report, notices };
}

export async function kpisPage(ctx: PageContext, upload?: UploadOutcome) {
  const { v, api, deps, locale, query } = ctx;
  const { t } = v;
  const notices: Notice[] = [...(upload?.notices ?? [])];
  const list = await api.get<{ kpis: MetricsRow[] }>('/metrics');
  if (!list.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: list.error });
  const rows = list.ok ? list.data.kpis : [];

  const selectedId = query('kpi');
  let chart: { svg: string; alt: string; name: string } | undefined;
  if (selectedId) {
    const def = deps.kpiCatalog.get(selectedId);
    const one = def ? await api.get<{ history: Observation[] }>(`/metrics?kpi=${encodeURIComponent(selectedId)}`) : undefined;
    if (def && one?.ok) {
      const view = kpiView(def, one.data.history, deps.now());
      const drawn = kpiHistorySvg(view, { locale, texts: deps.texts, text: 'native' });
      chart = { svg: drawn.svg, alt: t('chart-history-alt', { name: kpiName(def, locale) }), name: kpiName(def, locale) };
    } else {
      notices.push({ kind: 'error', text: t('console-no-kpi'), detail: one?.error });
    }
  }

  const report = upload?.report;
  const body = (
    <>
      {report ? (
        <section class="card" aria-labelledby="report-h">
          <h2 id="report-h">{report.dryRun ? t('console-kpi-preview') : t('console-kpi-result')}</h2>
          <ul class="tiles">
            <li>
              <span class="label">{t('console-kpi-received')}</span>
              <span class="value">{report.received}</span>
            </li>
            <li>
              <span class="label">{t('console-kpi-accepted')}</span>
              <span class="value">{report.accepted}</span>
            </li>
            <li>
              <span class="label">{t('console-kpi-rejected')}</span>
              <span class="value">{report.rejected}</span>
            </li>
          </ul>
          {report.errors.length ? (
            <>
              <h3>{t('console-kpi-rejected-rows')}</h3>
              <Table
                label={t('console-kpi-rejected-rows')}
                columns={[t('console-kpi-line'), t('console-kpi-reason')]}
                rows={report.errors}
                row={(e) => (
                  <tr class="rejected">
                    <td>{e.line ?? e.row}</td>
                    <td lang="en">{e.reason}</td>
                  </tr>
                )}
              />
            </>
          ) : null}
          {report.results.length ? (
            <>
              <h3>{t('console-kpi-accepted-rows')}</h3>
              <Table
                label={t('console-kpi-accepted-rows')}
                columns={[t('console-kpi-line'), t('console-kpi'), t('console-kpi-period'), t('console-kpi-outcome')]}
                rows={report.results}
                row={(r) => (
                  <tr class="accepted">
                    <td>{r.line ?? r.row}</td>
                    <td>{r.kpi}</td>
                    <td>{r.period}</td>
                    <td>{t(`console-kpi-outcome-${r.outcome}`)}</td>
                  </tr>
                )}
              />
            </>
          ) : null}
        </section>
      ) : null}

      <section class="card" aria-labelledby="upload-h">
        <h2 id="upload-h">{t('console-kpi-upload')}</h2>
        <p class="muted">{t('console-kpi-upload-hint')}</p>
        <form method="post" action="/console/kpis" enctype="multipart/form-data" class="stack">
          <CsrfField v={v} />
          <div class="field">
            <label for="file">
              {t('console-kpi-file')} <span class="hint">{t('console-kpi-file-hint')}</span>
            </label>
            <input id="file" name="file" type="file" accept=".csv,.json,text/csv,application/json" />
          </div>
          <div class="field">
            <label for="content">
              {t('console-kpi-paste')} <span class="hint">{t('console-kpi-paste-hint')}</span>
            </label>
            <textarea id="content" name="content" rows={8}>
              {upload?.input.content ?? ''}
            </textarea>
          </div>
          <div class="field">
            <label for="source">{t('console-kpi-source')}</label>
            <input id="source" name="source" type="text" maxlength={300} value={upload?.input.source ?? ''} />
          </div>
          <ModeButtons
            buttons={[
              { mode: 'dry', label: t('console-kpi-dry-run') },
              { mode: 'write', label: t('console-kpi-write') },
            ]}
          />
        </form>
      </section>

      {chart ? (
        <section class="card" id="chart" aria-labelledby="chart-h">
          <h2 id="chart-h">{chart.name}</h2>
          <figure>
            {raw(chart.svg)}
            <figcaption>{chart.alt}</figcaption>
          </figure>
        </section>
      ) : null}

      <h2>{t('console-kpi-catalogue')}</h2>
      <Table
        label={t('console-kpi-catalogue')}
        columns={[t('console-kpi-status'), t('console-kpi'), t('console-kpi-latest'), t('console-kpi-as-of'), t('console-kpi-target')]}
        rows={rows}
        row={(r) => {
          const def = deps.kpiCatalog.get(r.kpi);
          const name = def ? kpiName(def, locale) : r.name;
          return (
            <tr>
              <td>
                <span class={`status ${r.status}`}>
                  {MARK[r.status]} {t(`kpi-status-${r.status}`)}
                </span>
                {r.stale ? <span class="muted"> ⚪ {t('console-kpi-stale')}</span> : null}
              </td>
              <td>
                <a href={`/console/kpis?kpi=${encodeURIComponent(r.kpi)}#chart`}>{name}</a>
              </td>
              <td>{r.latest && def ? formatValue(def, r.latest.value, locale, deps.texts) : '—'}</td>
              <td>{vnDate(r.asOf)}</td>
              <td>{def ? targetText({ def, evaluation: { target: r.target, deadline: r.deadline } as StatusResult }, locale, deps.texts) : '—'}</td>
            </tr>
          );
        }}
      />
    </>
  );
  return { title: t('console-nav-kpis'), body, notices };
}
