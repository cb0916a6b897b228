/**
 * Puts every key of a Store under a prefix, so a suite can share one Redis with others and delete
 * only its own keys.
 */
import type { Store } from '../../src/store/store';

export function prefixedStore(inner: Store, prefix: string): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (prop === 'requestsMade') return () => fn.call(target); // takes no key
      if (prop === 'del') return (...keys: string[]) => fn.apply(target, keys.map((k) => prefix + k));
      if (prop === 'hashSetMany') {
        return (writes: Array<[string, Record<string, string>]>) => fn.call(target, writes.map(([k, fields]) => [prefix + k, fields]));
      }
      if (prop === 'keysWithPrefix') {
        return async (p: string) => ((await fn.call(target, prefix + p)) as string[]).map((k) => k.slice(prefix.length));
      }
      return (key: string, ...rest: unknown[]) => fn.call(target, prefix + key, ...rest);
    },
  });
}
