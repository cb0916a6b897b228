/**
 * A loopback fake of the Telegram Bot API, speaking its wire format at /bot<token>/<method>
 * ({ ok, result } or { ok: false, error_code, description, parameters }). It records every
 * call, checks HTML like Telegram does (allowed tags, balance, entities, 4096 characters after
 * parsing) and can be scripted to fail a method (429 with retry_after, a parse error, 403
 * blocked), so tests see what a real bot would. Node tests use startFakeTelegram(); workerd
 * tests reach the instance the global setup started through env.FAKE_TELEGRAM_URL and its HTTP
 * control API: GET /__calls[?token=], POST /__reset, POST /__script.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readRequest, sendJson as send } from './http-fake-kit';

export const BINDING = 'FAKE_TELEGRAM_URL';
export const FAKE_BOT_USERNAME = 'tro_ly_cchc_bot';

export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  /** Sequence number across all calls, so tests can order them. */
  seq: number;
  /** What the fake answered: the result, or the error description. */
  result?: unknown;
  error?: string;
}

/** A canned failure for the next call(s) of one method. */
export interface ScriptedFailure {
  method: string;
  error_code: number;
  description: string;
  retry_after?: number;
  /** How many consecutive calls fail this way (default 1). */
  times?: number;
  /** Only calls made with this bot token (so tests sharing one fake cannot take each other's). */
  token?: string;
}

export interface FakeTelegram {
  url: string;
  calls(token?: string): RecordedCall[];
  /** The calls of one method, in order. */
  callsOf(method: string, token?: string): RecordedCall[];
  script(failure: ScriptedFailure): void;
  /**
   * Resolves with the first call of `method` (by `token`, when given), at once if it was made
   * already, else as soon as it is: a test waits for the call, never for time.
   */
  firstCall(method: string, token?: string): Promise<RecordedCall>;
  reset(): void;
  close(): Promise<void>;
}

const ALLOWED_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji',
]);
const MAX_TEXT = 4096;

interface FakeState {
  calls: RecordedCall[];
  failures: Array<ScriptedFailure & { times: number }>;
  seq: number;
  messageId: number;
  /** Current text of each message the fake has "sent", to answer "message is not modified". */
  texts: Map<string, string>;
  webhook: { url: string; allowed_updates?: unknown };
  /** Tests waiting for a call (firstCall), told as soon as it is recorded. */
  waiters: Array<{ method: string; token?: string; resolve(call: RecordedCall): void }>;
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const state: FakeState = { calls: [], failures: [], seq: 0, messageId: 1000, texts: new Map(), webhook: { url: '' }, waiters: [] };
  const server = await listenLoopback((req, res) => {
    handle(state, req, res).catch((e: unknown) => send(res, 500, { ok: false, error_code: 500, description: String(e) }));
  });
  const filter = (token?: string) => state.calls.filter((c) => token === undefined || c.token === token);
  return {
    url: server.url,
    calls: filter,
    callsOf: (method, token) => filter(token).filter((c) => c.method === method),
    script: (f) => state.failures.push({ times: 1, ...f }),
    firstCall: (method, token) =>
      new Promise<RecordedCall>((resolve) => {
        const made = state.calls.find((c) => matches(c, method, token));
        if (made) resolve(made);
        else state.waiters.push({ method, token, resolve });
      }),
    reset: () => reset(state),
    close: server.close,
  };
}

/** The global setup of the workers project calls this. */
export async function start(): Promise<{ url: string; close(): Promise<void> }> {
  return startFakeTelegram();
}

function matches(call: RecordedCall, method: string, token: string | undefined): boolean {
  return call.method === method && (token === undefined || call.token === token);
}

/** Hands a newly recorded call to the tests waiting for one like it. */
function notify(state: FakeState, call: RecordedCall): void {
  const waiting = state.waiters.filter((w) => matches(call, w.method, w.token));
  state.waiters = state.waiters.filter((w) => !waiting.includes(w));
  for (const w of waiting) w.resolve(call);
}

function reset(state: FakeState): void {
  state.calls = [];
  state.failures = [];
  state.texts.clear();
  state.webhook = { url: '' };
}

async function handle(state: FakeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { url, body, raw } = await readRequest(req);

  if (url.pathname === '/__calls' && req.method === 'GET') {
    const token = url.searchParams.get('token');
    return send(res, 200, state.calls.filter((c) => token === null || c.token === token));
  }
  if (url.pathname === '/__reset' && req.method === 'POST') {
    reset(state);
    return send(res, 200, { ok: true });
  }
  if (url.pathname === '/__script' && req.method === 'POST') {
    const f = parseParams(body, req.headers['content-type']) as unknown as ScriptedFailure;
    if (typeof f.method !== 'string' || typeof f.error_code !== 'number' || typeof f.description !== 'string') {
      return send(res, 400, { error: 'need method, error_code, description' });
    }
    state.failures.push({ times: 1, ...f });
    return send(res, 200, { ok: true });
  }

  const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
  if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
  const [, token, method] = m as unknown as [string, string, string];
  const contentType = req.headers['content-type'];
  const form = contentType?.includes('multipart/form-data') ? await parseMultipart(raw, contentType) : parseParams(body, contentType);
  const params = { ...Object.fromEntries(url.searchParams), ...form };
  const call: RecordedCall = { token, method, params, seq: ++state.seq };
  state.calls.push(call);
  notify(state, call);

  const failure = state.failures.find((f) => f.method === method && (f.token === undefined || f.token === token));
  if (failure) {
    if (--failure.times <= 0) state.failures.splice(state.failures.indexOf(failure), 1);
    call.error = failure.description;
    return send(res, failure.error_code, {
      ok: false,
      error_code: failure.error_code,
      description: failure.description,
      ...(failure.retry_after !== undefined ? { parameters: { retry_after: failure.retry_after } } : {}),
    });
  }
  const outcome = answer(state, method, params);
  if ('error' in outcome) {
    call.error = outcome.error;
    return send(res, 400, { ok: false, error_code: 400, description: outcome.error });
  }
  call.result = outcome.result;
  return send(res, 200, { ok: true, result: outcome.result });
}

function answer(state: FakeState, method: string, p: Record<string, unknown>): { result: unknown } | { error: string } {
  switch (method) {
    case 'getMe':
      return { result: { id: 777000111, is_bot: true, first_name: 'Trợ lý CCHC', username: FAKE_BOT_USERNAME } };
    case 'sendMessage': {
      const text = checkText(p);
      if (typeof text !== 'string') return text;
      const id = ++state.messageId;
      state.texts.set(`${String(p.chat_id)}:${id}`, text);
      return { result: message(id, p.chat_id, text) };
    }
    case 'editMessageText': {
      const text = checkText(p);
      if (typeof text !== 'string') return text;
      const key = `${String(p.chat_id)}:${String(p.message_id)}`;
      if (!state.texts.has(key)) return { error: 'Bad Request: message to edit not found' };
      if (state.texts.get(key) === text && p.reply_markup === undefined) {
        return { error: 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message' };
      }
      state.texts.set(key, text);
      return { result: message(Number(p.message_id), p.chat_id, text) };
    }
    case 'sendPhoto': {
      const photo = p.photo as UploadedFile | string | undefined;
      if (!photo || (typeof photo !== 'string' && photo.base64.length === 0)) return { error: 'Bad Request: there is no photo in the request' };
      let caption = typeof p.caption === 'string' ? p.caption : '';
      if (p.parse_mode === 'HTML') {
        const parsed = parseTelegramHtml(caption);
        if (typeof parsed !== 'string') return parsed;
        caption = parsed;
      }
      if (caption.length > MAX_CAPTION) return { error: 'Bad Request: message caption is too long' };
      const id = ++state.messageId;
      return { result: { ...message(id, p.chat_id, ''), text: undefined, caption, photo: [{ file_id: `photo${id}`, file_unique_id: `u${id}`, width: 1, height: 1 }] } };
    }
    case 'sendMessageDraft': {
      // Bot API 9.5: a draft is a preview in a private chat (positive chat id), under a non-zero id.
      if (!(Number(p.chat_id) > 0)) return { error: 'Bad Request: drafts can be sent only to private chats' };
      if (!Number.isInteger(p.draft_id) || p.draft_id === 0) return { error: 'Bad Request: draft_id must be a non-zero integer' };
      const text = typeof p.text === 'string' ? p.text : '';
      if (text.length > MAX_TEXT) return { error: 'Bad Request: message is too long' };
      return { result: true };
    }
    case 'editMessageReplyMarkup':
      return { result: message(Number(p.message_id), p.chat_id, state.texts.get(`${String(p.chat_id)}:${String(p.message_id)}`) ?? '') };
    case 'setWebhook':
      state.webhook = { url: String(p.url ?? ''), allowed_updates: p.allowed_updates };
      return { result: true };
    case 'deleteWebhook':
      state.webhook = { url: '' };
      return { result: true };
    case 'getWebhookInfo':
      return {
        result: {
          url: state.webhook.url,
          has_custom_certificate: false,
          pending_update_count: 0,
          ...(state.webhook.allowed_updates ? { allowed_updates: state.webhook.allowed_updates } : {}),
        },
      };
    case 'sendChatAction':
    case 'answerCallbackQuery':
    case 'setMyCommands':
    case 'setMyDescription':
    case 'setMyShortDescription':
      return { result: true };
    default:
      return { error: `Bad Request: method ${method} is not implemented by the fake` };
  }
}

function message(id: number, chatId: unknown, text: string): Record<string, unknown> {
  return { message_id: id, date: 1_790_000_000, chat: { id: Number(chatId), type: 'private' }, text };
}

/** The text as Telegram would show it, or the error Telegram would answer. */
function checkText(p: Record<string, unknown>): string | { error: string } {
  if (typeof p.text !== 'string') return { error: 'Bad Request: message text is empty' };
  let shown = p.text;
  if (p.parse_mode === 'HTML') {
    const parsed = parseTelegramHtml(p.text);
    if (typeof parsed !== 'string') return parsed;
    shown = parsed;
  } else if (p.parse_mode !== undefined) {
    return { error: `Bad Request: unsupported parse_mode ${String(p.parse_mode)}` };
  }
  if (shown.trim().length === 0) return { error: 'Bad Request: message text is empty' };
  if (shown.length > MAX_TEXT) return { error: 'Bad Request: message is too long' };
  return p.text;
}

/** Telegram's HTML rules: known tags only, properly nested, entities known, no bare '<'. */
export function parseTelegramHtml(html: string): string | { error: string } {
  const stack: string[] = [];
  let out = '';
  const fail = (why: string, at: number) => ({ error: `Bad Request: can't parse entities: ${why} at byte offset ${at}` });
  for (let i = 0; i < html.length; ) {
    const ch = html[i]!;
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return fail('Unclosed start tag', i);
      const tag = /^<(\/?)([a-z-]+)(?:\s[^<>]*)?>$/i.exec(html.slice(i, end + 1));
      if (!tag) return fail('Unsupported start tag', i);
      const name = tag[2]!.toLowerCase();
      if (!ALLOWED_TAGS.has(name)) return fail(`Unsupported start tag "${name}"`, i);
      if (tag[1]) {
        if (stack.pop() !== name) return fail(`Unmatched end tag "${name}"`, i);
      } else {
        if (name === 'a' && !/\shref="[^"]*"/.test(tag[0])) return fail('Can\'t find end of href', i);
        stack.push(name);
      }
      i = end + 1;
    } else if (ch === '&') {
      const ent = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!ent) return fail('Character entity expected', i);
      out += { lt: '<', gt: '>', amp: '&', quot: '"' }[ent[1]!.toLowerCase()] ?? '?';
      i += ent[0].length;
    } else if (ch === '>') {
      return fail('Unexpected end tag', i);
    } else {
      out += ch;
      i++;
    }
  }
  if (stack.length) return fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`, html.length);
  return out;
}

/** A file in a multipart upload, as recorded: its bytes in base64 so /__calls stays JSON. */
export interface UploadedFile {
  filename: string;
  type: string;
  base64: string;
}

/** Telegram's limit on a photo caption (after entities are parsed). */
const MAX_CAPTION = 1024;

/**
 * grammY uploads files as multipart/form-data (written tersely: `content-disposition:form-data;name="x"`,
 * which undici's strict parser refuses, while Telegram reads it); fields hold JSON for nested
 * values, as in forms. Parsed on bytes so a file arrives intact.
 */
async function parseMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return {};
  const out: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    const part = raw.subarray(start + 2, next - 2); // past the CRLF after the delimiter, before the one ending the part
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    const data = part.subarray(headerEnd + 4);
    const name = /;\s*name="([^"]*)"/i.exec(head)?.[1];
    // grammY leaves the filename unquoted.
    const filename = /;\s*filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(head)?.slice(1).find((v) => v !== undefined);
    if (name !== undefined) {
      if (filename !== undefined) {
        out[name] = { filename, type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '', base64: data.toString('base64') } satisfies UploadedFile;
      } else {
        const value = data.toString('utf8');
        try {
          out[name] = JSON.parse(value);
        } catch {
          out[name] = value;
        }
      }
    }
    at = next;
  }
  // A field naming "attach://<part>" means the file sent as that part, as Telegram reads it.
  for (const [key, value] of Object.entries(out)) {
    const part = typeof value === 'string' && /^attach:\/\/(.+)$/.exec(value)?.[1];
    if (part && out[part] !== undefined) {
      out[key] = out[part];
      delete out[part];
    }
  }
  return out;
}

/** grammY sends JSON, or multipart when it uploads a file (parseMultipart). Nested values arrive as objects. */
function parseParams(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(
      [...new URLSearchParams(body)].map(([k, v]) => {
        try {
          return [k, JSON.parse(v)];
        } catch {
          return [k, v];
        }
      }),
    );
  }
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
}
