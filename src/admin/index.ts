/**
 * @module admin
 * The /admin API shell: bearer-token auth (hono/bearer-auth, constant time), the audit helper
 * handed to each admin route, body and query validation (@hono/zod-validator) that answers 400
 * with a reason, and `GET /admin/audit`. Feature routes (metrics, tasks, invites, roles, stats,
 * jobs) are Hono sub-apps mounted here by the composition root. Off (404) when neither
 * ADMIN_TOKEN nor ADMIN_TOKENS is set. A named operator's token (ADMIN_TOKENS) is the actor the
 * audit log records; only the shared ADMIN_TOKEN ("admin") may name its actor with X-Admin-Actor.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { Store } from '../store/store';
import type { AdminOperator } from '../config';
import { secureEqual } from '../core/secure-compare';
import { readAudit, writeAudit, type AuditEntry } from './audit';

interface AdminVariables {
  /** Who is acting: the named operator, or for the shared token the X-Admin-Actor header or "admin". */
  actor: string;
}
export type AdminEnv = { Variables: AdminVariables };

interface AdminDeps {
  token: string | undefined;
  /** Every operator (ADMIN_TOKEN's "admin" and ADMIN_TOKENS); without it, `token` alone is "admin". */
  operators?: readonly AdminOperator[];
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

/** `?dryRun=1` (or `true`): the upload is checked and previewed, nothing is written. */
export function isDryRun(c: Context): boolean {
  return ['1', 'true'].includes(c.req.query('dryRun') ?? '');
}

/** Whether an Authorization header carries `token` (or one of them) as a bearer (compared in constant time). */
export async function hasBearer(header: string | undefined, token: string | readonly string[] | undefined): Promise<boolean> {
  const match = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  const tokens = typeof token === 'string' ? [token] : (token ?? []);
  if (!match) return false;
  const equal = await Promise.all(tokens.map((t) => secureEqual(match[1], t)));
  return equal.includes(true);
}

/**
 * The operator whose token `given` is, compared in constant time with every operator's token
 * (all of them, so the time says nothing about which one matched).
 */
export async function operatorByToken(operators: readonly AdminOperator[], given: string): Promise<AdminOperator | undefined> {
  const equal = await Promise.all(operators.map((o) => secureEqual(given, o.token)));
  return operators[equal.indexOf(true)];
}

/** The operators an AdminDeps stands for: `operators`, or the lone `token` as "admin". */
export function operatorsOf(deps: Pick<AdminDeps, 'token' | 'operators'>): readonly AdminOperator[] {
  return deps.operators ?? (deps.token ? [{ name: 'admin', token: deps.token, shared: true }] : []);
}

/** Names an actor may not take (the handoff service uses "citizen" for the citizen). */
const RESERVED_ACTORS = new Set(['citizen']);

/**
 * hono/bearer-auth with our contract: every refusal (no header, another scheme, a wrong token)
 * is the same 401 with the realm and a JSON reason (the library would answer 400 to a malformed
 * header); the token names the operator, who is the actor.
 */
function adminAuth(operators: readonly AdminOperator[]): MiddlewareHandler<AdminEnv> {
  const refusal = {
    wwwAuthenticateHeader: 'Bearer realm="admin"',
    message: (c: Context) => c.json({ error: 'unauthorized: a valid bearer token is required' }, 401),
  };
  return bearerAuth<AdminEnv>({
    verifyToken: async (given, c) => {
      const operator = await operatorByToken(operators, given);
      if (!operator) return false;
      // A header anyone can set names only the shared token's actor; a named token is its operator.
      const named = operator.shared ? (c.req.header('x-admin-actor') ?? operator.name).replace(/[^\p{L}\p{N} ._@-]/gu, '').slice(0, 64) : operator.name;
      // "citizen" is the citizen's own name in a handoff (who closed it): never an operator's.
      c.set('actor', named && !RESERVED_ACTORS.has(named.trim().toLowerCase()) ? named : operator.name);
      return true;
    },
    noAuthenticationHeader: refusal,
    invalidAuthenticationHeader: refusal,
    invalidToken: refusal,
  });
}

export function adminApp(deps: AdminDeps, routes: Record<string, Hono<AdminEnv>>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const operators = operatorsOf(deps);
  if (operators.length === 0) {
    app.all('*', (c) => c.json({ error: 'the admin API is off (ADMIN_TOKEN is not set)' }, 404));
    return app;
  }
  // Bearer auth and the validators refuse by throwing an HTTPException: answer it here (as JSON
  // when it carries no response of its own); anything else goes on to the app's 500.
  app.onError((err, c) => {
    if (!(err instanceof HTTPException)) throw err;
    return err.res ? err.getResponse() : c.json({ error: err.message }, err.status);
  });
  app.use('*', adminAuth(operators));
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
