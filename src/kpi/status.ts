/**
 * @module kpi/status
 * The status rule, pure: from a KPI's values, its target and deadline, and today's date,
 * decide on track / at risk / off track, the trend, and whether the latest value is stale.
 * The README states the same rule in words; the tests walk its edges.
 *
 * 1. No value: no status ("no data"). No target: no status ("tracked"), trend only.
 * 2. The latest value meets the target (>= for "up", <= for "down"): on track.
 * 3. The deadline has passed (today is after it) and the latest value does not meet the target:
 *    what is known of the result at the deadline is said, from the value that describes it (one
 *    as of less than a period before the deadline): missed (off track), achieved then but not
 *    now (at risk), or not known because no value describes the deadline (off track).
 * 4. Fewer than two values (no trend yet): at risk.
 * 5. With a deadline: project the least-squares trend of the last values to the deadline.
 *    Projection meets the target: on track. Trend improving but too slowly: at risk.
 *    Trend flat or worsening: off track.
 * 6. Without a deadline: improving is on track, flat or worsening is at risk.
 * Stale (separate from the status): the latest value's as-of date is more than the cadence
 * (or the definition's staleAfterDays) before today.
 */
import { CADENCE_DAYS, type Cadence, type Direction, type Milestone } from './schema';
import { vnDay } from '../core/vn-time';
import { dayNumber, parsePeriod, type IsoDate } from './period';

export type KpiStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_target' | 'no_data';

type StatusReason =
  | 'no_data'
  | 'no_target'
  | 'met'
  | 'deadline_passed'
  | 'deadline_passed_unknown'
  | 'met_by_deadline'
  | 'single_value'
  | 'projected_to_meet'
  | 'improving_too_slowly'
  | 'not_improving'
  | 'improving_no_deadline'
  | 'not_improving_no_deadline';

type Trend = 'improving' | 'worsening' | 'flat';

interface StatusPoint {
  /** The day the value describes (its period's end, or when it was recorded if earlier). */
  asOf: IsoDate;
  value: number;
}

export interface StatusInput {
  direction: Direction;
  target: number | null;
  deadline: IsoDate | null;
  milestones?: Milestone[];
  cadence: Cadence;
  staleAfterDays?: number;
  /** Oldest first. */
  points: StatusPoint[];
  today: IsoDate;
}

export interface StatusResult {
  status: KpiStatus;
  reason: StatusReason;
  /** The target and deadline the status was judged against (the nearest milestone not yet due). */
  target: number | null;
  deadline: IsoDate | null;
  /** True once today is after that deadline: it is spoken of as past. */
  deadlinePassed: boolean;
  trend: Trend | null;
  /** Change per day of the fitted line, in the KPI's unit (null with fewer than two values). */
  slopePerDay: number | null;
  /** The fitted line's value at the deadline, when there is one. */
  projected: number | null;
  stale: boolean;
  /** Days from the latest value's as-of date to today. */
  ageDays: number | null;
  staleAfterDays: number;
}

/** The shortest length of each cadence's period: a value as of less than this before a deadline describes it. */
const PERIOD_DAYS: Record<Cadence, number> = { weekly: 7, monthly: 28, quarterly: 90, yearly: 365 };

/** How many of the most recent values the trend line is fitted to. */
const TREND_WINDOW = 6;
/** Slopes smaller than this (unit per day) count as flat: float noise, not a trend. */
const FLAT_EPSILON = 1e-9;

export function meets(direction: Direction, value: number, target: number): boolean {
  return direction === 'up' ? value >= target : value <= target;
}

/** The nearest target whose deadline has not passed; the last one when all have. */
export function activeTarget(
  input: Pick<StatusInput, 'target' | 'deadline' | 'milestones' | 'today'>,
): { target: number | null; deadline: IsoDate | null } {
  if (input.target === null) return { target: null, deadline: null };
  const stages = [{ target: input.target, deadline: input.deadline }, ...(input.milestones ?? [])];
  const open = stages.find((s) => s.deadline === null || s.deadline >= input.today);
  const chosen = open ?? stages[stages.length - 1]!;
  return { target: chosen.target, deadline: chosen.deadline };
}

/** Least-squares slope of value over day number; null when the days do not vary. */
export function leastSquaresSlope(points: StatusPoint[]): number | null {
  if (points.length < 2) return null;
  const xs = points.map((p) => dayNumber(p.asOf));
  const ys = points.map((p) => p.value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

function trendOf(direction: Direction, slope: number | null): Trend | null {
  if (slope === null) return null;
  const better = direction === 'up' ? slope : -slope;
  if (Math.abs(better) < FLAT_EPSILON) return 'flat';
  return better > 0 ? 'improving' : 'worsening';
}

export function evaluateStatus(input: StatusInput): StatusResult {
  const staleAfterDays = input.staleAfterDays ?? CADENCE_DAYS[input.cadence];
  const { target, deadline } = activeTarget(input);
  const latest = input.points[input.points.length - 1];
  const window = input.points.slice(-TREND_WINDOW);
  const slope = leastSquaresSlope(window);
  const trend = trendOf(input.direction, slope);
  const ageDays = latest ? dayNumber(input.today) - dayNumber(latest.asOf) : null;
  const base = {
    target,
    deadline,
    deadlinePassed: deadline !== null && input.today > deadline,
    trend,
    slopePerDay: slope,
    projected: null as number | null,
    stale: ageDays !== null && ageDays > staleAfterDays,
    ageDays,
    staleAfterDays,
  };
  const result = (status: KpiStatus, reason: StatusReason, projected: number | null = null): StatusResult => ({
    ...base,
    status,
    reason,
    projected,
  });

  if (!latest) return result('no_data', 'no_data');
  if (target === null) return result('no_target', 'no_target');
  if (meets(input.direction, latest.value, target)) return result('on_track', 'met');
  if (deadline !== null && input.today > deadline) {
    const atDeadline = valueAtDeadline(input.points, deadline, input.cadence);
    if (!atDeadline) return result('off_track', 'deadline_passed_unknown');
    if (meets(input.direction, atDeadline.value, target)) return result('at_risk', 'met_by_deadline');
    return result('off_track', 'deadline_passed');
  }
  if (slope === null) return result('at_risk', 'single_value');
  if (deadline === null) {
    return trend === 'improving'
      ? result('on_track', 'improving_no_deadline')
      : result('at_risk', 'not_improving_no_deadline');
  }
  // Rounded so that a line aimed exactly at the target is not missed by float noise.
  const projected = round6(latest.value + slope * (dayNumber(deadline) - dayNumber(latest.asOf)));
  if (meets(input.direction, projected, target)) return result('on_track', 'projected_to_meet', projected);
  if (trend === 'improving') return result('at_risk', 'improving_too_slowly', projected);
  return result('off_track', 'not_improving', projected);
}

/** The last value that describes the deadline: as of the deadline or less than one period before it. */
function valueAtDeadline(points: StatusPoint[], deadline: IsoDate, cadence: Cadence): StatusPoint | undefined {
  const end = dayNumber(deadline);
  return points.filter((p) => p.asOf <= deadline && end - dayNumber(p.asOf) < PERIOD_DAYS[cadence]).at(-1);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The day a value describes: its period's last day, or the day it was recorded (in
 * Asia/Ho_Chi_Minh) if that is earlier, as for a month still running.
 */
export function asOfDate(period: string, recordedAt: string): IsoDate {
  const end = parsePeriod(period)?.end ?? period;
  const recorded = /^\d{4}-\d{2}-\d{2}$/.test(recordedAt) ? recordedAt : vnDay(new Date(recordedAt));
  return recorded < end ? recorded : end;
}
