/**
 * @module admin
 * The /admin API shell: bearer-token auth (constant time), the audit helper handed to each
 * admin route, body and query validation that answers 400 with a reason, and `GET /admin/audit`.
 * Feature routes (metrics, tasks, invites, roles, stats, jobs) are Hono sub-apps mounted here by
 * the composition root. Off (404) when ADMIN_TOKEN is unset.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { Store } from '../store/store';
import type { Logger } from '../log';
import { secureEqual } from '../core/secure-compare';
import { readAudit, writeAudit, type AuditEntry } from './audit';

export interface AdminVariables {
  /** Who is acting: the X-Admin-Actor header (a name, for the audit log) or "admin". */
  actor: string;
}
export type AdminEnv = { Variables: AdminVariables };

export interface AdminDeps {
  token: string | undefined;
  store: Store;
  log: Logger;
  now: () => Date;
  /** Audit entries older than this many days are dropped on the next write; unset keeps all. */
  auditRetentionDays?: number;
}

/** Records an admin action; routes call it after a write succeeds. */
export type Audit = (entry: Omit<AuditEntry, 'at'> & { at?: string }) => Promise<void>;

export function makeAudit(deps: Pick<AdminDeps, 'store' | 'now' | 'auditRetentionDays'>): Audit {
  return (entry) =>
    writeAudit(deps.store, { ...entry, at: entry.at ?? deps.now().toISOString() }, deps.auditRetentionDays);
}

/** A validated value, or the 400 response to send instead. */
export type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

/**
 * Reads and validates a JSON body: 400 with a reason for non-JSON or a schema mismatch.
 * @example
 *   const body = await jsonBody(c, InviteRequest);
 *   if (!body.ok) return body.response;
 */
export async function jsonBody<S extends z.ZodType>(c: Context<AdminEnv>, schema: S): Promise<Parsed<z.output<S>>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { ok: false, response: c.json({ error: 'the body must be JSON' }, 400) };
  }
  return validate(c, schema, raw);
}

/** Validates the query string (each parameter as a string) against a schema: 400 on mismatch. */
export function queryParams<S extends z.ZodType>(c: Context<AdminEnv>, schema: S): Parsed<z.output<S>> {
  return validate(c, schema, c.req.query());
}

function validate<S extends z.ZodType>(c: Context<AdminEnv>, schema: S, raw: unknown): Parsed<z.output<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return { ok: false, response: c.json({ error: `invalid request: ${reason}` }, 400) };
}

/** Whether an Authorization header carries `token` as a bearer (compared in constant time). */
export async function hasBearer(header: string | undefined, token: string | undefined): Promise<boolean> {
  const match = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  return Boolean(token && match && (await secureEqual(match[1], token)));
}

export function bearerAuth(token: string): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (!(await hasBearer(c.req.header('authorization'), token))) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return c.json({ error: 'unauthorized: a valid bearer token is required' }, 401);
    }
    const actor = (c.req.header('x-admin-actor') ?? 'admin').replace(/[^\p{L}\p{N} ._@-]/gu, '').slice(0, 64) || 'admin';
    c.set('actor', actor);
    await next();
  };
}

export function adminApp(deps: AdminDeps, routes: Record<string, Hono<AdminEnv>>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  if (!deps.token) {
    app.all('*', (c) => c.json({ error: 'the admin API is off (ADMIN_TOKEN is not set)' }, 404));
    return app;
  }
  app.use('*', bearerAuth(deps.token));
  app.get('/audit', async (c) => {
    const to = parseDate(c.req.query('to')) ?? deps.now();
    const from = parseDate(c.req.query('from')) ?? new Date(to.getTime() - 7 * 86_400_000);
    if (from > to) return c.json({ error: 'from must be before to' }, 400);
    return c.json({ from: from.toISOString(), to: to.toISOString(), entries: await readAudit(deps.store, from, to) });
  });
  for (const [path, sub] of Object.entries(routes)) app.route(path, sub);
  return app;
}

/** An ISO date or date-time from a query parameter; undefined when absent or unreadable. */
export function parseDate(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
