/**
 * The handoff rules on the in-memory store: as it is, and with every store call yielding to the
 * event loop first, so concurrent callers interleave between their reads and writes as they would
 * over a network (a read-then-write take would let several operators win here).
 */
import { describe, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { handoffContract } from './contract';

function yielding(inner: Store): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setImmediate(resolve));
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await new Promise((resolve) => setImmediate(resolve));
        return result;
      };
    },
  });
}

describe('handoff rules on the in-memory store', () => {
  it('hold as is', async () => {
    await handoffContract(new MemoryStore(), '4242');
  });

  it('hold when every call yields, so callers interleave', async () => {
    await handoffContract(yielding(new MemoryStore()), '4242');
  });
});
