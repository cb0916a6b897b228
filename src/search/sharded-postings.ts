/**
 * @module search/sharded-postings
 * Postings of a large live segment split by term hash into shards, each stored as a hash with a
 * field per term (its count and run), so an isolate fetches only its questions' own terms, one
 * HMGET a shard they fall in, not the whole index: the first query on a cold isolate and its
 * memory stay small whatever the corpus. Segments stored before term lists hold each shard as
 * one string (a SerializedPostings, format 2), still read. The search itself stays synchronous:
 * the caller fetches a query's terms first (`missing`, `addTerm`), then runs the engine over
 * this view.
 */
import { fnv1a32 } from '../text/hash';
import { decodeRun, LazyPostings, type PostingList, type PostingLists, type SerializedPostings } from './postings';

/** Which shard a term's postings live in. */
export function shardOf(term: string, shards: number): number {
  return fnv1a32(term) % shards;
}

/**
 * Postings characters per shard. Only the terms asked are read from a shard, so its size sets how
 * many keys a segment has and how large one write of it is (a bulk publish writes 32 shards a
 * request), not what a question fetches. When whole shards were read, 12 KB kept the first
 * question on a 50,000-chunk corpus at 1.05 MB (100 KB shards: 4.5 MB).
 */
const SHARD_CHARS = 12_000;

/** How many shards postings of this many base64 characters are cut into (about SHARD_CHARS each). */
export function shardCount(postingChars: number): number {
  return Math.max(1, Math.min(16_384, Math.ceil(postingChars / SHARD_CHARS)));
}

/** A format 2 shard back, checked by hand. */
export function decodeShard(raw: string): SerializedPostings {
  let v: Partial<Record<keyof SerializedPostings, unknown>> | null;
  try {
    v = JSON.parse(raw) as typeof v;
  } catch {
    throw new Error('index: a shard cannot be read');
  }
  if (typeof v !== 'object' || v === null || typeof v.terms !== 'string' || typeof v.counts !== 'string' || typeof v.postings !== 'string') throw new Error('index: a shard cannot be read');
  return { terms: v.terms, counts: v.counts, postings: v.postings };
}

/**
 * A term's postings as a sharded segment stores them, one hash field per term: its posting count,
 * ":", its run of base64 as the whole index stores it (search/postings).
 */
export function encodeTermList(count: number, run: string): string {
  return `${count}:${run}`;
}

/** A stored term list back, decoded; throws on anything malformed. */
export function decodeTermList(value: string, chunkCount: number): PostingList {
  const colon = value.indexOf(':');
  const count = colon > 0 && colon <= 9 ? Number(value.slice(0, colon)) : NaN;
  // At least one posting, and a run of whole quads holding a varint and an impact each.
  if (!Number.isInteger(count) || count < 1 || (value.length - colon - 1) % 4 !== 0 || value.length - colon - 1 < (count * 8) / 3) throw new Error('index: a stored term list cannot be read');
  return decodeRun(value, colon + 1, value.length, count, chunkCount);
}

/**
 * The stored lists of these terms in one shard: each term's value, null where the shard does not
 * hold it. What reads a segment stored as whole shards (format 2) term by term.
 */
export function termListsOf(serialized: SerializedPostings, chunkCount: number, terms: readonly string[]): Array<[string, string | null]> {
  const shard = new LazyPostings(serialized, chunkCount);
  return terms.map((term) => {
    const t = shard.findTerm(term);
    return [term, t < 0 ? null : encodeTermList(shard.df(t), shard.run(t))];
  });
}

/** Each shard's terms with their stored lists, for a segment stored term by term (a hash per shard). */
export function shardTermLists(p: LazyPostings, shards: number): Array<Map<string, string>> {
  const out = Array.from({ length: shards }, () => new Map<string, string>());
  for (let t = 0; t < p.termCount; t++) {
    const term = p.termAt(t);
    out[shardOf(term, shards)]!.set(term, encodeTermList(p.df(t), p.run(t)));
  }
  return out;
}

/**
 * Bytes of a term held: its text at two bytes a character, its chunks (4 bytes) and impacts
 * (1 byte), and the objects around them, measured with 60,000 terms of a 50,000-chunk segment
 * (heap and array buffers after collection: 314 bytes a term besides its text and numbers; the
 * 96 counted before let the real memory reach 2.4 times the count). A term known to be absent:
 * its text and its entry (71 bytes measured).
 */
function termBytes(term: string, df: number): number {
  return 2 * term.length + 5 * df + 320;
}
function absentBytes(term: string): number {
  return 2 * term.length + 72;
}

/**
 * The terms of one segment fetched so far, searched as one PostingLists: each term's list,
 * decoded, and the terms found to be in no shard, least recently used let go first. A query's
 * terms not held (`missing`) are fetched, term by term, before it is searched; a term not
 * fetched is not found.
 *
 * Recency is a list linked through typed arrays by slot, not the order of a Map: moving a term
 * used again to the back of a Map (delete, set) left a hole each time, so V8 rebuilt the whole
 * table (tens of thousands of terms) in whichever question filled it with holes, and the moves
 * were 4.5 KB of garbage a question asked again (measured with V8's sampling heap profiler).
 */
export class ShardedPostings implements PostingLists {
  /** Each term held, known absent too, by its slot. */
  private readonly slots = new Map<string, number>();
  /** By slot: its term, and its list (null: in no shard; undefined: the slot is free). */
  private readonly terms: Array<string | undefined> = [];
  private readonly lists: Array<PostingList | null | undefined> = [];
  /** By slot, the neighbours in recency order (-1: none); `oldest` is let go first. */
  private prev = new Int32Array(1024);
  private next = new Int32Array(1024);
  private oldest = -1;
  private newest = -1;
  /** Slots let go, given again (a query's ids are taken after trim). */
  private readonly free: number[] = [];
  private termsHeld = 0;
  private bytes = 0;
  private postingCount = 0;

  constructor(
    readonly shards: number,
    private readonly chunkCount: number,
  ) {}

  /** The terms not held, by the shard they are stored in; the terms held count as used now. */
  missing(terms: Iterable<string>): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const term of terms) {
      const slot = this.slots.get(term);
      if (slot !== undefined) {
        this.unlink(slot);
        this.append(slot);
        continue;
      }
      const k = shardOf(term, this.shards);
      const list = out.get(k);
      if (!list) out.set(k, [term]);
      else if (!list.includes(term)) list.push(term);
    }
    return out;
  }

  /** A term fetched: its stored list (decoded here), or null when the segment does not hold it. */
  addTerm(term: string, value: string | null): void {
    // Held already (fetched twice in one query): kept as it is.
    if (this.slots.has(term)) return;
    const list = value === null ? null : decodeTermList(value, this.chunkCount);
    const slot = this.free.pop() ?? this.terms.length;
    if (slot >= this.prev.length) {
      this.prev = grow(this.prev);
      this.next = grow(this.next);
    }
    this.slots.set(term, slot);
    this.terms[slot] = term;
    this.lists[slot] = list;
    this.append(slot);
    if (list === null) {
      this.bytes += absentBytes(term);
      return;
    }
    this.termsHeld++;
    this.bytes += termBytes(term, list.chunks.length);
    this.postingCount += list.chunks.length;
  }

  /** What the terms held cost in memory, roughly (see termBytes). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Lets the least recently used terms go until at most `bytes` are held, keeping `keep`. */
  trim(bytes: number, keep: Iterable<string>): void {
    if (this.bytes <= bytes) return;
    const kept = new Set(keep);
    for (let slot = this.oldest; slot >= 0 && this.bytes > bytes; ) {
      const after = this.next[slot]!;
      if (!kept.has(this.terms[slot]!)) this.forget(slot);
      slot = after;
    }
  }

  private forget(slot: number): void {
    const term = this.terms[slot]!;
    const list = this.lists[slot];
    this.unlink(slot);
    this.slots.delete(term);
    this.terms[slot] = undefined;
    this.lists[slot] = undefined;
    this.free.push(slot);
    if (!list) {
      this.bytes -= absentBytes(term);
      return;
    }
    this.termsHeld--;
    this.bytes -= termBytes(term, list.chunks.length);
    this.postingCount -= list.chunks.length;
  }

  private unlink(slot: number): void {
    const before = this.prev[slot]!;
    const after = this.next[slot]!;
    if (before >= 0) this.next[before] = after;
    else this.oldest = after;
    if (after >= 0) this.prev[after] = before;
    else this.newest = before;
  }

  private append(slot: number): void {
    this.prev[slot] = this.newest;
    this.next[slot] = -1;
    if (this.newest >= 0) this.next[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  get termCount(): number {
    return this.termsHeld;
  }

  get size(): number {
    return this.postingCount;
  }

  findTerm(term: string): number {
    const slot = this.slots.get(term);
    return slot !== undefined && this.lists[slot] ? slot : -1;
  }

  termAt(t: number): string {
    this.list(t);
    return this.terms[t]!;
  }

  df(t: number): number {
    return this.list(t).chunks.length;
  }

  list(t: number): PostingList {
    const list = this.lists[t];
    if (!list) throw new Error('index: term dropped while in use');
    return list;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * a.length);
  bigger.set(a);
  return bigger;
}
