/**
 * @module admin/documents
 * Documents published live, mounted under /admin/documents by the composition root:
 *   POST   /admin/documents[?dryRun=1]  multipart `file` + form fields, or JSON { url, ...fields }:
 *                                      201 a new document; 200 the same content again (its id);
 *                                      ?dryRun=1: the preview, nothing written
 *   GET    /admin/documents[?q=]        the documents with their status
 *   GET    /admin/documents/:id         metadata, versions, the current version's chunks
 *   PUT    /admin/documents/:id         a new version (multipart or JSON url), switched atomically
 *   DELETE /admin/documents/:id         retired: never cited again, kept for audit
 * Uploads have their own size limit (KNOWLEDGE_MAX_UPLOAD_MB), not the app's 1 MB body limit.
 * Every refusal is a 4xx with a reason (Vietnamese first); every change is audited.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { isDryRun, invalidRequest, type AdminEnv, type Audit } from './index';
import { Catalogue, CatalogueError, DocumentIdSchema, UploadFieldsSchema, type Prepared, type UploadInput } from '../knowledge/catalogue';
import { DocumentError } from '../knowledge/extract/index';
import { UrlFetchError, fetchDocument } from '../knowledge/fetch-url';

interface DocumentsAdminDeps {
  catalogue: Catalogue;
  audit: Audit;
  maxUploadMb: number;
  /** Called after every change, so this isolate answers from it at once (others within seconds). */
  onChange?: () => Promise<void>;
  /** How a URL upload is fetched (tests: a loopback server allowed explicitly). */
  fetchUrl?: (url: string) => ReturnType<typeof fetchDocument>;
}

/** A URL fetch waits at most this long and reads at most the upload limit. */
const FETCH_TIMEOUT_MS = 15_000;

/** As UploadFieldsSchema allows. */
const MAX_SUPERSEDES = 50;

const INVALID_ID = 'Mã văn bản không hợp lệ (chữ thường không dấu, số, dấu gạch ngang; tối đa 80 ký tự) — invalid document id';

/** Form and JSON field names as the contract spells them. */
const FIELD_NAMES = ['title', 'number', 'kind', 'issuer', 'signer', 'issuedAt', 'effectiveAt', 'expiresAt', 'supersedes', 'source', 'url', 'visibility'] as const;

const UrlBodySchema = z
  .object({ url: z.url({ protocol: /^https?$/ }) })
  .catchall(z.unknown());

class RequestError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function documentsAdmin(deps: DocumentsAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const maxBytes = deps.maxUploadMb * 1024 * 1024;
  const tooLarge = `Tệp vượt quá giới hạn ${deps.maxUploadMb} MB. — The file is over the ${deps.maxUploadMb} MB limit.`;
  // The form's own fields and boundaries ride on top of the file: allow a little over the limit here,
  // the file itself is checked against the exact limit when it is read.
  const limit = bodyLimit({ maxSize: maxBytes + 64 * 1024, onError: (c) => c.json({ error: tooLarge, code: 'too-large' }, 413) });
  const fetchUrl = deps.fetchUrl ?? ((url: string) => fetchDocument(url, { maxBytes, timeoutMs: FETCH_TIMEOUT_MS }));

  /** The upload in the request (multipart file or JSON url), with its fields validated. */
  async function readUpload(c: Context): Promise<UploadInput> {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let raw: Record<string, unknown>;
    let input: Omit<UploadInput, 'fields'>;
    if (type === 'multipart/form-data') {
      let form: Record<string, unknown>;
      try {
        // all: a field sent twice arrives as a list (refused below), never silently the last one.
        form = await c.req.parseBody({ all: true });
      } catch {
        throw new RequestError(400, 'Không đọc được biểu mẫu multipart. — The multipart form could not be read.');
      }
      const file = form['file'];
      if (Array.isArray(file)) throw new RequestError(400, 'Chỉ gửi một tệp trong trường "file" mỗi lần. — Send one file in the "file" field at a time.');
      if (!(file instanceof File)) throw new RequestError(400, 'Hãy gửi tệp trong trường "file". — Send the file in the "file" field.');
      if (file.size > maxBytes) throw new RequestError(413, tooLarge);
      input = { bytes: new Uint8Array(await file.arrayBuffer()), filename: file.name || undefined, contentType: file.type || undefined };
      raw = form;
    } else if (/^application\/([\w.-]+\+)?json$/.test(type)) {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new RequestError(400, 'JSON không hợp lệ. — The JSON body is malformed.');
      }
      const parsed = UrlBodySchema.safeParse(body);
      if (!parsed.success) throw new RequestError(400, 'Cần trường "url" là một địa chỉ http(s). — "url" must be an http(s) address.');
      const fetched = await fetchUrl(parsed.data.url);
      input = { bytes: fetched.bytes, filename: fetched.filename, contentType: fetched.contentType ?? undefined };
      raw = { ...parsed.data, url: fetched.finalUrl };
    } else {
      throw new RequestError(415, 'Gửi multipart/form-data (trường "file") hoặc JSON { "url": … }. — Send multipart/form-data with "file", or JSON { "url": … }.');
    }
    return { ...input, fields: parseFields(raw) };
  }

  async function upload(c: Context<AdminEnv>, mode: 'create' | 'version', id?: string): Promise<Response> {
    const input = await readUpload(c);
    const prepared = await deps.catalogue.prepare(input, id);
    if (isDryRun(c)) return c.json({ ...describe(prepared), version: null, status: 'preview', dryRun: true }, 200);
    const result = await deps.catalogue.publish(prepared, c.get('actor'), mode);
    if (result.created) {
      await deps.audit({
        actor: c.get('actor'),
        action: mode === 'create' ? 'document.publish' : 'document.version',
        target: result.entry.docId,
        detail: { version: result.entry.version, chunks: result.record.chunks, hash: result.record.hash.slice(0, 16), supersedes: prepared.metadata.supersedes },
      });
      await deps.onChange?.();
    }
    return c.json(
      {
        ...describe(prepared),
        id: result.entry.docId,
        version: result.entry.version,
        status: result.created ? result.entry.status : 'unchanged',
      },
      result.created ? 201 : 200,
    );
  }

  app.post('/', limit, (c) => guard(c, () => upload(c, 'create')));

  app.put('/:id', limit, (c) => {
    const id = DocumentIdSchema.safeParse(c.req.param('id'));
    if (!id.success) return invalidRequest(c, id.error, INVALID_ID);
    return guard(c, () => upload(c, 'version', id.data));
  });

  app.get('/', async (c) => {
    const q = c.req.query('q');
    const status = c.req.query('status');
    const all = await deps.catalogue.list(q);
    const documents = (status ? all.filter((d) => d.status === status) : all).map((d) => ({ id: d.docId, ...d }));
    return c.json({ documents });
  });

  app.get('/:id', async (c) => {
    const found = await deps.catalogue.get(c.req.param('id'));
    if (!found) return c.json({ error: `Không có văn bản "${c.req.param('id')}". — No such document.` }, 404);
    return c.json({ ...found.entry, id: found.entry.docId, versions: found.versions, chunks: found.chunks });
  });

  app.delete('/:id', (c) => {
    const id = DocumentIdSchema.safeParse(c.req.param('id'));
    if (!id.success) return invalidRequest(c, id.error, 'Mã văn bản không hợp lệ — invalid document id');
    return guard(c, async () => {
      const entry = await deps.catalogue.retire(id.data);
      await deps.audit({ actor: c.get('actor'), action: 'document.retire', target: entry.docId, detail: { version: entry.version } });
      await deps.onChange?.();
      return c.json({ id: entry.docId, version: entry.version, status: entry.status });
    });
  });

  return app;
}

/** Turns the known refusals into their 4xx; anything else is the app's 500. */
async function guard(c: Context, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DocumentError) return c.json({ error: e.reason, code: e.code }, e.status);
    if (e instanceof CatalogueError) return c.json({ error: e.reason, code: e.code }, e.status);
    if (e instanceof UrlFetchError) return c.json({ error: e.reason, code: e.code }, e.status);
    if (e instanceof RequestError) return c.json({ error: e.reason }, e.status);
    if (e instanceof z.ZodError) return invalidRequest(c, e, 'Trường thông tin của văn bản không hợp lệ — invalid document fields');
    throw e;
  }
}


/** Form values (strings; empty means "not given") to the typed fields. */
function parseFields(raw: Record<string, unknown>): ReturnType<typeof UploadFieldsSchema.parse> {
  const fields: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    const v = raw[name];
    if (v === undefined || v === null) continue;
    if (name === 'supersedes') {
      const list = (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);
      // Refused before validation: 100,000 bad ids would otherwise be 100,000 issues in the reply.
      if (list.length > MAX_SUPERSEDES) throw new RequestError(400, `"supersedes" có tối đa ${MAX_SUPERSEDES} mã văn bản. — "supersedes" lists at most ${MAX_SUPERSEDES} document ids.`);
      fields[name] = list;
      continue;
    }
    if (typeof v !== 'string') throw new RequestError(400, `Trường "${name}" phải là văn bản. — Field "${name}" must be text.`);
    if (v.trim()) fields[name] = v.trim();
  }
  return UploadFieldsSchema.parse(fields);
}

/** The answer body shared by the preview and the publish. */
function describe(p: Prepared) {
  return {
    id: p.id,
    metadata: p.metadata,
    found: p.found,
    format: p.format,
    ...(p.pages !== undefined ? { pages: p.pages } : {}),
    chunks: p.chunks.map((c) => ({ id: c.id, heading: c.heading, headingPath: c.headingPath, chars: c.text.length, text: c.text })),
    warnings: p.warnings.map((w) => ({ code: w.code, vi: w.vi, en: w.en })),
  };
}
