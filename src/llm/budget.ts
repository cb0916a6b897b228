/**
 * @module llm/budget
 * The global daily token budget, kept in the store so every isolate and process shares it:
 * one counter per day (Asia/Ho_Chi_Minh), `llm:tokens:<yyyy-mm-dd>`, expiring after two days.
 * A call reserves its worst case first with one atomic INCRBY and settles to the real usage
 * afterwards, so concurrent calls cannot overspend together. It fails closed: when the budget
 * is spent or the store cannot be read, no model is called (the assistant quotes instead).
 *
 * A share (a web client's address) may also be capped at its fair part of the day: its own
 * counter, `llm:tokens:<yyyy-mm-dd>:<share>`, moves with the global one, so one address cannot
 * spend everybody's budget and leave every later user with quoted answers.
 */
import { vnDay } from '../core/vn-time';
import type { Store } from '../store/store';
import type { Logger } from '../log';
import { describeError } from '../log';

const BUDGET_KEY_PREFIX = 'llm:tokens:';
const KEY_TTL_SECONDS = 2 * 86_400;
/** One counter per Vietnamese day (the day starts at 17:00 UTC). */
export function budgetKey(at: Date): string {
  return BUDGET_KEY_PREFIX + vnDay(at);
}

interface Reservation {
  key: string;
  tokens: number;
  /** The share's own counter, when this budget is one share's. */
  shareKey?: string;
}

export class TokenBudget {
  constructor(
    private readonly store: Store,
    /** Tokens per day, prompt and completion together. */
    readonly dailyLimit: number,
    private readonly now: () => Date,
    private readonly log?: Logger,
    /** Tokens one share may spend per day; undefined means no cap per share. */
    readonly shareLimit?: number,
    /** Whose share this budget spends (see forShare); undefined for the global budget alone. */
    private readonly share?: string,
  ) {}

  /** The same daily budget, with `share`'s spending also capped at shareLimit. */
  forShare(share: string): TokenBudget {
    return new TokenBudget(this.store, this.dailyLimit, this.now, this.log, this.shareLimit, share);
  }

  /** Reserves `tokens`; undefined (and nothing held) when that would pass the day's or the share's limit. */
  async reserve(tokens: number): Promise<Reservation | undefined> {
    const key = budgetKey(this.now());
    const shareKey = this.share !== undefined && this.shareLimit !== undefined ? `${key}:${this.share}` : undefined;
    const keys = shareKey ? [key, shareKey] : [key];
    // Made together, so both counters cost one round trip.
    const counted = await Promise.allSettled(keys.map((k) => this.store.incr(k, tokens, KEY_TTL_SECONDS)));
    const giveBack = () =>
      Promise.all(keys.map((k, i) => (counted[i]!.status === 'fulfilled' ? this.store.incr(k, -tokens).catch(() => undefined) : undefined)));
    const failed = counted.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await giveBack();
      this.log?.warn('llm token budget unreadable, not calling the model', { error: describeError(failed.reason) });
      return undefined;
    }
    const [total, mine] = counted.map((r) => (r as PromiseFulfilledResult<number>).value);
    const overDay = total! > this.dailyLimit;
    const overShare = mine !== undefined && mine > this.shareLimit!;
    if (!overDay && !overShare) return shareKey ? { key, tokens, shareKey } : { key, tokens };
    await giveBack();
    if (overDay) this.log?.warn('llm daily token budget spent', { limit: this.dailyLimit });
    else this.log?.info("llm: a client's share of the daily token budget is spent", { limit: this.shareLimit });
    return undefined;
  }

  /** Replaces a reservation by what was really used (less, usually). Best effort. */
  async settle(r: Reservation, usedTokens: number): Promise<void> {
    const delta = Math.max(0, Math.round(usedTokens)) - r.tokens;
    if (delta === 0) return;
    try {
      await Promise.all([r.key, r.shareKey].filter((k): k is string => k !== undefined).map((k) => this.store.incr(k, delta)));
    } catch (e) {
      this.log?.warn('llm token usage not recorded', { error: describeError(e) });
    }
  }
}
