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

/** `given` against a secret from config: the expected side's digest is cached. */
export async function secureEqual(given: string | undefined | null, expected: string): Promise<boolean> {
  return sameDigest(given, await digestOfExpected(expected));
}

/**
 * The same comparison for an `expected` that is not a config secret (a CSRF token, chosen per
 * session or by the client): nothing is cached, so such values neither fill the cache nor push
 * the config secrets' digests out of it.
 */
export async function secureEqualUncached(given: string | undefined | null, expected: string): Promise<boolean> {
  return sameDigest(given, await crypto.subtle.digest('SHA-256', encoder.encode(expected)));
}

async function sameDigest(given: string | undefined | null, expected: ArrayBuffer): Promise<boolean> {
  const a = await crypto.subtle.digest('SHA-256', encoder.encode(given ?? ''));
  const x = new Uint8Array(a);
  const y = new Uint8Array(expected);
  let diff = given == null ? 1 : 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
