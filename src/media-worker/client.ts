/**
 * @module media-worker/client
 * The assistant Worker's side of its two companion Workers' service bindings: a PdfReader that
 * asks the PDF reader Worker (PDF_READER, media-worker/pdf) and a PngRenderer that asks the chart
 * renderer Worker (CHART_RENDERER, media-worker/png), passed into the runtime by the Worker entry.
 * A PDF the reader refuses comes back as the same DocumentError (code, status, reason) as when
 * read in process; a timeout, a 5xx or a garbled reply becomes a polite 503 refusal. Every call
 * is bounded by a timeout, so an upload never hangs on a stuck binding.
 */
import { DocumentError } from '../knowledge/extract/errors';
import { pdfReaderFailed, type PdfReader, type PdfText } from '../knowledge/extract/pdf-reader';
import type { PngRenderer } from '../media/png-renderer';
import { PDF_TEXT_PATH, PdfTextReplySchema, PNG_PATH, RefusalReplySchema } from './protocol';

/** The part of a service binding (Cloudflare's Fetcher) the clients use. */
export interface MediaFetcher {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

interface ClientOptions {
  /** Milliseconds before the call is abandoned. */
  timeoutMs?: number;
}

/** The service bindings in ./wrangler.toml, each to its companion Worker. */
export const PDF_READER_BINDING = 'PDF_READER';
export const CHART_RENDERER_BINDING = 'CHART_RENDERER';

/** A service binding ignores the host; these only name the callee in logs. */
const PDF_ORIGIN = 'https://pdf-reader.internal';
const PNG_ORIGIN = 'https://chart-renderer.internal';
/** A 500-page PDF takes PDF.js a few seconds; well under the admin request's patience. */
const PDF_TIMEOUT_MS = 30_000;
const PNG_TIMEOUT_MS = 10_000;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The binding `name` from the Worker's env, when it is there and looks like a Fetcher. */
export function serviceBinding(env: object, name: typeof PDF_READER_BINDING | typeof CHART_RENDERER_BINDING): MediaFetcher | undefined {
  const binding = (env as Record<string, unknown>)[name];
  return typeof binding === 'object' && binding !== null && typeof (binding as MediaFetcher).fetch === 'function' ? (binding as MediaFetcher) : undefined;
}

/** PDFs read by the PDF reader Worker behind `reader`. */
export function mediaPdfReader(reader: MediaFetcher, opts: ClientOptions = {}): PdfReader {
  return async (bytes, maxPages) => {
    let outcome: { ok: PdfText } | { refused: DocumentError } | undefined;
    try {
      outcome = await withTimeout(opts.timeoutMs ?? PDF_TIMEOUT_MS, async (signal) => {
        const res = await reader.fetch(`${PDF_ORIGIN}${PDF_TEXT_PATH}?maxPages=${maxPages}`, {
          method: 'POST',
          headers: { 'content-type': 'application/pdf' },
          body: bytes as Uint8Array<ArrayBuffer>,
          signal,
        });
        const body: unknown = await res.json().catch(() => undefined);
        if (res.ok) {
          const reply = PdfTextReplySchema.safeParse(body);
          return reply.success ? { ok: reply.data as PdfText } : undefined;
        }
        const refusal = res.status < 500 ? RefusalReplySchema.safeParse(body) : undefined;
        // The status comes from the code, so it is the one the in-process reader would give.
        return refusal?.success ? { refused: new DocumentError(refusal.data.code as DocumentError['code'], { vi: refusal.data.vi, en: refusal.data.en }) } : undefined;
      });
    } catch {
      // A timeout or a failed subrequest: treated as below.
    }
    if (outcome && 'ok' in outcome) return outcome.ok;
    if (outcome) throw outcome.refused;
    throw pdfReaderFailed();
  };
}

/** Charts drawn by the chart renderer Worker behind `renderer`; throws when it cannot (callers then send the text alone). */
export function mediaPngRenderer(renderer: MediaFetcher, opts: ClientOptions = {}): PngRenderer {
  return (chart) =>
    withTimeout(opts.timeoutMs ?? PNG_TIMEOUT_MS, async (signal) => {
      const res = await renderer.fetch(`${PNG_ORIGIN}${PNG_PATH}?width=${chart.width}`, {
        method: 'POST',
        headers: { 'content-type': 'image/svg+xml; charset=utf-8' },
        body: chart.svg,
        signal,
      });
      if (!res.ok) {
        const code = ((await res.json().catch(() => undefined)) as { code?: unknown } | undefined)?.code;
        throw new Error(`chart renderer: ${PNG_PATH} answered ${res.status}${typeof code === 'string' ? ` (${code})` : ''}`);
      }
      const png = new Uint8Array(await res.arrayBuffer());
      if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) throw new Error(`chart renderer: ${PNG_PATH} answered something other than a PNG`);
      return png;
    });
}

/** Runs `work`, abandoning (and aborting) it after `ms`: a stuck binding never holds the caller. */
async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`companion Worker: no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
