/**
 * @module store/redis
 * The Store on Redis or Valkey over TCP (REDIS_URL), for self-hosting on the Node entry: a
 * province that must keep its data in Vietnam runs its own Redis next to the server. Node only:
 * it opens sockets, so nothing in the Worker's import graph may import it (src/node.ts builds it).
 *
 * The client is ioredis: per-command timeouts, a switch that turns its offline queue off, a
 * reconnect strategy, TLS from a rediss:// URL, and auto-pipelining (the commands of one turn of
 * the event loop go out in one write), all in one dependency-light package.
 *
 * Failing fast is the point of its settings. A webhook must be able to answer 503 while Redis is
 * down (see the README, "Claims while the store is down"), so nothing waits for Redis to come
 * back: commands issued while the connection is down fail at once (no offline queue), commands
 * in flight when it drops fail (never resent on reconnect: a resent SET NX would find its own
 * claim taken), and each command has a deadline. The client reconnects on its own, forever, at
 * most a second apart. The Lua scripts and argument rules are the Upstash store's, so the two
 * behave the same.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnection } from '../config';
import { describeError, type Logger } from '../log';
import { assertTtl } from './checks';
import { RELEASE_IF_OURS, storeError } from './redis-protocol';
import { RedisCommandStore, type Arg } from './command-store';

export interface RedisStoreOptions extends RedisConnection {
  /** Deadline for one connection attempt (TCP, TLS, AUTH, SELECT). */
  connectTimeoutMs?: number;
  /** Deadline for one command's reply; the caller gets an error and the webhook its 503. */
  commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts. */
  maxReconnectDelayMs?: number;
  /** Where "connection lost" and "connected again" go (once per change, not per attempt). */
  log?: Pick<Logger, 'info' | 'warn'>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 1000;


export class RedisStore extends RedisCommandStore {
  readonly kind = 'redis' as const;

  private readonly redis: Redis;
  private readonly log?: Pick<Logger, 'info' | 'warn'>;
  /** Whether the last change reported was a loss, so each outage is logged once. */
  private down = false;
  private closed = false;

  constructor(opts: RedisStoreOptions) {
    super();
    this.log = opts.log;
    this.redis = new Redis(clientOptions(opts));
    this.redis.on('ready', () => {
      if (this.down) this.log?.info('redis store: connected again');
      this.down = false;
    });
    // Without a listener ioredis prints every failed attempt to the console; one line per outage is enough.
    this.redis.on('error', (error: unknown) => this.lost(error));
    this.redis.on('close', () => this.lost(new Error('connection closed')));
  }

  /**
   * Waits for the connection: true once connected, false after `timeoutMs`, or as soon as an
   * attempt fails (an error, or the server closing it) unless `untilConnected`. The Node entry
   * asks once at start-up and starts either way: /healthz and the webhooks answer 503 until Redis
   * is reachable, and the client keeps trying.
   */
  async ready(timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, opts: { untilConnected?: boolean } = {}): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        this.redis.off('error', onError);
        this.redis.off('close', onError);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onError = () => {
        if (!opts.untilConnected) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.on('ready', onReady);
      this.redis.on('error', onError);
      this.redis.on('close', onError);
    });
  }

  /** QUIT after the replies still due, then stop reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  async claim(key: string, ttlSeconds: number, value?: string): Promise<boolean> {
    assertTtl(ttlSeconds, 'set');
    // A value unique to this call, so the give-back below can never delete someone else's claim.
    const token = value ?? `claim:${randomUUID()}`;
    try {
      // Never resent (see clientOptions): a refused SET NX is someone else's claim, no read-back needed.
      return (await this.call<string | null>('SET', key, token, 'NX', 'EX', ttlSeconds)) === 'OK';
    } catch (error) {
      // The SET may have run though no reply came (its deadline passed, the connection dropped
      // after it was sent). The caller is told the claim failed and will not act, so a key it may
      // hold would make the platform's redelivery find the work "taken" and drop it: give it back
      // if it is ours. Sent on the same connection after the SET, so it runs after it; while Redis
      // is down it fails at once and the 503 is not held up.
      if (value === undefined) await this.call('EVAL', RELEASE_IF_OURS, 1, key, token).catch(() => undefined);
      throw error;
    }
  }

  /** One command; its error names the Redis reason and the command, never the values (see storeError). */
  protected async call<T = unknown>(command: string, ...args: Arg[]): Promise<T> {
    if (this.closed) throw new Error(`the Redis store is closed (${command})`);
    try {
      return (await this.redis.call(command, ...args)) as T;
    } catch (error) {
      throw storeError(error, command);
    }
  }

  private lost(error: unknown): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.log?.warn('redis store: connection lost; calls fail until it is back, reconnecting', { error: describeError(error) });
  }
}

/** The ioredis settings behind the module's promises: fail fast while down, reconnect forever. */
function clientOptions(opts: RedisStoreOptions): RedisOptions {
  const maxDelay = opts.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  return {
    host: opts.host,
    port: opts.port,
    db: opts.db,
    username: opts.username,
    password: opts.password,
    // The host name is what the certificate is checked against (and sent for SNI).
    tls: opts.tls ? { servername: isIP(opts.host) ? undefined : opts.host } : undefined,
    // RESP2: what every Redis and Valkey speaks, and the replies the Upstash store gets too.
    protocol: 2,
    maintNotifications: 'disabled',
    connectionName: 'tro-ly-cchc',
    connectTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    // Fail fast: no queue while disconnected, in-flight commands rejected when the connection drops.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxDelay),
    enableAutoPipelining: true,
  };
}
