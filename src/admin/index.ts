/**
 * @module admin
 * The /admin API shell: bearer-token auth (hono/bearer-auth, constant time), the audit helper
 * handed to each admin route, body and query validation (@hono/zod-validator) that answers 400
 * with a reason, and `GET /admin/audit`. Feature routes (metrics, tasks, invites, roles, stats,
 * jobs) are Hono sub-apps mounted here by the composition root. Off (404) when ADMIN_TOKEN is unset.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { Store } from '../store/store';
import { secureEqual } from '../core/secure-compare';
import { readAudit, writeAudit, type AuditEntry } from './audit';

interface AdminVariables {
  /** Who is acting: the X-Admin-Actor header (a name, for the audit log) or "admin". */
  actor: string;
}
export type AdminEnv = { Variables: AdminVariables };

interface AdminDeps {
  token: string | undefined;
  store: Store;
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

/** The 400 for a value that does not match its schema: each field and what is wrong with it. */
export function invalidRequest(c: Context, error: Pick<z.ZodError, 'issues'>, message = 'invalid request'): Response {
  const reason = error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return c.json({ error: `${message}: ${reason}`, issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }, 400);
}

/** As hono's json validator reads it: a body of another type is not read at all. */
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Route middleware: the JSON body (415 unless sent as JSON, 400 when malformed or off-schema),
 * then `c.req.valid('json')` in the handler.
 * @example app.post('/', jsonBody(InviteRequestSchema), (c) => { const body = c.req.valid('json'); … })
 */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return zValidator('json', schema, (result, c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    // Otherwise the validator would check an empty object and blame missing fields.
    if (!JSON_TYPE.test(type)) return c.json({ error: 'send the body as application/json' }, 415);
    if (!result.success) return invalidRequest(c, result.error);
  });
}

/** Route middleware: the query string (each parameter as a string) checked against a schema. */
export function queryParams<S extends z.ZodType>(schema: S) {
  return zValidator('query', schema, (result, c) => {
    if (!result.success) return invalidRequest(c, result.error);
  });
}

/** Whether an Authorization header carries `token` as a bearer (compared in constant time). */
export async function hasBearer(header: string | undefined, token: string | undefined): Promise<boolean> {
  const match = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  return Boolean(token && match && (await secureEqual(match[1], token)));
}

/**
 * hono/bearer-auth with our contract: every refusal (no header, another scheme, a wrong token)
 * is the same 401 with the realm and a JSON reason (the library would answer 400 to a malformed
 * header), then the actor is read from X-Admin-Actor.
 */
function adminAuth(token: string): MiddlewareHandler<AdminEnv> {
  const refusal = {
    wwwAuthenticateHeader: 'Bearer realm="admin"',
    message: (c: Context) => c.json({ error: 'unauthorized: a valid bearer token is required' }, 401),
  };
  const auth = bearerAuth<AdminEnv>({ token, noAuthenticationHeader: refusal, invalidAuthenticationHeader: refusal, invalidToken: refusal });
  return (c, next) =>
    auth(c, async () => {
      const actor = (c.req.header('x-admin-actor') ?? 'admin').replace(/[^\p{L}\p{N} ._@-]/gu, '').slice(0, 64) || 'admin';
      c.set('actor', actor);
      await next();
    });
}

export function adminApp(deps: AdminDeps, routes: Record<string, Hono<AdminEnv>>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  if (!deps.token) {
    app.all('*', (c) => c.json({ error: 'the admin API is off (ADMIN_TOKEN is not set)' }, 404));
    return app;
  }
  // Bearer auth and the validators refuse by throwing an HTTPException: answer it here (as JSON
  // when it carries no response of its own); anything else goes on to the app's 500.
  app.onError((err, c) => {
    if (!(err instanceof HTTPException)) throw err;
    return err.res ? err.getResponse() : c.json({ error: err.message }, err.status);
  });
  app.use('*', adminAuth(deps.token));
  app.get('/audit', queryParams(z.object({ from: DateParam.optional(), to: DateParam.optional() })), async (c) => {
    const query = c.req.valid('query');
    const to = query.to ?? deps.now();
    const from = query.from ?? new Date(to.getTime() - 7 * 86_400_000);
    if (from > to) return c.json({ error: 'from must be before to' }, 400);
    return c.json({ from: from.toISOString(), to: to.toISOString(), entries: await readAudit(deps.store, from, to) });
  });
  for (const [path, sub] of Object.entries(routes)) app.route(path, sub);
  return app;
}

/** A query parameter holding an ISO date or date-time (2026-11-21, 2026-11-21T08:00:00+07:00). */
export const DateParam = z.string().transform((text, ctx) => {
  const date = new Date(text);
  if (!Number.isNaN(date.getTime())) return date;
  ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD or an ISO date-time)' });
  return z.NEVER;
});
