/**
 * @module store
 * The one interface behind which all state lives: conversation turns, idempotency claims,
 * counters, sets and time series. Values are strings; callers encode their own JSON.
 * Three implementations pass the same contract suite: in-memory (the embedded default), Upstash
 * Redis (REST) and Redis or Valkey over TCP (Node only, for self-hosting). Method names follow the
 * Redis command each maps to.
 *
 * Calls that do not depend on each other should be made together (Promise.all): the Upstash
 * store sends the commands issued in the same tick as one pipelined request, so each round trip
 * to Redis serves several of them.
 */

export interface ScoredMember {
  member: string;
  score: number;
}

export type KeyType = 'string' | 'list' | 'set' | 'hash' | 'zset' | 'none';

export interface Store {
  /** Which implementation this is, for /healthz. */
  readonly kind: 'memory' | 'upstash' | 'redis';

  get(key: string): Promise<string | null>;
  /** SET key value [EX ttlSeconds]. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /**
   * SET key value NX EX ttlSeconds: true when this caller took the claim, false when it
   * was already held. The only safe way to de-duplicate (never read-then-write). Without a
   * value, the claim also survives a client retry whose first attempt already took the key.
   */
  claim(key: string, ttlSeconds: number, value?: string): Promise<boolean>;
  /**
   * Deletes a claim only while it still holds `value` (the holder's token), atomically: a holder
   * whose claim expired never frees the claim another caller took since. True when it was deleted.
   */
  release(key: string, value: string): Promise<boolean>;
  /** DEL: how many keys existed. */
  del(...keys: string[]): Promise<number>;
  /** INCRBY; when ttlSeconds is given and the key is new, it expires after that. */
  incr(key: string, by?: number, ttlSeconds?: number): Promise<number>;
  /** EXPIRE; false when the key does not exist. */
  expire(key: string, ttlSeconds: number): Promise<boolean>;
  /** TTL in seconds: -1 no expiry, -2 no key. */
  ttl(key: string): Promise<number>;

  /**
   * RPUSH value(s) then LTRIM to the last maxLen items, then EXPIRE, atomically. Several values
   * go in one call (in order), so a turn pair costs one round trip; none is a no-op.
   */
  listPush(key: string, value: string | readonly string[], opts: { maxLen: number; ttlSeconds?: number }): Promise<void>;
  /** LRANGE start stop (inclusive, negatives count from the end). */
  listRange(key: string, start: number, stop: number): Promise<string[]>;

  /** SADD: how many were new. */
  setAdd(key: string, ...members: string[]): Promise<number>;
  /** SREM: how many were removed. */
  setRemove(key: string, ...members: string[]): Promise<number>;
  /** SMEMBERS, sorted for stable output. */
  setMembers(key: string): Promise<string[]>;

  /** HSET key field value. */
  hashSet(key: string, fields: Record<string, string>): Promise<void>;
  /**
   * HSET on several hashes in one atomic step: every hash gets its fields, or (a key of another
   * type, a failure) none does. A manifest and its compact view switch together this way.
   */
  hashSetMany(writes: ReadonlyArray<readonly [key: string, fields: Record<string, string>]>): Promise<void>;
  /** HGET key field (null when the key or the field is missing). */
  hashGet(key: string, field: string): Promise<string | null>;
  /** HMGET key field…: each field's value in order, null where the key or the field is missing. */
  hashGetMany(key: string, fields: readonly string[]): Promise<Array<string | null>>;
  /** HGETALL ({} when missing). */
  hashGetAll(key: string): Promise<Record<string, string>>;
  /**
   * HDEL of each field only while it still holds the value given, atomically: what was folded
   * into a snapshot is removed, a value written since is kept. How many fields were removed.
   */
  hashDelIfEqual(key: string, fields: Record<string, string>): Promise<number>;
  /** HDEL: how many fields were removed. */
  hashDel(key: string, ...fields: string[]): Promise<number>;

  /** ZADD key score member (member updated in place when present). */
  zAdd(key: string, score: number, member: string): Promise<void>;
  /** ZRANGEBYSCORE key min max WITHSCORES, ascending by score then member. */
  zRangeByScore(key: string, min: number, max: number): Promise<ScoredMember[]>;
  /** ZREMRANGEBYSCORE: how many were removed. */
  zRemRangeByScore(key: string, min: number, max: number): Promise<number>;

  /** TYPE: what a key holds ('none' when missing), for export. */
  type(key: string): Promise<KeyType>;

  /** SCAN MATCH prefix*: every key that starts with prefix (for deleting a user's data). */
  keysWithPrefix(prefix: string): Promise<string[]>;

  /**
   * HTTP requests made so far, for a store that makes them (Upstash): what a Workers subrequest
   * budget counts. Calls made together share a request, so this can be far below the calls.
   */
  requestsMade?(): number;
}
