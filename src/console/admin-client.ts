/**
 * @module console/admin-client
 * The console's way to act: requests to the mounted admin API (the same Hono app, called in
 * process) with the signed-in operator's own bearer token. So a click in the console and a
 * script's curl take one code path, are checked by the same validators, and leave the same
 * audit entry naming the same operator.
 */
import { describeError, type Logger } from '../log';

/** The admin app's own fetch (app.ts hands it in): paths are relative to /admin. */
export type AdminFetch = (path: string, init?: RequestInit) => Promise<Response>;

export type AdminBody = { json: unknown } | { text: string; type: string } | { form: FormData };

export interface AdminResult<T> {
  ok: boolean;
  status: number;
  /** The JSON answer (T when ok); on failure `{ error }` as the API words it, in English. */
  data: T;
  error?: string;
}

export class AdminClient {
  constructor(
    private readonly fetchAdmin: AdminFetch,
    private readonly token: string,
    private readonly log: Logger,
  ) {}

  get<T>(path: string): Promise<AdminResult<T>> {
    return this.call<T>('GET', path);
  }

  /** A JSON body, raw text with its own type (a CSV upload), or a multipart form (a document). */
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: AdminBody): Promise<AdminResult<T>> {
    return this.call<T>(method, path, body);
  }

  private async call<T>(method: string, path: string, body?: AdminBody): Promise<AdminResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let payload: string | FormData | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body && 'form' in body) {
      payload = body.form; // the multipart boundary is set with the body
    } else if (body) {
      headers['content-type'] = body.type;
      payload = body.text;
    }
    let res: Response;
    try {
      res = await this.fetchAdmin(path, { method, headers, body: payload });
    } catch (e) {
      this.log.error('console: admin API call failed', { method, path: path.split('?')[0], error: describeError(e) });
      return { ok: false, status: 500, data: {} as T, error: 'internal error' };
    }
    const data = (await res.json().catch(() => ({}))) as T & { error?: unknown };
    const error = !res.ok ? (typeof data.error === 'string' ? data.error : `HTTP ${res.status}`) : undefined;
    return { ok: res.ok, status: res.status, data, ...(error ? { error } : {}) };
  }
}
