/**
 * @module test/store/memory.test
 * Runs the Store contract against MemoryStore on a fake clock, then checks what only the memory
 * store has: its default clock and the sweep that frees expired keys nobody reads again. Also
 * covers createStore's choice of implementation.
 */
import { describe, expect, it } from 'vitest';
import { createStore, MemoryStore } from '../../src/store';
import { storeContract } from './contract';

storeContract('MemoryStore', async () => {
  let now = Date.UTC(2025, 8, 30, 1, 2, 3);
  const store = new MemoryStore({ now: () => now });
  return {
    store,
    advance: async (ms) => {
      now += ms;
    },
    cleanup: async () => {},
  };
});

/** The number of entries held, expired or not: what the sweep is meant to keep small. */
function heldEntries(store: MemoryStore): number {
  return (store as unknown as { data: Map<string, unknown> }).data.size;
}

describe('MemoryStore internals', () => {
  it('reports its kind as memory and runs on the real clock by default', async () => {
    const store = new MemoryStore();
    expect(store.kind).toBe('memory');
    await store.set('k', 'v', 100);
    expect(await store.ttl('k')).toBe(100);
  });

  it('the sweep frees expired keys that are never read again, a few per call', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    for (let i = 0; i < 1000; i++) await store.set(`old:${i}`, 'x', 1);
    await store.set('live', 'x');
    now += 5000;
    expect(heldEntries(store)).toBe(1001);
    for (let i = 0; i < 200; i++) await store.get('live');
    expect(heldEntries(store)).toBe(1);
  });

  it('returns copies, so changing a returned list or series does not change the store', async () => {
    const store = new MemoryStore();
    await store.listPush('l', 'a', { maxLen: 3 });
    await store.zAdd('z', 1, 'm');
    (await store.listRange('l', 0, -1)).push('b');
    (await store.zRangeByScore('z', 0, 2))[0]!.score = 99;
    expect(await store.listRange('l', 0, -1)).toEqual(['a']);
    expect(await store.zRangeByScore('z', 0, 2)).toEqual([{ member: 'm', score: 1 }]);
  });
});

describe('createStore', () => {
  it('chooses the memory store when Upstash is not configured', () => {
    expect(createStore({}).kind).toBe('memory');
  });

  it('chooses the Upstash store when its URL and token are given, without contacting it', () => {
    expect(createStore({ upstash: { url: 'http://127.0.0.1:9', token: 't' } }).kind).toBe('upstash');
  });
});
