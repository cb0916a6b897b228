/**
 * @module store/redis-protocol
 * What the two Redis stores (Upstash over REST, RedisStore over TCP) share: the Lua scripts that
 * make multi-step writes atomic, how scores and SCAN prefixes are written, and errors that name
 * the command but never its values.
 */

/** INCRBY that gives a new key its TTL (SET NX EX first); an existing key keeps its own. */
export const INCR_WITH_TTL = "redis.call('SET', KEYS[1], '0', 'NX', 'EX', ARGV[2]) return redis.call('INCRBY', KEYS[1], ARGV[1])";
/** DEL the key only while it still holds this value (a claim given back by the call that took it). */
export const RELEASE_IF_OURS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/** RPUSH the values (ARGV[3..]), keep the last ARGV[1], then EXPIRE ARGV[2] unless it is empty. */
export const LIST_PUSH =
  "redis.call('RPUSH', KEYS[1], unpack(ARGV, 3)) redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1) " +
  "if ARGV[2] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[2]) end return 1";

/**
 * HSET on every key of KEYS, all or none: the types are checked before anything is written (a
 * script is not rolled back). ARGV holds, for each key in turn, its field count then its
 * field/value pairs; HSET takes them a thousand pairs at a time (Lua's unpack has a stack limit).
 */
export const HASH_SET_MANY =
  "for _, k in ipairs(KEYS) do local t = redis.call('TYPE', k).ok " +
  "if t ~= 'hash' and t ~= 'none' then return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value') end end " +
  "local a = 1 for _, k in ipairs(KEYS) do local n = tonumber(ARGV[a]) local last = a + 2 * n " +
  "for j = a + 1, last, 2000 do redis.call('HSET', k, unpack(ARGV, j, math.min(j + 1999, last))) end a = last + 1 end return 1";

/** HDEL each field of ARGV's field/value pairs whose value is still the one given; how many went. */
export const HASH_DEL_IF_EQUAL =
  "local n = 0 for i = 1, #ARGV, 2 do if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then n = n + redis.call('HDEL', KEYS[1], ARGV[i]) end end return n";

/**
 * A store error names the Redis reason and the command, never the command's values (user
 * messages, up to 100 KB, would land in logs): anything after ", command was: " is dropped.
 */
export function storeError(error: unknown, command: string): Error {
  if (!(error instanceof Error)) return new Error(`${command} failed: ${String(error)}`);
  const cut = error.message.indexOf(', command was: ');
  const clean = new Error(`${cut < 0 ? error.message : error.message.slice(0, cut)} (${command})`);
  clean.name = error.name;
  return clean;
}

/** Scores as Redis reads them: JSON has no Infinity, and Redis spells it "+inf"/"-inf". */
export function formatScore(score: number): string {
  if (score === Infinity) return '+inf';
  if (score === -Infinity) return '-inf';
  return String(score);
}

export function parseScore(text: string): number {
  if (text === 'inf' || text === '+inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** Escapes the characters SCAN MATCH treats as glob syntax, so a prefix matches literally. */
export function escapeGlob(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&');
}
