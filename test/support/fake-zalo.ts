/**
 * A loopback fake of the Zalo Bot Platform API for tests: `/bot<TOKEN>/<method>` with the real
 * envelope (`{ ok, result }` / `{ ok: false, error_code, description }`), the documented error
 * codes (400 bad method or parameters, 401 bad token, 429 quota) and the documented limits (text
 * 1–2000 characters, secret_token 8–256, https webhook URL). It records every call and can be
 * told to fail. Node tests drive it through the returned object; workerd tests, which cannot
 * start servers, reach the same controls over HTTP:
 *   GET  /__calls   recorded calls as JSON
 *   POST /__reset   forget calls, scripts and the webhook
 *   POST /__script  queue failures: { method, status?, body?, hang?, times? }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readRequest, sendJson } from './http-fake-kit';

/** The env binding the workers project's global setup hands the fake's URL in. */
export const BINDING = 'FAKE_ZALO_URL';
/** The token the fake accepts unless told otherwise (the shape of a real one). */
export const FAKE_ZALO_TOKEN = '1234567890:fake-zalo-bot-token';

export interface ZaloCall {
  method: string;
  /** Whether the call used the accepted token (the token itself is not recorded). */
  tokenOk: boolean;
  params: Record<string, unknown>;
  /** The HTTP status the fake answered with. */
  status: number;
}

/** A canned answer for the next call(s) of one method. */
export interface ZaloScript {
  method: string;
  /** HTTP status (default 200). */
  status?: number;
  /** Response body (default `{ ok: false, error_code: status, description }`). */
  body?: unknown;
  /** Never answer (until reset or close): for timeouts. */
  hang?: boolean;
  /** How many calls this applies to (default 1). */
  times?: number;
}

export interface FakeZalo {
  url: string;
  token: string;
  calls(method?: string): ZaloCall[];
  script(s: ZaloScript): void;
  reset(): void;
  /** The webhook setWebhook stored (url and secret), for assertions. */
  webhook(): { url: string; secret: string; updatedAt: number };
  close(): Promise<void>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Internal server error',
  404: 'Not Found',
  408: 'Request timeout',
  429: 'Quota exceeded',
  500: 'Internal Server Error',
};

type Result = { status: number; body: unknown };
const ok = (result?: unknown): Result => ({ status: 200, body: result === undefined ? { ok: true } : { ok: true, result } });
const fail = (code: number, description = DESCRIPTIONS[code] ?? 'Error'): Result => ({
  status: code,
  body: { ok: false, error_code: code, description },
});

export async function startFakeZalo(opts: { token?: string } = {}): Promise<FakeZalo> {
  const token = opts.token ?? FAKE_ZALO_TOKEN;
  let calls: ZaloCall[] = [];
  let scripts: ZaloScript[] = [];
  let hanging: ServerResponse[] = [];
  let webhook = { url: '', secret: '', updatedAt: 0 };
  let messageSeq = 0;
  const clock = () => Date.now();

  const reset = () => {
    calls = [];
    scripts = [];
    for (const res of hanging) res.destroy();
    hanging = [];
    webhook = { url: '', secret: '', updatedAt: 0 };
  };

  const takeScript = (method: string): ZaloScript | undefined => {
    const i = scripts.findIndex((s) => s.method === method);
    if (i < 0) return undefined;
    const s = scripts[i]!;
    const left = (s.times ?? 1) - 1;
    if (left <= 0) scripts.splice(i, 1);
    else scripts[i] = { ...s, times: left };
    return s;
  };

  const methods: Record<string, (p: Record<string, unknown>) => Result> = {
    getMe: () => ok({ id: '9a8b7c6d5e4f3a2b1c0d', account_name: 'Bot Trợ lý CCHC', account_type: 'BASIC', can_join_groups: true }),
    setWebhook: (p) => {
      const url = typeof p.url === 'string' ? p.url : '';
      const secret = typeof p.secret_token === 'string' ? p.secret_token : '';
      if (!/^https:\/\/[^/\s]+/.test(url)) return fail(400, 'url must be an https URL');
      if (secret.length < 8 || secret.length > 256) return fail(400, 'secret_token must be 8-256 characters');
      webhook = { url, secret, updatedAt: clock() };
      return ok({ url, updated_at: webhook.updatedAt });
    },
    deleteWebhook: () => {
      webhook = { url: '', secret: '', updatedAt: clock() };
      return ok({ url: '', updated_at: webhook.updatedAt });
    },
    getWebhookInfo: () => ok({ url: webhook.url, updated_at: webhook.updatedAt }),
    sendMessage: (p) => {
      if (typeof p.chat_id !== 'string' || !p.chat_id) return fail(400, 'chat_id is required');
      if (typeof p.text !== 'string' || p.text.length < 1 || p.text.length > 2000) return fail(400, 'text must be 1-2000 characters');
      return ok(sent());
    },
    sendPhoto: (p) => {
      if (typeof p.chat_id !== 'string' || !p.chat_id) return fail(400, 'chat_id is required');
      if (typeof p.photo !== 'string' || !/^https?:\/\//.test(p.photo)) return fail(400, 'photo must be an http(s) URL');
      if (p.caption !== undefined && (typeof p.caption !== 'string' || p.caption.length < 1 || p.caption.length > 2000)) {
        return fail(400, 'caption must be 1-2000 characters');
      }
      return ok(sent());
    },
    sendChatAction: (p) => {
      if (typeof p.chat_id !== 'string' || !p.chat_id) return fail(400, 'chat_id is required');
      if (p.action !== 'typing' && p.action !== 'upload_photo') return fail(400, 'action must be typing');
      return ok();
    },
  };

  function sent(): { message_id: string; date: number } {
    messageSeq += 1;
    return { message_id: messageSeq.toString(16).padStart(20, '0'), date: clock() };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, body: raw } = await readRequest(req);
    if (url.pathname === '/__calls' && req.method === 'GET') return send(res, 200, calls);
    if (url.pathname === '/__reset' && req.method === 'POST') {
      reset();
      return send(res, 200, { ok: true });
    }
    if (url.pathname === '/__script' && req.method === 'POST') {
      const s = JSON.parse(raw) as ZaloScript | ZaloScript[];
      scripts.push(...(Array.isArray(s) ? s : [s]));
      return send(res, 200, { ok: true });
    }

    const m = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, fail(404).body);
    const [, callToken, method] = m as unknown as [string, string, string];
    const params = parseParams(raw, req.headers['content-type'], url);
    const call: ZaloCall = { method, tokenOk: callToken === token, params: params ?? {}, status: 0 };
    calls.push(call);

    const script = takeScript(method);
    if (script?.hang) {
      hanging.push(res);
      return;
    }
    let result: Result;
    if (script) {
      const status = script.status ?? 200;
      result = { status, body: script.body ?? fail(status === 200 ? 500 : status).body };
    } else if (!call.tokenOk) {
      result = fail(401);
    } else if (!params) {
      result = fail(400, 'body must be JSON');
    } else {
      result = methods[method]?.(params) ?? fail(400, `unknown method ${method}`);
    }
    call.status = result.status;
    send(res, result.status, result.body);
  }

  const server = await listenLoopback((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { ok: false, error_code: 500, description: 'fake failed' });
    });
  });

  return {
    url: server.url,
    token,
    calls: (method) => (method ? calls.filter((c) => c.method === method) : [...calls]),
    script: (s) => scripts.push(s),
    reset,
    webhook: () => ({ ...webhook }),
    close: async () => {
      reset();
      await server.close();
    },
  };
}

/** The shape the workers project's global setup expects. */
export const start = (): Promise<FakeZalo> => startFakeZalo();

function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, 'application/json; charset=utf-8');
}

/** Parameters from a JSON body (what our client sends) or, as the docs allow, the query string. */
function parseParams(raw: string, contentType: string | undefined, url: URL): Record<string, unknown> | null {
  if (!raw.trim() || !(contentType ?? '').includes('application/json')) return Object.fromEntries(url.searchParams);
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
