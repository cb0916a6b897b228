/**
 * @module search/hybrid
 * BM25 fused with embedding similarity by reciprocal rank fusion, so a paraphrase that shares
 * no word with the passage can still find it. Embedding the query is a network call that may
 * fail, hang, answer in another shape or come from another model than the stored vectors; in
 * every such case the search answers exactly as BM25 alone would and says why (`fallback`).
 * The vectors and the fusion formula live in vectors.ts; this is the query-time glue.
 */
import type { Plan, QueryEngine, SearchOptions } from './query-engine';
import type { SearchHit, SearchResult } from './relevance';
import { reciprocalRankFusion, type Embedder, type VectorStore } from './vectors';

type HybridFallback = 'no-vectors' | 'model-mismatch' | 'error' | 'timeout' | 'bad-response' | 'live';

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

const DEFAULT_TIMEOUT_MS = 1500;
const DEFAULT_CANDIDATES = 50;

/**
 * The hybrid search over one engine's postings and its vectors. `finish` is applied to the
 * result on every path before it is returned (the caller's place check).
 */
export async function hybridSearch(
  engine: QueryEngine,
  vectors: VectorStore | undefined,
  query: string,
  opts: HybridOptions,
  finish: (result: HybridResult) => HybridResult,
): Promise<HybridResult> {
  const limit = Math.max(1, opts.limit ?? 5);
  const candidates = Math.max(limit, opts.candidates ?? DEFAULT_CANDIDATES);
  const plan: Plan = engine.plan(query);
  // Everything lexical is computed before the await: the engine's scratch buffers are shared.
  const lexical = engine.lexical(plan, candidates);
  const lexicalOnly = (fallback: HybridFallback): HybridResult =>
    finish({ ...engine.result(lexical.slice(0, limit), plan), mode: 'bm25' as const, fallback });
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
  const byChunk = new Map(lexical.map((h) => [engine.chunkNumber(h.chunk.id)!, h]));
  const fused = reciprocalRankFusion([[...byChunk.keys()], dense.map((d) => d.chunk)]).slice(0, limit);
  const hits: SearchHit[] = fused.map((f) => ({
    ...(byChunk.get(f.chunk) ?? engine.hitFor(f.chunk, plan)),
    score: f.score,
    similarity: similarity.get(f.chunk),
  }));
  const base = engine.result([...hits, ...lexical.slice(0, limit)], plan);
  const relevant =
    base.relevant || (opts.minSimilarity !== undefined && (dense[0]?.similarity ?? -1) >= opts.minSimilarity);
  return finish({ hits, relevant, confidence: base.confidence, queryWords: base.queryWords, mode: 'hybrid' as const });
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
