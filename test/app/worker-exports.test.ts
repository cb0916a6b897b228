/**
 * workerd takes every named export of the Worker's main module for an entrypoint and refuses to
 * start on anything else (a string constant, say), which the pool-workers tests do not load.
 */
import { describe, expect, it } from 'vitest';

describe('the Worker main module', () => {
  it('exports only its default handler, so workerd can start it', async () => {
    const mod = await import('../../src/worker');
    expect(Object.keys(mod)).toEqual(['default']);
    expect(typeof mod.default.fetch).toBe('function');
    expect(typeof mod.default.scheduled).toBe('function');
  });
});
