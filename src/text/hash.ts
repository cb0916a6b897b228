/**
 * @module text/hash
 * FNV-1a, 32 bits, over a string's UTF-16 code units: a stable, dependency-free hash for
 * fingerprints and short ids that runs the same in Node and workerd. One function computes it;
 * callers choose the encoding, and several encodings are stored (bundle fingerprints and
 * embedding hashes in hex, reminder fields in base 36), so none of them may change.
 */

/** The 32-bit FNV-1a hash as an unsigned integer. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** fnv1a32 as 8 hex digits: the form stored in the bundle's index fingerprint and embeddings.json. */
export function fnv1a(text: string): string {
  return fnv1a32(text).toString(16).padStart(8, '0');
}
