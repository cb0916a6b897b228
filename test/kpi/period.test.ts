import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../src/kpi/period';
import { vnDay } from '../../src/core/vn-time';

describe('periods', () => {
  it.each([
    ['2022', 'year', '2022-01-01', '2022-12-31'],
    ['2023-Q3', 'quarter', '2023-07-01', '2023-09-30'],
    ['2024-02', 'month', '2024-02-01', '2024-02-29'],
    ['2024-W03', 'week', '2024-01-15', '2024-01-21'],
    ['2020-W53', 'week', '2020-12-28', '2021-01-03'],
    ['2023-09-30', 'day', '2023-09-30', '2023-09-30'],
  ])('reads %s as a %s from %s to %s', (text, kind, start, end) => {
    expect(parsePeriod(text)).toEqual({ key: text, kind, start, end });
  });

  it.each(['2023-13', '2023-02-30', '2023-W53', '2023-Q5', '23-09', '2023/09', 'NaN', '', '1900', '2023-9'])(
    'refuses %j',
    (text) => {
      expect(parsePeriod(text)).toBeNull();
    },
  );

  it('gives the calendar date in Asia/Ho_Chi_Minh', () => {
    expect(vnDay(new Date('2026-11-20T16:59:59Z'))).toBe('2026-11-20');
    expect(vnDay(new Date('2026-11-20T17:00:00Z'))).toBe('2026-11-21');
  });
});
