/**
 * @module store/command-store
 * The Store methods both Redis stores (UpstashStore over REST, RedisStore over TCP) implement
 * the same way, on one `call(command, ...args)` each of them provides: the same commands, Lua
 * scripts and argument checks, so the two behave alike by construction (the contract suite holds
 * them to the memory store). Claims differ (how a lost reply is given back) and stay in each.
 */
import { assertMaxLen, assertTtl, compareBinary } from './checks';
import type { KeyType, ScoredMember, Store } from './store';
import { escapeGlob, formatScore, HASH_DEL_IF_EQUAL, HASH_SET_MANY, INCR_WITH_TTL, LIST_PUSH, parseScore, RELEASE_IF_OURS } from './redis-protocol';

/** SCAN batch size: large enough to need few round trips, small enough to keep replies modest. */
const SCAN_COUNT = 500;

export type Arg = string | number;

export abstract class RedisCommandStore implements Store {
  abstract readonly kind: Store['kind'];

  /** One Redis command; its error names the Redis reason and the command, never its values. */
  protected abstract call<T = unknown>(command: string, ...args: Arg[]): Promise<T>;

  abstract claim(key: string, ttlSeconds: number, value?: string): Promise<boolean>;

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

  async release(key: string, value: string): Promise<boolean> {
    return (await this.call<number>('EVAL', RELEASE_IF_OURS, 1, key, value)) === 1;
  }

  async del(...keys: string[]): Promise<number> {
    // Nothing to act on is a no-op here and below (Redis would reject it for arity).
    if (keys.length === 0) return 0;
    return this.call<number>('DEL', ...keys);
  }

  async incr(key: string, by = 1, ttlSeconds?: number): Promise<number> {
    if (ttlSeconds === undefined) return this.call<number>('INCRBY', key, by);
    // Checked here so a bad argument is refused before the script could create the key.
    if (!Number.isInteger(by)) throw new Error('ERR value is not an integer or out of range');
    assertTtl(ttlSeconds, 'set');
    // Exact: a key that exists without expiry is left without one.
    return this.call<number>('EVAL', INCR_WITH_TTL, 1, key, by, ttlSeconds);
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.call<number>('EXPIRE', key, ttlSeconds)) === 1;
  }

  async type(key: string): Promise<KeyType> {
    return this.call<KeyType>('TYPE', key);
  }

  async ttl(key: string): Promise<number> {
    return this.call<number>('TTL', key);
  }

  async listPush(key: string, value: string | readonly string[], opts: { maxLen: number; ttlSeconds?: number }): Promise<void> {
    const { maxLen, ttlSeconds } = opts;
    assertMaxLen(maxLen);
    if (ttlSeconds !== undefined) assertTtl(ttlSeconds, 'expire');
    const values = typeof value === 'string' ? [value] : value;
    if (values.length === 0) return;
    // A script, not MULTI: on a key of another type RPUSH fails and nothing after it runs.
    await this.call('EVAL', LIST_PUSH, 1, key, maxLen, ttlSeconds ?? '', ...values);
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

  async hashSetMany(writes: ReadonlyArray<readonly [string, Record<string, string>]>): Promise<void> {
    const used = writes.filter(([, fields]) => Object.keys(fields).length > 0);
    if (used.length === 0) return;
    const args = used.flatMap(([, fields]) => [Object.keys(fields).length, ...Object.entries(fields).flat()]);
    await this.call('EVAL', HASH_SET_MANY, used.length, ...used.map(([key]) => key), ...args);
  }

  async hashGet(key: string, field: string): Promise<string | null> {
    return this.call<string | null>('HGET', key, field);
  }

  async hashGetMany(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    // HMGET with no field is an error in Redis: nothing asked, nothing sent.
    if (fields.length === 0) return [];
    return this.call<Array<string | null>>('HMGET', key, ...fields);
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    const flat = await this.call<string[]>('HGETALL', key);
    const entries: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i]!, flat[i + 1]!]);
    // fromEntries defines own properties, so a field named "__proto__" stays a plain field.
    return Object.fromEntries(entries);
  }

  async hashDelIfEqual(key: string, fields: Record<string, string>): Promise<number> {
    const pairs = Object.entries(fields).flat();
    if (pairs.length === 0) return 0;
    return this.call<number>('EVAL', HASH_DEL_IF_EQUAL, 1, key, ...pairs);
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
}
