/**
 * The README's route table is a contract: every route it lists is served by the composed app
 * (createApp, with every channel and the admin API on), and the app serves no route it does not
 * list. Each row is walked with and without the admin token, so a router that is imported but
 * never mounted (as /admin/tasks and /admin/jobs once were) fails here, not in production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../support/runtime';
import type { RawEnv } from '../../src/config';

const TOKEN = 'routes-admin-token-0123456789';
const ENV: RawEnv = {
  ADMIN_TOKEN: TOKEN,
  TELEGRAM_BOT_TOKEN: '1234:routes-telegram-token',
  TELEGRAM_WEBHOOK_SECRET: 'routes-telegram-secret',
  // Nothing is sent in these tests; the bases only keep traffic on loopback if something were.
  TELEGRAM_API_BASE: 'http://127.0.0.1:9',
  ZALO_BOT_TOKEN: '1234:routes-zalo-token',
  ZALO_WEBHOOK_SECRET: 'routes-zalo-secret',
  ZALO_API_BASE: 'http://127.0.0.1:9',
};

interface Row {
  method: string;
  path: string;
  auth: 'public' | 'secret header' | 'admin' | 'session';
}

/** The rows of the table under "## Routes" in README.md. */
function documentedRoutes(): Row[] {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('\n## Routes\n');
  expect(start, 'README.md has a "## Routes" section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const rows: Row[] = [];
  for (const line of readme.slice(start, end).split('\n')) {
    const cells = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\/\S*)\s*\|\s*(public|secret header|admin|session)\s*\|/.exec(line);
    if (cells) rows.push({ method: cells[1]!, path: cells[2]!, auth: cells[3] as Row['auth'] });
  }
  return rows;
}

/** Hono's route list without middleware (registered for every method on a wildcard). */
function servedRoutes(t: TestApp): string[] {
  return t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
}

/** A concrete path for a pattern: each parameter gets a plausible value. */
function concrete(path: string): string {
  return path.replace(/:channel\b/g, 'telegram').replace(/:userId\b/g, '1').replace(/:[A-Za-z]+/g, 'x-unknown');
}

async function call(t: TestApp, row: Row, headers: Record<string, string> = {}): Promise<Response> {
  const withBody = row.method === 'POST' || row.method === 'PUT' || row.method === 'PATCH';
  return t.request(concrete(row.path), {
    method: row.method,
    headers: { ...(withBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: withBody ? '{}' : undefined,
  });
}

/** The app's own "no such route" answer, as opposed to a handler's 404 for an unknown id. */
async function isUnrouted(t: TestApp, res: Response): Promise<boolean> {
  if (res.status !== 404) return false;
  const body = (await res.clone().json().catch(() => ({}))) as { error?: string };
  return body.error === t.rt.texts.get('vi', 'error-not-found');
}

const rows = documentedRoutes();

describe('the README route table and the composed app agree', () => {
  it('lists the routes people use (sanity check of the parser)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows).toContainEqual({ method: 'PUT', path: '/admin/tasks/:id', auth: 'admin' });
  });

  it('the app serves exactly the documented routes', () => {
    const t = makeTestApp(ENV);
    expect(new Set(servedRoutes(t))).toEqual(new Set(rows.map((r) => `${r.method} ${r.path}`)));
  });

  it.each(rows.map((r) => [r.method, r.path, r] as const))('%s %s is routed, and guarded as documented', async (_m, _p, row) => {
    const t = makeTestApp(ENV);
    const anonymous = await call(t, row);
    expect(await isUnrouted(t, anonymous), 'routed without credentials').toBe(false);
    expect(anonymous.status).toBeLessThan(500);
    if (row.auth === 'admin') {
      expect(anonymous.status).toBe(401);
      const wrong = await call(t, row, { authorization: 'Bearer not-the-admin-token-at-all' });
      expect(wrong.status).toBe(401);
      const authed = await call(t, row, { authorization: `Bearer ${TOKEN}` });
      expect(await isUnrouted(t, authed), 'routed with the token').toBe(false);
      expect(authed.status).toBeLessThan(500);
      expect(authed.status).not.toBe(401);
    } else if (row.auth === 'session') {
      // The console: no session cookie sends a page to the sign-in form and refuses a form post.
      if (row.method === 'GET') {
        expect(anonymous.status).toBe(303);
        expect(anonymous.headers.get('location')).toMatch(/^\/console\/signin\?next=/);
      } else {
        expect(anonymous.status).toBe(403);
      }
    } else if (row.auth === 'secret header') {
      expect([401, 403]).toContain(anonymous.status);
    }
  });

  it('admin routes are off (404) when ADMIN_TOKEN is unset', async () => {
    const t = makeTestApp({});
    for (const row of rows.filter((r) => r.auth === 'admin')) {
      const res = await call(t, row, { authorization: `Bearer ${TOKEN}` });
      expect(res.status, `${row.method} ${row.path}`).toBe(404);
    }
  });
});
