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

const toml = readFileSync(join(import.meta.dirname, '../../wrangler.toml'), 'utf8');

function wranglerCrons(): string[] {
  const match = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(toml);
  if (!match) throw new Error('wrangler.toml has no [triggers] crons');
  return [...match[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

describe('cron triggers', () => {
  it('wrangler.toml fires exactly the crons the Worker recognises, daily first', () => {
    expect(wranglerCrons()).toEqual([CRONS.daily, CRONS.reminderTicks]);
  });

  it('the daily cron and the first reminder tick fall at the hour the Node timer uses (08:00 local)', () => {
    expect(CRONS.daily.split(' ')[1]).toBe(String(DAILY_RUN_HOUR_UTC));
    expect(CRONS.reminderTicks.split(' ')[1]!.split('-')[0]).toBe(String(DAILY_RUN_HOUR_UTC));
  });
});
