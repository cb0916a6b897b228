/**
 * @module search/sharded-postings
 * Postings of a large live segment split by term hash into small shards, so an
 * isolate fetches only the shards a query's terms fall in, not the whole index: the first
 * query on a cold isolate and its memory stay small whatever the corpus. A shard is a
 * SerializedPostings (postings.ts) of its terms, decoded lazily like the bundled index.
 * The search itself stays synchronous: the caller fetches a query's shards first
 * (`missing`, `add`), then runs the engine over this view.
 */
import { fnv1a32 } from '../text/hash';
import { LazyPostings, serializePostings, type PostingLists, type SerializedPostings } from './postings';

/** Term ids of a shard view: the shard in the high part, the term within it below. */
const TERM_BITS = 2 ** 22;

/** Which shard a term's postings live in. */
export function shardOf(term: string, shards: number): number {
  return fnv1a32(term) % shards;
}

/**
 * Postings characters per shard. A question's terms fall in as many shards as it has terms (30
 * and more once expanded), and a cold isolate fetches them all before answering: 100 KB shards
 * made the first question on a 50,000-chunk corpus fetch 4.5 MB, 12 KB shards 1.05 MB (the rest
 * is the long lists of common terms: 6 KB shards still fetch 0.88 MB, for twice the keys).
 */
const SHARD_CHARS = 12_000;

/** How many shards postings of this many base64 characters are cut into (about SHARD_CHARS each). */
export function shardCount(postingChars: number): number {
  return Math.max(1, Math.min(16_384, Math.ceil(postingChars / SHARD_CHARS)));
}

/** The postings split by term hash, each shard serialised on its own. */
export function splitPostings(p: PostingLists, shards: number): SerializedPostings[] {
  const members: number[][] = Array.from({ length: shards }, () => []);
  // Terms are visited in sorted order, so every shard's terms stay sorted.
  for (let t = 0; t < p.termCount; t++) members[shardOf(p.termAt(t), shards)]!.push(t);
  return members.map((terms) => serializePostings(new Subset(p, terms)));
}

/**
 * A shard as stored: JSON of its three strings, so that each part parses into a string of its
 * own (the base64 at one byte a character). A tagged text split by newlines parsed faster, but
 * its parts were slices of one string holding the terms' marks: every shard held in memory kept
 * all of it at two bytes a character.
 */
export function encodeShard(s: SerializedPostings): string {
  return JSON.stringify({ terms: s.terms, counts: s.counts, postings: s.postings });
}

/** A stored shard back, checked by hand (a question's first asking reads dozens). */
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

/** A view of some terms of a PostingLists (sorted, as the original is). */
class Subset implements PostingLists {
  constructor(
    private readonly p: PostingLists,
    private readonly terms: number[],
  ) {}
  get termCount(): number {
    return this.terms.length;
  }
  get size(): number {
    return this.terms.reduce((n, t) => n + this.p.df(t), 0);
  }
  findTerm(): number {
    throw new Error('not searched');
  }
  termAt(t: number): string {
    return this.p.termAt(this.terms[t]!);
  }
  df(t: number): number {
    return this.p.df(this.terms[t]!);
  }
  list(t: number) {
    return this.p.list(this.terms[t]!);
  }
}

/**
 * The shards fetched so far of one segment, searched as one PostingLists. A term whose shard
 * is not here is not found: fetch a query's shards (`missing`) before searching it.
 */
export class ShardedPostings implements PostingLists {
  /** The shards held, least recently used first (a shard used again moves to the end). */
  private readonly loaded = new Map<number, { postings: LazyPostings; bytes: number }>();

  constructor(
    readonly shards: number,
    private readonly chunkCount: number,
  ) {}

  /** The shards of these terms not fetched yet; those held count as used now. */
  missing(terms: Iterable<string>): number[] {
    const out = new Set<number>();
    for (const term of terms) {
      const k = shardOf(term, this.shards);
      const have = this.loaded.get(k);
      if (have) {
        this.loaded.delete(k);
        this.loaded.set(k, have);
      } else out.add(k);
    }
    return [...out];
  }

  add(k: number, serialized: SerializedPostings): void {
    // Terms carry marks: two bytes a character; the base64 one.
    const bytes = 2 * serialized.terms.length + serialized.counts.length + serialized.postings.length;
    this.loaded.delete(k);
    this.loaded.set(k, { postings: new LazyPostings(serialized, this.chunkCount), bytes });
  }

  /** What the shards held cost in memory, roughly: their text and the lists decoded from it. */
  get heldBytes(): number {
    let n = 0;
    for (const s of this.loaded.values()) n += s.bytes + s.postings.decodedBytes;
    return n;
  }

  /** Drops the least recently used shards until at most `bytes` are held, keeping `keep`. */
  trim(bytes: number, keep: ReadonlySet<number>): void {
    let held = this.heldBytes;
    if (held <= bytes) return;
    for (const [k, s] of this.loaded) {
      if (held <= bytes) break;
      if (keep.has(k)) continue;
      this.loaded.delete(k);
      held -= s.bytes + s.postings.decodedBytes;
    }
  }

  get termCount(): number {
    let n = 0;
    for (const s of this.loaded.values()) n += s.postings.termCount;
    return n;
  }

  get size(): number {
    let n = 0;
    for (const s of this.loaded.values()) n += s.postings.size;
    return n;
  }

  findTerm(term: string): number {
    const k = shardOf(term, this.shards);
    const t = this.loaded.get(k)?.postings.findTerm(term) ?? -1;
    return t < 0 ? -1 : k * TERM_BITS + t;
  }

  termAt(t: number): string {
    return this.shard(t).termAt(t % TERM_BITS);
  }

  df(t: number): number {
    return this.shard(t).df(t % TERM_BITS);
  }

  list(t: number) {
    return this.shard(t).list(t % TERM_BITS);
  }

  private shard(t: number): LazyPostings {
    const s = this.loaded.get(Math.floor(t / TERM_BITS));
    if (!s) throw new Error('index: shard dropped while in use');
    return s.postings;
  }
}
