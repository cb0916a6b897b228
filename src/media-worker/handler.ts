/**
 * @module media-worker/handler
 * What the companion Workers share: a fetch handler over a set of routes, each a POST. A path
 * the Worker does not serve is a 404, another method a 405; bad input is a 4xx with a reason, a
 * PDF's refusal its DocumentError's status, an unexpected failure a 500 with a generic reason:
 * never a stack trace. The routes (media-worker/pdf-route, media-worker/png-route) are passed
 * in, so each Worker's entry bundles only its own route and what it needs, and Node tests run
 * the same routes with the Node platform.
 */
import type { z } from 'zod';
import { DocumentError } from '../knowledge/extract/errors';
import type { ErrorReply } from './protocol';
import { readBounded } from '../text/bounded-read';

/** Serves one path: the request and its parsed URL in, the reply out (or a thrown BadRequest or DocumentError). */
export type Route = (request: Request, url: URL) => Promise<Response>;
/** Paths (media-worker/protocol) to the routes that serve them. */
export type Routes = Readonly<Record<string, Route>>;

export interface MediaHandler {
  fetch(request: Request): Promise<Response>;
}

/** A request that cannot be served as sent: answered with `status` and the reason. */
export class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415 | 422,
    readonly reply: ErrorReply,
  ) {
    super(reply.en);
  }
}

export const json = (body: unknown, status: number) => Response.json(body, { status });

export function mediaHandler(routes: Routes): MediaHandler {
  return {
    async fetch(request) {
      try {
        const url = new URL(request.url);
        const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
        if (!route) throw new BadRequest(404, { code: 'not-found', vi: 'Không có đường dẫn này.', en: 'No such route.' });
        if (request.method !== 'POST') {
          throw new BadRequest(405, { code: 'method-not-allowed', vi: 'Chỉ nhận POST.', en: 'Only POST is accepted.' });
        }
        return await route(request, url);
      } catch (e) {
        if (e instanceof BadRequest) return json(e.reply, e.status);
        if (e instanceof DocumentError) return json({ code: e.code, ...e.messages }, e.status);
        // The name only: messages of wasm or PDF.js failures may quote the input.
        console.error(`media worker: unexpected ${e instanceof Error ? e.name : typeof e}`);
        return json({ code: 'internal', vi: 'Máy xử lý tệp gặp lỗi ngoài dự kiến.', en: 'The media service failed unexpectedly.' }, 500);
      }
    },
  };
}

/** The URL's parameters checked by `schema`; a 400 naming what is wrong otherwise. */
export function query<T extends z.ZodType>(schema: T, url: URL): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new BadRequest(400, { code: 'bad-request', vi: `Tham số không hợp lệ (${problems}).`, en: `Invalid parameters (${problems}).` });
}

/** The body, read no further than `max` bytes (a lying or absent content-length changes nothing). */
export async function readBody(request: Request, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > max) throw tooLarge();
  return readBounded(request.body, max, tooLarge);
}
