/**
 * @module core/vn-time
 * Calendar days in Vietnam (Asia/Ho_Chi_Minh is UTC+7 all year, no daylight saving): the one
 * place the project turns instants into Vietnamese days (analytics, budgets, KPI periods,
 * deadlines). Pure functions over ISO dates (YYYY-MM-DD).
 */

const OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Vietnamese calendar day of an instant, e.g. 2026-11-20T18:00Z -> 2026-11-21. */
export function vnDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDay(s: string): boolean {
  const m = ISO_DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === s;
}

/** The instant a Vietnamese day starts (00:00 +07:00). */
export function dayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - OFFSET_MS);
}

/** The instant local `hour`:`minute` on Vietnamese day `day` (YYYY-MM-DD). */
export function localInstant(day: string, hour = 8, minute = 0): Date {
  return new Date(dayStart(day).getTime() + (hour * 60 + minute) * 60_000);
}

/** Minutes since local midnight of an instant (0 … 1439). */
export function vnMinuteOfDay(at: Date): number {
  return Math.floor((at.getTime() - dayStart(vnDay(at)).getTime()) / 60_000);
}

/** The local weekday of an instant, 0 = Sunday … 6 = Saturday. */
export function vnWeekday(at: Date): number {
  return new Date(`${vnDay(at)}T00:00:00Z`).getUTCDay();
}

/** The day `n` days after (or before, for negative n) `day`. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** How many days from..to covers, both included (0 when from is after to), without listing them. */
export function daySpan(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1);
}

/** Every day from `from` to `to`, both included; empty when from is after to. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
