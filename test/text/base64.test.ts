import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBase64, toBase64 } from '../../src/text/base64';

describe('base64', () => {
  it('encodes exactly as standard base64 (Node Buffer), whatever the length and padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 500 },
    );
    // Longer than one 48 KiB block of the former chunked encoder, and not a multiple of 3.
    const big = Uint8Array.from({ length: 3 * 16384 * 2 + 2 }, (_, i) => (i * 7919) & 255);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
    expect(fromBase64(toBase64(big))).toEqual(big);
    expect(toBase64(new Uint8Array(0))).toBe('');
  });
});
