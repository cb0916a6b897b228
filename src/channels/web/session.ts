/**
 * @module channels/web/session
 * Web sessions: ids issued by the server (192 random bits, recorded in the store for the history
 * TTL, kept in an HttpOnly SameSite=Strict cookie and returned in the JSON). An id the server did
 * not issue starts a new session, and no role is ever bound to one.
 */
import type { Store } from '../../store/store';
import { randomId } from '../../text/base64';
import type { UserDataEraser } from '../../privacy/erase';
import { describeError, type Logger } from '../../log';

export const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
export const SESSION_COOKIE = 'cchc_sid';
const SESSION_KEY_PREFIX = 'web:session:';
/** 192 bits: no one guesses an issued id, so naming one proves the server gave it to you. */
const SESSION_ID_BYTES = 24;

/**
 * Secure everywhere but plain http to this machine (`npm start`): behind a TLS-terminating proxy
 * the request URL says http although the browser spoke https, and a session cookie must not
 * travel in clear there. (Browsers treat http://localhost as secure, but not every one does.)
 */
export function wantsSecureCookie(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return !/^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
}

export function newSessionId(): string {
  return randomId(SESSION_ID_BYTES);
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {}

  /** Whether the server issued `id` (and it has not expired or been erased); no when unreadable. */
  async isIssued(id: string): Promise<boolean> {
    try {
      return (await this.store.get(SESSION_KEY_PREFIX + id)) !== null;
    } catch (e) {
      this.log.warn('web session unreadable, starting a new one', { error: describeError(e) });
      return false;
    }
  }

  /** Records a new session; false when the store could not (it then counts as not issued). */
  async record(id: string): Promise<boolean> {
    try {
      await this.store.set(SESSION_KEY_PREFIX + id, '1', this.ttlSeconds);
      return true;
    } catch (e) {
      this.log.warn('web session not recorded', { error: describeError(e) });
      return false;
    }
  }
}

/** /xoadulieu from the web also ends the session: the next message starts a new one. */
export const webSessionEraser: UserDataEraser = {
  name: 'web-session',
  erase: (store, who) => (who.channel === 'web' ? store.del(SESSION_KEY_PREFIX + who.userId) : Promise.resolve(0)),
};
