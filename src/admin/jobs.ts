/**
 * @module admin/jobs
 * GET /admin/jobs[?job=&from=&to=&limit=]: each scheduled run's counts (sent, skipped, failed, …)
 * with totals per job and the last run of each, mounted by the composition root under /admin.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { DateParam, queryParams, type AdminEnv } from './index';
import type { Store } from '../store/store';
import { LAST_RUNS_KEY, type JobRun } from '../jobs/job';
import { readHistory, type JobRecord } from '../jobs/history';

interface JobsAdminDeps {
  store: Store;
  now: () => Date;
}

const DAY_MS = 86_400_000;

const LIMIT = 'must be a whole number from 1 to 1000';
const JobsQuerySchema = z.object({
  job: z.string().optional(),
  from: DateParam.optional(),
  to: DateParam.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, LIMIT)
    .transform(Number)
    .pipe(z.number().min(1, LIMIT).max(1000, LIMIT))
    .optional(),
});

export function jobsAdmin(deps: JobsAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/', queryParams(JobsQuerySchema), async (c) => {
    const { job, limit = 100, ...range } = c.req.valid('query');
    const to = range.to ?? deps.now();
    const from = range.from ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from > to) return c.json({ error: 'from must be before to' }, 400);
    const [runs, lastRaw] = await Promise.all([
      readHistory(deps.store, { from, to, job, limit }),
      deps.store.hashGetAll(LAST_RUNS_KEY),
    ]);
    const last: Record<string, JobRun> = {};
    for (const [name, json] of Object.entries(lastRaw)) {
      if (name === '_run' || (job && name !== job)) continue;
      try {
        last[name] = JSON.parse(json) as JobRun;
      } catch {
        // an unreadable record is left out
      }
    }
    return c.json({ from: from.toISOString(), to: to.toISOString(), lastRun: lastRaw['_run'] ?? null, last, totals: totalsOf(runs), runs });
  });
  return app;
}

/** Sums of each count per job over the runs listed. */
function totalsOf(runs: JobRecord[]): Record<string, Record<string, number>> {
  const totals: Record<string, Record<string, number>> = {};
  for (const r of runs) {
    const t = (totals[r.job] ??= { runs: 0, failedRuns: 0 });
    t.runs! += 1;
    if (!r.ok) t.failedRuns! += 1;
    for (const [k, v] of Object.entries(r.counts)) t[k] = (t[k] ?? 0) + v;
  }
  return totals;
}
