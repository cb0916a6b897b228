/**
 * @module channels/zalo/client
 * A small typed client for the Zalo Bot Platform API (`<base>/bot<TOKEN>/<method>`, JSON POSTs,
 * `{ ok, result, error_code, description }` envelopes), written because no maintained package
 * is reachable. It uses fetch only, so it runs on Workers and Node alike; every call has a
 * timeout, every response is checked with zod, and failures come back as typed errors that
 * never carry the token (it sits in the URL, so messages are scrubbed of it).
 *
 * @example
 * const zalo = new ZaloClient({ token, apiBase: config.zalo.apiBase });
 * await zalo.sendMessage({ chat_id: event.message.chat.id, text: 'Xin chào' });
 */
import { z } from 'zod';

/** Zalo's limit on one message's text and one photo caption. */
export const ZALO_MAX_TEXT = 2000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Zalo downloads the photo before it answers, so sendPhoto gets longer. */
const PHOTO_TIMEOUT_MS = 30_000;

// ---------- JSON with whole ids ----------

/** A JSON number token, tried where one may start (outside strings). */
const NUMBER_TOKEN = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * JSON.parse, except that an integer too large for a double (Zalo has sent ids such as
 * 8446421582866817655 as bare numbers) comes back as a string with every digit instead of a
 * rounded number, so ids stay exact end to end. Done by quoting such tokens before parsing,
 * because the reviver's `context.source` is missing on Node 20; it works the same on Workers.
 * Throws like JSON.parse on text that is not JSON.
 */
export function parseJsonKeepingBigInts(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text); // no integer beyond 2^53 can be in it
  let out = '';
  let copied = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++; // whatever is escaped cannot end the string
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if (ch !== '-' && (ch! < '0' || ch! > '9')) continue;
    NUMBER_TOKEN.lastIndex = i;
    const m = NUMBER_TOKEN.exec(text);
    if (!m) continue;
    const token = m[0];
    if (!m[1] && !m[2] && !Number.isSafeInteger(Number(token))) {
      out += `${text.slice(copied, i)}"${token}"`;
      copied = i + token.length;
    }
    i += token.length - 1;
  }
  return JSON.parse(out + text.slice(copied));
}

// ---------- wire shapes (from the Bot API docs; loose so an added field never breaks us) ----------

const Envelope = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
});

/** Ids are strings in the docs; a number (whole, see parseJsonKeepingBigInts) is turned into one. */
const IdString = z.union([z.string(), z.number()]).transform(String);

const BotInfoSchema = z.looseObject({
  id: IdString,
  account_name: z.string(),
  account_type: z.string().optional(),
  can_join_groups: z.boolean().optional(),
});
type BotInfo = z.infer<typeof BotInfoSchema>;

const WebhookInfoSchema = z.looseObject({
  url: z.string(),
  /** Epoch milliseconds. */
  updated_at: z.number().optional(),
});
export type WebhookInfo = z.infer<typeof WebhookInfoSchema>;

/**
 * What a send returns. Both fields are optional on purpose: a message Zalo accepted must not be
 * reported as failed (and then sent twice) because the receipt looked different than documented.
 */
const SentMessageSchema = z.looseObject({
  message_id: IdString.optional(),
  date: z.number().optional(),
});
type SentMessage = z.infer<typeof SentMessageSchema>;

interface SetWebhookParams {
  /** HTTPS URL Zalo will POST events to. */
  url: string;
  /** 8–256 characters; Zalo sends it back in X-Bot-Api-Secret-Token. */
  secret_token: string;
}
interface SendMessageParams {
  chat_id: string;
  /** 1–2000 characters. */
  text: string;
}
interface SendPhotoParams {
  chat_id: string;
  /** A public http(s) URL Zalo fetches. */
  photo: string;
  caption?: string;
}
interface SendChatActionParams {
  chat_id: string;
  /** Only "typing" works today; "upload_photo" is announced. */
  action: 'typing' | 'upload_photo';
}

// ---------- errors ----------

/** Anything that went wrong talking to Zalo. */
export class ZaloError extends Error {
  override name = 'ZaloError';
  constructor(
    message: string,
    readonly method: string,
  ) {
    super(message);
  }
}

/** Zalo answered and said no: `{ ok: false, error_code, description }` or a non-2xx status. */
export class ZaloApiError extends ZaloError {
  override name = 'ZaloApiError';
  constructor(
    method: string,
    /** Zalo's error_code (400 bad request, 401 bad token, 404, 408, 429 quota, …), else the HTTP status. */
    readonly errorCode: number,
    readonly description: string,
    readonly httpStatus: number,
  ) {
    super(`Zalo ${method} failed: ${errorCode} ${description}`, method);
  }

  /** The same request will fail again: it was malformed or its target does not exist. */
  get permanent(): boolean {
    return this.errorCode === 400 || this.errorCode === 404;
  }
}

/** Zalo could not be reached, did not answer in time, or answered with something unreadable. */
export class ZaloTransportError extends ZaloError {
  override name = 'ZaloTransportError';
  constructor(
    method: string,
    readonly kind: 'timeout' | 'network' | 'bad-response',
    detail: string,
  ) {
    super(`Zalo ${method} ${kind}: ${detail}`, method);
  }
}

// ---------- the client ----------

/** The channel's configuration (config.zalo). */
export interface ZaloConfig {
  token: string;
  /** ZALO_WEBHOOK_SECRET: config refuses to start the channel without it. */
  webhookSecret: string;
  apiBase: string;
}

interface ZaloClientOptions {
  token: string;
  /** From config (ZALO_API_BASE, which holds the public default); tests point it at a loopback fake. */
  apiBase: string;
  /** Per-call timeout in milliseconds (sendPhoto gets at least 30 s). */
  timeoutMs?: number;
  /** Injected fetch (tests); the global one otherwise. */
  fetch?: typeof fetch;
}

export class ZaloClient {
  private readonly base: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private meOnce?: Promise<BotInfo>;

  constructor(opts: ZaloClientOptions) {
    if (!opts.token) throw new Error('ZaloClient needs a bot token');
    this.token = opts.token;
    this.base = opts.apiBase.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Bound so a bare global fetch is never called with the client as `this` (Workers refuses that).
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  getMe(): Promise<BotInfo> {
    return this.call('getMe', undefined, BotInfoSchema);
  }

  /** getMe asked once and kept (the bot's name changes only in Zalo Bot Creator); asked again after a failure. */
  me(): Promise<BotInfo> {
    this.meOnce ??= this.getMe().catch((e: unknown) => {
      this.meOnce = undefined;
      throw e;
    });
    return this.meOnce;
  }

  setWebhook(params: SetWebhookParams): Promise<WebhookInfo> {
    return this.call('setWebhook', params, WebhookInfoSchema);
  }

  deleteWebhook(): Promise<WebhookInfo> {
    return this.call('deleteWebhook', undefined, WebhookInfoSchema);
  }

  getWebhookInfo(): Promise<WebhookInfo> {
    return this.call('getWebhookInfo', undefined, WebhookInfoSchema);
  }

  sendMessage(params: SendMessageParams): Promise<SentMessage> {
    return this.call('sendMessage', params, SentMessageSchema);
  }

  sendPhoto(params: SendPhotoParams): Promise<SentMessage> {
    return this.call('sendPhoto', params, SentMessageSchema, Math.max(this.timeoutMs, PHOTO_TIMEOUT_MS));
  }

  /** Shows "typing…"; Zalo answers `{ ok: true }` with no result. */
  async sendChatAction(params: SendChatActionParams): Promise<void> {
    await this.call('sendChatAction', params, z.unknown());
  }

  /** One call: POST JSON, read the envelope, check `ok`, validate the result. */
  private async call<S extends z.ZodType>(
    method: string,
    params: object | undefined,
    schema: S,
    timeoutMs = this.timeoutMs,
  ): Promise<z.output<S>> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}/bot${this.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params ?? {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new ZaloTransportError(method, timedOut ? 'timeout' : 'network', timedOut ? `no answer within ${timeoutMs} ms` : this.scrub(e));
    }

    let body: unknown;
    try {
      body = parseJsonKeepingBigInts(await res.text());
    } catch (e) {
      if (!res.ok) throw new ZaloApiError(method, res.status, `HTTP ${res.status}`, res.status);
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new ZaloTransportError(method, timedOut ? 'timeout' : 'bad-response', timedOut ? `no answer within ${timeoutMs} ms` : 'body is not JSON');
    }
    const envelope = Envelope.safeParse(body);
    if (!envelope.success) {
      if (!res.ok) throw new ZaloApiError(method, res.status, `HTTP ${res.status}`, res.status);
      throw new ZaloTransportError(method, 'bad-response', 'no { ok } envelope');
    }
    const { ok, result, error_code, description } = envelope.data;
    // An HTTP 200 alone is not success (the docs): `ok` decides, and a non-2xx never counts as ok.
    if (!ok || !res.ok) {
      const code = error_code ?? res.status;
      throw new ZaloApiError(method, code, this.scrub(description ?? `HTTP ${res.status}`), res.status);
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => i.path.join('.') || 'result').join(', ');
      throw new ZaloTransportError(method, 'bad-response', `unexpected result (${where})`);
    }
    return parsed.data;
  }

  /** An error's text with the token removed: fetch errors may quote the URL it sits in. */
  private scrub(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    return text.split(this.token).join('<token>').slice(0, 300);
  }
}
