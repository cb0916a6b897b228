/**
 * The stage rule and local calendar days: pure, checked by walking dates and by properties.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween, isIsoDate, localDate, localInstant } from '../../src/tasks/calendar';
import { stageOf } from '../../src/tasks/stages';

describe('stageOf', () => {
  it('opens a new stage exactly at T-7, T-3, T-1, the day itself and overdue days 1, 8, 15 and 22', () => {
    const deadline = '2026-12-01';
    const opened: string[] = [];
    let previous: string | null = null;
    for (let d = -12; d <= 25; d++) {
      const key = stageOf(deadline, addDays(deadline, d))?.key ?? null;
      if (key && key !== previous) opened.push(`${d}:${key}`);
      previous = key;
    }
    expect(opened).toEqual(['-7:T-7', '-3:T-3', '-1:T-1', '0:due', '1:overdue-0', '8:overdue-1', '15:overdue-2', '22:overdue-3']);
  });

  it('reports the days left in local calendar days, negative when overdue', () => {
    expect(stageOf('2026-12-01', '2026-11-24')).toEqual({ kind: 'T-7', key: 'T-7', daysLeft: 7 });
    expect(stageOf('2026-12-01', '2026-11-30')).toEqual({ kind: 'T-1', key: 'T-1', daysLeft: 1 });
    expect(stageOf('2023-09-30', '2026-11-21')).toEqual({ kind: 'overdue', key: 'overdue-163', daysLeft: -1148 });
    expect(stageOf('2026-12-01', '2026-11-23')).toBeNull();
  });

  it('never comes back to a stage it has left, walking forward from any date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: -40, max: 10 }), (offset, start) => {
        const deadline = addDays('2000-01-01', offset);
        const left = new Set<string>();
        let previous: string | undefined;
        for (let d = start; d < start + 60; d++) {
          const key = stageOf(deadline, addDays(deadline, d))?.key;
          if (previous && key !== previous) left.add(previous);
          if (key && left.has(key)) return false;
          previous = key;
        }
        return true;
      }),
    );
  });
});

describe('local calendar days in Asia/Ho_Chi_Minh', () => {
  it('turns the date at 17:00 UTC, which is midnight in Vietnam', () => {
    expect(localDate(new Date('2026-11-20T16:59:59.999Z'))).toBe('2026-11-20');
    expect(localDate(new Date('2026-11-20T17:00:00.000Z'))).toBe('2026-11-21');
  });

  it('puts the 08:00 run at 01:00 UTC, as the cron trigger does', () => {
    expect(localInstant('2026-11-21').toISOString()).toBe('2026-11-21T01:00:00.000Z');
  });

  it('counts whole days across month and year ends', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('accepts only dates that exist', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-13-01')).toBe(false);
    expect(isIsoDate('30/9/2023')).toBe(false);
  });
});
