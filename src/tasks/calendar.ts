/**
 * @module tasks/calendar
 * Calendar days in Asia/Ho_Chi_Minh, where deadlines live, in the terms the reminder code uses.
 * The day arithmetic itself is core/vn-time's; "days left" is counted in local calendar days,
 * never in 24-hour spans.
 */
import { addDays, isIsoDay, localInstant, vnDay } from '../core/vn-time';

// localInstant lives in core/vn-time (handoff hours use it too); kept here for the reminder code.
export { addDays, localInstant };

const DAY_MS = 86_400_000;

/** The local calendar date (YYYY-MM-DD) in Asia/Ho_Chi_Minh at instant `at`. */
export const localDate: (at: Date) => string = vnDay;

/** True for an ISO date that exists on the calendar (2023-02-29 does not). */
export const isIsoDate: (s: string) => boolean = isIsoDay;

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD): positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}
