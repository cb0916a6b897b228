/**
 * @module search/codec
 * Compact binary encodings for the serialised index: unsigned varints (base64 is text/base64),
 * written without Node's Buffer so the same code decodes the index inside workerd.
 */

/** A growable byte buffer for writing varints. */
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private len = 0;

  /** Unsigned LEB128: 7 bits per byte, high bit set on all but the last. */
  varint(value: number): void {
    if (value < 0 || !Number.isInteger(value)) throw new Error(`varint must be a non-negative integer: ${value}`);
    this.ensure(5);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  get length(): number {
    return this.len;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.len++] = value;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/** Decodes `count` varints from `bytes` into `out` starting at `outStart`; returns the next byte offset. */
export function readVarints(bytes: Uint8Array, offset: number, count: number, out: Uint32Array, outStart: number): number {
  let p = offset;
  for (let k = 0; k < count; k++) {
    let value = 0;
    let shift = 1;
    let b: number;
    do {
      if (p >= bytes.length) throw new Error('truncated varint stream');
      b = bytes[p++]!;
      value += (b & 0x7f) * shift;
      shift *= 128;
    } while (b & 0x80);
    out[outStart + k] = value;
  }
  return p;
}

/** Decodes every varint in `bytes` into `out` (sized for at least one value per byte); returns how many. */
export function readAllVarints(bytes: Uint8Array, out: Uint32Array): number {
  let n = 0;
  let value = 0;
  let shift = 1;
  for (let p = 0; p < bytes.length; p++) {
    const b = bytes[p]!;
    value += (b & 0x7f) * shift;
    if (b & 0x80) {
      shift *= 128;
    } else {
      out[n++] = value;
      value = 0;
      shift = 1;
    }
  }
  if (shift !== 1) throw new Error('truncated varint stream');
  return n;
}
