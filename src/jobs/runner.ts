/**
 * @module jobs/runner
 * Scheduled work, run by the Workers cron trigger and by the Node entry's timer alike.
 * Each job reports counts; the runner keeps the last run's record in the store and never
 * lets one failing job stop the others.
 */
import { describeError } from '../log';
import { withHistory } from './history';
import { LAST_RUNS_KEY, type Job, type JobContext, type JobRun } from './job';

export async function runJobs(jobs: Job[], ctx: JobContext): Promise<JobRun[]> {
  const runs: JobRun[] = [];
  for (const job of jobs) {
    try {
      const counts = await withHistory(job).run(ctx);
      runs.push({ job: job.id, at: ctx.at.toISOString(), ok: true, counts });
    } catch (e) {
      ctx.log.error('job failed', { job: job.id, error: describeError(e) });
      runs.push({ job: job.id, at: ctx.at.toISOString(), ok: false, counts: {}, error: describeError(e) });
    }
  }
  const record: Record<string, string> = { '_run': ctx.at.toISOString() };
  for (const r of runs) record[r.job] = JSON.stringify(r);
  try {
    await ctx.store.hashSet(LAST_RUNS_KEY, record);
  } catch (e) {
    ctx.log.warn('job record not saved', { error: describeError(e) });
  }
  ctx.log.info('jobs ran', { jobs: runs.length, failed: runs.filter((r) => !r.ok).length });
  return runs;
}

/** Milliseconds from `now` until the next daily run at `hourUtc`:00 UTC. */
export function msUntilNextDaily(now: Date, hourUtc: number): number {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc, 0, 0, 0));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}

/** 08:00 in Asia/Ho_Chi_Minh (UTC+7, no daylight saving) is 01:00 UTC, as in wrangler.toml. */
export const DAILY_RUN_HOUR_UTC = 1;

/**
 * The Workers cron triggers, in the order of `[triggers] crons` in wrangler.toml (a test holds
 * the two together): every job but reminders once a day at 08:00 local, then reminder ticks every
 * 5 minutes from 08:00 to 09:55, each continuing where the last stopped within its budget.
 */
export const CRONS = {
  daily: `0 ${DAILY_RUN_HOUR_UTC} * * *`,
  reminderTicks: `*/5 ${DAILY_RUN_HOUR_UTC}-${DAILY_RUN_HOUR_UTC + 1} * * *`,
} as const;
