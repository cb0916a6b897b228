/**
 * @module jobs/schedule
 * Which jobs each trigger runs. Workers: the daily cron runs every job that has no ticks of its
 * own; the reminder ticks (08:00-09:55) run only reminders; the handoff ticks (every 10 minutes,
 * 07:00-17:50 local) run only the overdue notice, and only in working hours. Node: a daily timer
 * (reminders included: no subrequest budget there) and the same handoff ticks.
 * wrangler.toml lists the crons; test/app/schedule.test.ts holds the two together.
 */
import type { Job } from './job';
import { CRONS } from './runner';
import { REMINDERS_JOB_ID } from './reminders';
import { HANDOFF_OVERDUE_JOB_ID } from './handoff-overdue';
import { isWorkingTime, type WorkingHours } from '../handoff/hours';

/** A waiting citizen is reported at most this long after passing the target. */
export const HANDOFF_OVERDUE_EVERY_MINUTES = 10;
/**
 * 00:00-10:50 UTC = 07:00-17:50 in Vietnam (UTC+7), around the usual 7:30-17:00; a profile whose
 * working hours reach outside that window needs this and the wrangler.toml line widened.
 */
export const HANDOFF_OVERDUE_CRON = `*/${HANDOFF_OVERDUE_EVERY_MINUTES} 0-10 * * *`;

/** The jobs a Workers cron trigger runs; an unknown cron counts as the daily one. */
export function jobsForCron(cron: string): (job: Job) => boolean {
  if (cron === CRONS.reminderTicks) return (job) => job.id === REMINDERS_JOB_ID;
  if (cron === HANDOFF_OVERDUE_CRON) return (job) => job.id === HANDOFF_OVERDUE_JOB_ID;
  return (job) => job.id !== REMINDERS_JOB_ID && job.id !== HANDOFF_OVERDUE_JOB_ID;
}

/** The Node daily timer: every job but the handoff ticks' own. */
export function nodeDailyJobs(job: Job): boolean {
  return job.id !== HANDOFF_OVERDUE_JOB_ID;
}

/**
 * Whether a handoff tick at `at` has anything to do: the job is configured (a staff group is
 * set) and staff are at work. Skipping the others keeps the run history to ticks that count.
 */
export function handoffTickWanted(jobs: readonly Job[], at: Date, hours: WorkingHours): boolean {
  return jobs.some((job) => job.id === HANDOFF_OVERDUE_JOB_ID) && isWorkingTime(at, hours);
}

/** Milliseconds from `now` to the next whole multiple of `minutes` (UTC), never 0. */
export function msUntilNextTick(now: Date, minutes: number): number {
  const step = minutes * 60_000;
  return step - (now.getTime() % step);
}
