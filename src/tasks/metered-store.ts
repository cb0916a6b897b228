/**
 * @module tasks/metered-store
 * A Store that counts the calls made through it. On Upstash a call is at most one HTTP request,
 * i.e. one Workers subrequest (calls made together share one), so the count is a safe upper bound
 * that the reminder job keeps inside the per-invocation subrequest limit; the benchmark reports it
 * next to the requests counted at the bridge.
 */
import type { Store } from '../store/store';

export interface MeteredStore {
  store: Store;
  calls(): number;
}

export function meteredStore(inner: Store): MeteredStore {
  let calls = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls: () => calls };
}
