/**
 * Working hours for the promise a citizen gets: periods, weekends, the listed holidays of the
 * year, and recurring holidays on a weekend moving the day off to the next working days.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_HOURS as H, isWorkingDay, isWorkingTime, nextWorkingStart, WorkingHoursSchema } from '../../src/handoff/hours';

const at = (local: string) => new Date(`${local}+07:00`);
const next = (local: string) => nextWorkingStart(at(local), H)?.toISOString();

describe('working hours', () => {
  it('are open in the morning and afternoon periods of a weekday, closed at lunch and at night', () => {
    expect(isWorkingTime(at('2026-11-23T07:30:00'), H)).toBe(true);
    expect(isWorkingTime(at('2026-11-23T11:29:00'), H)).toBe(true);
    expect(isWorkingTime(at('2026-11-23T11:30:00'), H)).toBe(false);
    expect(isWorkingTime(at('2026-11-23T12:00:00'), H)).toBe(false);
    expect(isWorkingTime(at('2026-11-23T16:59:00'), H)).toBe(true);
    expect(isWorkingTime(at('2026-11-23T17:00:00'), H)).toBe(false);
    expect(isWorkingTime(at('2026-11-21T09:00:00'), H)).toBe(false); // Saturday
  });

  it('name the next period: after lunch, the next morning, Monday after a weekend', () => {
    expect(next('2026-11-23T12:00:00')).toBe(at('2026-11-23T13:30:00').toISOString());
    expect(next('2026-11-23T18:00:00')).toBe(at('2026-11-24T07:30:00').toISOString());
    expect(next('2026-11-23T06:00:00')).toBe(at('2026-11-23T07:30:00').toISOString());
    expect(next('2026-11-20T17:00:00')).toBe(at('2026-11-23T07:30:00').toISOString());
  });

  it('skip public holidays: New Year, Tết 2026, and 30/4-1/5', () => {
    expect(isWorkingDay('2026-01-01', H)).toBe(false);
    expect(next('2026-02-13T17:30:00')).toBe(at('2026-02-23T07:30:00').toISOString());
    expect(next('2026-04-29T17:30:00')).toBe(at('2026-05-04T07:30:00').toISOString());
    expect(isWorkingDay('2026-04-27', H)).toBe(false); // Giỗ Tổ (Sunday 26/4) moved to Monday
  });

  it('move a recurring holiday on a weekend to the next working day', () => {
    // 1/5/2027 is a Saturday: Monday 3/5 is off, Tuesday 4/5 is a working day.
    expect(isWorkingDay('2027-05-03', H)).toBe(false);
    expect(isWorkingDay('2027-05-04', H)).toBe(true);
    // 2/9/2028 is a Saturday: Monday 4/9 is off.
    expect(isWorkingDay('2028-09-04', H)).toBe(false);
    expect(isWorkingDay('2028-09-05', H)).toBe(true);
  });

  it('are valid by their own schema', () => {
    expect(WorkingHoursSchema.parse(H)).toEqual(H);
  });
});
