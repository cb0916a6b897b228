/**
 * @module store/checks
 * Rules every Store implementation applies the same way, so the memory, Upstash and Redis stores
 * refuse the same bad arguments and order members alike (the contract suite holds them to it).
 */

/**
 * TTLs given to set, claim, incr and listPush must be whole positive seconds. Redis rejects
 * `SET … EX 0`; both stores reject the same way so a bad TTL never silently means "forever".
 */
export function assertTtl(ttlSeconds: number, command: string): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new Error(`ERR invalid expire time in '${command}' command`);
  }
}

/** LTRIM to the last 0 items would be `LTRIM key 0 -1`, which keeps everything: refuse it. */
export function assertMaxLen(maxLen: number): void {
  if (!Number.isSafeInteger(maxLen) || maxLen <= 0) {
    throw new Error('ERR maxLen must be a positive integer');
  }
}

/**
 * Byte order of the UTF-8 encodings, which Redis uses (memcmp) and which equals code point order.
 * Plain `<` compares UTF-16 units and would put emoji before characters like U+FF01.
 */
export function compareBinary(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // both strings hold the same surrogate pair here; skip its low half
  }
  return a.length - b.length;
}
