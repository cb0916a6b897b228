/**
 * @module console/session
 * Console sessions and sign-in limits, kept in the store so every isolate and process agrees:
 * - a session is a random 256-bit id in an HttpOnly, SameSite=Strict cookie (Secure but on plain
 *   http to this machine); the store
 *   keeps only its SHA-256 (a leaked store dump holds no usable cookie), with the operator's name,
 *   the session's CSRF token and its expiry, and drops it at that expiry;
 * - sign-in attempts are counted per client address in a fixed window (each counted before its
 *   token is read, a success clearing the count); past the limit the form refuses before looking
 *   at the token, so guessing costs a window per few tries, however many are sent at once.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import { randomId, toBase64Url } from '../text/base64';
import { secureEqualUncached } from '../core/secure-compare';

export const SESSION_COOKIE = 'cchc_console';
/** Before sign-in: the double-submit value the sign-in form must echo (its CSRF token). */
export const PRE_SESSION_COOKIE = 'cchc_console_pre';
export const COOKIE_PATH = '/console';
/** A working day: an operator signs in again the next morning. */
export const SESSION_TTL_SECONDS = 8 * 3600;
/** Failed sign-ins one address may make per window before the form refuses. */
export const MAX_FAILED_SIGNINS = 5;
export const SIGNIN_WINDOW_SECONDS = 15 * 60;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const SessionSchema = z.object({
  operator: z.string().min(1),
  csrf: z.string().min(16),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type ConsoleSession = z.infer<typeof SessionSchema>;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return toBase64Url(new Uint8Array(digest));
}

const sessionKey = async (id: string) => `console:session:${await sha256(id)}`;
const failKey = (bucket: string) => `console:signin-fail:${bucket}`;

export class ConsoleSessions {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
    readonly ttlSeconds = SESSION_TTL_SECONDS,
  ) {}

  async create(operator: string): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomId(32);
    const at = this.now();
    const session: ConsoleSession = {
      operator,
      csrf: randomId(24),
      createdAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + this.ttlSeconds * 1000).toISOString(),
    };
    await this.store.set(await sessionKey(id), JSON.stringify(session), this.ttlSeconds);
    return { id, session };
  }

  /** The live session a cookie names; null when malformed, unknown, expired or unreadable. */
  async read(id: string | undefined): Promise<ConsoleSession | null> {
    if (!id || !SESSION_ID.test(id)) return null;
    const raw = await this.store.get(await sessionKey(id));
    if (!raw) return null;
    try {
      const parsed = SessionSchema.safeParse(JSON.parse(raw));
      if (!parsed.success) return null;
      // The store's TTL drops it too; this check holds even where a TTL lags (a restored dump).
      return Date.parse(parsed.data.expiresAt) > this.now().getTime() ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async end(id: string | undefined): Promise<void> {
    if (id && SESSION_ID.test(id)) await this.store.del(await sessionKey(id));
  }
}

/** Per-address sign-in attempts (addresses bucketed as the web chat buckets them); a success clears them. */
export class SignInLimiter {
  constructor(
    private readonly store: Store,
    private readonly max = MAX_FAILED_SIGNINS,
    private readonly windowSeconds = SIGNIN_WINDOW_SECONDS,
  ) {}

  /**
   * Counts this attempt before the token is looked at, so parallel attempts cannot all pass a
   * check made before any of them was counted; true when it is past the limit (refuse unread).
   */
  async overLimit(bucket: string): Promise<boolean> {
    return (await this.store.incr(failKey(bucket), 1, this.windowSeconds)) > this.max;
  }

  async clear(bucket: string): Promise<void> {
    await this.store.del(failKey(bucket));
  }
}

/** A CSRF token as sent against the one expected, in constant time; a missing one never matches. */
export async function csrfMatches(given: unknown, expected: string | undefined): Promise<boolean> {
  if (typeof given !== 'string' || !given || !expected) return false;
  // Both sides come from the client: neither may enter the cache kept for config secrets.
  return secureEqualUncached(given, expected);
}

export function newPreSessionToken(): string {
  return randomId(24);
}
