/**
 * @module jobs/history
 * A history of scheduled runs (each run's counts, duration and outcome), kept in a sorted series
 * scored by the run's time for 90 days, so GET /admin/jobs can show more than the last run that
 * the jobs runner keeps. `withHistory` wraps any Job (the runner wraps every job with it); it
 * never changes what the job returns or throws, and a failure to record is logged, not raised.
 */
import { z } from 'zod';
import type { JobContext } from './job';
import type { Store } from '../store/store';
import { describeError } from '../log';

const HISTORY_KEY = 'jobs:history';
const HISTORY_DAYS = 90;
const DAY_MS = 86_400_000;

const JobRecordSchema = z.object({
  job: z.string(),
  /** The run's scheduled time. */
  at: z.string(),
  ok: z.boolean(),
  counts: z.record(z.string(), z.number()),
  durationMs: z.number(),
  error: z.string().optional(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** A Job whose run resolves to counts of a known shape (still assignable to Job). */
export interface CountingJob<C extends Record<string, number>> {
  id: string;
  run(ctx: JobContext): Promise<C>;
}

export function withHistory<C extends Record<string, number>>(job: CountingJob<C>, opts: { clock?: () => number } = {}): CountingJob<C> {
  const clock = opts.clock ?? Date.now;
  return {
    id: job.id,
    async run(ctx) {
      const started = clock();
      const base = { job: job.id, at: ctx.at.toISOString() };
      try {
        const counts = await job.run(ctx);
        await record(ctx.store, { ...base, ok: true, counts, durationMs: clock() - started }, ctx.log);
        return counts;
      } catch (e) {
        const failed: JobRecord = { ...base, ok: false, counts: {}, durationMs: clock() - started, error: describeError(e) };
        await record(ctx.store, failed, ctx.log);
        throw e;
      }
    },
  };
}

async function record(store: Store, rec: JobRecord, log: { warn(m: string, f?: Record<string, unknown>): void }): Promise<void> {
  const at = Date.parse(rec.at);
  try {
    // A random suffix keeps two runs at the same instant (overlapping cron ticks) as two entries.
    await store.zAdd(HISTORY_KEY, at, JSON.stringify({ ...rec, n: crypto.randomUUID().slice(0, 8) }));
    await store.zRemRangeByScore(HISTORY_KEY, -Infinity, at - HISTORY_DAYS * DAY_MS);
  } catch (e) {
    log.warn('job history not saved', { job: rec.job, error: describeError(e) });
  }
}

/** Runs between `from` and `to`, newest first, optionally of one job, at most `limit`. */
export async function readHistory(
  store: Store,
  q: { from: Date; to: Date; job?: string; limit: number },
): Promise<JobRecord[]> {
  const rows = await store.zRangeByScore(HISTORY_KEY, q.from.getTime(), q.to.getTime());
  const out: JobRecord[] = [];
  for (let i = rows.length - 1; i >= 0 && out.length < q.limit; i--) {
    try {
      const { n: _n, ...rest } = JSON.parse(rows[i]!.member) as Record<string, unknown>;
      const parsed = JobRecordSchema.safeParse(rest);
      if (parsed.success && (!q.job || parsed.data.job === q.job)) out.push(parsed.data);
    } catch {
      // a member that is not JSON is skipped, not fatal
    }
  }
  return out;
}
