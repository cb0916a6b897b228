/**
 * @module search/postings
 * The inverted index: a sorted term list and, per term, the chunks it occurs in with a
 * one-byte impact (the BM25F term weight, already saturated). Built at ingest and serialised
 * as one base64 run per term, each run aligned to whole base64 quads; an isolate that loads
 * the index only reads the small per-term tables and decodes a term's run the first time a
 * query needs it. So start-up cost does not grow with the size of the postings.
 */
import { ByteWriter, readAllVarints } from './codec';
import { fromBase64, SEXTETS, toBase64 } from '../text/base64';

/** One term's postings: chunk numbers ascending, with their impacts (1..255). */
export interface PostingList {
  chunks: Uint32Array;
  impacts: Uint8Array;
  /** The largest impact, 0 if any impact is 0 (never written): what dynamic pruning bounds a list by. */
  top: number;
}

/** The largest of these impacts, 0 if one is 0. */
function topImpact(impacts: Uint8Array): number {
  let top = 0;
  let least = 255;
  for (let i = 0; i < impacts.length; i++) {
    const v = impacts[i]!;
    if (v > top) top = v;
    if (v < least) least = v;
  }
  return least === 0 ? 0 : top;
}

/**
 * A term's run decoded in one pass straight from the base64 text (`text` from `start` to `end`,
 * whole quads): sextets to bytes, bytes to gap varints and then impacts, without slicing the run
 * out or an intermediate byte array (a question's first asking on a warm isolate spent most of
 * its time decoding lists). Throws on a corrupt run.
 */
export function decodeRun(text: string, start: number, end: number, count: number, chunkCount: number): PostingList {
  // One buffer for both: each buffer outside the heap costs a few hundred bytes of its own, as much
  // as the numbers of a typical list (measured: about 460 bytes a list held, besides its numbers).
  const buffer = new ArrayBuffer(5 * count);
  const chunks = new Uint32Array(buffer, 0, count);
  const impacts = new Uint8Array(buffer, 4 * count, count);
  let k = 0;
  let m = 0;
  let value = 0;
  let shift = 1;
  let prev = 0;
  for (let p = start; p < end; p += 4) {
    const c0 = text.charCodeAt(p);
    const c1 = text.charCodeAt(p + 1);
    const c2 = text.charCodeAt(p + 2);
    const c3 = text.charCodeAt(p + 3);
    const d0 = SEXTETS[c0 & 127]!;
    const d1 = SEXTETS[c1 & 127]!;
    const d2 = SEXTETS[c2 & 127]!;
    const d3 = SEXTETS[c3 & 127]!;
    // A character past ASCII, or one outside the alphabet (-1): the run is corrupt.
    if (((c0 | c1 | c2 | c3) & ~127) !== 0 || (d0 | d1 | d2 | d3) < 0) throw new Error('index: invalid base64 in the postings');
    const n = (d0 << 18) | (d1 << 12) | (d2 << 6) | d3;
    for (let j = 16; j >= 0; j -= 8) {
      const b = (n >> j) & 255;
      if (k < count) {
        value += (b & 0x7f) * shift;
        if (b & 0x80) {
          shift *= 128;
          continue;
        }
        prev += value;
        if (prev >= chunkCount) throw new Error('index: posting points past the last chunk');
        chunks[k++] = prev;
        value = 0;
        shift = 1;
      } else if (m < count) impacts[m++] = b;
      // Past the impacts: the run's zero padding.
    }
  }
  if (k < count || m < count) throw new Error('index: truncated postings');
  return { chunks, impacts, top: topImpact(impacts) };
}

export interface PostingLists {
  readonly termCount: number;
  /** Total number of postings. */
  readonly size: number;
  /** Index of a term, or -1. */
  findTerm(term: string): number;
  termAt(t: number): string;
  /** Number of chunks the term occurs in. */
  df(t: number): number;
  list(t: number): PostingList;
}

/** The serialised form stored in src/generated/knowledge.json. */
export interface SerializedPostings {
  /** Terms sorted by UTF-16 code units, joined by "\n" (terms never contain a newline). */
  terms: string;
  /** base64 of three varints per term: its length, its posting count, its run length in 3-byte groups. */
  counts: string;
  /**
   * base64 of the runs, term after term. A run is the chunk numbers as gap varints followed
   * by the impact bytes, zero-padded to a multiple of 3 bytes so it starts on a base64 quad.
   */
  postings: string;
}

/** Postings held as arrays (after a build, or for tests). */
class ArrayPostings implements PostingLists {
  /** Each list's top impact once worked out; 256 until then. */
  private readonly tops: Uint16Array;

  constructor(
    private readonly terms: string[],
    private readonly offsets: Uint32Array,
    private readonly chunks: Uint32Array,
    private readonly impacts: Uint8Array,
  ) {
    this.tops = new Uint16Array(terms.length).fill(256);
  }

  get termCount(): number {
    return this.terms.length;
  }

  get size(): number {
    return this.chunks.length;
  }

  findTerm(term: string): number {
    let lo = 0;
    let hi = this.terms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.terms[mid]!;
      if (t === term) return mid;
      if (t < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  termAt(t: number): string {
    return this.terms[t]!;
  }

  df(t: number): number {
    return this.offsets[t + 1]! - this.offsets[t]!;
  }

  list(t: number): PostingList {
    const start = this.offsets[t]!;
    const end = this.offsets[t + 1]!;
    const impacts = this.impacts.subarray(start, end);
    // 256: not worked out yet (a top impact is 0..255).
    let top = this.tops[t]!;
    if (top === 256) this.tops[t] = top = topImpact(impacts);
    return { chunks: this.chunks.subarray(start, end), impacts, top };
  }
}

/** Postings decoded from their serialised form one term at a time, on first use. */
export class LazyPostings implements PostingLists {
  /** Start of each term in the joined term string (one extra entry: the end). */
  private readonly termStarts: Uint32Array;
  private readonly counts: Uint32Array;
  /** Start of each term's run in the base64 text (one extra entry: the end). */
  private readonly runStarts: Uint32Array;
  private readonly cache: Array<PostingList | undefined>;
  readonly size: number;

  constructor(
    private readonly s: SerializedPostings,
    private readonly chunkCount: number,
  ) {
    const bytes = fromBase64(s.counts);
    // At most one value per byte; three values per term.
    const table = new Uint32Array(bytes.length);
    const values = readAllVarints(bytes, table);
    if (values % 3 !== 0) throw new Error('index: term table is truncated');
    const n = values / 3;
    this.termStarts = new Uint32Array(n + 1);
    this.counts = new Uint32Array(n);
    this.runStarts = new Uint32Array(n + 1);
    let size = 0;
    for (let t = 0; t < n; t++) {
      // A term is followed by its "\n" separator.
      this.termStarts[t + 1] = this.termStarts[t]! + table[3 * t]! + 1;
      this.counts[t] = table[3 * t + 1]!;
      size += table[3 * t + 1]!;
      this.runStarts[t + 1] = this.runStarts[t]! + 4 * table[3 * t + 2]!;
    }
    if (this.termStarts[n] !== (n ? s.terms.length + 1 : 0)) throw new Error('index: term table does not match the terms');
    // Every run is a whole number of 3-byte groups, so the base64 text has no padding.
    if (this.runStarts[n] !== s.postings.length) throw new Error('index: postings do not match the term table');
    this.size = size;
    this.cache = new Array<PostingList | undefined>(n);
  }

  get termCount(): number {
    return this.counts.length;
  }

  findTerm(term: string): number {
    let lo = 0;
    let hi = this.counts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareAt(mid, term);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  termAt(t: number): string {
    return this.s.terms.slice(this.termStarts[t]!, this.termStarts[t + 1]! - 1);
  }

  df(t: number): number {
    return this.counts[t]!;
  }

  list(t: number): PostingList {
    return (this.cache[t] ??= this.decode(t));
  }

  private decode(t: number): PostingList {
    return decodeRun(this.s.postings, this.runStarts[t]!, this.runStarts[t + 1]!, this.counts[t]!, this.chunkCount);
  }

  /** Term t's run of base64 as stored (what a sharded segment stores per term, search/sharded-postings). */
  run(t: number): string {
    return this.s.postings.slice(this.runStarts[t]!, this.runStarts[t + 1]!);
  }

  /** Compares term t with `term` by UTF-16 code units without slicing it out. */
  private compareAt(t: number, term: string): number {
    const joined = this.s.terms;
    const start = this.termStarts[t]!;
    const len = this.termStarts[t + 1]! - 1 - start;
    const n = Math.min(len, term.length);
    for (let i = 0; i < n; i++) {
      const d = joined.charCodeAt(start + i) - term.charCodeAt(i);
      if (d !== 0) return d;
    }
    return len - term.length;
  }
}

/**
 * Collects chunks' term impacts (chunks must be added in ascending order) and lays them out
 * as posting lists. Terms are interned to provisional ids in arrival order, so a large corpus
 * holds each distinct term string once, and are sorted once at the end.
 */
export class PostingsBuilder {
  private readonly ids = new Map<string, number>();
  private readonly perChunk: Array<{ chunk: number; terms: Uint32Array; impacts: Uint8Array }> = [];
  private total = 0;

  /** The provisional id of a term, assigning the next one to a new term. */
  intern(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) this.ids.set(term, (id = this.ids.size));
    return id;
  }

  /** Adds one chunk's postings: interned term ids and their impacts (1..255), same length. */
  add(chunk: number, terms: Uint32Array, impacts: Uint8Array): void {
    this.perChunk.push({ chunk, terms, impacts });
    this.total += terms.length;
  }

  build(): ArrayPostings {
    const byId: string[] = new Array(this.ids.size);
    for (const [term, id] of this.ids) byId[id] = term;
    const order = byId.map((_, i) => i).sort((a, b) => (byId[a]! < byId[b]! ? -1 : byId[a]! > byId[b]! ? 1 : 0));
    const rank = new Uint32Array(order.length);
    order.forEach((id, r) => (rank[id] = r));
    const offsets = new Uint32Array(order.length + 1);
    for (const c of this.perChunk) for (const id of c.terms) offsets[rank[id]! + 1]!++;
    for (let t = 0; t < order.length; t++) offsets[t + 1]! += offsets[t]!;
    const fill = offsets.slice(0, order.length);
    const chunks = new Uint32Array(this.total);
    const impacts = new Uint8Array(this.total);
    for (const c of this.perChunk) {
      for (let k = 0; k < c.terms.length; k++) {
        const at = fill[rank[c.terms[k]!]!]!++;
        chunks[at] = c.chunk;
        impacts[at] = c.impacts[k]!;
      }
    }
    return new ArrayPostings(
      order.map((id) => byId[id]!),
      offsets,
      chunks,
      impacts,
    );
  }
}

export function serializePostings(p: PostingLists): SerializedPostings {
  const table = new ByteWriter();
  const runs = new ByteWriter();
  const terms: string[] = [];
  for (let t = 0; t < p.termCount; t++) {
    terms.push(p.termAt(t));
    const { chunks, impacts } = p.list(t);
    const before = runs.length;
    let prev = 0;
    for (const c of chunks) {
      runs.varint(c - prev);
      prev = c;
    }
    for (const i of impacts) runs.byte(i);
    while ((runs.length - before) % 3 !== 0) runs.byte(0);
    table.varint(terms[t]!.length);
    table.varint(chunks.length);
    table.varint((runs.length - before) / 3);
  }
  return { terms: terms.join('\n'), counts: toBase64(table.bytes()), postings: toBase64(runs.bytes()) };
}
