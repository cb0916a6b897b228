/**
 * @module tasks/stages
 * Which reminder stage a deadline is in on a local date: the rule that decides what a digest
 * holds. Pure, so it is tested by walking dates. Each stage is a window of days, not a single
 * day, so a missed or failed run catches up on the next day without skipping the stage, while a
 * window is still only sent once (its key is claimed):
 *   T-7  7 to 4 days left      T-3  3 or 2 days left      T-1  1 day left
 *   due  the deadline is today  overdue-<k>  week k of being overdue (days 1-7 are week 0,
 *   days 8-14 week 1, …), so an overdue task comes back once a week: on day 1, 8, 15, … when runs
 *   are daily.
 */
import { daysBetween } from './calendar';

export type StageKind = 'T-7' | 'T-3' | 'T-1' | 'due' | 'overdue';

export interface Stage {
  kind: StageKind;
  /** Unique per window of one deadline: 'T-7', 'T-3', 'T-1', 'due', 'overdue-0', 'overdue-1', … */
  key: string;
  /** Calendar days from the date to the deadline: negative when overdue. */
  daysLeft: number;
}

/** The first day ahead of the deadline that gets a reminder. */
const FIRST_REMINDER_DAYS = 7;

/** The stage of `deadline` on local date `today` (both YYYY-MM-DD); null when nothing is due. */
export function stageOf(deadline: string, today: string): Stage | null {
  const daysLeft = daysBetween(today, deadline);
  if (daysLeft > FIRST_REMINDER_DAYS) return null;
  if (daysLeft >= 4) return { kind: 'T-7', key: 'T-7', daysLeft };
  if (daysLeft >= 2) return { kind: 'T-3', key: 'T-3', daysLeft };
  if (daysLeft === 1) return { kind: 'T-1', key: 'T-1', daysLeft };
  if (daysLeft === 0) return { kind: 'due', key: 'due', daysLeft };
  const week = Math.floor((-daysLeft - 1) / 7);
  return { kind: 'overdue', key: `overdue-${week}`, daysLeft };
}

/** The order digests list stages in: the most urgent first. */
export const STAGE_ORDER: readonly StageKind[] = ['overdue', 'due', 'T-1', 'T-3', 'T-7'];
