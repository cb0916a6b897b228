/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/procedure-import
 * The procedure catalogue import of Tài liệu, over POST /admin/procedures: a catalogue export
 * (JSON or CSV, as `npm run ingest:procedures` reads it) is first previewed as a dry run (each
 * record added or replaced, with its card as users will see it; bad rows named by line, nothing
 * written), then published without choosing the file again. The previewed file waits in the
 * store as a document upload does (pages/documents: 30 minutes, tied to the operator).
 */
import type { Child } from 'hono/jsx';
import type { PageContext } from '../deps';
import { CsrfField, ModeButtons, Table, type View } from '../view';

/** One record of POST /admin/procedures' answer (its dry run carries the card). */
interface ImportedRecord {
  id: string;
  name: string;
  code?: string;
  action: 'add' | 'replace';
  card?: string;
  version?: number;
}

export interface ProcedureImportResult {
  status: 'preview' | 'published';
  procedures: ImportedRecord[];
}

export interface ProcedureImportState {
  result?: ProcedureImportResult;
  /** The kept upload a preview is published from. */
  pendingId?: string;
  /** The rows the API refused (nothing was written). */
  rows?: Array<{ line: number; reason: string }>;
}

/** The import form, and the preview, the result or the refused rows of the last upload. */
export function procedureImportSection(ctx: PageContext, state: ProcedureImportState = {}): Child {
  const { v } = ctx;
  const { t } = v;
  return (
    <>
      <h3 id="procedure-import-h">{t('console-proc-import')}</h3>
      <form method="post" action="/console/knowledge/procedures#procedure-import-h" enctype="multipart/form-data" class="stack">
        <CsrfField v={v} />
        <div class="field">
          <label for="proc-file">
            {t('console-proc-file')} <span class="hint">{t('console-proc-file-hint')}</span>
          </label>
          <input id="proc-file" name="file" type="file" required accept=".json,.csv" />
        </div>
        <ModeButtons buttons={[{ mode: 'preview', label: t('console-proc-preview') }]} />
      </form>
      {state.rows?.length ? <RefusedRows v={v} rows={state.rows} /> : null}
      {state.result ? <ResultView v={v} result={state.result} pendingId={state.pendingId} /> : null}
    </>
  );
}

const RefusedRows = ({ v, rows }: { v: View; rows: Array<{ line: number; reason: string }> }) => (
  <Table
    label={v.t('console-proc-bad-rows')}
    caption={v.t('console-proc-bad-rows')}
    columns={[{ label: v.t('console-kpi-line'), num: true }, v.t('console-kpi-reason')]}
    rows={rows}
    row={(r) => (
      <tr class="rejected">
        <td class="num">{r.line}</td>
        <td>{r.reason}</td>
      </tr>
    )}
  />
);

const ResultView = ({ v, result, pendingId }: { v: View; result: ProcedureImportResult; pendingId?: string }) => {
  const { t } = v;
  const preview = result.status === 'preview';
  return (
    <section class="card" aria-labelledby="proc-result-h" id="procedure-import">
      <h4 id="proc-result-h">{preview ? t('console-proc-preview-title', { n: result.procedures.length }) : t('console-proc-published', { n: result.procedures.length })}</h4>
      <ul>
        {result.procedures.map((p) => (
          <li>
            <strong>{p.name}</strong> <span class="muted">({p.code ? `${p.code} · ` : ''}{p.id} · {t(`console-proc-action-${p.action}`)}{p.version ? ` · v${p.version}` : ''})</span>
            {p.card ? (
              <details>
                <summary>{t('console-procedure-card', { name: p.name })}</summary>
                <pre class="reply">{p.card}</pre>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
      {preview && pendingId ? (
        <form method="post" action="/console/knowledge/procedures#procedure-import-h" class="row">
          <CsrfField v={v} />
          <input type="hidden" name="pending" value={pendingId} />
          <input type="hidden" name="mode" value="publish" />
          <button type="submit">{t('console-proc-publish')}</button>
        </form>
      ) : null}
    </section>
  );
};
