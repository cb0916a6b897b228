/**
 * The Refresher (store/refresher): throttled, shared by concurrent callers, never throwing, and a
 * forced refresh reflects what is stored at the time it is asked, even while an older run is in flight.
 */
import { describe, expect, it } from 'vitest';
import { Refresher } from '../../src/store/refresher';

describe('Refresher', () => {
  it('throttles, shares one run between concurrent callers and reports failures', async () => {
    let now = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const r = new Refresher(
      async () => {
        runs++;
        if (runs === 3) throw new Error('store down');
      },
      { refreshMs: 5000, clock: () => now, onError: (e) => errors.push(e) },
    );
    await Promise.all([r.refresh(), r.refresh()]);
    expect(runs).toBe(1);
    await r.refresh();
    expect(runs).toBe(1);
    now = 6000;
    await r.refresh();
    expect(runs).toBe(2);
    await expect(r.refresh(true)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('a forced refresh asked during an older run sees the state stored after that run began', async () => {
    let stored = 'v1';
    let seen = '';
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const r = new Refresher(
      async () => {
        const read = stored;
        if (first) {
          first = false;
          await gate;
        }
        seen = read;
      },
      { refreshMs: 5000 },
    );
    const old = r.refresh();
    stored = 'v2';
    const forced = r.refresh(true);
    release();
    await Promise.all([old, forced]);
    expect(seen).toBe('v2');
  });
});
