import { describe, expect, it } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { Deadline, LlmFailure, toFailure, withOneRetry, type RetryPolicy } from '../../src/llm/client';
import { fakeClock } from './setup';

const headers = (h: Record<string, string>) => new Headers(h);
const apiError = (status: number, h: Record<string, string> = {}) => APIError.generate(status, { error: { message: 'm', code: 'c' } }, 'm', headers(h));

describe('toFailure', () => {
  it('names each failure by what the assistant does about it', () => {
    expect(toFailure(apiError(429, { 'retry-after': '2' }))).toMatchObject({ kind: 'rate-limited', retryAfterMs: 2000 });
    expect(toFailure(apiError(429, { 'retry-after-ms': '150' }))).toMatchObject({ kind: 'rate-limited', retryAfterMs: 150 });
    expect(toFailure(apiError(502))).toMatchObject({ kind: 'server-error' });
    expect(toFailure(apiError(401))).toMatchObject({ kind: 'rejected' });
    expect(toFailure(new APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout' });
    expect(toFailure(new APIUserAbortError())).toMatchObject({ kind: 'timeout' });
    expect(toFailure(new APIConnectionError({ message: 'refused' }))).toMatchObject({ kind: 'connection' });
    expect(toFailure(new SyntaxError('Unexpected token'))).toMatchObject({ kind: 'malformed' });
  });

  it('keeps the server\'s message out of the failure (it may echo the request)', () => {
    const e = APIError.generate(400, { error: { message: 'bad input: CCCD 079123456789' } }, 'x', headers({}));
    expect(toFailure(e).message).not.toContain('079123456789');
  });
});

/** A Deadline's clock on fake time: nothing here waits for real time to pass. */
function clock() {
  const c = fakeClock();
  return { now: () => c.now().getTime(), setTimer: c.setTimer };
}

describe('Deadline', () => {
  it('runs on the injected clock: it aborts when fake time reaches it, not a millisecond before', () => {
    const c = fakeClock();
    const d = new Deadline(20_000, { now: () => c.now().getTime(), setTimer: c.setTimer });
    expect(d.remainingMs()).toBe(20_000);
    c.advance(19_999);
    expect([d.expired, d.signal.aborted, d.remainingMs()]).toEqual([false, false, 1]);
    c.advance(1);
    expect([d.expired, d.signal.aborted, d.remainingMs()]).toEqual([true, true, 0]);
    expect(toFailure(new APIUserAbortError(), d)).toMatchObject({ kind: 'timeout' });
  });

  it('cancels its timer when disposed, so a finished answer leaves nothing behind', () => {
    const c = fakeClock();
    const d = new Deadline(20_000, { now: () => c.now().getTime(), setTimer: c.setTimer });
    expect(c.pending).toBe(1);
    d.dispose();
    expect(c.pending).toBe(0);
    c.advance(30_000);
    expect(d.expired).toBe(false);
  });

  it('reads an HTTP-date retry-after against the deadline\'s clock', () => {
    const c = fakeClock(Date.parse('2026-11-21T01:00:00Z'));
    const d = new Deadline(20_000, { now: () => c.now().getTime(), setTimer: c.setTimer });
    expect(toFailure(apiError(503, { 'retry-after': 'Sat, 21 Nov 2026 01:00:02 GMT' }), d)).toMatchObject({ retryAfterMs: 2000 });
    d.dispose();
  });
});

describe('withOneRetry', () => {
  const policy = (waits: number[]): RetryPolicy => ({ maxWaitMs: 3000, defaultWaitMs: 500, sleep: async (ms) => void waits.push(ms) });

  it('retries a retryable failure once, waiting what the server asked', async () => {
    const waits: number[] = [];
    let n = 0;
    const d = new Deadline(60_000, clock());
    const out = await withOneRetry(async () => (++n === 1 ? Promise.reject(apiError(429, { 'retry-after': '1' })) : 'ok'), policy(waits), d);
    d.dispose();
    expect([out, n, waits]).toEqual(['ok', 2, [1000]]);
  });

  it('makes at most one retry', async () => {
    let n = 0;
    const d = new Deadline(60_000, clock());
    await expect(withOneRetry(async () => { n++; throw apiError(500); }, policy([]), d)).rejects.toMatchObject({ kind: 'server-error' });
    d.dispose();
    expect(n).toBe(2);
  });

  it('does not retry when told not to (output already shown) or when the failure is final', async () => {
    for (const [err, may] of [[apiError(500), false], [apiError(400), true]] as const) {
      let n = 0;
      const d = new Deadline(60_000, clock());
      await expect(withOneRetry(async () => { n++; throw err; }, policy([]), d, () => may)).rejects.toBeInstanceOf(LlmFailure);
      d.dispose();
      expect(n).toBe(1);
    }
  });

  it('does not retry past the deadline', async () => {
    let n = 0;
    const d = new Deadline(100, clock());
    await expect(withOneRetry(async () => { n++; throw apiError(503, { 'retry-after': '2' }); }, policy([]), d)).rejects.toMatchObject({ kind: 'server-error' });
    d.dispose();
    expect(n).toBe(1);
  });
});
