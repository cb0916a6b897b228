/**
 * @module admin/audit
 * The audit log of admin actions (who, what, when): a sorted series in the store scored by
 * time, so it can be read by date range and trimmed to its retention. Entries carry ids and
 * counts, never secrets, invite codes or the user ids of the people an action touched.
 */
import { z } from 'zod';
import type { Store } from '../store/store';

const AUDIT_KEY = 'audit:admin';

const AuditEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export async function writeAudit(store: Store, entry: AuditEntry, retentionDays?: number): Promise<void> {
  // A random suffix keeps two identical actions in the same millisecond as two entries.
  const member = JSON.stringify({ ...entry, n: crypto.randomUUID().slice(0, 8) });
  const at = Date.parse(entry.at);
  await store.zAdd(AUDIT_KEY, at, member);
  if (retentionDays !== undefined) await store.zRemRangeByScore(AUDIT_KEY, -Infinity, at - retentionDays * 86_400_000);
}

export async function readAudit(store: Store, from: Date, to: Date): Promise<AuditEntry[]> {
  const rows = await store.zRangeByScore(AUDIT_KEY, from.getTime(), to.getTime());
  return rows.flatMap((r) => {
    try {
      const { n: _n, ...rest } = JSON.parse(r.member) as Record<string, unknown>;
      const parsed = AuditEntrySchema.safeParse(rest);
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
