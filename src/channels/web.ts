/**
 * @module channels/web
 * The web chat: GET / serves the page, POST /api/chat answers one message as JSON
 * ({ reply, citations, intent, found, buttons, sessionId }). The session id stands in for the
 * chat and the user.
 *
 * Whatever a web client sends, it chooses, so nothing it names is trusted:
 * - session ids are issued by the server (192 random bits, recorded in the store for the history
 *   TTL, kept in an HttpOnly SameSite=Strict cookie and returned in the JSON); an id the server did
 *   not issue starts a new session, and no role is ever bound to one;
 * - requests are also limited per client address (found by the entry: CF-Connecting-IP on
 *   Workers, the socket on Node), and each address spends at most its share of the day's model
 *   budget, so fresh session ids buy no more;
 * - only same-origin application/json posts are taken: another site cannot make its visitors'
 *   browsers spend the budget (a form or text/plain post needs no CORS preflight, JSON does).
 * The page's own script and style are allowed by hash in its CSP; nothing else inline runs.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Assistant } from '../core/assistant';
import { MAX_MESSAGE_CHARS } from '../core/assistant';
import { RateLimiter } from '../core/rate-limit';
import type { Texts } from '../core/texts';
import type { Locale } from '../core/types';
import type { Store } from '../store/store';
import type { UserDataEraser } from '../privacy/erase';
import type { Logger } from '../log';
import { describeError } from '../log';
import { renderPlain } from './plain';

const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
export const SESSION_COOKIE = 'cchc_sid';
const SESSION_KEY_PREFIX = 'web:session:';
/** 192 bits: no one guesses an issued id, so naming one proves the server gave it to you. */
const SESSION_ID_BYTES = 24;

const ChatRequest = z.object({
  message: z.string(),
  sessionId: z.string().regex(SESSION_ID, 'sessionId must be 8-64 characters of A-Z a-z 0-9 _ -').optional(),
  locale: z.enum(['vi', 'en']).optional(),
});

/** How the entry finds the address of the client that sent a request (see worker.ts, node.ts). */
export type ClientAddressOf = (c: Context) => string | undefined;

/** Workers: Cloudflare sets CF-Connecting-IP itself, replacing whatever a client sent. */
export const cloudflareClientAddress: ClientAddressOf = (c) => c.req.header('cf-connecting-ip');

/**
 * The client behind `hops` trusted reverse proxies. Each proxy appends the address it saw to
 * X-Forwarded-For, so only the last `hops` entries are vouched for: the client is the entry
 * `hops` from the right (the leftmost when there are fewer), else X-Real-IP, else the socket.
 * With no trusted proxy only the socket counts: any client can write these headers.
 */
export function forwardedClientAddress(
  socket: string | undefined,
  headers: { forwardedFor?: string; realIp?: string },
  hops: number,
): string | undefined {
  if (hops <= 0) return socket;
  const chain = (headers.forwardedFor ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (chain.length === 0) return headers.realIp?.trim() || socket;
  return chain[Math.max(0, chain.length - hops)];
}

/**
 * What one client's limits count under: its IPv4 address, or the /64 of its IPv6 address (one
 * host usually holds a whole /64, and could otherwise take a new address for every request).
 * Anything unreadable counts under one shared "unknown".
 */
/**
 * Secure everywhere but plain http to this machine (`npm start`): behind a TLS-terminating proxy
 * the request URL says http although the browser spoke https, and a session cookie must not
 * travel in clear there. (Browsers treat http://localhost as secure, but not every one does.)
 */
export function wantsSecureCookie(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return !/^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
}

export function addressBucket(address: string | undefined): string {
  const a = (address ?? '').trim().toLowerCase();
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(a);
  if (v4) return v4[1]!;
  const v6 = a.replace(/^\[([^\]]*)\](?::\d+)?$/, '$1').replace(/%.*$/, '');
  const halves = v6.split('::');
  if (halves.length > 2 || !/^[0-9a-f:]+$/.test(v6)) return 'unknown';
  const groupsOf = (s: string | undefined) => (s ? s.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return 'unknown';
  const groups = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return 'unknown';
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

export interface WebChannelDeps {
  assistant: Assistant;
  texts: Texts;
  page: string;
  store: Store;
  log: Logger;
  now: () => Date;
  /** Requests one client address may send per minute. */
  perAddressPerMinute: number;
  /** How long an issued session stays valid (the conversation history's TTL). */
  sessionTtlSeconds: number;
  /** Unset when the composer knows no address: every client then shares one limit. */
  clientAddress?: ClientAddressOf;
}

export function webChannel(deps: WebChannelDeps): Hono {
  const app = new Hono();
  const { texts, store, log } = deps;
  const perAddress = new RateLimiter(store, { limit: deps.perAddressPerMinute, windowSeconds: 60 }, deps.now, log, 'rl:addr');
  let csp: Promise<string> | undefined;

  app.get('/', async (c) => {
    csp ??= pageCsp(deps.page);
    c.header('Content-Security-Policy', await csp);
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(deps.page);
  });

  app.post('/api/chat', async (c) => {
    const locale = pickLocale(c.req.header('accept-language'));
    if (isCrossSite(c)) return c.json({ error: texts.get(locale, 'error-cross-site') }, 403);
    if (mediaType(c.req.header('content-type')) !== 'application/json') {
      return c.json({ error: texts.get(locale, 'error-content-type') }, 415);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: texts.get(locale, 'error-bad-json') }, 400);
    }
    const parsed = ChatRequest.safeParse(body);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return c.json({ error: texts.get(locale, 'error-bad-request', { reason }) }, 400);
    }
    const msgLocale = parsed.data.locale ?? locale;
    const message = parsed.data.message.normalize('NFC').trim();
    if (!message) return c.json({ error: texts.get(msgLocale, 'error-empty') }, 400);
    if (message.length > MAX_MESSAGE_CHARS) {
      return c.json({ error: texts.get(msgLocale, 'error-too-long', { max: MAX_MESSAGE_CHARS }) }, 400);
    }

    const address = addressBucket(deps.clientAddress?.(c));
    const cookieId = getCookie(c, SESSION_COOKIE);
    // The body's id first (API clients), then the cookie's (the page); only ones the server issued.
    const named = [...new Set([parsed.data.sessionId, cookieId].filter((id): id is string => id !== undefined && SESSION_ID.test(id)))];
    // Asked together: one round trip to the store.
    const [allowed, known] = await Promise.all([perAddress.allow(address), Promise.all(named.map((id) => isIssued(id)))]);
    if (!allowed) {
      c.header('Retry-After', '60');
      return c.json({ error: texts.get(msgLocale, 'error-rate-limited-address') }, 429);
    }
    let sessionId = named.find((_, i) => known[i]);
    let sessionIssued = true;
    if (!sessionId) {
      sessionId = newSessionId();
      sessionIssued = await recordSession(sessionId);
    }
    if (sessionId !== cookieId) {
      setCookie(c, SESSION_COOKIE, sessionId, {
        path: '/api',
        httpOnly: true,
        sameSite: 'Strict',
        secure: wantsSecureCookie(new URL(c.req.url)),
        maxAge: deps.sessionTtlSeconds,
      });
    }
    const reply = await deps.assistant.handle({
      channel: 'web',
      chatId: sessionId,
      userId: sessionId,
      text: message,
      locale: msgLocale,
      sessionIssued,
      clientAddress: address,
    });
    return c.json({
      reply: renderPlain({ ...reply, citations: [] }, texts, msgLocale),
      citations: reply.citations,
      intent: reply.intent,
      found: reply.found ?? false,
      buttons: reply.buttons ?? [],
      sessionId,
    });
  });

  /** Whether the server issued `id` (and it has not expired or been erased); no when unreadable. */
  async function isIssued(id: string): Promise<boolean> {
    try {
      return (await store.get(SESSION_KEY_PREFIX + id)) !== null;
    } catch (e) {
      log.warn('web session unreadable, starting a new one', { error: describeError(e) });
      return false;
    }
  }

  /** Records a new session; false when the store could not (it then counts as not issued). */
  async function recordSession(id: string): Promise<boolean> {
    try {
      await store.set(SESSION_KEY_PREFIX + id, '1', deps.sessionTtlSeconds);
      return true;
    } catch (e) {
      log.warn('web session not recorded', { error: describeError(e) });
      return false;
    }
  }

  return app;
}

/** /xoadulieu from the web also ends the session: the next message starts a new one. */
export const webSessionEraser: UserDataEraser = {
  name: 'web-session',
  erase: (store, who) => (who.channel === 'web' ? store.del(SESSION_KEY_PREFIX + who.userId) : Promise.resolve(0)),
};

function newSessionId(): string {
  return base64(crypto.getRandomValues(new Uint8Array(SESSION_ID_BYTES))).replace(/\+/g, '-').replace(/\//g, '_');
}

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * A browser says where a request comes from: Sec-Fetch-Site, and Origin on every POST. A request
 * without either (curl, a server) is not a browser being driven by another site.
 */
function isCrossSite(c: Context): boolean {
  if (c.req.header('sec-fetch-site')?.trim().toLowerCase() === 'cross-site') return true;
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== new URL(c.req.url).host;
  } catch {
    return true; // "null" (a sandboxed frame, a data: page) or garbage
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The page's CSP: its inline <script> and <style> run because their SHA-256 is listed, and
 * nothing else does (no 'unsafe-inline'); it talks only to this origin and is never framed.
 */
async function pageCsp(page: string): Promise<string> {
  const hashesOf = (tag: string) =>
    Promise.all([...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256Source(m[1]!)));
  const [scripts, styles] = await Promise.all([hashesOf('script'), hashesOf('style')]);
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ') || "'none'"}`,
    `style-src ${styles.join(' ') || "'none'"}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${base64(new Uint8Array(digest))}'`;
}

function pickLocale(header: string | undefined): Locale {
  return header && /^en\b/i.test(header.trim()) ? 'en' : 'vi';
}
