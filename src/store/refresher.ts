/**
 * @module store/refresher
 * How an isolate keeps a copy of something published in the store current: `refresh()` runs
 * `load` when the last check is older than `refreshMs` (`force`: now), concurrent callers share
 * one run, and it never throws: a failure goes to `onError` and what was loaded keeps answering.
 * Live documents (search/live-index) and live records (store/live-records) both use it.
 */
export interface RefresherOptions {
  refreshMs: number;
  /** Milliseconds, for throttling (tests pass a fake clock). */
  clock?: () => number;
  onError?: (error: unknown) => void;
}

export class Refresher {
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;
  private readonly clock: () => number;

  constructor(
    private readonly load: () => Promise<void>,
    private readonly opts: RefresherOptions,
  ) {
    this.clock = opts.clock ?? (() => Date.now());
  }

  refresh(force = false): Promise<void> {
    if (!force && this.clock() - this.checkedAt < this.opts.refreshMs) return Promise.resolve();
    // A forced refresh wants what is stored now: a run that began earlier may have read before
    // the change, so it runs again after that one.
    if (force && this.pending) return this.pending.then(() => this.refresh(true));
    this.pending ??= this.load()
      .catch((e: unknown) => {
        this.opts.onError?.(e);
      })
      .finally(() => {
        this.checkedAt = this.clock();
        this.pending = undefined;
      });
    return this.pending;
  }
}
