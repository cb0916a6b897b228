/**
 * The schedule is written in two places that must agree: wrangler.toml's cron triggers (what
 * Cloudflare fires) and CRONS (what the Worker's scheduled handler recognises, and the hour the
 * Node timer uses). A reminder tick that the handler mistook for the daily trigger would run the
 * KPI pull every 5 minutes; a daily trigger mistaken for a tick would never run the pull.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRONS, DAILY_RUN_HOUR_UTC } from '../../src/jobs/runner';
import { HANDOFF_OVERDUE_CRON, handoffTickWanted, jobsForCron, msUntilNextTick, nodeDailyJobs } from '../../src/jobs/schedule';
import { REMINDERS_JOB_ID } from '../../src/jobs/reminders';
import { HANDOFF_OVERDUE_JOB_ID } from '../../src/jobs/handoff-overdue';
import { DEFAULT_WORKING_HOURS, periodsText } from '../../src/handoff/hours';
import type { Job } from '../../src/jobs/job';

const toml = readFileSync(join(import.meta.dirname, '../../wrangler.toml'), 'utf8');

function wranglerCrons(): string[] {
  const match = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(toml);
  if (!match) throw new Error('wrangler.toml has no [triggers] crons');
  return [...match[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

describe('cron triggers', () => {
  it('wrangler.toml fires exactly the crons the Worker recognises, daily first', () => {
    expect(wranglerCrons()).toEqual([CRONS.daily, CRONS.reminderTicks, HANDOFF_OVERDUE_CRON]);
  });

  it('the daily cron and the first reminder tick fall at the hour the Node timer uses (08:00 local)', () => {
    expect(CRONS.daily.split(' ')[1]).toBe(String(DAILY_RUN_HOUR_UTC));
    expect(CRONS.reminderTicks.split(' ')[1]!.split('-')[0]).toBe(String(DAILY_RUN_HOUR_UTC));
  });
});

describe('which jobs each trigger runs', () => {
  const job = (id: string): Job => ({ id, run: async () => ({}) });
  const jobs = ['kpi-pull', 'kpi-alerts', REMINDERS_JOB_ID, 'compaction', HANDOFF_OVERDUE_JOB_ID].map(job);
  const picked = (which: (j: Job) => boolean) => jobs.filter(which).map((j) => j.id);

  it('the daily cron runs every job but the ticked ones; each tick runs only its own', () => {
    expect(picked(jobsForCron(CRONS.daily))).toEqual(['kpi-pull', 'kpi-alerts', 'compaction']);
    expect(picked(jobsForCron(CRONS.reminderTicks))).toEqual([REMINDERS_JOB_ID]);
    expect(picked(jobsForCron(HANDOFF_OVERDUE_CRON))).toEqual([HANDOFF_OVERDUE_JOB_ID]);
    // The Node daily timer has no reminder ticks, so it sends reminders itself.
    expect(picked(nodeDailyJobs)).toEqual(['kpi-pull', 'kpi-alerts', REMINDERS_JOB_ID, 'compaction']);
  });

  it('the handoff cron is distinct from the others and covers the working periods (UTC+7)', () => {
    expect(new Set([CRONS.daily, CRONS.reminderTicks, HANDOFF_OVERDUE_CRON]).size).toBe(3);
    const [minute, hours] = HANDOFF_OVERDUE_CRON.split(' ');
    const [from, to] = hours!.split('-').map(Number);
    const every = Number(/^\*\/(\d+)$/.exec(minute!)![1]);
    const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
    for (const p of DEFAULT_WORKING_HOURS.periods) {
      expect(toMinutes(p.start), periodsText(DEFAULT_WORKING_HOURS)).toBeGreaterThanOrEqual((from! + 7) * 60);
      expect(toMinutes(p.end)).toBeLessThanOrEqual((to! + 7) * 60 + 60 - every);
    }
  });

  it('a handoff tick runs only with the job configured and staff at work', () => {
    const monday9 = new Date('2026-11-23T09:00:00+07:00');
    expect(handoffTickWanted(jobs, monday9, DEFAULT_WORKING_HOURS)).toBe(true);
    expect(handoffTickWanted(jobs.filter((j) => j.id !== HANDOFF_OVERDUE_JOB_ID), monday9, DEFAULT_WORKING_HOURS)).toBe(false);
    expect(handoffTickWanted(jobs, new Date('2026-11-23T12:00:00+07:00'), DEFAULT_WORKING_HOURS)).toBe(false);
    expect(handoffTickWanted(jobs, new Date('2026-11-22T09:00:00+07:00'), DEFAULT_WORKING_HOURS)).toBe(false); // Sunday
  });

  it('the Node handoff timer fires on the next whole tick', () => {
    expect(msUntilNextTick(new Date('2026-11-23T02:03:30Z'), 10)).toBe(6.5 * 60_000);
    expect(msUntilNextTick(new Date('2026-11-23T02:10:00Z'), 10)).toBe(10 * 60_000);
  });
});
