/**
 * @module store/memory
 * The in-memory Store: the embedded default for local runs and tests. It mirrors Redis semantics
 * (types, WRONGTYPE, integer parsing, TTL rounding, empty aggregates vanishing) so code written
 * against it behaves the same on Upstash. Expiry is checked lazily on every access, and a small
 * incremental sweep on each call reclaims keys nobody reads again, so no call does unbounded work.
 * One deliberate difference from raw Redis, shared by both stores: del/setAdd/setRemove/hashDel
 * with nothing to act on, and hashSet with no fields, do nothing and return 0 instead of failing
 * on arity, so callers may spread an empty array.
 * It also exports the few argument rules and the member ordering the Upstash store shares, so the
 * two implementations cannot drift apart on them.
 *
 * Over ~350 lines on purpose: every Store method in memory, sharing one expiry and type-check path; split by data type, that path would be repeated.
 */
import type { KeyType, ScoredMember, Store } from './store';
import { assertMaxLen, assertTtl, compareBinary } from './checks';

type Value =
  | { type: 'string'; value: string }
  | { type: 'list'; items: string[] }
  | { type: 'set'; members: Set<string> }
  | { type: 'hash'; fields: Map<string, string> }
  | { type: 'zset'; zset: SortedSet };

type ValueType = Value['type'];

interface Entry {
  value: Value;
  /** Epoch milliseconds after which the key no longer exists; null when it never expires. */
  expiresAt: number | null;
}

/** Keys examined per call by the background sweep: enough to keep up, small enough to be free. */
const SWEEP_BUDGET = 8;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const ERR_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_RANGE_NOT_FLOAT = 'ERR min or max is not a float';

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;

  private readonly data = new Map<string, Entry>();
  private readonly now: () => number;
  private sweepCursor: Iterator<[string, Entry]> | null = null;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  async get(key: string): Promise<string | null> {
    const value = this.read(key, 'string');
    return value ? value.value : null;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.sweep();
    if (ttlSeconds !== undefined) assertTtl(ttlSeconds, 'set');
    // Plain SET replaces any type and drops any previous TTL, as Redis does.
    this.data.set(key, { value: { type: 'string', value }, expiresAt: this.expiryFor(ttlSeconds) });
  }

  async claim(key: string, ttlSeconds: number, value = '1'): Promise<boolean> {
    this.sweep();
    assertTtl(ttlSeconds, 'set');
    if (this.live(key)) return false;
    this.data.set(key, { value: { type: 'string', value }, expiresAt: this.expiryFor(ttlSeconds) });
    return true;
  }

  async release(key: string, value: string): Promise<boolean> {
    this.sweep();
    const entry = this.live(key);
    if (!entry || entry.value.type !== 'string' || entry.value.value !== value) return false;
    this.data.delete(key);
    return true;
  }

  async del(...keys: string[]): Promise<number> {
    this.sweep();
    let removed = 0;
    for (const key of new Set(keys)) {
      if (this.live(key)) {
        this.data.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async incr(key: string, by = 1, ttlSeconds?: number): Promise<number> {
    this.sweep();
    const increment = toInt64(by);
    if (ttlSeconds !== undefined) assertTtl(ttlSeconds, 'set');
    const entry = this.live(key);
    const current = entry ? parseInt64(stringOf(entry)) : 0n;
    const next = current + increment;
    if (next < INT64_MIN || next > INT64_MAX) throw new Error(ERR_OVERFLOW);
    if (entry) {
      // INCRBY keeps whatever TTL the key already had.
      entry.value = { type: 'string', value: next.toString() };
    } else {
      const value: Value = { type: 'string', value: next.toString() };
      this.data.set(key, { value, expiresAt: this.expiryFor(ttlSeconds) });
    }
    return Number(next);
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    this.sweep();
    if (!Number.isInteger(ttlSeconds)) throw new Error(ERR_NOT_INTEGER);
    const entry = this.live(key);
    if (!entry) return false;
    // EXPIRE with a non-positive TTL deletes the key at once.
    if (ttlSeconds <= 0) this.data.delete(key);
    else entry.expiresAt = this.now() + ttlSeconds * 1000;
    return true;
  }

  async ttl(key: string): Promise<number> {
    this.sweep();
    const entry = this.live(key);
    if (!entry) return -2;
    if (entry.expiresAt === null) return -1;
    // Redis rounds the remaining milliseconds to the nearest second.
    return Math.floor((entry.expiresAt - this.now() + 500) / 1000);
  }

  async listPush(key: string, value: string | readonly string[], opts: { maxLen: number; ttlSeconds?: number }): Promise<void> {
    this.sweep();
    assertMaxLen(opts.maxLen);
    if (opts.ttlSeconds !== undefined) assertTtl(opts.ttlSeconds, 'expire');
    const values = typeof value === 'string' ? [value] : value;
    if (values.length === 0) return;
    const entry = this.writable(key, 'list', () => ({ type: 'list', items: [] }));
    const items = entry.value.items;
    items.push(...values);
    if (items.length > opts.maxLen) items.splice(0, items.length - opts.maxLen);
    if (opts.ttlSeconds !== undefined) entry.expiresAt = this.expiryFor(opts.ttlSeconds);
  }

  async listRange(key: string, start: number, stop: number): Promise<string[]> {
    if (!Number.isInteger(start) || !Number.isInteger(stop)) throw new Error(ERR_NOT_INTEGER);
    const list = this.read(key, 'list');
    if (!list) return [];
    const [from, to] = resolveRange(list.items.length, start, stop);
    return from > to ? [] : list.items.slice(from, to + 1);
  }

  async setAdd(key: string, ...members: string[]): Promise<number> {
    this.sweep();
    if (members.length === 0) return 0;
    const set = this.writable(key, 'set', () => ({ type: 'set', members: new Set() })).value.members;
    let added = 0;
    for (const member of members) {
      if (!set.has(member)) {
        set.add(member);
        added++;
      }
    }
    return added;
  }

  async setRemove(key: string, ...members: string[]): Promise<number> {
    if (members.length === 0) return 0;
    const set = this.read(key, 'set');
    if (!set) return 0;
    let removed = 0;
    for (const member of members) if (set.members.delete(member)) removed++;
    if (set.members.size === 0) this.data.delete(key);
    return removed;
  }

  async setMembers(key: string): Promise<string[]> {
    const set = this.read(key, 'set');
    return set ? [...set.members].sort(compareBinary) : [];
  }

  async hashSet(key: string, fields: Record<string, string>): Promise<void> {
    this.sweep();
    this.setFields(key, fields);
  }

  private setFields(key: string, fields: Record<string, string>): void {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const hash = this.writable(key, 'hash', () => ({ type: 'hash', fields: new Map() })).value.fields;
    for (const [field, value] of entries) hash.set(field, value);
  }

  async hashSetMany(writes: ReadonlyArray<readonly [string, Record<string, string>]>): Promise<void> {
    this.sweep();
    // Every type is checked before anything is written: all or none, as the Redis script does.
    for (const [key] of writes) this.read(key, 'hash');
    // No await between the writes: nothing else runs in the middle.
    for (const [key, fields] of writes) this.setFields(key, fields);
  }

  async hashGet(key: string, field: string): Promise<string | null> {
    return this.read(key, 'hash')?.fields.get(field) ?? null;
  }

  async hashGetMany(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    const hash = this.read(key, 'hash');
    return fields.map((f) => hash?.fields.get(f) ?? null);
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    const hash = this.read(key, 'hash');
    // fromEntries defines own properties, so a field named "__proto__" stays a plain field.
    return hash ? Object.fromEntries(hash.fields) : {};
  }

  async hashDelIfEqual(key: string, fields: Record<string, string>): Promise<number> {
    const hash = this.read(key, 'hash');
    if (!hash) return 0;
    let removed = 0;
    for (const [field, value] of Object.entries(fields)) if (hash.fields.get(field) === value && hash.fields.delete(field)) removed++;
    if (hash.fields.size === 0) this.data.delete(key);
    return removed;
  }

  async hashDel(key: string, ...fields: string[]): Promise<number> {
    if (fields.length === 0) return 0;
    const hash = this.read(key, 'hash');
    if (!hash) return 0;
    let removed = 0;
    for (const field of fields) if (hash.fields.delete(field)) removed++;
    if (hash.fields.size === 0) this.data.delete(key);
    return removed;
  }

  async zAdd(key: string, score: number, member: string): Promise<void> {
    this.sweep();
    if (Number.isNaN(score)) throw new Error(ERR_NOT_FLOAT);
    this.writable(key, 'zset', () => ({ type: 'zset', zset: new SortedSet() })).value.zset.add(member, score);
  }

  async zRangeByScore(key: string, min: number, max: number): Promise<ScoredMember[]> {
    if (Number.isNaN(min) || Number.isNaN(max)) throw new Error(ERR_RANGE_NOT_FLOAT);
    const zset = this.read(key, 'zset');
    return zset ? zset.zset.range(min, max) : [];
  }

  async zRemRangeByScore(key: string, min: number, max: number): Promise<number> {
    if (Number.isNaN(min) || Number.isNaN(max)) throw new Error(ERR_RANGE_NOT_FLOAT);
    const zset = this.read(key, 'zset');
    if (!zset) return 0;
    const removed = zset.zset.removeRange(min, max);
    if (zset.zset.size === 0) this.data.delete(key);
    return removed;
  }

  async type(key: string): Promise<KeyType> {
    this.sweep();
    return this.live(key)?.value.type ?? 'none';
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    this.sweep();
    const keys: string[] = [];
    for (const key of [...this.data.keys()]) {
      if (key.startsWith(prefix) && this.live(key)) keys.push(key);
    }
    return keys.sort(compareBinary);
  }

  /** The entry for key when it exists and has not expired; an expired one is dropped on the way. */
  private live(key: string): Entry | undefined {
    const entry = this.data.get(key);
    if (!entry) return undefined;
    if (this.isExpired(entry)) {
      this.data.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The value of key when it holds the given type, undefined when missing; WRONGTYPE otherwise. */
  private read<T extends ValueType>(key: string, type: T): Extract<Value, { type: T }> | undefined {
    this.sweep();
    const entry = this.live(key);
    if (!entry) return undefined;
    if (entry.value.type !== type) throw new Error(ERR_WRONGTYPE);
    return entry.value as Extract<Value, { type: T }>;
  }

  /** The entry for key holding the given type, created (without expiry) when missing. */
  private writable<T extends ValueType>(
    key: string,
    type: T,
    create: () => Extract<Value, { type: T }>,
  ): Entry & { value: Extract<Value, { type: T }> } {
    const existing = this.live(key);
    if (existing && existing.value.type !== type) throw new Error(ERR_WRONGTYPE);
    const entry = existing ?? { value: create(), expiresAt: null };
    if (!existing) this.data.set(key, entry);
    return entry as Entry & { value: Extract<Value, { type: T }> };
  }

  private isExpired(entry: Entry): boolean {
    // Redis keeps a key alive through the very millisecond it expires at.
    return entry.expiresAt !== null && this.now() > entry.expiresAt;
  }

  private expiryFor(ttlSeconds: number | undefined): number | null {
    return ttlSeconds === undefined ? null : this.now() + ttlSeconds * 1000;
  }

  /**
   * Reclaims expired keys nobody reads again: a few keys per call, resuming where the last call
   * stopped, so memory stays bounded without a timer (Workers have none between requests).
   */
  private sweep(): void {
    this.sweepCursor ??= this.data.entries();
    for (let i = 0; i < SWEEP_BUDGET; i++) {
      const next = this.sweepCursor.next();
      if (next.done) {
        this.sweepCursor = null;
        return;
      }
      const [key, entry] = next.value;
      if (this.isExpired(entry)) this.data.delete(key);
    }
  }
}

/**
 * Members ordered by score, ties by member. A sorted array plus an index by member: ranges are a
 * binary search away, and series here are small enough that insertion by splice is cheap.
 */
class SortedSet {
  private readonly items: ScoredMember[] = [];
  private readonly scores = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  add(member: string, score: number): void {
    const previous = this.scores.get(member);
    if (previous === score) return;
    if (previous !== undefined) this.items.splice(this.indexOf(member, previous), 1);
    this.items.splice(this.lowerBound((item) => compareScored(item, { member, score }) < 0), 0, {
      member,
      score,
    });
    this.scores.set(member, score);
  }

  range(min: number, max: number): ScoredMember[] {
    const [from, to] = this.bounds(min, max);
    return this.items.slice(from, to).map((item) => ({ ...item }));
  }

  removeRange(min: number, max: number): number {
    const [from, to] = this.bounds(min, max);
    if (to <= from) return 0;
    for (const item of this.items.splice(from, to - from)) this.scores.delete(item.member);
    return to - from;
  }

  /** Half-open index range [from, to) of items with min <= score <= max. */
  private bounds(min: number, max: number): [number, number] {
    if (min > max) return [0, 0];
    return [this.lowerBound((item) => item.score < min), this.lowerBound((item) => item.score <= max)];
  }

  private indexOf(member: string, score: number): number {
    return this.lowerBound((item) => compareScored(item, { member, score }) < 0);
  }

  /** First index whose item fails `before` (which must hold for a prefix of the array). */
  private lowerBound(before: (item: ScoredMember) => boolean): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (before(this.items[mid]!)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function compareScored(a: ScoredMember, b: ScoredMember): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return compareBinary(a.member, b.member);
}


function stringOf(entry: Entry): string {
  if (entry.value.type !== 'string') throw new Error(ERR_WRONGTYPE);
  return entry.value.value;
}

/** Inclusive [from, to] indices for LRANGE start stop over a list of the given length. */
function resolveRange(length: number, start: number, stop: number): [number, number] {
  const from = Math.max(start < 0 ? length + start : start, 0);
  const to = Math.min(stop < 0 ? length + stop : stop, length - 1);
  return [from, to];
}

/** The integer Redis would read from a stored string (string2ll): no sign but '-', no leading zeros. */
function parseInt64(text: string): bigint {
  if (text.length > 20 || !/^(?:0|-?[1-9][0-9]*)$/.test(text)) throw new Error(ERR_NOT_INTEGER);
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) throw new Error(ERR_NOT_INTEGER);
  return value;
}

function toInt64(value: number): bigint {
  if (!Number.isInteger(value)) throw new Error(ERR_NOT_INTEGER);
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) throw new Error(ERR_NOT_INTEGER);
  return big;
}


