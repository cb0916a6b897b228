import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteWriter, readAllVarints, readVarints } from '../../src/search/codec';
import { fromBase64, toBase64 } from '../../src/text/base64';

describe('index codec', () => {
  it('writes the same base64 as Node and reads it back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(text)).toEqual(bytes);
      }),
    );
  });

  it('rejects text that is not base64', () => {
    expect(() => fromBase64('ab$d')).toThrow(/invalid base64/);
    expect(() => fromBase64('abcde')).toThrow(/invalid base64/);
  });

  it('round-trips varints of any size up to 2^32', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 })), (values) => {
        const w = new ByteWriter();
        for (const v of values) w.varint(v);
        const bytes = w.bytes();
        const out = new Uint32Array(values.length);
        expect(readVarints(bytes, 0, values.length, out, 0)).toBe(bytes.length);
        expect([...out]).toEqual(values);
        const all = new Uint32Array(bytes.length);
        expect(readAllVarints(bytes, all)).toBe(values.length);
      }),
    );
  });

  it('fails on a truncated varint stream', () => {
    const out = new Uint32Array(4);
    expect(() => readVarints(new Uint8Array([0x80]), 0, 1, out, 0)).toThrow(/truncated/);
    expect(() => readAllVarints(new Uint8Array([0x81, 0x80]), out)).toThrow(/truncated/);
  });
});
