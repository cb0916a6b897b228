/**
 * @module search/query-engine
 * Runs one query against the postings: resolves the query's terms once (a plan), adds up
 * idf × impact over their posting lists in a single pass that also records which query words
 * and word pairs each chunk holds, keeps the best chunks, and turns them into hits with their
 * coverage (what the relevance rule reads). Synchronous, and sized for large corpora: the
 * per-chunk scratch arrays are allocated once and reused by every query.
 */
import type { DocumentMeta, KnowledgeBundle } from '../knowledge/schema';
import type { Analyzer } from './analyzer';
import { IMPACT_SCALE, idf } from './bm25f';
import type { PostingLists } from './postings';
import { judgeHits, type SearchHit, type SearchResult } from './relevance';

export interface SearchOptions {
  limit?: number;
}

/**
 * Corpus-wide statistics, when this engine's postings are one segment of a larger corpus (the
 * bundled base and the documents published live): idf is then the corpus's, so scores from
 * different segments can be merged.
 */
export interface CorpusStats {
  chunks: number;
  /** How many chunks of the whole corpus hold this index term. */
  df(term: string): number;
}

/** Says whether a chunk (by number) may be returned: retired or replaced documents may not. */
export type ChunkFilter = (chunk: number) => boolean;

/** One query's lookups, resolved against the index once. */
export interface Plan {
  lookups: Array<{ t: number; weight: number; idf: number; wordBit: number; exactBit: number; pairBit: number }>;
  /** Per content word (the first 32 are tracked): folded and typed term index, idf. */
  words: Array<{ folded: number; exact: number; idf: number }>;
  wordTotal: number;
  /** Term index of each query bigram (the first 32 are tracked). */
  pairs: number[];
}

interface Ranked {
  chunk: number;
  score: number;
}

/** Coverage bits per chunk track at most this many words and pairs (longer queries: the rest count as missing). */
const MAX_TRACKED = 32;

export class QueryEngine {
  private readonly docs: Map<string, DocumentMeta>;
  /** chunk id -> chunk number, built on first need (hybrid search only). */
  private chunkNumbers?: Map<string, number>;
  /** Scratch state reused by every query; lexical() is synchronous, so no query sees another's. */
  private readonly scores: Float64Array;
  private readonly touched: Uint32Array;
  private readonly wordMask: Uint32Array;
  private readonly exactMask: Uint32Array;
  private readonly pairMask: Uint32Array;
  /** Set when this engine is one segment of a larger corpus (see CorpusStats). */
  stats?: CorpusStats;

  constructor(
    private readonly bundle: KnowledgeBundle,
    private readonly analyzer: Analyzer,
    private readonly postings: PostingLists,
  ) {
    const n = bundle.chunks.length;
    this.docs = new Map(bundle.documents.map((d) => [d.id, d]));
    this.scores = new Float64Array(n);
    this.touched = new Uint32Array(n);
    this.wordMask = new Uint32Array(n);
    this.exactMask = new Uint32Array(n);
    this.pairMask = new Uint32Array(n);
  }

  get documentCount(): number {
    return this.docs.size;
  }

  document(id: string): DocumentMeta | undefined {
    return this.docs.get(id);
  }

  /** A chunk's number (its position in the bundle) from its id. */
  chunkNumber(id: string): number | undefined {
    this.chunkNumbers ??= new Map(this.bundle.chunks.map((c, i) => [c.id, i]));
    return this.chunkNumbers.get(id);
  }

  /** The idf of an index term (the highest value when the index does not hold it). */
  termIdf(term: string): number {
    return this.idfOf(term, this.postings.findTerm(term));
  }

  /** How many of this engine's chunks hold an index term (for corpus-wide df). */
  localDf(term: string): number {
    const t = this.postings.findTerm(term);
    return t < 0 ? 0 : this.postings.df(t);
  }

  private idfOf(term: string, t: number): number {
    if (this.stats) return idf(this.stats.chunks, this.stats.df(term));
    return this.idf(t < 0 ? 0 : this.postings.df(t));
  }

  /** Analyses a query and resolves its terms, word by word and pair by pair, against the postings. */
  plan(query: string): Plan {
    const q = this.analyzer.analyzeQuery(query);
    const p = this.postings;
    const words = q.words.map((w) => {
      const folded = p.findTerm(w.folded);
      return { folded, exact: w.exact ? p.findTerm(w.exact) : -2, idf: this.idfOf(w.folded, folded) };
    });
    const roles = new Map<string, { wordBit: number; exactBit: number; pairBit: number }>();
    const role = (term: string) => roles.get(term) ?? roles.set(term, { wordBit: 0, exactBit: 0, pairBit: 0 }).get(term)!;
    q.words.slice(0, MAX_TRACKED).forEach((w, k) => {
      role(w.folded).wordBit |= 1 << k;
      if (w.exact) role(w.exact).exactBit |= 1 << k;
    });
    q.bigrams.slice(0, MAX_TRACKED).forEach((b, k) => (role(b).pairBit |= 1 << k));
    const lookups: Plan['lookups'] = [];
    for (const { term, weight } of q.terms) {
      const t = p.findTerm(term);
      if (t >= 0) lookups.push({ t, weight, idf: this.idfOf(term, t), ...(roles.get(term) ?? { wordBit: 0, exactBit: 0, pairBit: 0 }) });
    }
    return {
      lookups,
      words,
      wordTotal: words.reduce((a, w) => a + w.idf, 0),
      pairs: q.bigrams.map((b) => p.findTerm(b)),
    };
  }

  /**
   * Scores every chunk sharing a term with the query and returns the best `limit` as hits;
   * chunks `allow` refuses are never returned.
   */
  lexical(plan: Plan, limit: number, allow?: ChunkFilter): SearchHit[] {
    const { scores, touched, wordMask, exactMask, pairMask } = this;
    let count = 0;
    for (const { t, weight, idf: termIdf, wordBit, exactBit, pairBit } of plan.lookups) {
      const { chunks, impacts } = this.postings.list(t);
      const w = weight * termIdf * IMPACT_SCALE;
      if ((wordBit | exactBit | pairBit) === 0) {
        for (let i = 0; i < chunks.length; i++) {
          const c = chunks[i]!;
          if (scores[c] === 0) touched[count++] = c;
          scores[c]! += w * impacts[i]!;
        }
      } else {
        // The same pass records which query words and pairs each chunk contains.
        for (let i = 0; i < chunks.length; i++) {
          const c = chunks[i]!;
          if (scores[c] === 0) touched[count++] = c;
          scores[c]! += w * impacts[i]!;
          wordMask[c]! |= wordBit;
          exactMask[c]! |= exactBit;
          pairMask[c]! |= pairBit;
        }
      }
    }
    const top = selectTop(scores, touched, count, limit, allow);
    const hits = top.map((r) => this.hitFromMasks(r.chunk, r.score, plan));
    for (let i = 0; i < count; i++) {
      const c = touched[i]!;
      scores[c] = 0;
      wordMask[c] = 0;
      exactMask[c] = 0;
      pairMask[c] = 0;
    }
    return hits;
  }

  /** A hit for a chunk outside the lexical candidates (found by vectors): coverage by lookup, score 0. */
  hitFor(chunk: number, plan: Plan): SearchHit {
    const has = (t: number) => t >= 0 && contains(this.postings.list(t).chunks, chunk);
    let words = 0;
    let exact = 0;
    let pairs = 0;
    plan.words.slice(0, MAX_TRACKED).forEach((w, k) => {
      if (has(w.folded)) words |= 1 << k;
      if (has(w.exact)) exact |= 1 << k;
    });
    plan.pairs.slice(0, MAX_TRACKED).forEach((t, k) => {
      if (has(t)) pairs |= 1 << k;
    });
    return this.makeHit(chunk, 0, plan, words, exact, pairs);
  }

  /** These hits judged by the relevance rule. */
  result(hits: SearchHit[], plan: Plan): SearchResult {
    return judgeHits(hits, plan.words.length);
  }

  private idf(df: number): number {
    return idf(this.bundle.chunks.length, df);
  }

  private hitFromMasks(chunk: number, score: number, plan: Plan): SearchHit {
    return this.makeHit(chunk, score, plan, this.wordMask[chunk]!, this.exactMask[chunk]!, this.pairMask[chunk]!);
  }

  private makeHit(chunkNumber: number, score: number, plan: Plan, words: number, exact: number, pairs: number): SearchHit {
    const chunk = this.bundle.chunks[chunkNumber]!;
    let matched = 0;
    let weighted = 0;
    const tracked = Math.min(plan.words.length, MAX_TRACKED);
    for (let k = 0; k < tracked; k++) {
      if (!(words & (1 << k))) continue;
      matched++;
      // Marks typed are evidence too: "cân" matching only as "can" (cán, cần) counts half.
      const w = plan.words[k]!;
      weighted += w.idf * (w.exact === -2 || exact & (1 << k) ? 1 : 0.5);
    }
    const pairCount = plan.pairs.length;
    return {
      chunk,
      doc: this.docs.get(chunk.docId)!,
      score,
      coverage: plan.words.length ? matched / plan.words.length : 0,
      weightedCoverage: plan.wordTotal > 0 ? weighted / plan.wordTotal : 0,
      // A query without pairs (one word) has nothing to miss.
      phraseCoverage: pairCount ? popcount(pairs) / pairCount : 1,
    };
  }
}

/** The best `limit` touched chunks by score (ties: lower chunk number first). */
function selectTop(scores: Float64Array, touched: Uint32Array, count: number, limit: number, allow?: ChunkFilter): Ranked[] {
  const top: Ranked[] = [];
  for (let i = 0; i < count; i++) {
    const c = touched[i]!;
    const s = scores[c]!;
    if (allow && !allow(c)) continue;
    if (top.length === limit) {
      const last = top[limit - 1]!;
      if (s < last.score || (s === last.score && c > last.chunk)) continue;
      top.pop();
    }
    let at = top.length;
    while (at > 0 && (top[at - 1]!.score < s || (top[at - 1]!.score === s && top[at - 1]!.chunk > c))) at--;
    top.splice(at, 0, { chunk: c, score: s });
  }
  return top;
}

function contains(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
