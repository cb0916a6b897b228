/**
 * @module store/upstash
 * The Store on Upstash Redis over its REST API, for Cloudflare Workers and Node alike. It imports
 * the client's Cloudflare build, which uses only fetch/atob/TextDecoder (no Node APIs and no
 * `cache` request option that older Workers reject). Values stay raw strings
 * (automaticDeserialization off); multi-step writes go in one MULTI/EXEC so they stay atomic.
 */
import { Redis } from '@upstash/redis/cloudflare';
import { assertMaxLen, assertTtl, compareBinary } from './memory';
import type { ScoredMember, Store } from './store';

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
}

/** SCAN batch size: large enough to need few round trips, small enough to keep replies modest. */
const SCAN_COUNT = 500;
const DEFAULT_TIMEOUT_MS = 10_000;

type Arg = string | number;

export class UpstashStore implements Store {
  readonly kind = 'upstash' as const;

  private readonly redis: Redis;

  constructor(opts: UpstashStoreOptions) {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.redis = new Redis({
      url: opts.url,
      token: opts.token,
      automaticDeserialization: false,
      // One HTTP request per call keeps errors per call and requests easy to reason about.
      enableAutoPipelining: false,
      enableTelemetry: false,
      ...(opts.retry !== undefined ? { retry: opts.retry } : {}),
      // A function, so every call gets a fresh deadline; the client rethrows the abort as an error.
      signal: () => AbortSignal.timeout(timeoutMs),
    });
  }

  async get(key: string): Promise<string | null> {
    return this.call<string | null>('GET', key);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) {
      await this.call('SET', key, value);
      return;
    }
    assertTtl(ttlSeconds, 'set');
    await this.call('SET', key, value, 'EX', ttlSeconds);
  }

  async claim(key: string, ttlSeconds: number, value?: string): Promise<boolean> {
    assertTtl(ttlSeconds, 'set');
    // The REST client sends a command again when the connection drops before its reply; a SET NX
    // that already took the key then answers "taken" and the caller would drop work nobody did.
    // Without a caller's value, a value unique to this call tells our own first attempt apart.
    const token = value ?? `claim:${crypto.randomUUID()}`;
    if ((await this.call<string | null>('SET', key, token, 'NX', 'EX', ttlSeconds)) === 'OK') return true;
    if (value !== undefined) return false;
    // A key of another type (WRONGTYPE on GET) was certainly not taken by this call.
    return (await this.get(key).catch(() => null)) === token;
  }

  async del(...keys: string[]): Promise<number> {
    // Nothing to act on is a no-op here and below (Redis would reject it for arity).
    if (keys.length === 0) return 0;
    return this.call<number>('DEL', ...keys);
  }

  async incr(key: string, by = 1, ttlSeconds?: number): Promise<number> {
    if (ttlSeconds === undefined) return this.call<number>('INCRBY', key, by);
    // Checked here because inside the transaction a bad argument would fail only after SET NX
    // had already created the key.
    if (!Number.isInteger(by)) throw new Error('ERR value is not an integer or out of range');
    assertTtl(ttlSeconds, 'set');
    // SET NX EX creates the key with its TTL only when it is new; INCRBY keeps an existing TTL.
    // Atomic in MULTI, and exact: a key that exists without expiry is left without one.
    const [, count] = await this.transaction('incr', (tx) =>
      tx.set(key, '0', { nx: true, ex: ttlSeconds }).incrby(key, by),
    );
    return count as number;
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.call<number>('EXPIRE', key, ttlSeconds)) === 1;
  }

  async ttl(key: string): Promise<number> {
    return this.call<number>('TTL', key);
  }

  async listPush(key: string, value: string, opts: { maxLen: number; ttlSeconds?: number }): Promise<void> {
    const { maxLen, ttlSeconds } = opts;
    assertMaxLen(maxLen);
    if (ttlSeconds !== undefined) assertTtl(ttlSeconds, 'expire');
    // MULTI/EXEC runs every queued command even when one fails: on a key of another type RPUSH
    // and LTRIM fail with WRONGTYPE (the call rejects) but EXPIRE still applies to that key.
    // Only a key-naming bug gets there; a Lua script would avoid it at the cost of EVAL per push.
    await this.transaction('listPush', (tx) => {
      const trimmed = tx.rpush(key, value).ltrim(key, -maxLen, -1);
      return ttlSeconds === undefined ? trimmed : trimmed.expire(key, ttlSeconds);
    });
  }

  async listRange(key: string, start: number, stop: number): Promise<string[]> {
    return this.call<string[]>('LRANGE', key, start, stop);
  }

  async setAdd(key: string, ...members: string[]): Promise<number> {
    if (members.length === 0) return 0;
    return this.call<number>('SADD', key, ...members);
  }

  async setRemove(key: string, ...members: string[]): Promise<number> {
    if (members.length === 0) return 0;
    return this.call<number>('SREM', key, ...members);
  }

  async setMembers(key: string): Promise<string[]> {
    return (await this.call<string[]>('SMEMBERS', key)).sort(compareBinary);
  }

  async hashSet(key: string, fields: Record<string, string>): Promise<void> {
    const pairs = Object.entries(fields).flat();
    if (pairs.length === 0) return;
    await this.call('HSET', key, ...pairs);
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    const flat = await this.call<string[]>('HGETALL', key);
    const entries: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i]!, flat[i + 1]!]);
    // fromEntries defines own properties, so a field named "__proto__" stays a plain field.
    return Object.fromEntries(entries);
  }

  async hashDel(key: string, ...fields: string[]): Promise<number> {
    if (fields.length === 0) return 0;
    return this.call<number>('HDEL', key, ...fields);
  }

  async zAdd(key: string, score: number, member: string): Promise<void> {
    await this.call('ZADD', key, formatScore(score), member);
  }

  async zRangeByScore(key: string, min: number, max: number): Promise<ScoredMember[]> {
    const flat = await this.call<string[]>(
      'ZRANGEBYSCORE', key, formatScore(min), formatScore(max), 'WITHSCORES',
    );
    const members: ScoredMember[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      members.push({ member: flat[i]!, score: parseScore(flat[i + 1]!) });
    }
    return members; // Redis already orders by score, then member bytes.
  }

  async zRemRangeByScore(key: string, min: number, max: number): Promise<number> {
    return this.call<number>('ZREMRANGEBYSCORE', key, formatScore(min), formatScore(max));
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const pattern = `${escapeGlob(prefix)}*`;
    const keys = new Set<string>(); // SCAN may return a key more than once
    let cursor = '0';
    do {
      const [next, batch] = await this.call<[string, string[]]>(
        'SCAN', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT,
      );
      for (const key of batch) keys.add(key);
      cursor = String(next);
    } while (cursor !== '0');
    return [...keys].sort(compareBinary);
  }

  /** One command as one REST call; its errors come back without the command's values. */
  private async call<T = unknown>(command: string, ...args: Arg[]): Promise<T> {
    try {
      return await this.redis.exec<T>([command, ...args.map(String)]);
    } catch (error) {
      throw storeError(error, command);
    }
  }

  /** Commands queued by `build`, sent as one MULTI/EXEC request. */
  private async transaction(
    name: string,
    build: (tx: ReturnType<Redis['multi']>) => ReturnType<Redis['multi']>,
  ): Promise<unknown[]> {
    try {
      return await build(this.redis.multi()).exec();
    } catch (error) {
      throw storeError(error, name);
    }
  }
}

/**
 * The client appends ", command was: [...]" to Redis errors, which would copy stored values
 * (user messages, up to 100 KB) into logs. Keep the Redis reason and the command name only.
 */
function storeError(error: unknown, command: string): Error {
  if (!(error instanceof Error)) return new Error(`${command} failed: ${String(error)}`);
  const cut = error.message.indexOf(', command was: ');
  if (cut < 0) return error;
  const clean = new Error(`${error.message.slice(0, cut)} (${command})`);
  clean.name = error.name;
  return clean;
}

/** Scores as Redis reads them: JSON has no Infinity, and Redis spells it "+inf"/"-inf". */
function formatScore(score: number): string {
  if (score === Infinity) return '+inf';
  if (score === -Infinity) return '-inf';
  return String(score);
}

function parseScore(text: string): number {
  if (text === 'inf' || text === '+inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** Escapes the characters SCAN MATCH treats as glob syntax, so a prefix matches literally. */
export function escapeGlob(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&');
}
