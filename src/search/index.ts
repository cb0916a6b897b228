/**
 * @module search/index
 * The knowledge search: BM25F over section chunks (fields: the document's title, the chunk's
 * heading, the document's keywords, the chunk's body), a relevance rule that can say "nothing
 * relevant", the best sentences of a chunk picked out for quoting, and an optional hybrid mode
 * that fuses BM25 with embedding similarity. The posting lists are built at ingest and stored
 * in the bundle; an isolate reads their tables once and decodes each term's list on first use
 * (see createIndex and postings.ts), so start-up stays cheap as the knowledge grows.
 */
import type { Chunk, DocumentMeta, KnowledgeBundle, SerializedIndex } from '../knowledge/schema';
import { PlaceMatcher } from './places';
import { splitSentences } from './sentences';
import { Analyzer, fnv1a, type AnalyzerData, type QueryAnalysis } from './analyzer';
import { LazyPostings, PostingsBuilder, serializePostings, type PostingLists } from './postings';
import {
  EmbeddingsFileSchema,
  VectorStore,
  embeddingText,
  reciprocalRankFusion,
  textHash,
  type Embedder,
} from './vectors';

export type { Embedder } from './vectors';

export interface SearchHit {
  chunk: Chunk;
  doc: DocumentMeta;
  /** BM25F score (search) or fused RRF score (hybridSearch): comparable within one result only. */
  score: number;
  /** Share of the query's content words found in the chunk, its title or keywords (0..1). */
  coverage: number;
  /** The same share weighted by each word's rarity (idf): what the relevance rule reads. */
  weightedCoverage: number;
  /** Share of the query's adjacent content-word pairs found as pairs in the chunk (1 when the query has none). */
  phraseCoverage: number;
  /** Cosine similarity to the query, when the hit came through hybridSearch with vectors. */
  similarity?: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** False when no hit passes the relevance rule: say "not found", do not quote. */
  relevant: boolean;
  /**
   * The best idf-weighted coverage among hits meeting the rest of the relevance rule (0..1);
   * `relevant` is `confidence >= RELEVANCE.minWeightedCoverage` (or the vector rule in hybrid).
   */
  confidence: number;
  /** Number of distinct content words in the query (what coverage is counted over). */
  queryWords: number;
}

export interface SearchOptions {
  limit?: number;
}

export type HybridFallback = 'no-vectors' | 'model-mismatch' | 'error' | 'timeout' | 'bad-response';

export interface HybridResult extends SearchResult {
  /** 'hybrid' when vectors took part; 'bm25' when the search fell back (see `fallback`). */
  mode: 'hybrid' | 'bm25';
  fallback?: HybridFallback;
}

export interface HybridOptions extends SearchOptions {
  embedder?: Embedder;
  /** The query embedding is abandoned after this long and BM25 alone answers. Default 1500 ms. */
  timeoutMs?: number;
  /** BM25 and vector candidates fused. Default 50. */
  candidates?: number;
  /**
   * When set, a query whose best vector similarity reaches it counts as relevant even if the
   * lexical rule says no (paraphrases). Off by default: calibrate it for the model first.
   */
  minSimilarity?: number;
}

/**
 * BM25F parameters. Title and keywords belong to the document and repeat in each of its
 * chunks, so they say which document; heading and body say which section. Keywords weigh
 * half: long lists repeated in every chunk otherwise drown the section's own words (on the
 * eval set, weights 0.25-0.5 beat 1 with and without marks; other parameters made no
 * difference beyond one question either way).
 */
export const BM25F = {
  k1: 1.2,
  fields: {
    title: { weight: 1, b: 0.3 },
    heading: { weight: 2, b: 0.5 },
    keywords: { weight: 0.5, b: 0.3 },
    body: { weight: 1, b: 0.75 },
  },
} as const;
const FIELDS = ['title', 'heading', 'keywords', 'body'] as const;

/** A passage quoted next to the best one needs at least this share of the query's words. */
export const MIN_COVERAGE = 0.5;

/**
 * The relevance rule, calibrated on the eval set (npm run eval -- --calibrate). Some hit must
 * match at least `minWeightedCoverage` of the query's content words weighted by rarity (idf),
 * at least `minPhraseCoverage` of its adjacent word pairs, and at least two distinct words (all
 * of them for a one-word query). Rare words weigh most, so "PAPI là gì" gets in on "papi";
 * pairs catch the unmarked query whose syllables each occur somewhere but never together
 * ("thoi tiet ha noi": thời, tiết, Hà, nội all exist, "thời tiết" and "Hà Nội" do not).
 */
export interface RelevanceRule {
  minWeightedCoverage: number;
  minPhraseCoverage: number;
  minMatchedWords: number;
}
export const RELEVANCE: Readonly<RelevanceRule> = { minWeightedCoverage: 0.4, minPhraseCoverage: 0.1, minMatchedWords: 2 };

/** Whether a result's hits pass a relevance rule (exported so the eval can sweep thresholds). */
export function passesRelevance(hits: SearchHit[], queryWords: number, rule: RelevanceRule = RELEVANCE): boolean {
  return bestCoverage(hits, queryWords, rule) >= rule.minWeightedCoverage;
}

/** Best weighted coverage among hits that meet the phrase and word-count parts of the rule. */
function bestCoverage(hits: SearchHit[], queryWords: number, rule: RelevanceRule): number {
  const needWords = Math.min(rule.minMatchedWords, queryWords);
  if (needWords === 0) return 0;
  let best = 0;
  for (const h of hits) {
    if (Math.round(h.coverage * queryWords) < needWords || h.phraseCoverage < rule.minPhraseCoverage) continue;
    best = Math.max(best, h.weightedCoverage);
  }
  return best;
}

/** Impacts are saturated term weights in [0, k1+1) quantised to one byte. */
const IMPACT_SCALE = (BM25F.k1 + 1) / 255;
const SERIALIZED_FORMAT = 1;
const DEFAULT_TIMEOUT_MS = 1500;
/** Weight, when picking sentences, of a query word the heading or title already holds (the subject). */
const CONTEXT_WEIGHT = 0.05;
/** Weight, when picking sentences, of a matched pair of content words relative to a word. */
const PAIR_SENTENCE_WEIGHT = 0.5;
/** Sentences after a list's introduction ("…:") quoted with it, at most. */
const LIST_ITEMS_QUOTED = 8;
const DEFAULT_CANDIDATES = 50;

/** One query's lookups, resolved against the index once. */
interface Plan {
  lookups: Array<{ t: number; weight: number; wordBit: number; exactBit: number; pairBit: number }>;
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

/** Chunks whose sentences are kept analysed for quoting; the bundled corpus fits many times over. */
const SENTENCE_CACHE_CHUNKS = 2_000;

export class KnowledgeIndex {
  private readonly docs: Map<string, DocumentMeta>;
  /** chunk id -> chunk number, built on first need (hybrid search only). */
  private chunkNumbers?: Map<string, number>;
  /** Scratch state reused by every query; search() is synchronous, so no query sees another's. */
  private readonly scores: Float64Array;
  private readonly touched: Uint32Array;
  private readonly wordMask: Uint32Array;
  private readonly exactMask: Uint32Array;
  private readonly pairMask: Uint32Array;
  /** Each quoted chunk's sentences and their terms, worked out once (bounded for huge corpora). */
  private readonly sentenceCache = new Map<Chunk, { context: Set<string>; sentences: Array<{ s: string; terms: Set<string> }> }>();

  constructor(
    private readonly bundle: KnowledgeBundle,
    private readonly analyzer: Analyzer,
    private readonly postings: PostingLists,
    private readonly vectors?: VectorStore,
    /** How the postings were obtained: decoded from the bundle, or built from the chunks. */
    readonly origin: 'serialized' | 'built' = 'built',
  ) {
    const n = bundle.chunks.length;
    this.docs = new Map(bundle.documents.map((d) => [d.id, d]));
    this.scores = new Float64Array(n);
    this.touched = new Uint32Array(n);
    this.wordMask = new Uint32Array(n);
    this.exactMask = new Uint32Array(n);
    this.pairMask = new Uint32Array(n);
  }

  /** Number of chunks. */
  get size(): number {
    return this.bundle.chunks.length;
  }

  get documentCount(): number {
    return this.docs.size;
  }

  /** Number of distinct index terms (for diagnostics and the bench). */
  get termCount(): number {
    return this.postings.termCount;
  }

  /** Number of chunks with a usable embedding (0 without vectors). */
  get vectorCount(): number {
    return this.vectors?.size ?? 0;
  }

  document(id: string): DocumentMeta | undefined {
    return this.docs.get(id);
  }

  /** When set, a query naming a place that none of its hits mentions is not relevant. */
  places?: PlaceMatcher;

  /** Turns `relevant` off when the query names a place the hits never mention (see search/places). */
  private checkPlaces<R extends SearchResult>(query: string, result: R): R {
    if (!result.relevant || !this.places) return result;
    const named = this.places.namedIn(query);
    if (named.length === 0) return result;
    const covered = result.hits.some((h) =>
      PlaceMatcher.mentionsAny([h.doc.title, h.doc.region ?? '', h.chunk.heading, h.chunk.text].join(' '), named),
    );
    return covered ? result : { ...result, relevant: false };
  }

  /** BM25F search with the relevance rule. Synchronous; one pass over the query's postings. */
  search(query: string, opts: SearchOptions = {}): SearchResult {
    const limit = Math.max(1, opts.limit ?? 5);
    const plan = this.plan(this.analyzer.analyzeQuery(query));
    const hits = this.lexical(plan, limit);
    return this.checkPlaces(query, this.result(hits, plan));
  }

  /**
   * BM25 fused with embedding similarity by reciprocal rank fusion. Without vectors in the
   * index, without an embedder, or when the embedding fails or times out, it answers exactly
   * as search() would, and says why in `fallback`.
   */
  async hybridSearch(query: string, opts: HybridOptions = {}): Promise<HybridResult> {
    const limit = Math.max(1, opts.limit ?? 5);
    const candidates = Math.max(limit, opts.candidates ?? DEFAULT_CANDIDATES);
    const plan = this.plan(this.analyzer.analyzeQuery(query));
    // Everything lexical is computed before the await: the scratch buffers are shared.
    const lexical = this.lexical(plan, candidates);
    const lexicalOnly = (fallback: HybridFallback): HybridResult =>
      this.checkPlaces(query, { ...this.result(lexical.slice(0, limit), plan), mode: 'bm25' as const, fallback });
    const vectors = this.vectors;
    const embedder = opts.embedder;
    if (!vectors || !embedder) return lexicalOnly('no-vectors');
    if (embedder.model !== undefined && embedder.model !== vectors.model) return lexicalOnly('model-mismatch');

    let embedding: number[] | undefined;
    try {
      embedding = (await embedWithTimeout(embedder, query, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS))[0];
    } catch (e) {
      return lexicalOnly(e instanceof EmbeddingTimeout ? 'timeout' : 'error');
    }
    if (!embedding || embedding.length !== vectors.dimensions || !embedding.every(Number.isFinite)) {
      return lexicalOnly('bad-response');
    }
    const dense = vectors.search(embedding, candidates);
    const similarity = new Map(dense.map((d) => [d.chunk, d.similarity]));
    this.chunkNumbers ??= new Map(this.bundle.chunks.map((c, i) => [c.id, i]));
    const numbers = this.chunkNumbers;
    const byChunk = new Map(lexical.map((h) => [numbers.get(h.chunk.id)!, h]));
    const fused = reciprocalRankFusion([[...byChunk.keys()], dense.map((d) => d.chunk)]).slice(0, limit);
    const hits = fused.map((f) => ({
      ...(byChunk.get(f.chunk) ?? this.hitBySearch(f.chunk, plan)),
      score: f.score,
      similarity: similarity.get(f.chunk),
    }));
    const base = this.result([...hits, ...lexical.slice(0, limit)], plan);
    const relevant =
      base.relevant || (opts.minSimilarity !== undefined && (dense[0]?.similarity ?? -1) >= opts.minSimilarity);
    return this.checkPlaces(query, { hits, relevant, confidence: base.confidence, queryWords: base.queryWords, mode: 'hybrid' as const });
  }

  /**
   * The sentences of a chunk that best match the query, in their original order. Rare words
   * count most; query words already in the chunk's heading or its document's title are the
   * subject, not the answer, so they count little ("Chỉ thị 22-CT/TU ban hành ngày nào" picks
   * "Ngày ban hành: 22/6/2022." over another sentence naming the directive). A picked list
   * introduction brings its items.
   */
  bestSentences(chunk: Chunk, query: string, max = 2): string[] {
    const q = this.analyzer.analyzeQuery(query);
    const { context, sentences } = this.sentencesOf(chunk);
    // Each query word and each pair of content words counts once, by rarity.
    const units = [
      ...q.words.map((w) => ({ term: w.folded, weight: 1 })),
      ...q.bigrams.map((b) => ({ term: b, weight: PAIR_SENTENCE_WEIGHT })),
    ].map(({ term, weight }) => {
      const t = this.postings.findTerm(term);
      const idf = this.idf(t < 0 ? 0 : this.postings.df(t));
      return { term, value: weight * idf * (context.has(term) ? CONTEXT_WEIGHT : 1) };
    });
    const scored = sentences.map(({ s, terms }, i) => {
      let score = 0;
      for (const u of units) if (terms.has(u.term)) score += u.value;
      return { s, i, score };
    });
    const top = scored
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, max);
    const picked = new Set((top.length ? top : scored.slice(0, 1)).map((x) => x.i));
    // A sentence ending in ":" introduces the list after it ("… tại 5 địa phương:"): alone it
    // says nothing, so its items come with it.
    for (const i of [...picked]) {
      if (!sentences[i]!.s.endsWith(':')) continue;
      for (let j = i + 1; j < Math.min(sentences.length, i + 1 + LIST_ITEMS_QUOTED); j++) picked.add(j);
    }
    return [...picked].sort((a, b) => a - b).map((i) => sentences[i]!.s);
  }

  private sentencesOf(chunk: Chunk): { context: Set<string>; sentences: Array<{ s: string; terms: Set<string> }> } {
    let cached = this.sentenceCache.get(chunk);
    if (!cached) {
      if (this.sentenceCache.size >= SENTENCE_CACHE_CHUNKS) this.sentenceCache.clear();
      cached = {
        context: this.analyzer.termSet(`${this.docs.get(chunk.docId)?.title ?? ''}\n${chunk.heading}`),
        sentences: splitSentences(chunk.text).map((s) => ({ s, terms: this.analyzer.termSet(s) })),
      };
      this.sentenceCache.set(chunk, cached);
    }
    return cached;
  }

  /** The postings in their stored form (what ingest writes into the bundle). */
  serialize(): SerializedIndex {
    return {
      format: SERIALIZED_FORMAT,
      fingerprint: indexFingerprint(this.analyzer),
      chunks: this.bundle.chunks.length,
      ...serializePostings(this.postings),
    };
  }

  /** BM25 idf; a word that occurs nowhere gets the highest value, so it weighs as missing. */
  private idf(df: number): number {
    const n = this.bundle.chunks.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private plan(q: QueryAnalysis): Plan {
    const p = this.postings;
    const words = q.words.map((w) => {
      const folded = p.findTerm(w.folded);
      return { folded, exact: w.exact ? p.findTerm(w.exact) : -2, idf: this.idf(folded < 0 ? 0 : p.df(folded)) };
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
      if (t >= 0) lookups.push({ t, weight, ...(roles.get(term) ?? { wordBit: 0, exactBit: 0, pairBit: 0 }) });
    }
    return {
      lookups,
      words,
      wordTotal: words.reduce((a, w) => a + w.idf, 0),
      pairs: q.bigrams.map((b) => p.findTerm(b)),
    };
  }

  /** Scores every chunk sharing a term with the query and returns the best `limit` as hits. */
  private lexical(plan: Plan, limit: number): SearchHit[] {
    const { scores, touched, wordMask, exactMask, pairMask } = this;
    let count = 0;
    for (const { t, weight, wordBit, exactBit, pairBit } of plan.lookups) {
      const { chunks, impacts } = this.postings.list(t);
      const w = weight * this.idf(chunks.length) * IMPACT_SCALE;
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
    const top = selectTop(scores, touched, count, limit);
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

  private hitFromMasks(chunk: number, score: number, plan: Plan): SearchHit {
    return this.makeHit(chunk, score, plan, this.wordMask[chunk]!, this.exactMask[chunk]!, this.pairMask[chunk]!);
  }

  /** A hit for a chunk outside the lexical candidates (found by vectors): coverage by lookup. */
  private hitBySearch(chunk: number, plan: Plan): SearchHit {
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

  private result(hits: SearchHit[], plan: Plan): SearchResult {
    const queryWords = plan.words.length;
    const confidence = bestCoverage(hits, queryWords, RELEVANCE);
    return { hits, relevant: confidence >= RELEVANCE.minWeightedCoverage, confidence, queryWords };
  }
}

/** The best `limit` touched chunks by score (ties: lower chunk number first). */
function selectTop(scores: Float64Array, touched: Uint32Array, count: number, limit: number): Ranked[] {
  const top: Ranked[] = [];
  for (let i = 0; i < count; i++) {
    const c = touched[i]!;
    const s = scores[c]!;
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

class EmbeddingTimeout extends Error {
  override name = 'EmbeddingTimeout';
}

/** Embeds one query, aborting the call when the time is up (the caller then falls back). */
async function embedWithTimeout(embedder: Embedder, query: string, timeoutMs: number): Promise<number[][]> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new EmbeddingTimeout(`embedding took longer than ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([embedder.embed([query], controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a serialised index depends on: the analysis and the ranking parameters. */
function indexFingerprint(analyzer: Analyzer): string {
  return `${analyzer.fingerprint}:${fnv1a(JSON.stringify(BM25F))}`;
}

/**
 * BM25F: per field, tf is normalised by the field's length against its average, weighted,
 * and summed; the sum is saturated once, tf·(k1+1)/(tf+k1). That value only depends on the
 * chunk and the corpus, so it is computed here, at build time, and stored as one byte.
 */
export function buildPostings(bundle: KnowledgeBundle, analyzer: Analyzer): PostingLists {
  const docs = new Map(bundle.documents.map((d) => [d.id, d]));
  const n = bundle.chunks.length;
  const F = FIELDS.length;
  const builder = new PostingsBuilder();
  const lengths = new Float64Array(n * F);
  const rows: Array<{ ids: Uint32Array; tfs: Uint16Array }> = [];
  // Title and keywords are the document's: analyse them once per document.
  const perDoc = new Map<string, Array<{ counts: Map<string, number>; length: number }>>();
  const analyse = (text: string) => {
    const counts = new Map<string, number>();
    return { counts, length: analyzer.indexTerms(text, counts) };
  };

  bundle.chunks.forEach((chunk, i) => {
    let docFields = perDoc.get(chunk.docId);
    if (!docFields) {
      const doc = docs.get(chunk.docId);
      docFields = [analyse(doc?.title ?? ''), analyse((doc?.keywords ?? []).join(', '))];
      perDoc.set(chunk.docId, docFields);
    }
    const fields = [docFields[0]!, analyse(chunk.heading), docFields[1]!, analyse(chunk.text)];
    const slots = new Map<number, number>();
    const ids: number[] = [];
    fields.forEach((f, fi) => {
      lengths[i * F + fi] = f.length;
      for (const term of f.counts.keys()) {
        const id = builder.intern(term);
        if (!slots.has(id)) {
          slots.set(id, ids.length);
          ids.push(id);
        }
      }
    });
    const tfs = new Uint16Array(ids.length * F);
    fields.forEach((f, fi) => {
      for (const [term, tf] of f.counts) tfs[slots.get(builder.intern(term))! * F + fi] = Math.min(tf, 65535);
    });
    rows.push({ ids: Uint32Array.from(ids), tfs });
  });

  const avg = FIELDS.map((_, fi) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += lengths[i * F + fi]!;
    return n ? sum / n || 1 : 1;
  });
  const params = FIELDS.map((f) => BM25F.fields[f]);
  const k1 = BM25F.k1;
  rows.forEach((row, i) => {
    const norms = params.map((p, fi) => 1 - p.b + (p.b * lengths[i * F + fi]!) / avg[fi]!);
    const impacts = new Uint8Array(row.ids.length);
    for (let k = 0; k < row.ids.length; k++) {
      let tf = 0;
      for (let fi = 0; fi < F; fi++) {
        const raw = row.tfs[k * F + fi]!;
        if (raw) tf += (params[fi]!.weight * raw) / norms[fi]!;
      }
      const saturated = (tf * (k1 + 1)) / (tf + k1);
      impacts[k] = Math.max(1, Math.min(255, Math.round(saturated / IMPACT_SCALE)));
    }
    builder.add(i, row.ids, impacts);
    rows[i] = { ids: new Uint32Array(0), tfs: new Uint16Array(0) };
  });
  return builder.build();
}

export interface CreateIndexOptions {
  /** The parsed src/generated/embeddings.json; vectors are used when it holds any for these chunks. */
  embeddings?: unknown;
  /** Province and city names (knowledge/places.json): a query naming one no hit mentions is not relevant. */
  places?: readonly string[];
}

/**
 * Builds the search for a bundle: decodes the postings stored by ingest when they match this
 * analyzer and these chunks, otherwise builds them from the chunk texts (tests, stale data).
 */
export function createIndex(bundle: KnowledgeBundle, data: AnalyzerData, opts: CreateIndexOptions = {}): KnowledgeIndex {
  const analyzer = new Analyzer(data);
  const stored = bundle.index;
  const usable = stored && stored.fingerprint === indexFingerprint(analyzer) && stored.chunks === bundle.chunks.length;
  const postings = usable ? new LazyPostings(stored, bundle.chunks.length) : buildPostings(bundle, analyzer);
  const vectors = opts.embeddings === undefined ? undefined : loadVectors(bundle, opts.embeddings);
  const index = new KnowledgeIndex(bundle, analyzer, postings, vectors, usable ? 'serialized' : 'built');
  if (opts.places?.length) index.places = new PlaceMatcher(opts.places);
  return index;
}

/** The postings ingest stores in the bundle (deterministic for the same input). */
export function serializeIndex(bundle: KnowledgeBundle, data: AnalyzerData): SerializedIndex {
  const { index: _ignored, ...plain } = bundle;
  return createIndex(plain, data).serialize();
}

function loadVectors(bundle: KnowledgeBundle, raw: unknown): VectorStore | undefined {
  const file = EmbeddingsFileSchema.parse(raw);
  if (!file.model) return undefined;
  const docs = new Map(bundle.documents.map((d) => [d.id, d]));
  const hashes = new Map<string, [number, string]>();
  bundle.chunks.forEach((c, i) => {
    hashes.set(c.id, [i, textHash(embeddingText(docs.get(c.docId)?.title ?? '', c.heading, c.text))]);
  });
  return VectorStore.load(file, hashes);
}
