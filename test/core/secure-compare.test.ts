import { describe, expect, it } from 'vitest';
import { secureEqual } from '../../src/core/secure-compare';

describe('secureEqual', () => {
  it('is true only for the identical secret', async () => {
    expect(await secureEqual('s3cret-token', 's3cret-token')).toBe(true);
    expect(await secureEqual('s3cret-tokeN', 's3cret-token')).toBe(false);
  });

  it('is false for a longer, shorter, empty or missing secret', async () => {
    expect(await secureEqual('s3cret-token-longer', 's3cret-token')).toBe(false);
    expect(await secureEqual('s3cret', 's3cret-token')).toBe(false);
    expect(await secureEqual('', 's3cret-token')).toBe(false);
    expect(await secureEqual(undefined, 's3cret-token')).toBe(false);
    expect(await secureEqual(null, '')).toBe(false);
  });
});
