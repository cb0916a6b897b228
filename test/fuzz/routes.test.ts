/**
 * Property tests: every route of the app (webhooks, admin API, web chat, health), found by
 * listing the Hono app's routes so a route added later is fuzzed too, gets random and hostile
 * requests (see ./arbitraries.ts). Whatever arrives, the app answers with a status below 500,
 * never throws, keeps secrets and stack traces out of the reply, and its background work (the
 * answers to accepted updates, sent to the loopback fake Bot APIs) never fails unhandled.
 * 300 runs per route keep the suite fast; scripts/fuzz-soak.ts sends 100,000 over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApp } from '../../src/app';
import { makeTestApp, type TestApp } from '../support/runtime';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { requestFor, MAX_BODY_BYTES, TEN_MIB, type FuzzRequest, type RouteSpec, type Secrets } from './arbitraries';
import type { RawEnv } from '../../src/config';

const RUNS = 300;
/** Generous: a loaded machine may take many times longer than the usual second per route. */
const ROUTE_TIMEOUT_MS = 120_000;
const secrets: Secrets = {
  telegramSecret: 'fuzz-telegram-secret_0123456789',
  zaloSecret: 'fuzz-zalo-secret-0123456789',
  adminToken: 'fuzz-admin-token-0123456789abcdef',
};
const TELEGRAM_TOKEN = '5555555555:FUZZ-telegram-bot-token';

function envFor(telegramUrl: string, zaloUrl: string, zaloToken: string): RawEnv {
  return {
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: secrets.telegramSecret,
    TELEGRAM_API_BASE: telegramUrl,
    ZALO_BOT_TOKEN: zaloToken,
    ZALO_WEBHOOK_SECRET: secrets.zaloSecret,
    ZALO_API_BASE: zaloUrl,
    ADMIN_TOKEN: secrets.adminToken,
    // Every fuzz request comes from one address under a fixed clock: without this, all but the
    // first 30 chat requests would stop at the address limit and the assistant would go unfuzzed.
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100000',
    RATE_LIMIT_PER_MINUTE: '10000',
  };
}

/** The app's own routes (middleware entries, registered for every method, are not routes). */
function routesOf(app: TestApp): RouteSpec[] {
  const seen = new Set<string>();
  const routes: RouteSpec[] = [];
  for (const r of createApp(app.rt).routes) {
    const key = `${r.method} ${r.path}`;
    if (r.method === 'ALL' || seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: r.method, path: r.path });
  }
  return routes;
}

// Routes are listed at collection time from an app with the same configuration (URLs do not matter).
const ROUTES = routesOf(makeTestApp(envFor('http://127.0.0.1:9', 'http://127.0.0.1:9', 'z:token')));
const FORBIDDEN_IN_REPLIES = [secrets.telegramSecret, secrets.zaloSecret, secrets.adminToken, TELEGRAM_TOKEN];

let telegram: FakeTelegram;
let zalo: FakeZalo;
let app: TestApp;

beforeAll(async () => {
  telegram = await startFakeTelegram();
  zalo = await startFakeZalo();
  app = makeTestApp(envFor(telegram.url, zalo.url, zalo.token));
});

afterAll(async () => {
  await telegram?.close();
  await zalo?.close();
});

interface Answer {
  status: number;
  text: string;
  type: string;
}

async function send(req: FuzzRequest): Promise<Answer> {
  const res = await app.request(req.path, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.text();
  await app.background.drain();
  // The fakes would otherwise keep every call of every run.
  telegram.reset();
  zalo.reset();
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
}

function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : typeof req.body === 'string' ? req.body.slice(0, 300) : `<${req.body.length} bytes>`;
  return `${req.method} ${req.path.slice(0, 200)} [${req.kind}] ${JSON.stringify(req.headers).slice(0, 300)} ${body}`;
}

/** What every answer must be, whatever the request. */
function checkAnswer(req: FuzzRequest, a: Answer): void {
  const where = describeRequest(req);
  expect(a.status, where).toBeLessThan(500);
  for (const secret of FORBIDDEN_IN_REPLIES) expect(a.text.includes(secret), `${where}: the reply holds a secret`).toBe(false);
  expect(/\n\s+at .+:\d+:\d+/.test(a.text), `${where}: the reply holds a stack trace`).toBe(false);
  if (a.status >= 400 && a.type.includes('application/json')) {
    // A refusal says why: an error, or (a KPI upload) the reason for each rejected row.
    const body = JSON.parse(a.text) as { error?: unknown; errors?: Array<{ reason?: unknown }> };
    const says = typeof body.error === 'string' || (Array.isArray(body.errors) && body.errors.length > 0 && body.errors.every((e) => typeof e.reason === 'string'));
    expect(says, `${where}: a refusal says why: ${a.text.slice(0, 200)}`).toBe(true);
  }
}

describe('every route under random and hostile requests', () => {
  it('finds the webhook, admin and chat routes to fuzz', () => {
    const names = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(expect.arrayContaining(['POST /webhooks/telegram', 'POST /webhooks/zalo', 'POST /api/chat', 'GET /admin/audit', 'POST /admin/invites', 'POST /admin/metrics']));
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers below 500 and never throws', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(requestFor(route, secrets, 'test'), async (req) => {
        checkAnswer(req, await send(req));
      }),
      { numRuns: RUNS },
    );
    expect(app.logs.some((l) => l.includes('"request failed"')), 'the app logged an unexpected error').toBe(false);
  }, ROUTE_TIMEOUT_MS);
});

describe('bodies over the limit, whatever their content', () => {
  const posts = ['/webhooks/telegram', '/webhooks/zalo', '/api/chat', '/admin/invites', '/admin/metrics'];
  const headers = {
    'content-type': 'application/json',
    'x-telegram-bot-api-secret-token': secrets.telegramSecret,
    'x-bot-api-secret-token': secrets.zaloSecret,
    authorization: `Bearer ${secrets.adminToken}`,
  };

  it.each(posts)('%s refuses a 10 MiB JSON string with 413', async (path) => {
    const req: FuzzRequest = { method: 'POST', path, headers, body: `"${'a'.repeat(TEN_MIB)}"`, kind: '10 MiB string' };
    const a = await send(req);
    checkAnswer(req, a);
    expect(a.status).toBe(413);
  }, ROUTE_TIMEOUT_MS);

  it.each(posts)('%s refuses 10 MiB of bytes that are not UTF-8 with 413', async (path) => {
    const req: FuzzRequest = { method: 'POST', path, headers, body: new Uint8Array(TEN_MIB).fill(0xff), kind: '10 MiB invalid UTF-8' };
    const a = await send(req);
    checkAnswer(req, a);
    expect(a.status).toBe(413);
  }, ROUTE_TIMEOUT_MS);

  it('accepts a Telegram update just under the limit and answers its sender that the text is too long', async () => {
    const update = { update_id: 424242, message: { message_id: 1, date: 1, chat: { id: 4242, type: 'private' }, from: { id: 4242, is_bot: false }, text: 'a'.repeat(MAX_BODY_BYTES - 300) } };
    const res = await app.request('/webhooks/telegram', { method: 'POST', headers, body: JSON.stringify(update) });
    expect(res.status).toBe(200);
    await app.background.drain();
    const sent = telegram.callsOf('sendMessage').filter((c) => c.params.chat_id === 4242);
    expect(sent).toHaveLength(1);
    expect(String(sent[0]!.params.text)).toContain('2000');
    telegram.reset();
  });
});

describe('deep nesting', () => {
  it.each([
    ['/webhooks/telegram', '['],
    ['/webhooks/zalo', '{"a":'],
    ['/api/chat', '['],
    ['/admin/metrics', '['],
  ] as const)('%s answers 4xx to JSON nested 100,000 levels deep', async (path, open) => {
    const depth = 100_000;
    const body = open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : open.repeat(depth) + '1' + '}'.repeat(depth);
    const req: FuzzRequest = {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secrets.telegramSecret, 'x-bot-api-secret-token': secrets.zaloSecret, authorization: `Bearer ${secrets.adminToken}` },
      body,
      kind: 'deep nesting',
    };
    const a = await send(req);
    checkAnswer(req, a);
    expect(a.status).toBeGreaterThanOrEqual(400);
  }, ROUTE_TIMEOUT_MS);
});
