import { describe, expect, it } from 'vitest';
import { TokenBudget, budgetKey } from '../../src/llm/budget';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';

describe('TokenBudget', () => {
  const at = new Date('2026-11-21T08:00:00+07:00');

  it('keys the counter by the day in Vietnam', () => {
    expect(budgetKey(new Date('2026-11-21T16:59:00Z'))).toBe('llm:tokens:2026-11-21');
    expect(budgetKey(new Date('2026-11-21T17:00:00Z'))).toBe('llm:tokens:2026-11-22');
  });

  it('reserves within the limit, refuses past it and leaves nothing held when refused', async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    const budget = new TokenBudget(store, 1000, () => at);
    expect(await budget.reserve(600)).toEqual({ key: 'llm:tokens:2026-11-21', tokens: 600 });
    expect(await budget.reserve(600)).toBeUndefined();
    expect(await store.get('llm:tokens:2026-11-21')).toBe('600');
  });

  it('settles a reservation to the real usage, freeing the rest', async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    const budget = new TokenBudget(store, 1000, () => at);
    const r = (await budget.reserve(900))!;
    await budget.settle(r, 250);
    expect(await store.get('llm:tokens:2026-11-21')).toBe('250');
    expect(await budget.reserve(700)).toBeDefined();
  });

  it('expires the counter so old days do not pile up', async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    await new TokenBudget(store, 1000, () => at).reserve(1);
    expect(await store.ttl('llm:tokens:2026-11-21')).toBe(2 * 86_400);
  });

  it("caps one share at its part of the day, leaves the rest to others, and holds nothing when refused", async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    const budget = new TokenBudget(store, 10_000, () => at, undefined, 1_000);
    const a = budget.forShare('addr:203.0.113.7');
    expect(await a.reserve(600)).toEqual({ key: 'llm:tokens:2026-11-21', tokens: 600, shareKey: 'llm:tokens:2026-11-21:addr:203.0.113.7' });
    expect(await a.reserve(600)).toBeUndefined();
    expect(await store.get('llm:tokens:2026-11-21:addr:203.0.113.7')).toBe('600');
    expect(await budget.forShare('addr:198.51.100.4').reserve(900)).toBeDefined();
    expect(await budget.reserve(5_000)).toBeDefined(); // no share named: the global budget alone
    expect(await store.get('llm:tokens:2026-11-21')).toBe('6500');
    expect(await store.ttl('llm:tokens:2026-11-21:addr:203.0.113.7')).toBe(2 * 86_400);
  });

  it("settles a share's reservation on both counters", async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    const a = new TokenBudget(store, 10_000, () => at, undefined, 1_000).forShare('addr:a');
    await a.settle((await a.reserve(900))!, 100);
    expect(await store.get('llm:tokens:2026-11-21')).toBe('100');
    expect(await store.get('llm:tokens:2026-11-21:addr:a')).toBe('100');
    expect(await a.reserve(900)).toBeDefined();
  });

  it("gives the day's tokens back when the share's counter cannot be written", async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    const incr = store.incr.bind(store);
    store.incr = async (key, by, ttl) => {
      if (key.includes(':addr:')) throw new Error('store down');
      return incr(key, by, ttl);
    };
    const budget = new TokenBudget(store, 10_000, () => at, undefined, 1_000);
    expect(await budget.forShare('addr:a').reserve(500)).toBeUndefined();
    expect(await store.get('llm:tokens:2026-11-21')).toBe('0');
  });

  it('fails closed when the store cannot count', async () => {
    const broken = { incr: async () => { throw new Error('store down'); } } as unknown as Store;
    expect(await new TokenBudget(broken, 1_000_000, () => at).reserve(10)).toBeUndefined();
  });
});
