/**
 * @module kpi/validate
 * The checks a value must pass for its KPI, whoever brings it (the data files, the admin API,
 * a scheduled pull): the right unit, a finite number within the unit's range, a real period
 * that has already begun. Each check returns a reason in plain words or null.
 */
import type { KpiDefinition } from './schema';
import { vnDay } from '../core/vn-time';
import { parsePeriod, PERIOD_FORMATS, type Period } from './period';

/** Why a value cannot be a value of this KPI, or null when it can. */
export function valueProblem(def: KpiDefinition, value: number): string | null {
  if (!Number.isFinite(value)) return 'value must be a finite number';
  switch (def.unit) {
    case 'percent':
      return value < 0 || value > 100 ? 'a percent must be between 0 and 100' : null;
    case 'rank':
      if (!Number.isInteger(value) || value < 1) return 'a rank must be a whole number from 1';
      return def.outOf && value > def.outOf ? `a rank must be at most ${def.outOf}` : null;
    case 'points':
      if (value < 0) return 'points cannot be negative';
      return def.outOf !== undefined && value > def.outOf ? `points must be at most ${def.outOf}` : null;
    case 'count':
      return !Number.isInteger(value) || value < 0 ? 'a count must be a whole number from 0' : null;
  }
}

export function unitProblem(def: KpiDefinition, unit: string | undefined): string | null {
  if (unit === undefined || unit === '' || unit === def.unit) return null;
  return `unit must be ${def.unit} for ${def.id} (got ${unit})`;
}

/** The period parsed, or why it cannot be used at instant `now` (a future period is refused). */
export function periodProblem(text: string, now: Date): { period: Period } | { problem: string } {
  const period = parsePeriod(text);
  if (!period) return { problem: `period must be one of ${PERIOD_FORMATS} (got ${text.slice(0, 40)})` };
  const today = vnDay(now);
  if (period.start > today) return { problem: `period ${text} has not begun yet (today is ${today} in Asia/Ho_Chi_Minh)` };
  return { period };
}
