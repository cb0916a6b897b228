/**
 * @module channels/web/routes
 * The web chat: GET / serves the page, POST /api/chat answers one message as JSON
 * ({ reply, citations, related, intent, found, buttons, image?, sessionId }). The session id stands in for the
 * chat and the user. GET /api/chat/updates is what the page asks every few seconds while its
 * chat is with a person: the staff replies waiting for this session (then marked shown), so a
 * reply appears without the citizen sending anything.
 *
 * Whatever a web client sends, it chooses, so nothing it names is trusted:
 * - session ids are issued by the server (./session);
 * - requests are also limited per client address (./address), and each address spends at most
 *   its share of the day's model budget, so fresh session ids buy no more;
 * - only same-origin application/json posts are taken: another site cannot make its visitors'
 *   browsers spend the budget (a form or text/plain post needs no CORS preflight, JSON does).
 * The page's own script and style are allowed by hash in its CSP; nothing else inline runs.
 * An empty or over-long message gets a 400 here, by the core's own rule (checkText), before any
 * work; a rate-limit notice is shown every time (a request needs an answer, even a silent one).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import { checkText, MAX_MESSAGE_CHARS, type Assistant } from '../../core/assistant';
import { RateLimiter } from '../../core/rate-limit';
import type { Texts } from '../../core/texts';
import type { Block, Locale } from '../../core/types';
import type { Store } from '../../store/store';
import type { Logger } from '../../log';
import { renderPlain } from '../plain';
import { describeIssues } from '../adapter';
import { addressBucket, type ClientAddressOf } from './address';
import { toBase64 } from '../../text/base64';
import { newSessionId, SESSION_COOKIE, SESSION_ID, Sessions, wantsSecureCookie } from './session';

const ChatRequest = z.object({
  message: z.string(),
  sessionId: z.string().regex(SESSION_ID, 'sessionId must be 8-64 characters of A-Z a-z 0-9 _ -').optional(),
  locale: z.enum(['vi', 'en']).optional(),
});

interface WebChannelDeps {
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
  /** The staff replies waiting for a web chat and whether it is still with a person (handoff). */
  handoffUpdates?: (chatId: string) => Promise<{ pending: { items: Array<{ at: number; blocks: Block[] }>; markShown(): Promise<void> }; active: boolean }>;
}

/** Polls one client address may make per minute: a page asks every few seconds while it waits. */
const POLLS_PER_ADDRESS_PER_MINUTE = 120;

export function webChannel(deps: WebChannelDeps): Hono {
  const app = new Hono();
  const { texts, store, log } = deps;
  const perAddress = new RateLimiter(store, { limit: deps.perAddressPerMinute, windowSeconds: 60 }, deps.now, log, 'rl:addr');
  const sessions = new Sessions(store, deps.sessionTtlSeconds, log);
  // Polls have their own budget: waiting for staff must not use up the chat's.
  const perAddressPolls = new RateLimiter(store, { limit: POLLS_PER_ADDRESS_PER_MINUTE, windowSeconds: 60 }, deps.now, log, 'rl:poll');
  // The hashes need the page's digest, which is async: the headers are made at the first request.
  let headers: Promise<MiddlewareHandler> | undefined;

  app.get(
    '/',
    async (c, next) => (await (headers ??= pageHeaders(deps.page)))(c, next),
    (c) => c.html(deps.page),
  );

  app.get('/api/chat/updates', async (c) => {
    const locale = pickLocale(c.req.header('accept-language'));
    // The session cookie is SameSite=Strict; a sibling site must not read replies either.
    if (isCrossSite(c) || c.req.header('sec-fetch-site')?.trim().toLowerCase() === 'same-site') {
      return c.json({ error: texts.get(locale, 'error-cross-site') }, 403);
    }
    c.header('cache-control', 'no-store');
    const cookieId = getCookie(c, SESSION_COOKIE);
    // No session, no chat with a person: nothing to look up.
    if (!deps.handoffUpdates || !cookieId || !SESSION_ID.test(cookieId)) return c.json({ replies: [], active: false });
    if (!(await perAddressPolls.allow(addressBucket(deps.clientAddress?.(c))))) {
      c.header('Retry-After', '60');
      return c.json({ error: texts.get(locale, 'error-rate-limited-address') }, 429);
    }
    if (!(await sessions.isIssued(cookieId))) return c.json({ replies: [], active: false });
    const { pending, active } = await deps.handoffUpdates(cookieId);
    const replies = pending.items.map((i) => ({ reply: renderPlain({ intent: 'handoff-reply', blocks: i.blocks, citations: [] }, texts, locale), at: new Date(i.at).toISOString() }));
    await pending.markShown();
    return c.json({ replies, active });
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
      return c.json({ error: texts.get(locale, 'error-bad-request', { reason: describeIssues(parsed.error.issues) }) }, 400);
    }
    const msgLocale = parsed.data.locale ?? locale;
    const message = checkText(parsed.data.message);
    if (!message.ok) {
      const error = message.problem === 'empty' ? texts.get(msgLocale, 'error-empty') : texts.get(msgLocale, 'error-too-long', { max: MAX_MESSAGE_CHARS });
      return c.json({ error }, 400);
    }

    const address = addressBucket(deps.clientAddress?.(c));
    const cookieId = getCookie(c, SESSION_COOKIE);
    // The body's id first (API clients), then the cookie's (the page); only ones the server issued.
    const named = [...new Set([parsed.data.sessionId, cookieId].filter((id): id is string => id !== undefined && SESSION_ID.test(id)))];
    // Asked together: one round trip to the store.
    const [allowed, known] = await Promise.all([perAddress.allow(address), Promise.all(named.map((id) => sessions.isIssued(id)))]);
    if (!allowed) {
      c.header('Retry-After', '60');
      return c.json({ error: texts.get(msgLocale, 'error-rate-limited-address') }, 429);
    }
    let sessionId = named.find((_, i) => known[i]);
    let sessionIssued = true;
    if (!sessionId) {
      sessionId = newSessionId();
      sessionIssued = await sessions.record(sessionId);
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
      text: message.text,
      locale: msgLocale,
      sessionIssued,
      clientAddress: address,
    });
    return c.json({
      reply: renderPlain({ ...reply, citations: [] }, texts, msgLocale),
      citations: reply.citations,
      // Passages offered with a "not found" (also listed in `reply`, under their own label).
      related: reply.related ?? [],
      intent: reply.intent,
      found: reply.found ?? false,
      buttons: reply.buttons ?? [],
      // A chart as inline SVG: the browser draws it, no PNG needed.
      ...(reply.image ? { image: { svg: reply.image.svg, alt: reply.image.alt } } : {}),
      sessionId,
    });
  });

  return app;
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
 * The page's headers (hono/secure-headers): a CSP under which its inline <script> and <style>
 * run because their SHA-256 is listed, and nothing else does (no 'unsafe-inline'); it talks
 * only to this origin and is never framed; no referrer, no MIME sniffing. The middleware's
 * other defaults stay off: the page sends what it sent before.
 */
async function pageHeaders(page: string): Promise<MiddlewareHandler> {
  const hashesOf = (tag: string) =>
    Promise.all([...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256Source(m[1]!)));
  const [scripts, styles] = await Promise.all([hashesOf('script'), hashesOf('style')]);
  const none = ["'none'"];
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: none,
      scriptSrc: scripts.length ? scripts : none,
      styleSrc: styles.length ? styles : none,
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: none,
      frameAncestors: none,
    },
    xFrameOptions: 'DENY',
    xContentTypeOptions: true,
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${toBase64(new Uint8Array(digest))}'`;
}

function pickLocale(header: string | undefined): Locale {
  return header && /^en\b/i.test(header.trim()) ? 'en' : 'vi';
}
