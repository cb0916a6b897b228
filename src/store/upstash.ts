/**
 * @module store/upstash
 * The Store on Upstash Redis over its REST API, for Cloudflare Workers and Node alike. Values
 * stay raw strings.
 *
 * Round trips are what an update pays for (each is a subrequest on Workers and most of the CPU in
 * Node), so the commands issued in the same turn of the event loop go out together as one
 * /pipeline request, each keeping its own result or error; a lone command goes to / as before.
 * Multi-step writes are one Lua script each, atomic on the server and batchable like any command.
 *
 * Why not @upstash/redis (1.39), which has auto-pipelining, retries and read-your-writes: measured
 * with its own client (enableAutoPipelining over the global fetch: only its Node build takes a
 * sender of ours, and then parses every value as JSON), one Telegram update cost 5.0 / 19-20 ms CPU (p50 / p99) and 7.1 requests,
 * against 1.9-2.4 / 6.7-10.3 ms and 5.0 here (`npm run bench -- --quick --no-search`, 2 runs
 * each); under `npm run load -- --rates 100,500 --seconds 20` it acknowledged 81-186 of 500
 * updates/s at 4.6-6.3 ms CPU and 6.1 requests per update, against 329-500/s at 1.2-1.35 ms and
 * 0.5-1.3 requests here (2-core machine shared with other work, 2026-12). Its
 * pipelines wait two microtasks, not the turn, so updates woken together never share a request;
 * it splits reads from writes and leaves LRANGE, HGETALL, SMEMBERS and ZRANGE out of them.
 * Its `retry: false` still retries once. So the wire side is ours (./rest-requester, ./node-send).
 */
import { assertTtl } from './checks';
import { RestRequester, type RestReply, type RestSend } from './rest-requester';
import { RELEASE_IF_OURS, storeError } from './redis-protocol';
import { RedisCommandStore, type Arg } from './command-store';

export interface UpstashStoreOptions {
  url: string;
  token: string;
  /**
   * Retries after network failures (not after Redis errors). The client's default is 5 retries
   * with exponential backoff, about 4 s in all; tests and chaos drills pass something shorter.
   */
  retry?: false | { retries?: number; backoff?: (retryCount: number) => number };
  /** Deadline for one call including its retries, so a hung upstream cannot hang a request. */
  timeoutMs?: number;
  /** How requests go out: fetch by default; the Node entry passes its socket sender (./node-send). */
  send?: RestSend;
  /**
   * What one /pipeline request may gather. 'task' (the default): the commands issued by one task
   * and its microtasks (everything started together with Promise.all). 'event-loop-turn' (the
   * Node entry): every command issued in one turn of the event loop, so under load updates share
   * requests. Workers must keep 'task': workerd runs each request in its own context, and a
   * batch shared by two requests would resolve one request's promises from the other's fetch,
   * which workerd refuses (the continuations are cancelled).
   */
  batching?: 'task' | 'event-loop-turn';
  /** Replies as plain JSON (false, the default) or base64 (see RestRequester). */
  responseEncoding?: 'base64' | false;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Commands per pipelined request at most; more are sent in further requests. */
const MAX_BATCH = 64;


/** After the current task's microtasks: callers that start together (Promise.all) are all queued by then. */
const afterThisTask = (run: () => void): void => void Promise.resolve().then(() => undefined).then(run);
/** After the current turn of the event loop (setImmediate, as ioredis's auto-pipelining does). */
const afterThisTurn = (run: () => void): void => void setImmediate(run);

interface Queued {
  command: [string, ...string[]];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class UpstashStore extends RedisCommandStore {
  readonly kind = 'upstash' as const;

  private readonly rest: RestRequester;
  /** Commands waiting for the end of this tick, to go out in one request. */
  private queue: Queued[] = [];
  private requests = 0;
  private readonly schedule: (run: () => void) => void;

  constructor(opts: UpstashStoreOptions) {
    super();
    this.schedule = opts.batching === 'event-loop-turn' && typeof setImmediate === 'function' ? afterThisTurn : afterThisTask;
    this.rest = new RestRequester({
      url: opts.url,
      token: opts.token,
      retry: opts.retry,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      send: opts.send,
      responseEncoding: opts.responseEncoding ?? false,
    });
  }

  requestsMade(): number {
    return this.requests;
  }

  async claim(key: string, ttlSeconds: number, value?: string): Promise<boolean> {
    assertTtl(ttlSeconds, 'set');
    // The REST client sends a command again when the connection drops before its reply; a SET NX
    // that already took the key then answers "taken" and the caller would drop work nobody did.
    // Without a caller's value, a value unique to this call tells our own first attempt apart.
    const token = value ?? `claim:${crypto.randomUUID()}`;
    let reply: string | null;
    try {
      reply = await this.call<string | null>('SET', key, token, 'NX', 'EX', ttlSeconds);
    } catch (error) {
      // The SET may have run even though no reply came (a timeout, every reply lost). The caller
      // is told the claim failed and will not act, so a key it may hold would only make the
      // platform's redelivery find the work "taken" and drop it: give it back if it is ours.
      // One attempt, outside the batch: when Redis is out of reach it fails at once and the 503
      // is not held up by a second round of retries.
      if (value === undefined) {
        this.requests++;
        await this.rest.request({ body: ['EVAL', RELEASE_IF_OURS, '1', key, token] }, { once: true }).catch(() => undefined);
      }
      throw error;
    }
    if (reply === 'OK') return true;
    if (value !== undefined) return false;
    // A key of another type (WRONGTYPE on GET) was certainly not taken by this call.
    return (await this.get(key).catch(() => null)) === token;
  }

  /**
   * Queues one command for this tick's request; its errors come back without the command's
   * values. The queue goes out when the current task's microtasks are done, or with
   * 'event-loop-turn' batching at the end of the turn (see UpstashStoreOptions.batching).
   */
  protected call<T = unknown>(command: string, ...args: Arg[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ command: [command, ...args.map(String)], resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length === 1) this.schedule(() => this.flush());
    });
  }

  private flush(): void {
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i += MAX_BATCH) void this.send(queued.slice(i, i + MAX_BATCH));
  }

  private async send(batch: Queued[]): Promise<void> {
    this.requests++;
    if (batch.length === 1) {
      const [only] = batch as [Queued];
      try {
        const reply = await this.rest.request({ body: only.command });
        if (reply.error) throw new Error(reply.error);
        only.resolve(reply.result);
      } catch (error) {
        only.reject(storeError(error, only.command[0]!));
      }
      return;
    }
    let replies: RestReply[];
    try {
      // POST /pipeline, which the typed pipeline builder offers only command by command.
      replies = (await this.rest.request({ path: ['pipeline'], body: batch.map((q) => q.command) })) as unknown as RestReply[];
    } catch (error) {
      for (const q of batch) q.reject(storeError(error, q.command[0]!));
      return;
    }
    batch.forEach((q, i) => {
      const reply = replies[i];
      if (!reply) q.reject(new Error(`no reply in the pipeline (${q.command[0]})`));
      else if (reply.error !== undefined && reply.error !== null) q.reject(storeError(new Error(reply.error), q.command[0]));
      else q.resolve(reply.result);
    });
  }
}
