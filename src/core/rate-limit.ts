/**
 * @module core/rate-limit
 * A per-user fixed-window rate limit kept in the store (one INCR with a TTL per window), so
 * it holds across isolates and restarts. Fails open when the store is down: refusing every
 * citizen because Redis hiccupped would be worse than letting a burst through.
 */
import type { Store } from '../store/store';
import type { Logger } from '../log';
import { describeError } from '../log';

interface RateLimitRule {
  /** Messages allowed per window. */
  limit: number;
  windowSeconds: number;
}

export class RateLimiter {
  constructor(
    private readonly store: Store,
    private readonly rule: RateLimitRule,
    private readonly now: () => Date,
    private readonly log?: Logger,
    private readonly prefix = 'rl',
  ) {}

  /** Counts one message for `who` and says whether it is within the limit. */
  async allow(who: string): Promise<boolean> {
    return (await this.check(who)) === 'allowed';
  }

  /**
   * Counts one message for `who` and says where it falls: within the limit, the first one past
   * it in this window (INCR is atomic, so exactly one message is), or a later one.
   */
  async check(who: string): Promise<'allowed' | 'refused' | 'refused-again'> {
    const window = Math.floor(this.now().getTime() / 1000 / this.rule.windowSeconds);
    try {
      const count = await this.store.incr(`${this.prefix}:${who}:${window}`, 1, this.rule.windowSeconds + 5);
      if (count <= this.rule.limit) return 'allowed';
      return count === this.rule.limit + 1 ? 'refused' : 'refused-again';
    } catch (e) {
      this.log?.warn('rate limit unavailable, allowing', { error: describeError(e) });
      return 'allowed';
    }
  }
}
