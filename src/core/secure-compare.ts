/**
 * @module core/secure-compare
 * Constant-time comparison of secrets (webhook secret headers, bearer tokens), so the time a
 * check takes says nothing about how much of a guess was right. Both sides are hashed first,
 * which also hides the secret's length.
 */

const encoder = new TextEncoder();
/** Digests of expected secrets (a handful from config), so each check hashes only the guess. */
const expectedDigests = new Map<string, Promise<ArrayBuffer>>();
const MAX_CACHED = 32;

function digestOfExpected(expected: string): Promise<ArrayBuffer> {
  let digest = expectedDigests.get(expected);
  if (!digest) {
    if (expectedDigests.size >= MAX_CACHED) expectedDigests.clear();
    digest = crypto.subtle.digest('SHA-256', encoder.encode(expected));
    expectedDigests.set(expected, digest);
  }
  return digest;
}

export async function secureEqual(given: string | undefined | null, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given ?? '')),
    digestOfExpected(expected),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = given == null ? 1 : 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
