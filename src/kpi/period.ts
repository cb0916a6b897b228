/**
 * @module kpi/period
 * The periods a KPI value can belong to (a year, quarter, month, ISO week or single day) and
 * their first and last days. Pure functions: the clock is always passed in, so status and
 * validation can be tested at any instant.
 */

/** A calendar date as YYYY-MM-DD. */
export type IsoDate = string;

type PeriodKind = 'year' | 'quarter' | 'month' | 'week' | 'day';

export interface Period {
  /** The canonical text, also the storage key (e.g. 2023, 2023-Q3, 2023-09, 2024-W03, 2023-09-30). */
  key: string;
  kind: PeriodKind;
  start: IsoDate;
  end: IsoDate;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a YYYY-MM-DD date (a day number, handy for trends and ages). */
export function dayNumber(date: IsoDate): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function utc(year: number, month: number, day: number): IsoDate {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

function lastDayOfMonth(year: number, month: number): IsoDate {
  return utc(year, month + 1, 0);
}

/** Monday of ISO week 1: the week holding 4 January. */
function isoWeekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return Math.round(jan4 / DAY_MS) - weekday;
}

function isoWeeksInYear(year: number): number {
  return (isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / 7;
}

const PATTERNS: Array<{ re: RegExp; build(m: RegExpExecArray): Period | null }> = [
  {
    re: /^(\d{4})$/,
    build: (m) => {
      const y = +m[1]!;
      return { key: m[0], kind: 'year', start: utc(y, 1, 1), end: utc(y, 12, 31) };
    },
  },
  {
    re: /^(\d{4})-Q([1-4])$/,
    build: (m) => {
      const y = +m[1]!;
      const q = +m[2]!;
      return { key: m[0], kind: 'quarter', start: utc(y, q * 3 - 2, 1), end: lastDayOfMonth(y, q * 3) };
    },
  },
  {
    re: /^(\d{4})-(\d{2})$/,
    build: (m) => {
      const y = +m[1]!;
      const mo = +m[2]!;
      if (mo < 1 || mo > 12) return null;
      return { key: m[0], kind: 'month', start: utc(y, mo, 1), end: lastDayOfMonth(y, mo) };
    },
  },
  {
    re: /^(\d{4})-W(\d{2})$/,
    build: (m) => {
      const y = +m[1]!;
      const w = +m[2]!;
      if (w < 1 || w > isoWeeksInYear(y)) return null;
      const monday = isoWeekOneMonday(y) + (w - 1) * 7;
      return { key: m[0], kind: 'week', start: fromDayNumber(monday), end: fromDayNumber(monday + 6) };
    },
  },
  {
    re: /^(\d{4})-(\d{2})-(\d{2})$/,
    build: (m) => {
      const date = utc(+m[1]!, +m[2]!, +m[3]!);
      // Date.UTC rolls 2023-02-30 over to March: a date that does not round-trip does not exist.
      if (date !== m[0]) return null;
      return { key: m[0], kind: 'day', start: date, end: date };
    },
  },
];

/** Parses a period in its one canonical spelling; null when it is not one. */
export function parsePeriod(text: string): Period | null {
  for (const { re, build } of PATTERNS) {
    const m = re.exec(text);
    if (m) {
      const p = build(m);
      if (p && +p.start.slice(0, 4) >= 1990 && +p.start.slice(0, 4) <= 2100) return p;
      return null;
    }
  }
  return null;
}

export const PERIOD_FORMATS = 'YYYY, YYYY-Qn, YYYY-MM, YYYY-Www (ISO week) or YYYY-MM-DD';
