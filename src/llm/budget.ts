/**
 * @module llm/budget
 * The global daily token budget, kept in the store so every isolate and process shares it:
 * one counter per day (Asia/Ho_Chi_Minh), `llm:tokens:<yyyy-mm-dd>`, expiring after two days.
 * A call reserves its worst case first with one atomic INCRBY and settles to the real usage
 * afterwards, so concurrent calls cannot overspend together. It fails closed: when the budget
 * is spent or the store cannot be read, no model is called (the assistant quotes instead).
 */
import { vnDay } from '../core/vn-time';
import type { Store } from '../store/store';
import type { Logger } from '../log';
import { describeError } from '../log';

export const BUDGET_KEY_PREFIX = 'llm:tokens:';
const KEY_TTL_SECONDS = 2 * 86_400;
/** One counter per Vietnamese day (the day starts at 17:00 UTC). */
export function budgetKey(at: Date): string {
  return BUDGET_KEY_PREFIX + vnDay(at);
}

export interface Reservation {
  key: string;
  tokens: number;
}

export class TokenBudget {
  constructor(
    private readonly store: Store,
    /** Tokens per day, prompt and completion together. */
    readonly dailyLimit: number,
    private readonly now: () => Date,
    private readonly log?: Logger,
  ) {}

  /** Reserves `tokens`; undefined (and nothing held) when that would pass the day's limit. */
  async reserve(tokens: number): Promise<Reservation | undefined> {
    const key = budgetKey(this.now());
    try {
      const total = await this.store.incr(key, tokens, KEY_TTL_SECONDS);
      if (total <= this.dailyLimit) return { key, tokens };
      await this.store.incr(key, -tokens).catch(() => undefined);
      this.log?.warn('llm daily token budget spent', { limit: this.dailyLimit });
      return undefined;
    } catch (e) {
      this.log?.warn('llm token budget unreadable, not calling the model', { error: describeError(e) });
      return undefined;
    }
  }

  /** Replaces a reservation by what was really used (less, usually). Best effort. */
  async settle(r: Reservation, usedTokens: number): Promise<void> {
    const delta = Math.max(0, Math.round(usedTokens)) - r.tokens;
    if (delta === 0) return;
    try {
      await this.store.incr(r.key, delta);
    } catch (e) {
      this.log?.warn('llm token usage not recorded', { error: describeError(e) });
    }
  }

  /** Tokens counted today (for /healthz or an admin view). */
  async usedToday(): Promise<number> {
    return Number((await this.store.get(budgetKey(this.now()))) ?? 0);
  }
}
