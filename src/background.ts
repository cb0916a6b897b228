/**
 * @module background
 * Work that continues after the HTTP response: on Workers through ExecutionContext.waitUntil,
 * on Node through a tracker that the server hands in as the same interface, so webhooks can
 * acknowledge at once everywhere and shutdown can wait for what is still running.
 */

/** The part of the Workers ExecutionContext the app uses. */
interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

export class BackgroundTracker {
  private readonly pending = new Set<Promise<unknown>>();

  /** An ExecutionContext look-alike for Node and tests. */
  readonly context: WaitUntil & { props: Record<string, never> } = {
    waitUntil: (p) => this.track(p),
    passThroughOnException: () => {},
    props: {},
  };

  track(promise: Promise<unknown>): void {
    const p = promise.catch(() => {}).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves when everything tracked so far (and started meanwhile) has settled. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

/**
 * Hands `work` to the request's waitUntil (Workers, or the Node server's tracker) so the
 * response can go at once. Without an execution context (a bare `app.request` in a test) the
 * work is finished before answering rather than dropped.
 */
export async function inBackground(c: { executionCtx: { waitUntil(p: Promise<unknown>): void } }, work: Promise<void>): Promise<void> {
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    // Hono throws when the runtime gave no execution context.
    ctx = undefined;
  }
  if (ctx) ctx.waitUntil(work);
  else await work;
}
