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
    expect(await budget.usedToday()).toBe(600);
  });

  it('settles a reservation to the real usage, freeing the rest', async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    const budget = new TokenBudget(store, 1000, () => at);
    const r = (await budget.reserve(900))!;
    await budget.settle(r, 250);
    expect(await budget.usedToday()).toBe(250);
    expect(await budget.reserve(700)).toBeDefined();
  });

  it('expires the counter so old days do not pile up', async () => {
    const store = new MemoryStore({ now: () => at.getTime() });
    await new TokenBudget(store, 1000, () => at).reserve(1);
    expect(await store.ttl('llm:tokens:2026-11-21')).toBe(2 * 86_400);
  });

  it('fails closed when the store cannot count', async () => {
    const broken = { incr: async () => { throw new Error('store down'); } } as unknown as Store;
    expect(await new TokenBudget(broken, 1_000_000, () => at).reserve(10)).toBeUndefined();
  });
});
