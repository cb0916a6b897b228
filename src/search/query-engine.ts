/**
 * @module search/query-engine
 * Runs one query against the postings: resolves the query's terms once (a plan), adds up
 * idf × impact over their posting lists, skipping the postings that cannot change the best
 * chunks (lexical(): exact, not approximate), records which query words and word pairs the best
 * chunks hold, and turns them into hits with their coverage (what the relevance rule reads).
 * Synchronous, and sized for large corpora: the per-chunk scratch arrays are allocated once and
 * reused by every query.
 */
import type { DocumentMeta, KnowledgeBundle } from '../knowledge/schema';
import type { Analyzer } from './analyzer';
import { IMPACT_SCALE, idf } from './bm25f';
import type { PostingList, PostingLists } from './postings';
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

/**
 * Which chunks (by number) may be returned: 1 where a chunk may, 0 where its document is retired
 * or replaced. A mask rather than a function: a query asks it of every chunk it scores (tens of
 * thousands at a province's size), and a call per chunk was a tenth of a query's time.
 */
export type ChunkFilter = Uint8Array;

/** A query as the analyzer reads it. */
export type QueryAnalysis = ReturnType<Analyzer['analyzeQuery']>;

/** One query's lookups, resolved against the index once. */
export interface Plan {
  lookups: Array<{ t: number; weight: number; idf: number; wordBit: number; exactBit: number; pairBit: number }>;
  /** Per content word (the first 32 are tracked): folded and typed term index, idf. */
  words: Array<{ folded: number; exact: number; idf: number }>;
  wordTotal: number;
  /** Term index of each query bigram (the first 32 are tracked). */
  pairs: number[];
}

/** lexical()'s arrays per list of a query, reused (see scratchFor). */
interface LexicalScratch {
  lists: Array<PostingList | undefined>;
  w: Float64Array;
  bound: Float64Array;
  order: Int32Array;
  rest: Float64Array;
  postingsLeft: Float64Array;
  at: Uint32Array;
  full: TopScores;
  finished: TopScores;
  /** The chunks ahead after phase 1 (see leaders). */
  lead: Uint32Array;
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
  /** One bit per chunk, all clear between queries: puts lexical()'s candidates in chunk order. */
  private readonly marks: Uint32Array;
  /** lexical()'s candidates, in chunk order (at most every chunk). */
  private readonly cands: Uint32Array;
  /** lexical()'s scratch for its lists (see scratchFor). */
  private scratch?: LexicalScratch;
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
    this.marks = new Uint32Array((n + 31) >>> 5);
    this.cands = new Uint32Array(n);
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

  /**
   * Resolves a query's terms, word by word and pair by pair, against the postings; the query as
   * typed, or as already analysed (a search over several segments analyses it once).
   */
  plan(query: string | QueryAnalysis): Plan {
    const q = typeof query === 'string' ? this.analyzer.analyzeQuery(query) : query;
    const p = this.postings;
    const words = q.words.map((w) => {
      const folded = p.findTerm(w.folded);
      return { folded, exact: w.exact ? p.findTerm(w.exact) : -2, idf: this.idfOf(w.folded, folded) };
    });
    // Which tracked words and pairs each term stands for (bits), filled into the lookups below.
    const roles = new Map<string, { wordBit: number; exactBit: number; pairBit: number }>();
    const role = (term: string) => {
      let r = roles.get(term);
      if (!r) roles.set(term, (r = { wordBit: 0, exactBit: 0, pairBit: 0 }));
      return r;
    };
    for (let k = 0; k < q.words.length && k < MAX_TRACKED; k++) {
      const w = q.words[k]!;
      role(w.folded).wordBit |= 1 << k;
      if (w.exact) role(w.exact).exactBit |= 1 << k;
    }
    for (let k = 0; k < q.bigrams.length && k < MAX_TRACKED; k++) role(q.bigrams[k]!).pairBit |= 1 << k;
    const lookups: Plan['lookups'] = [];
    for (const { term, weight } of q.terms) {
      const t = p.findTerm(term);
      if (t < 0) continue;
      const r = roles.get(term);
      lookups.push({ t, weight, idf: this.idfOf(term, t), wordBit: r?.wordBit ?? 0, exactBit: r?.exactBit ?? 0, pairBit: r?.pairBit ?? 0 });
    }
    return {
      lookups,
      words,
      wordTotal: words.reduce((a, w) => a + w.idf, 0),
      pairs: q.bigrams.map((b) => p.findTerm(b)),
    };
  }

  /**
   * The best `limit` chunks sharing a term with the query, as hits; chunks `allow` refuses are
   * never returned. Exactly what scoring every chunk would give (lexicalExhaustive), but it skips
   * the work that cannot change the result (MaxScore): lists are read in decreasing order of the
   * most they can add to a chunk (weight × idf × the list's largest impact). Once `limit` allowed
   * chunks already score more than everything the lists not read yet could add up to, no chunk
   * outside them can get in: the remaining lists (the long ones of common syllables) are only
   * looked into for those candidates, and candidates that can no longer reach the k-th score are
   * dropped as they go. The few that survive are then scored again from all lists in the plan's
   * order, so their scores are bit for bit those of the exhaustive sum, with the same word, exact
   * and pair masks, and ranked by the same rule.
   */
  lexical(plan: Plan, limit: number, allow?: ChunkFilter): SearchHit[] {
    const { lookups } = plan;
    const n = lookups.length;
    // The bounds below assume a whole positive limit and positive contributions; anything else
    // (never produced by plan()) keeps the plain algorithm's behaviour, whatever it is.
    if (n === 0 || !Number.isInteger(limit) || limit < 1) return this.lexicalExhaustive(plan, limit, allow);
    // Scratch reused by every query (lexical() is synchronous): typed arrays of more than 64 bytes
    // live outside the heap, and a few a query were most of what young-generation collections
    // swept.
    const sc = this.scratchFor(n);
    const { lists, w, bound, order } = sc;
    for (let i = 0; i < n; i++) {
      const { t, weight, idf: termIdf } = lookups[i]!;
      const list = (lists[i] = this.postings.list(t));
      w[i] = weight * termIdf * IMPACT_SCALE;
      const top = list.top;
      if (!(w[i]! > 0 && w[i]! < Infinity) || top <= 0) {
        lists.fill(undefined, 0, n);
        return this.lexicalExhaustive(plan, limit, allow);
      }
      bound[i] = w[i]! * top;
    }
    // Lists by decreasing bound, ties in plan order (an insertion sort: a query has a few dozen).
    for (let i = 0; i < n; i++) {
      let at = i;
      while (at > 0 && bound[order[at - 1]!]! < bound[i]!) {
        order[at] = order[at - 1]!;
        at--;
      }
      order[at] = i;
    }
    // rest[j]: the most the lists from order[j] on can add to one chunk; postingsLeft[j]: their length.
    const { rest, postingsLeft } = sc;
    rest[n] = 0;
    postingsLeft[n] = 0;
    for (let j = n - 1; j >= 0; j--) {
      rest[j] = rest[j + 1]! + bound[order[j]!]!;
      postingsLeft[j] = postingsLeft[j + 1]! + lists[order[j]!]!.chunks.length;
    }

    const { scores, touched } = this;
    let count = 0;
    let best = 0;
    // A lower bound on the k-th best final score of an allowed chunk (scores only grow), and the
    // bound a chunk must stay under to be left out (see SLACK).
    let theta = -Infinity;
    let floor = -Infinity;
    let thetaAt = -1;
    // The allowed chunks with the k best scores when theta was last worked out (see leaders).
    const lead = sc.lead.length >= limit ? sc.lead : (sc.lead = new Uint32Array(limit));
    let leadCount = 0;
    let j = 0;
    // Phase 1: every posting of the lists that can add the most, until the rest cannot bring in a new chunk.
    for (; j < n; j++) {
      // Worth a look at the k-th score only if some chunk beats the rest already, the lists still
      // to read are longer than the scan over the chunks touched, and the k-th score can have
      // risen enough: since it was last worked out, by at most what the lists read since could
      // add to one chunk (rest[thetaAt] - rest[j]). Skipping it then changes nothing: the break
      // below could not have been taken, so lists are read and theta is set exactly as before.
      if (count >= limit && best > rest[j]! && postingsLeft[j]! > count && (theta === -Infinity || rest[j]! < theta + (rest[thetaAt]! - rest[j]!))) {
        theta = Math.max(theta, kthLeader(lead, (leadCount = leaders(scores, touched, count, limit, allow, lead)), limit, scores));
        floor = behind(theta);
        thetaAt = j;
        if (rest[j]! < floor) break;
      }
      const { chunks, impacts } = lists[order[j]!]!;
      const wj = w[order[j]!]!;
      for (let i = 0; i < chunks.length; i++) {
        const c = chunks[i]!;
        const s = scores[c]!;
        if (s === 0) touched[count++] = c;
        const next = s + wj * impacts[i]!;
        scores[c] = next;
        if (next > best) best = next;
      }
    }
    if (thetaAt !== j) {
      theta = Math.max(theta, kthLeader(lead, (leadCount = leaders(scores, touched, count, limit, allow, lead)), limit, scores));
      floor = behind(theta);
    }
    // The k chunks ahead after phase 1, scored in full from the lists not read: the k-th of their
    // sums is a lower bound on the k-th final score too, usually far above theta, so far fewer
    // chunks go on to phase 2 (measured over the eval questions asked again on 50,000 chunks: 490
    // candidates a question instead of 6,600, and 0.70 ms of CPU a question instead of 0.81).
    if (j < n && leadCount === limit) {
      const full = sc.full.reset(limit);
      let kth = -Infinity;
      for (let k = 0; k < leadCount; k++) {
        const c = lead[k]!;
        let s = scores[c]!;
        for (let r = j; r < n; r++) {
          const { chunks, impacts } = lists[order[r]!]!;
          const p = seek(chunks, 0, c);
          if (p < chunks.length && chunks[p] === c) s += w[order[r]!]! * impacts[p]!;
        }
        kth = full.add(s);
      }
      if (kth > theta) {
        theta = kth;
        floor = behind(theta);
      }
    }

    // The allowed chunks that may still reach the k-th score, put in chunk order through a bitmap
    // (cheaper than sorting thousands of them).
    const { marks } = this;
    let m = 0;
    for (let i = 0; i < count; i++) {
      const c = touched[i]!;
      if (scores[c]! + rest[j]! < floor || (allow && allow[c] !== 1)) continue;
      marks[c >>> 5]! |= 1 << (c & 31);
      m++;
    }
    const { cands } = this;
    m = 0;
    for (let word = 0; word < marks.length; word++) {
      let bits = marks[word]!;
      if (bits === 0) continue;
      marks[word] = 0;
      while (bits !== 0) {
        cands[m++] = (word << 5) | (31 - Math.clz32(bits & -bits));
        bits &= bits - 1;
      }
    }

    // Phase 2, candidate by candidate: the remaining lists in the same order, leaving a candidate
    // as soon as what it has plus what is left to read cannot reach the k-th score. Candidates go
    // in chunk order, so each list is read forward from where the previous candidate left it.
    if (j < n) {
      const from = j;
      const { at } = sc;
      at.fill(0, 0, n - from);
      const finished = sc.finished.reset(limit);
      let kept = 0;
      for (let k = 0; k < m; k++) {
        const c = cands[k]!;
        let s = scores[c]!;
        let r = from;
        for (; r < n; r++) {
          if (s + rest[r]! < floor) break;
          const { chunks, impacts } = lists[order[r]!]!;
          const p = (at[r - from] = seek(chunks, at[r - from]!, c));
          if (p < chunks.length && chunks[p] === c) s += w[order[r]!]! * impacts[p]!;
        }
        if (r < n || s < floor) continue;
        scores[c] = s;
        cands[kept++] = c;
        // A fully added candidate's sum is a lower bound for the k-th score too.
        theta = Math.max(theta, finished.add(s));
        floor = behind(theta);
      }
      m = 0;
      for (let k = 0; k < kept; k++) if (scores[cands[k]!]! >= floor) cands[m++] = cands[k]!;
    }

    // The survivors scored again in the plan's order (the exhaustive sum's order), with their masks:
    // a list shorter than the survivors is read whole against their bits (many survivors: fewer
    // than k chunks allowed), a longer one is searched for each survivor.
    const { wordMask, exactMask, pairMask } = this;
    for (let k = 0; k < m; k++) {
      const c = cands[k]!;
      scores[c] = 0;
      marks[c >>> 5]! |= 1 << (c & 31);
    }
    for (let i = 0; i < n; i++) {
      const { chunks, impacts } = lists[i]!;
      const { wordBit, exactBit, pairBit } = lookups[i]!;
      const wi = w[i]!;
      if (chunks.length <= m) {
        for (let p = 0; p < chunks.length; p++) {
          const c = chunks[p]!;
          if ((marks[c >>> 5]! & (1 << (c & 31))) === 0) continue;
          scores[c]! += wi * impacts[p]!;
          wordMask[c]! |= wordBit;
          exactMask[c]! |= exactBit;
          pairMask[c]! |= pairBit;
        }
        continue;
      }
      let p = 0;
      for (let k = 0; k < m; k++) {
        const c = cands[k]!;
        p = seek(chunks, p, c);
        if (p === chunks.length) break;
        if (chunks[p] !== c) continue;
        scores[c]! += wi * impacts[p]!;
        wordMask[c]! |= wordBit;
        exactMask[c]! |= exactBit;
        pairMask[c]! |= pairBit;
      }
    }
    const top = selectTop(scores, cands, m, limit);
    const hits = top.map((r) => this.hitFromMasks(r.chunk, r.score, plan));
    lists.fill(undefined, 0, n);
    for (let i = 0; i < count; i++) scores[touched[i]!] = 0;
    // Only the survivors' masks and bits were set.
    for (let k = 0; k < m; k++) {
      const c = cands[k]!;
      wordMask[c] = 0;
      exactMask[c] = 0;
      pairMask[c] = 0;
      marks[c >>> 5] = 0;
    }
    return hits;
  }

  /** lexical()'s per-list scratch, for at least n lists. */
  private scratchFor(n: number): LexicalScratch {
    if (this.scratch && this.scratch.w.length >= n) return this.scratch;
    const size = Math.max(n, 2 * (this.scratch?.w.length ?? 32));
    this.scratch = {
      lists: new Array<PostingList | undefined>(size).fill(undefined),
      w: new Float64Array(size),
      bound: new Float64Array(size),
      order: new Int32Array(size),
      rest: new Float64Array(size + 1),
      postingsLeft: new Float64Array(size + 1),
      at: new Uint32Array(size),
      full: new TopScores(8),
      finished: new TopScores(8),
      lead: new Uint32Array(32),
    };
    return this.scratch;
  }

  /** Scores every chunk sharing a term with the query (what lexical() must always agree with). */
  private lexicalExhaustive(plan: Plan, limit: number, allow?: ChunkFilter): SearchHit[] {
    const { scores, touched, wordMask, exactMask, pairMask } = this;
    let count = 0;
    for (const { t, weight, idf: termIdf, wordBit, exactBit, pairBit } of plan.lookups) {
      const { chunks, impacts } = this.postings.list(t);
      const w = weight * termIdf * IMPACT_SCALE;
      for (let i = 0; i < chunks.length; i++) {
        const c = chunks[i]!;
        if (scores[c] === 0) touched[count++] = c;
        scores[c]! += w * impacts[i]!;
        wordMask[c]! |= wordBit;
        exactMask[c]! |= exactBit;
        pairMask[c]! |= pairBit;
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

/**
 * The `k` allowed chunks with the highest scores among these, best first (any order among ties),
 * into `out` (room for k); returns how many (fewer when fewer are allowed). The k-th of them is
 * what the k-th best score was worked out for: one scan gives both.
 */
function leaders(scores: Float64Array, chunks: Uint32Array, count: number, k: number, allow: ChunkFilter | undefined, out: Uint32Array): number {
  // A small array kept in decreasing order: a chunk gets in only above the k-th so far.
  let size = 0;
  let kth = -Infinity;
  for (let i = 0; i < count; i++) {
    const c = chunks[i]!;
    const s = scores[c]!;
    if (s <= kth || (allow && allow[c] !== 1)) continue;
    let at = size < k ? size++ : k - 1;
    while (at > 0 && scores[out[at - 1]!]! < s) {
      out[at] = out[at - 1]!;
      at--;
    }
    out[at] = c;
    if (size === k) kth = scores[out[k - 1]!]!;
  }
  return size;
}

/** The best `limit` touched chunks by score (ties: lower chunk number first). */
function selectTop(scores: Float64Array, touched: Uint32Array, count: number, limit: number, allow?: ChunkFilter): Ranked[] {
  const top: Ranked[] = [];
  for (let i = 0; i < count; i++) {
    const c = touched[i]!;
    const s = scores[c]!;
    if (allow && allow[c] !== 1) continue;
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

/**
 * Relative slack on every pruning comparison. Scores are sums of a few dozen positive terms, and
 * adding them in another order (phase 1 reads lists by bound, not in the plan's order) or adding
 * up bounds moves a sum by well under 1e-13 of itself; a chunk is left out only when even its
 * bound is below the k-th score by more than this, so it can neither beat nor tie the k-th chunk.
 */
const SLACK = 1e-9;

/** The bound under which a chunk is certainly behind a k-th score of `theta` (-Infinity: no k-th score yet). */
function behind(theta: number): number {
  return theta * (1 - 2 * SLACK);
}

/** The k-th best score of the leaders found (see leaders), or -Infinity when fewer than k were. */
function kthLeader(lead: Uint32Array, found: number, k: number, scores: Float64Array): number {
  return found === k ? scores[lead[k - 1]!]! : -Infinity;
}

/** The k best scores added so far (a min-heap), for the k-th of them. */
class TopScores {
  private heap: Float64Array;
  private size = 0;

  constructor(private k: number) {
    this.heap = new Float64Array(k);
  }

  /** Empty again, for the k best (reused by every query). */
  reset(k: number): this {
    if (this.heap.length < k) this.heap = new Float64Array(k);
    this.k = k;
    this.size = 0;
    return this;
  }

  /** Adds a score; returns the k-th best so far, or -Infinity while fewer than k. */
  add(s: number): number {
    const { heap, k } = this;
    if (this.size < k) {
      let at = this.size++;
      while (at > 0) {
        const up = (at - 1) >> 1;
        if (heap[up]! <= s) break;
        heap[at] = heap[up]!;
        at = up;
      }
      heap[at] = s;
    } else if (s > heap[0]!) {
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= k) break;
        if (child + 1 < k && heap[child + 1]! < heap[child]!) child++;
        if (heap[child]! >= s) break;
        heap[at] = heap[child]!;
        at = child;
      }
      heap[at] = s;
    }
    return this.size === k ? heap[0]! : -Infinity;
  }
}

/** The first position at or after `from` whose chunk is ≥ `target` (galloping, then binary search). */
function seek(sorted: Uint32Array, from: number, target: number): number {
  const n = sorted.length;
  if (from >= n || sorted[from]! >= target) return from;
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < n && sorted[hi]! < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  // sorted[lo] < target, and sorted[hi] >= target or hi = n.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
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
