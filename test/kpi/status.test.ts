/**
 * The status rule at its edges: met exactly, deadline day, one value, a projection that lands
 * exactly on the target, flat and worsening trends, no deadline, milestones, staleness.
 */
import { describe, expect, it } from 'vitest';
import { activeTarget, asOfDate, evaluateStatus, leastSquaresSlope, type StatusInput } from '../../src/kpi/status';

const base: StatusInput = {
  direction: 'up',
  target: 50,
  deadline: '2023-12-31',
  cadence: 'monthly',
  points: [],
  today: '2023-06-30',
};
const pts = (...pairs: Array<[string, number]>) => pairs.map(([asOf, value]) => ({ asOf, value }));

describe('evaluateStatus', () => {
  it('has no status without values', () => {
    const r = evaluateStatus(base);
    expect(r).toMatchObject({ status: 'no_data', reason: 'no_data', stale: false, ageDays: null });
  });

  it('only tracks a KPI without a target, but still reports its trend', () => {
    const r = evaluateStatus({ ...base, target: null, deadline: null, points: pts(['2023-04-30', 10], ['2023-05-31', 12]) });
    expect(r.status).toBe('no_target');
    expect(r.trend).toBe('improving');
  });

  it('is on track when the latest value equals the target exactly', () => {
    const r = evaluateStatus({ ...base, points: pts(['2023-05-31', 50]) });
    expect(r).toMatchObject({ status: 'on_track', reason: 'met' });
  });

  it('is on track for a rank equal to the Top 10 target and not for rank 11', () => {
    const rank = { ...base, direction: 'down' as const, target: 10, cadence: 'yearly' as const };
    expect(evaluateStatus({ ...rank, points: pts(['2022-12-31', 10]) }).status).toBe('on_track');
    expect(evaluateStatus({ ...rank, points: pts(['2022-12-31', 11]) }).reason).toBe('single_value');
  });

  it('is not past the deadline on the deadline day itself, and is off track the day after', () => {
    const one = pts(['2023-12-15', 40]);
    expect(evaluateStatus({ ...base, today: '2023-12-31', points: one })).toMatchObject({ status: 'at_risk', reason: 'single_value' });
    expect(evaluateStatus({ ...base, today: '2023-12-31', points: one })).toMatchObject({ deadlinePassed: false });
    expect(evaluateStatus({ ...base, today: '2024-01-01', points: one })).toMatchObject({ status: 'off_track', reason: 'deadline_passed', deadlinePassed: true });
  });

  it('after the deadline says what is known of the result then: missed, achieved, or not known', () => {
    const rank = { ...base, direction: 'down' as const, target: 10, cadence: 'yearly' as const, today: '2026-12-06' };
    // Top 10 by the end of 2023: the 2022 rank does not describe 2023, the 2024 one comes after it.
    const unknown = evaluateStatus({ ...rank, points: pts(['2022-12-31', 4], ['2024-12-31', 23]) });
    expect(unknown).toMatchObject({ status: 'off_track', reason: 'deadline_passed_unknown', deadlinePassed: true });
    const missed = evaluateStatus({ ...rank, points: pts(['2022-12-31', 4], ['2023-12-31', 12], ['2024-12-31', 23]) });
    expect(missed).toMatchObject({ status: 'off_track', reason: 'deadline_passed' });
    const slipped = evaluateStatus({ ...rank, points: pts(['2023-12-31', 8], ['2024-12-31', 23]) });
    expect(slipped).toMatchObject({ status: 'at_risk', reason: 'met_by_deadline' });
    // A monthly value from mid-December describes a 31 December deadline; one from November does not.
    const monthly = { ...base, today: '2026-12-06' };
    expect(evaluateStatus({ ...monthly, points: pts(['2023-12-15', 40]) }).reason).toBe('deadline_passed');
    expect(evaluateStatus({ ...monthly, points: pts(['2023-11-30', 40]) }).reason).toBe('deadline_passed_unknown');
  });

  it('is at risk with a single value below target: no trend can show it will get there', () => {
    expect(evaluateStatus({ ...base, points: pts(['2023-05-31', 49.99]) }).status).toBe('at_risk');
  });

  it('is on track when the trend reaches the target exactly on the deadline, at risk a day earlier', () => {
    const two = pts(['2023-01-01', 40], ['2023-01-11', 45]); // +0.5 a day
    const onTime = evaluateStatus({ ...base, deadline: '2023-01-21', today: '2023-01-12', points: two });
    expect(onTime).toMatchObject({ status: 'on_track', reason: 'projected_to_meet', projected: 50 });
    const short = evaluateStatus({ ...base, deadline: '2023-01-20', today: '2023-01-12', points: two });
    expect(short).toMatchObject({ status: 'at_risk', reason: 'improving_too_slowly', projected: 49.5 });
  });

  it('is off track when the trend is flat or worsening before the deadline', () => {
    const flat = evaluateStatus({ ...base, points: pts(['2023-04-30', 30], ['2023-05-31', 30]) });
    expect(flat).toMatchObject({ status: 'off_track', reason: 'not_improving', trend: 'flat' });
    const worse = evaluateStatus({ ...base, points: pts(['2023-04-30', 35], ['2023-05-31', 30]) });
    expect(worse).toMatchObject({ status: 'off_track', trend: 'worsening' });
  });

  it('reads a falling rank as improving', () => {
    const r = evaluateStatus({ ...base, direction: 'down', target: 10, cadence: 'yearly', points: pts(['2021-12-31', 22], ['2022-12-31', 19]) });
    expect(r.trend).toBe('improving');
  });

  it('without a deadline, calls improving on track and not improving at risk, never off track', () => {
    const open = { ...base, deadline: null };
    expect(evaluateStatus({ ...open, points: pts(['2023-04-30', 20], ['2023-05-31', 25]) }).status).toBe('on_track');
    expect(evaluateStatus({ ...open, points: pts(['2023-04-30', 25], ['2023-05-31', 20]) })).toMatchObject({
      status: 'at_risk',
      reason: 'not_improving_no_deadline',
    });
  });

  it('fits the trend to the last six values only', () => {
    const history = pts(
      ['2023-01-31', 90], ['2023-02-28', 10], ['2023-03-31', 11], ['2023-04-30', 12],
      ['2023-05-31', 13], ['2023-06-30', 14], ['2023-07-31', 15],
    );
    expect(evaluateStatus({ ...base, today: '2023-08-01', points: history }).trend).toBe('improving');
  });

  it('judges against the next milestone once the first deadline has passed', () => {
    const staged = { target: 80, deadline: '2025-12-31', milestones: [{ target: 100, deadline: '2030-12-31' }] };
    expect(activeTarget({ ...staged, today: '2025-12-31' })).toEqual({ target: 80, deadline: '2025-12-31' });
    expect(activeTarget({ ...staged, today: '2026-01-01' })).toEqual({ target: 100, deadline: '2030-12-31' });
    expect(activeTarget({ ...staged, today: '2031-01-01' })).toEqual({ target: 100, deadline: '2030-12-31' });
    const r = evaluateStatus({ ...base, ...staged, today: '2026-02-01', points: pts(['2026-01-31', 85]) });
    expect(r).toMatchObject({ status: 'at_risk', target: 100 });
  });

  it('flags a value as stale only once it is older than its cadence', () => {
    const monthly = { ...base, target: null, deadline: null, points: pts(['2023-05-31', 40]) };
    expect(evaluateStatus({ ...monthly, today: '2023-07-01' })).toMatchObject({ stale: false, ageDays: 31 });
    expect(evaluateStatus({ ...monthly, today: '2023-07-02' })).toMatchObject({ stale: true, ageDays: 32 });
    expect(evaluateStatus({ ...monthly, today: '2023-07-02', staleAfterDays: 60 }).stale).toBe(false);
    expect(evaluateStatus({ ...monthly, cadence: 'weekly', today: '2023-06-08' }).stale).toBe(true);
  });
});

describe('trend and as-of helpers', () => {
  it('has no slope for one value or for values on the same day', () => {
    expect(leastSquaresSlope(pts(['2023-01-01', 1]))).toBeNull();
    expect(leastSquaresSlope(pts(['2023-01-01', 1], ['2023-01-01', 5]))).toBeNull();
    expect(leastSquaresSlope(pts(['2023-01-01', 1], ['2023-01-03', 5]))).toBe(2);
  });

  it('dates a value by its period end, or by its recording day in Viet Nam when that is earlier', () => {
    expect(asOfDate('2022', '2023-08-21')).toBe('2022-12-31');
    expect(asOfDate('2026-11', '2026-11-20T20:00:00.000Z')).toBe('2026-11-21');
    expect(asOfDate('2024-W03', '2024-01-22')).toBe('2024-01-21');
  });
});
