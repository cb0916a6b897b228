/**
 * @module llm/client
 * The OpenAI SDK set up the way this project needs on Node and on Workers (any OpenAI-
 * compatible base URL, a fetch passed through unbound, the SDK's own retries off), and the
 * failure policy around it: every error becomes an LlmFailure with a kind the assistant can
 * act on, one deadline covers a whole answer (stream included), and at most one retry is made,
 * only for failures a retry can fix, honouring retry-after when it is short.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

interface ClientSettings {
  apiKey: string;
  /** An OpenAI-compatible server; OpenAI itself when absent. */
  baseUrl?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function createOpenAIClient(s: ClientSettings): OpenAI {
  const f = s.fetch ?? globalThis.fetch;
  return new OpenAI({
    apiKey: s.apiKey,
    baseURL: s.baseUrl ?? null,
    timeout: s.timeoutMs,
    // Retries are ours (withOneRetry): one at most, never a long retry-after sleep. The SDK's own
    // (maxRetries) sleeps whatever retry-after says, and its sleep does not hear the abort signal:
    // with maxRetries 1, a 429 with retry-after 8 held a call with a 2 s deadline for 8.06 s
    // (openai 6.49, loopback server); withOneRetry answers without the model at once.
    maxRetries: 0,
    // Workers' fetch throws "Illegal invocation" when called with another `this`.
    fetch: (input, init) => f(input, init),
  });
}

export type FailureKind =
  /** No answer within the deadline. */
  | 'timeout'
  /** 429 from the server (rate or quota). */
  | 'rate-limited'
  /** 5xx from the server. */
  | 'server-error'
  /** Could not reach the server. */
  | 'connection'
  /** 4xx other than 429: our request or our key was refused. */
  | 'rejected'
  /** A reply that is not the JSON we asked for, or a cut stream. */
  | 'malformed'
  /** The daily token budget is spent (or unreadable): fail closed. */
  | 'budget';

export class LlmFailure extends Error {
  override name = 'LlmFailure';
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** From retry-after / retry-after-ms, when the server said. */
    readonly retryAfterMs?: number,
    /** A 400/422 about tools or structured output: the server lacks the feature, not the request. */
    readonly unsupportedFeature = false,
  ) {
    super(message);
  }
}

/** Whether a second attempt could succeed. */
function isRetryable(f: LlmFailure): boolean {
  return f.kind === 'rate-limited' || f.kind === 'server-error' || f.kind === 'connection';
}

/** Any error from the SDK (or our deadline) as an LlmFailure; messages carry no request data. */
export function toFailure(e: unknown, deadline?: Deadline): LlmFailure {
  if (e instanceof LlmFailure) return e;
  if (deadline?.expired || e instanceof APIConnectionTimeoutError) return new LlmFailure('timeout', 'model did not answer in time');
  if (e instanceof APIUserAbortError) return new LlmFailure('timeout', 'model call aborted');
  if (e instanceof APIConnectionError) return new LlmFailure('connection', 'model server unreachable');
  if (e instanceof APIError) {
    const status = e.status ?? 0;
    const code = typeof e.code === 'string' ? ` (${e.code})` : '';
    const now = deadline ? deadline.now() : Date.now();
    if (status === 429) return new LlmFailure('rate-limited', `model server said 429${code}`, retryAfterMs(e.headers, now));
    if (status >= 500) return new LlmFailure('server-error', `model server said ${status}`, retryAfterMs(e.headers, now));
    if (status >= 400) return new LlmFailure('rejected', `model server said ${status}${code}`, undefined, isUnsupportedFeature(e));
    // A stream that broke off arrives as an APIError without a status.
    return new LlmFailure('malformed', 'model stream broke off');
  }
  if (e instanceof SyntaxError) return new LlmFailure('malformed', 'model reply is not JSON');
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) return new LlmFailure('timeout', 'model call aborted');
  return new LlmFailure('connection', e instanceof Error ? `${e.name}` : 'model call failed');
}

/**
 * Compatible servers that lack tool calling or JSON-schema output (a vLLM started without
 * --enable-auto-tool-choice, an older Ollama) refuse such requests with a 400 naming the feature.
 */
function isUnsupportedFeature(e: APIError): boolean {
  if (e.status !== 400 && e.status !== 422) return false;
  const param = typeof e.param === 'string' ? e.param : '';
  return /^(tools|tool_choice|response_format)/.test(param) || /tool|response_format|json_schema|structured output|guided/i.test(e.message);
}

function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && headers?.has('retry-after-ms')) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Calls `fn` after `ms` and returns what cancels it. Injected, like sleep, so tests fake time. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

export const realSetTimer: SetTimer = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** What a deadline runs on: the runtime's clock (epoch ms) and a timer. */
export interface DeadlineClock {
  now: () => number;
  setTimer: SetTimer;
}

/** One clock for a whole answer: its signal aborts the call in flight when time is up. */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly cancel: () => void;
  private readonly endsAt: number;
  expired = false;

  constructor(
    ms: number,
    private readonly clock: DeadlineClock,
  ) {
    this.endsAt = clock.now() + ms;
    this.cancel = clock.setTimer(() => {
      this.expired = true;
      this.controller.abort();
    }, ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  now(): number {
    return this.clock.now();
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now());
  }

  dispose(): void {
    this.cancel();
  }
}

export interface RetryPolicy {
  /** Longest retry-after we are willing to wait; beyond it we answer without the model. */
  maxWaitMs: number;
  /** Wait when the server did not say how long (5xx, connection). */
  defaultWaitMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt`; on a retryable failure waits (retry-after when given and short enough) and
 * runs it once more, unless `mayRetry` says no (output already shown) or the deadline is too
 * close. Always rejects with an LlmFailure.
 */
export async function withOneRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  deadline: Deadline,
  mayRetry: () => boolean = () => true,
): Promise<T> {
  try {
    return await attempt();
  } catch (e) {
    const failure = toFailure(e, deadline);
    if (!isRetryable(failure) || !mayRetry()) throw failure;
    const wait = failure.retryAfterMs ?? policy.defaultWaitMs;
    if (wait > policy.maxWaitMs || wait >= deadline.remainingMs()) throw failure;
    await policy.sleep(wait);
    try {
      return await attempt();
    } catch (e2) {
      throw toFailure(e2, deadline);
    }
  }
}
