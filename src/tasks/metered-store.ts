/**
 * @module tasks/metered-store
 * A Store that counts the calls made through it, and the subrequests they cost: on Upstash calls
 * made together share one HTTP request (one Workers subrequest), so the store's own request count
 * is used where it keeps one. The reminder job stays inside the per-invocation subrequest limit
 * with it; the benchmark reports both.
 */
import type { Store } from '../store/store';

interface MeteredStore {
  store: Store;
  calls(): number;
  /**
   * Subrequests made through the store since metering began: its own request count where it keeps
   * one (Upstash; other work in the same isolate can only add to it, which errs on the safe side),
   * the calls otherwise.
   */
  subrequests(): number;
}

export function meteredStore(inner: Store): MeteredStore {
  let calls = 0;
  const requestsAtStart = inner.requestsMade?.();
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'requestsMade') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store,
    calls: () => calls,
    subrequests: () => (requestsAtStart === undefined ? calls : inner.requestsMade!() - requestsAtStart),
  };
}
