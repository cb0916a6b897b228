/**
 * @module search/codec
 * Compact binary encodings for the serialised index: unsigned varints and base64, written
 * without Node's Buffer so the same code decodes the index inside workerd.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 (with padding) of a byte array. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // Chunked so a large index never builds one giant intermediate array of strings.
  const CHUNK = 3 * 16384;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
    }
    const rest = end - i;
    if (rest === 1) {
      const n = bytes[i]! << 16;
      s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
    } else if (rest === 2) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
      s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Decodes standard base64; throws on characters outside the alphabet. */
export function fromBase64(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6) | sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest === 2) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12);
    out[o++] = n >> 16;
  } else if (rest === 3) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
  } else if (rest === 1) {
    throw new Error('invalid base64 length');
  }
  return out;
}

function sextet(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const v = c < 128 ? LOOKUP[c]! : 0;
  if (v === 0 && c !== 65 /* A */) throw new Error(`invalid base64 character at ${i}`);
  return v;
}

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
