/**
 * @module store/rest-requester
 * The HTTP side of UpstashStore: what @upstash/redis's own client does on the wire (bearer token,
 * replies as plain JSON or base64-encoded, the read-your-writes sync token, retries after network failures
 * with backoff, one deadline per call), over a `send` function chosen by the runtime. Workers use
 * fetch; the Node entry passes its HTTP/1.1 sender on kept-alive sockets (./node-send), which
 * costs a fraction of the CPU of Node's fetch or node:http per request, and round trips to Redis
 * are most of what an update costs in Node.
 */

import type { Requester, UpstashRequest, UpstashResponse } from '@upstash/redis/cloudflare';

/** One POST: the full URL, headers and JSON body; resolves with the status, body and sync token. */
export type RestSend = (url: string, headers: Record<string, string>, body: string, signal: AbortSignal) => Promise<RestResponse>;

interface RestResponse {
  status: number;
  text: string;
  /** The upstash-sync-token response header, when there is one. */
  syncToken?: string;
}

const fetchSend: RestSend = async (url, headers, body, signal) => {
  const res = await fetch(url, { method: 'POST', headers, body, signal });
  return { status: res.status, text: await res.text(), syncToken: res.headers.get('upstash-sync-token') ?? undefined };
};

interface RestRequesterOptions {
  url: string;
  token: string;
  /** As @upstash/redis: false for none; default 5 retries, backoff e^n × 50 ms. */
  retry?: false | { retries?: number; backoff?: (retryCount: number) => number };
  /** Deadline for one call including its retries. */
  timeoutMs: number;
  send?: RestSend;
  /**
   * As @upstash/redis's option of that name: 'base64' asks Upstash to send every string as base64
   * of its UTF-8 bytes (the library's default, for values other clients wrote that are not UTF-8),
   * false (ours) for plain JSON strings. Every value here is a string this app wrote, so valid
   * UTF-8; and decoding base64 cost a cold isolate about 30 ms on its 1.3 MB first read (the
   * search head and manifest view), on top of a third more bytes on the wire.
   */
  responseEncoding?: 'base64' | false;
}

/** The request and reply shapes of @upstash/redis's Requester interface (its own types). */
type RestRequest = Pick<UpstashRequest, 'path' | 'body'>;
export type RestReply<T = unknown> = UpstashResponse<T>;

/**
 * Implements @upstash/redis's `Requester`, so the library's client could be handed this requester
 * (or ours swapped for its own) without changing UpstashStore; the compiler holds the two together.
 */
export class RestRequester implements Requester {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly attempts: number;
  private readonly backoff: (retryCount: number) => number;
  private readonly send: RestSend;
  /** Echoed back so a read after a write sees it, on Upstash's replicated databases too. */
  private syncToken = '';
  private readonly base64: boolean;

  constructor(private readonly opts: RestRequesterOptions) {
    this.baseUrl = opts.url.replace(/\/$/, '');
    this.headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${opts.token}`,
      ...(opts.responseEncoding === 'base64' ? { 'upstash-encoding': 'base64' } : {}),
    };
    this.base64 = opts.responseEncoding === 'base64';
    const retry = opts.retry;
    this.attempts = retry === false ? 1 : (retry?.retries ?? 5) + 1;
    this.backoff = (retry !== false && retry?.backoff) || ((n) => Math.exp(n) * 50);
    this.send = opts.send ?? fetchSend;
  }

  /** `once`: a single attempt, no retries (for a best-effort call that must not hold its caller up). */
  async request<T = unknown>(req: RestRequest, opts: { once?: boolean } = {}): Promise<RestReply<T>> {
    const attempts = opts.once ? 1 : this.attempts;
    const url = [this.baseUrl, ...(req.path ?? [])].join('/');
    const body = JSON.stringify(req.body);
    const headers = this.syncToken ? { ...this.headers, 'upstash-sync-token': this.syncToken } : this.headers;
    // A deadline cleared when the call ends (AbortSignal.timeout would keep a timer for the whole
    // timeout after every call, thousands of them under load).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('deadline')), this.opts.timeoutMs);
    const signal = deadline.signal;
    let reply: RestResponse | undefined;
    let failure: unknown;
    try {
      for (let attempt = 0; attempt < attempts && !reply; attempt++) {
        if (attempt > 0) await sleep(this.backoff(attempt - 1), signal);
        try {
          reply = await this.send(url, headers, body, signal);
        } catch (error) {
          if (signal.aborted) throw new Error(`Upstash request timed out after ${this.opts.timeoutMs} ms`);
          failure = error;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (!reply) throw failure instanceof Error ? failure : new Error('Upstash request failed');
    if (reply.syncToken) this.syncToken = reply.syncToken;
    let parsed: unknown;
    try {
      parsed = JSON.parse(reply.text);
    } catch {
      throw new Error(`Upstash answered HTTP ${reply.status} with a body that is not JSON`);
    }
    if (reply.status < 200 || reply.status > 299) {
      const reason = (parsed as { error?: unknown } | null)?.error;
      throw new Error(typeof reason === 'string' ? reason : `Upstash answered HTTP ${reply.status}`);
    }
    const read = this.base64 ? decode : (v: unknown) => v;
    if (Array.isArray(parsed)) {
      return parsed.map((r: RestReply) => ({ result: read(r.result), error: r.error })) as unknown as RestReply<T>;
    }
    const single = parsed as RestReply;
    return { result: read(single.result) as T, error: single.error };
  }
}

/**
 * Undoes Upstash-Encoding: base64 the way @upstash/redis does: strings are base64 of UTF-8 except
 * a top-level "OK"; arrays are decoded element by element; numbers and nulls pass as they are.
 */
export function decode(raw: unknown): unknown {
  if (typeof raw === 'string') return raw === 'OK' ? raw : base64ToText(raw);
  if (Array.isArray(raw)) return raw.map((v) => (typeof v === 'string' ? base64ToText(v) : Array.isArray(v) ? v.map(decode) : v));
  return raw;
}

const utf8 = new TextDecoder();
/** Buffer.from ignores characters outside base64 where atob throws; the check keeps both alike. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Node's Buffer decodes base64 natively; elsewhere atob and a byte loop do it. */
const NodeBuffer = (globalThis as { Buffer?: { from(s: string, enc: 'base64'): { toString(enc: 'utf8'): string } } }).Buffer;

function base64ToText(b64: string): string {
  if (NodeBuffer && b64.length % 4 !== 1 && BASE64.test(b64)) return NodeBuffer.from(b64, 'base64').toString('utf8');
  try {
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return utf8.decode(bytes);
  } catch {
    return b64; // not base64 after all (as the client does)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
