/**
 * @module admin/backup
 * GET /admin/export streams, as NDJSON, every piece of state that cannot be rebuilt from the
 * repository: published documents with all their versions and segments, KPI values and
 * subscriptions, task changes, reminder subscriptions, roles, invites (their records and code
 * hashes, never a code), the audit log. POST /admin/import restores such a file into an empty
 * store, all or nothing. Once knowledge lives in the store rather than in git, this is its backup.
 * Left out on purpose: what expires or is rebuilt (conversation turns, rate limits, dedupe and
 * delivery claims, sessions, rendered charts, analytics counters, locks).
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AdminEnv, Audit } from './index';
import type { Store } from '../store/store';
import { DumpError, dumpStream, parseDump, restoreDump } from '../store/dump';

/** The key prefixes of state that cannot be rebuilt (see each module's store layout). */
export const BACKUP_PREFIXES = [
  'kb:',
  'proc:',
  'kpidef:',
  'kpi:obs:',
  'kpi:subscribers',
  'kpi:briefing:subscribers',
  'kpi:alert-state',
  'tasks:',
  'remind:subs',
  'role:',
  'invite:',
  'invite-code:',
  'audit:',
] as const;

/** Held only while a publish runs. */
const skip = (key: string) => key.startsWith('kb:lock:');

interface BackupDeps {
  store: Store;
  now: () => Date;
  audit: Audit;
  /** Largest import accepted, in bytes. */
  maxImportBytes: number;
  /** Called after an import, so this isolate's search loads the restored documents at once. */
  onChange?: () => Promise<void>;
}

export function exportAdmin(deps: BackupDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/', async (c) => {
    await deps.audit({ actor: c.get('actor'), action: 'export' });
    const day = deps.now().toISOString().slice(0, 10);
    return c.body(dumpStream(deps.store, BACKUP_PREFIXES, { now: deps.now(), skip }), 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="tro-ly-cchc-${day}.ndjson"`,
      'cache-control': 'no-store',
    });
  });
  return app;
}

export function importAdmin(deps: BackupDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const limit = bodyLimit({
    maxSize: deps.maxImportBytes,
    onError: (c) => c.json({ error: `Tệp nhập vượt quá ${Math.round(deps.maxImportBytes / 1048576)} MB. — The import is too large.` }, 413),
  });
  app.post('/', limit, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/plain'].includes(type)) {
      return c.json({ error: 'Gửi tệp xuất dạng application/x-ndjson. — Send the export as application/x-ndjson.' }, 415);
    }
    try {
      // Read as bytes and decoded here: workerd warns on text() for a type it does not know as text.
      const lines = parseDump(new TextDecoder().decode(await c.req.arrayBuffer()), BACKUP_PREFIXES);
      // The audit log may already hold this deployment's first actions: merged, not refused.
      const keys = await restoreDump(deps.store, lines, (key) => key.startsWith('audit:'));
      await deps.audit({ actor: c.get('actor'), action: 'import', detail: { keys } });
      await deps.onChange?.();
      return c.json({ imported: keys });
    } catch (e) {
      if (e instanceof DumpError) return c.json({ error: e.reason, ...(e.line ? { line: e.line } : {}) }, e.status);
      throw e;
    }
  });
  return app;
}
