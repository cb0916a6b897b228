/**
 * @module handoff/hours
 * When staff answer: the working periods of the week and the days off, in Vietnamese local time
 * (UTC+7 all year). A citizen asking for a person is told whether someone is at work now and, if
 * not, when the next working period starts. Pure functions over instants.
 *
 * The defaults follow the usual office hours of provincial service centres (7:30-11:30 and
 * 13:30-17:00, Monday to Friday) and the public holidays of the Labour Code 2019, art. 112: the
 * solar ones recur every year and, when they fall on a weekend, the next working day is off
 * (art. 111(3)); the lunar ones (Tết, Giỗ Tổ Hùng Vương) move and are decided each year, so they
 * are listed by date. A deployment sets its own in knowledge/profile.json (`workingHours`); these
 * defaults apply to a profile without them.
 */
import { z } from 'zod';
import { addDays, localInstant, vnDay, vnMinuteOfDay, vnWeekday } from '../core/vn-time';
import { formatDate } from '../core/texts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

export const WorkingHoursSchema = z.strictObject({
  /** Where the periods and days off come from (a decision, a published notice). */
  note: z.string().optional(),
  /** Periods of a working day, in order, e.g. [{ start: "07:30", end: "11:30" }]. */
  periods: z.array(z.strictObject({ start: HHMM, end: HHMM })).min(1),
  /** Working weekdays, 0 = Sunday … 6 = Saturday. */
  weekdays: z.array(z.number().int().min(0).max(6)).min(1),
  /** Days off every year, MM-DD; one on a weekend moves the day off to the next working day. */
  recurringHolidays: z.array(z.string().regex(/^\d\d-\d\d$/)),
  /** Further days off, YYYY-MM-DD, as decided for that year (already on working days). */
  holidays: z.array(z.string().regex(/^\d{4}-\d\d-\d\d$/)),
  /** How long staff aim to take to answer during working hours, in minutes (the promise). */
  targetMinutes: z.number().int().positive(),
});
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

export const DEFAULT_WORKING_HOURS: WorkingHours = {
  periods: [
    { start: '07:30', end: '11:30' },
    { start: '13:30', end: '17:00' },
  ],
  weekdays: [1, 2, 3, 4, 5],
  // New Year, Reunification Day, Labour Day, National Day (Labour Code 2019, art. 112).
  recurringHolidays: ['01-01', '04-30', '05-01', '09-02'],
  holidays: [
    // Tết Bính Ngọ 2026: 16-20/2/2026 (the Government's plan as reported by congan.com.vn and
    // vnanet.vn, 10/2025); Giỗ Tổ Hùng Vương 26/4/2026 is a Sunday, so Monday 27/4 is off.
    '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-04-27',
  ],
  targetMinutes: 30,
};


function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The instant `hhmm` local time on `day`. */
function instantOf(day: string, hhmm: string): number {
  const minutes = minutesOf(hhmm);
  return localInstant(day, Math.floor(minutes / 60), minutes % 60).getTime();
}

function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** Whether `day` (YYYY-MM-DD) is a working day under `hours`. */
export function isWorkingDay(day: string, hours: WorkingHours): boolean {
  if (!hours.weekdays.includes(weekdayOf(day)) || hours.holidays.includes(day)) return false;
  const year = Number(day.slice(0, 4));
  if (hours.recurringHolidays.some((md) => `${year}-${md}` === day)) return false;
  return !compensatedDays(year - 1, hours).includes(day) && !compensatedDays(year, hours).includes(day);
}

/**
 * The days off given for the recurring holidays of `year` that fall on a rest day: each takes
 * the next working day not already off, in date order (30/4 and 1/5 on a weekend take Monday
 * and Tuesday).
 */
function compensatedDays(year: number, hours: WorkingHours): string[] {
  const recurring = new Set(hours.recurringHolidays.map((md) => `${year}-${md}`));
  const isRecurring = (d: string) => hours.recurringHolidays.some((md) => `${d.slice(0, 4)}-${md}` === d);
  const taken: string[] = [];
  for (const holiday of [...recurring].sort()) {
    if (hours.weekdays.includes(weekdayOf(holiday))) continue;
    let d = addDays(holiday, 1);
    for (let i = 0; i < 14; i++, d = addDays(d, 1)) {
      if (hours.weekdays.includes(weekdayOf(d)) && !hours.holidays.includes(d) && !isRecurring(d) && !taken.includes(d)) break;
    }
    taken.push(d);
  }
  return taken;
}

/** Whether staff are at work at `at`. */
export function isWorkingTime(at: Date, hours: WorkingHours): boolean {
  const day = vnDay(at);
  if (!isWorkingDay(day, hours)) return false;
  const minute = vnMinuteOfDay(at);
  return hours.periods.some((p) => minute >= minutesOf(p.start) && minute < minutesOf(p.end));
}

/** The start of the next working period after `at` (within a year; undefined past that). */
export function nextWorkingStart(at: Date, hours: WorkingHours): Date | undefined {
  let day = vnDay(at);
  for (let i = 0; i < 366; i++, day = addDays(day, 1)) {
    if (!isWorkingDay(day, hours)) continue;
    for (const p of hours.periods) {
      const start = new Date(instantOf(day, p.start));
      if (start.getTime() > at.getTime()) return start;
    }
  }
  return undefined;
}

/** The local weekday (0 = Sunday), date (d/m/yyyy) and time (7:30) of an instant, for texts. */
export function localParts(instant: Date): { weekday: number; date: string; time: string } {
  const minute = vnMinuteOfDay(instant);
  return {
    weekday: vnWeekday(instant),
    date: formatDate(vnDay(instant)),
    time: `${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}`,
  };
}

/** The periods as people read them: "7:30–11:30, 13:30–17:00". */
export function periodsText(hours: WorkingHours): string {
  const short = (hhmm: string) => hhmm.replace(/^0/, '');
  return hours.periods.map((p) => `${short(p.start)}–${short(p.end)}`).join(', ');
}

/**
 * Working time between two instants, in seconds: only the periods of working days count, so a
 * request made on Friday evening has waited nothing until Monday 7:30 (the target is a promise
 * for working hours). Looks at most a year back.
 */
export function workingSecondsBetween(from: Date, to: Date, hours: WorkingHours): number {
  if (to.getTime() <= from.getTime()) return 0;
  const last = vnDay(to);
  let day = vnDay(new Date(Math.max(from.getTime(), to.getTime() - 366 * 86_400_000)));
  let total = 0;
  for (let i = 0; i < 368 && day <= last; i++, day = addDays(day, 1)) {
    if (!isWorkingDay(day, hours)) continue;
    for (const p of hours.periods) {
      const start = Math.max(instantOf(day, p.start), from.getTime());
      const end = Math.min(instantOf(day, p.end), to.getTime());
      if (end > start) total += end - start;
    }
  }
  return Math.floor(total / 1000);
}

/** Whether a request opened at `openedAt` and not yet answered has waited past the target at `now`. */
export function pastTarget(openedAt: Date, now: Date, hours: WorkingHours): boolean {
  return workingSecondsBetween(openedAt, now, hours) > hours.targetMinutes * 60;
}
