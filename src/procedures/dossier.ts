/**
 * @module procedures/dossier
 * Dossier status ("tra cứu hồ sơ <mã>"): checks the code's format and asks a configurable
 * upstream lookup service.
 * The code's format is in text/dossier-code.ts.
 *
 * Upstream contract (ours, since no public API is documented): GET <DOSSIER_LOOKUP_URL>?code=<mã>
 * answers 200 with JSON `{ found: false }` or `{ found: true, code, status, procedure?, agency?,
 * receivedAt?, dueAt?, updatedAt? }` (dates ISO), or 404 when unknown. Anything else is an error;
 * the response is validated with zod and bounded in size and time.
 */
import { z } from 'zod';

export const PORTAL_DOSSIER_URL = 'https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html';


// ---------- the upstream client ----------

/** Plain text from upstream: no control characters, bounded, so it can be shown safely. */
const shown = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim())
    .pipe(z.string().min(1).max(max));
const isoish = z.string().regex(/^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$/, 'must be an ISO date');

const DossierResponseSchema = z.discriminatedUnion('found', [
  z.object({ found: z.literal(false) }),
  z.object({
    found: z.literal(true),
    code: z.string().min(1).max(64),
    status: shown(200),
    procedure: shown(300).optional(),
    agency: shown(300).optional(),
    receivedAt: isoish.optional(),
    dueAt: isoish.optional(),
    updatedAt: isoish.optional(),
  }),
]);
type DossierRecord = Extract<z.infer<typeof DossierResponseSchema>, { found: true }>;

export type DossierLookup =
  | { kind: 'unconfigured' }
  | { kind: 'found'; record: DossierRecord }
  | { kind: 'not-found' }
  | { kind: 'error'; reason: string };

interface DossierClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const MAX_BODY = 64 * 1024;
export const DEFAULT_TIMEOUT_MS = 5000;

/** Asks the upstream service about one (already checked) code. Never throws. */
export async function lookupDossier(code: string, opts: DossierClientOptions): Promise<DossierLookup> {
  const doFetch = opts.fetch ?? fetch;
  let url: URL;
  try {
    url = new URL(opts.baseUrl);
  } catch {
    return { kind: 'error', reason: 'bad lookup URL' };
  }
  url.searchParams.set('code', code);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const res = await doFetch(url.toString(), { headers: { accept: 'application/json' }, signal: controller.signal });
    if (res.status === 404) {
      await res.body?.cancel();
      return { kind: 'not-found' };
    }
    if (!res.ok) {
      await res.body?.cancel();
      return { kind: 'error', reason: `upstream status ${res.status}` };
    }
    const body = await res.text();
    if (body.length > MAX_BODY) return { kind: 'error', reason: 'upstream response too large' };
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { kind: 'error', reason: 'upstream response is not JSON' };
    }
    const parsed = DossierResponseSchema.safeParse(json);
    if (!parsed.success) return { kind: 'error', reason: 'upstream response has an unexpected shape' };
    if (!parsed.data.found) return { kind: 'not-found' };
    if (parsed.data.code.toUpperCase() !== code.toUpperCase()) {
      return { kind: 'error', reason: 'upstream answered about another code' };
    }
    return { kind: 'found', record: parsed.data };
  } catch (e) {
    return { kind: 'error', reason: controller.signal.aborted ? 'upstream timed out' : 'upstream unreachable' };
  } finally {
    clearTimeout(timer);
  }
}
