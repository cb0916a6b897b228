/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/documents
 * The documents part of Tài liệu, over /admin/documents: the list with each one's status, the
 * upload (a file and the metadata fields an operator may set), the preview of what was read
 * from it (metadata found, chunks, warnings) before anything is published, publishing, a new
 * version of a document, and retiring one.
 *
 * A previewed file waits in the store for 30 minutes under a random id tied to the operator, so
 * "Đăng" publishes exactly what was previewed without choosing the file again.
 */
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import { fromBase64, randomId, toBase64 } from '../../text/base64';
import type { Store } from '../../store/store';
import type { PageContext } from '../deps';
import { CsrfField, ModeButtons, Table, vnDate, vnDateTime, type Notice, type View } from '../view';

export const DOCUMENT_FIELDS = ['title', 'number', 'kind', 'issuer', 'signer', 'issuedAt', 'effectiveAt', 'expiresAt', 'supersedes', 'source', 'url', 'visibility'] as const;
const DATE_FIELDS = new Set(['issuedAt', 'effectiveAt', 'expiresAt']);
const PENDING_TTL_SECONDS = 30 * 60;

interface DocumentRow {
  docId: string;
  version: number;
  status: string;
  title: string;
  number?: string;
  visibility: string;
  updatedAt: string;
  supersededBy?: string;
  bundled?: boolean;
}

export interface DocumentPreview {
  id?: string;
  version: number | null;
  status: string;
  metadata: Record<string, unknown>;
  found: string[];
  format?: string;
  pages?: number;
  chunks: Array<{ id: string; heading: string; chars: number; text: string }>;
  warnings: Array<{ code: string; vi: string; en: string }>;
}

const PendingSchema = z.object({
  operator: z.string(),
  filename: z.string(),
  type: z.string(),
  bytes: z.string(),
  fields: z.record(z.string(), z.string()),
  replaces: z.string().optional(),
});
type Pending = z.infer<typeof PendingSchema>;
const pendingKey = (id: string) => `console:pending-document:${id}`;

/** Keeps a previewed upload for the publish that follows; returns its id. */
export async function keepPending(store: Store, pending: Pending): Promise<string> {
  const id = randomId(18);
  await store.set(pendingKey(id), JSON.stringify(pending), PENDING_TTL_SECONDS);
  return id;
}

/** The upload kept under `id` for this operator, or null (unknown, expired, someone else's). */
export async function takePending(store: Store, id: string, operator: string): Promise<Pending | null> {
  if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return null;
  const raw = await store.get(pendingKey(id));
  if (!raw) return null;
  try {
    const parsed = PendingSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.operator === operator ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function forgetPending(store: Store, id: string): Promise<void> {
  await store.del(pendingKey(id));
}

/** The multipart body POST/PUT /admin/documents takes. */
export function documentForm(p: Pick<Pending, 'filename' | 'type' | 'bytes' | 'fields'>): FormData {
  const form = new FormData();
  form.set('file', new File([fromBase64(p.bytes)], p.filename, { type: p.type || 'application/octet-stream' }));
  for (const [k, v] of Object.entries(p.fields)) if (v) form.set(k, v);
  return form;
}

export function pendingFrom(operator: string, file: File, bytes: Uint8Array, fields: Record<string, string>, replaces?: string): Pending {
  return { operator, filename: file.name || 'document', type: file.type, bytes: toBase64(bytes), fields, ...(replaces ? { replaces } : {}) };
}

export interface DocumentsState {
  preview?: DocumentPreview;
  pendingId?: string;
  /** Fields as the operator filled them (kept on a refusal). */
  fields?: Record<string, string>;
  replaces?: string;
}

/** The documents section of Tài liệu. */
export async function documentsSection(ctx: PageContext, q: string, state: DocumentsState = {}): Promise<{ node: Child; notices: Notice[] }> {
  const { v, api } = ctx;
  const { t } = v;
  const notices: Notice[] = [];
  const filter = (ctx.query('dq') ?? '').trim().slice(0, 200);
  const list = await api.get<{ documents: DocumentRow[] }>(`/documents${filter ? `?q=${encodeURIComponent(filter)}` : ''}`);
  if (!list.ok) {
    // Not mounted (the admin app's bare 404, not a JSON refusal): say so rather than fail.
    if (list.status === 404 && list.error === 'HTTP 404') return { node: <p class="muted">{t('console-documents-unavailable')}</p>, notices };
    notices.push({ kind: 'error', text: t('console-failed'), detail: list.error });
  }
  const rows = (list.ok ? list.data.documents : []).slice().sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const preview = state.preview;
  const fields = state.fields ?? {};
  const node = (
    <>
      {q ? <p class="notice warn">{t('console-documents-for', { q })}</p> : null}
      {preview ? <PreviewView v={v} preview={preview} pendingId={state.pendingId} /> : null}

      <h3 id="upload">{t('console-doc-upload')}</h3>
      <form method="post" action="/console/knowledge/documents#documents" enctype="multipart/form-data" class="stack">
        <CsrfField v={v} />
        <div class="field">
          <label for="doc-file">
            {t('console-doc-file')} <span class="hint">{t('console-doc-file-hint')}</span>
          </label>
          <input id="doc-file" name="file" type="file" required accept=".pdf,.docx,.html,.htm,.txt,.md" />
        </div>
        <details>
          <summary>{t('console-doc-fields')}</summary>
          <div class="stack">
            {DOCUMENT_FIELDS.filter((f) => f !== 'visibility').map((f) => (
              <div class="field">
                <label for={`doc-${f}`}>{t(`console-doc-field-${f}`)}</label>
                <input id={`doc-${f}`} name={f} type={DATE_FIELDS.has(f) ? 'date' : f === 'url' ? 'url' : 'text'} value={fields[f] ?? ''} maxlength={300} />
              </div>
            ))}
            <div class="field">
              <label for="doc-visibility">{t('console-doc-field-visibility')}</label>
              <select id="doc-visibility" name="visibility">
                <option value="public">{t('console-doc-public')}</option>
                <option value="internal" selected={fields.visibility === 'internal'}>
                  {t('console-doc-internal')}
                </option>
              </select>
            </div>
            <div class="field">
              <label for="doc-replaces">
                {t('console-doc-replaces')} <span class="hint">{t('console-doc-replaces-hint')}</span>
              </label>
              <select id="doc-replaces" name="replaces">
                <option value="">{t('console-doc-new')}</option>
                {rows
                  .filter((r) => r.status === 'published')
                  .map((r) => (
                    <option value={r.docId} selected={r.docId === state.replaces}>
                      {r.title}
                    </option>
                  ))}
              </select>
            </div>
          </div>
        </details>
        <ModeButtons
          buttons={[
            { mode: 'preview', label: t('console-doc-preview') },
            { mode: 'publish', label: t('console-doc-publish-now') },
          ]}
        />
      </form>

      <h3>{t('console-doc-list')}</h3>
      <form method="get" action="/console/knowledge#documents" class="row">
        <div class="field">
          <label for="dq">{t('console-doc-filter')}</label>
          <input id="dq" name="dq" type="search" value={filter} maxlength={200} />
        </div>
        <button type="submit" class="secondary">
          {t('console-filter')}
        </button>
      </form>
      <Table
        label={t('console-doc-list')}
        columns={[t('console-doc-title'), t('console-doc-field-number'), t('console-doc-status'), { label: t('console-doc-version'), num: true }, t('console-doc-updated'), t('console-actions')]}
        empty={t('console-none')}
        rows={rows}
        row={(r) => (
          <tr id={`doc-${r.docId}`} data-doc={r.docId}>
            <td>
              {r.title}
              <div class="muted">
                {r.docId}
                {r.visibility === 'internal' ? ` · ${t('console-doc-internal')}` : ''}
              </div>
            </td>
            <td>{r.number ?? '—'}</td>
            <td>
              <span class={`status ${r.status === 'published' ? 'open' : 'revoked'}`}>{t(`console-doc-status-${r.status}`)}</span>
              {r.supersededBy ? <div class="muted">{t('console-doc-superseded-by', { id: r.supersededBy })}</div> : null}
            </td>
            <td class="num">{r.version}</td>
            <td>{vnDateTime(r.updatedAt)}</td>
            <td>
              {r.status === 'published' ? (
                <form method="post" action={`/console/knowledge/documents/${encodeURIComponent(r.docId)}/retire#documents`} class="inline">
                  <CsrfField v={v} />
                  <button type="submit" class="danger" aria-label={t('console-doc-retire-named', { title: r.title.slice(0, 80) })}>
                    {t('console-doc-retire')}
                  </button>
                </form>
              ) : null}
            </td>
          </tr>
        )}
      />
    </>
  );
  return { node, notices };
}

const PreviewView = ({ v, preview, pendingId }: { v: View; preview: DocumentPreview; pendingId?: string }) => {
  const { t } = v;
  const meta = Object.entries(preview.metadata).filter(([, val]) => val !== undefined && val !== null && !(Array.isArray(val) && val.length === 0));
  return (
    <section class="card" aria-labelledby="preview-h" id="preview">
      <h3 id="preview-h">{preview.status === 'preview' ? t('console-doc-preview-title') : t('console-doc-published', { id: preview.id ?? '', version: preview.version ?? '' })}</h3>
      {preview.warnings.map((w) => (
        <div class="notice warn" role="status">
          <p>{v.locale === 'en' ? w.en : w.vi}</p>
        </div>
      ))}
      <dl class="facts">
        {meta.map(([k, val]) => (
          <>
            <dt>
              {DOCUMENT_FIELDS.includes(k as (typeof DOCUMENT_FIELDS)[number]) ? t(`console-doc-field-${k}`) : k}
              {preview.found.includes(k) ? <span class="hint"> ({t('console-doc-found')})</span> : null}
            </dt>
            <dd>{Array.isArray(val) ? val.join(', ') : /^\d{4}-\d{2}-\d{2}$/.test(String(val)) ? vnDate(String(val)) : String(val)}</dd>
          </>
        ))}
      </dl>
      <h4>{t('console-doc-chunks', { n: preview.chunks.length })}</h4>
      <ol class="hits">
        {preview.chunks.slice(0, 30).map((c) => (
          <li>
            <strong>{c.heading || '—'}</strong> <span class="muted">({t('console-doc-chars', { n: c.chars })})</span>
            <blockquote>{c.text.length > 300 ? `${c.text.slice(0, 300)}…` : c.text}</blockquote>
          </li>
        ))}
      </ol>
      {preview.chunks.length > 30 ? <p class="muted">{t('console-doc-more-chunks', { n: preview.chunks.length - 30 })}</p> : null}
      {preview.status === 'preview' && pendingId ? (
        <form method="post" action="/console/knowledge/documents#documents" class="row">
          <CsrfField v={v} />
          <input type="hidden" name="pending" value={pendingId} />
          <input type="hidden" name="mode" value="publish" />
          <button type="submit">{t('console-doc-publish')}</button>
        </form>
      ) : null}
    </section>
  );
};
