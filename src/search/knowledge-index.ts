/**
 * @module search/knowledge-index
 * The knowledge search as the rest of the app sees it: KnowledgeIndex (search, hybridSearch,
 * bestSentences, serialize) over one bundle's section chunks, and createIndex, which restores
 * the postings ingest stored in the bundle when they still match this analyzer and these
 * chunks, and builds them from the texts otherwise (tests, stale data). An isolate reads the
 * stored tables once and decodes each term's list on first use (postings.ts), so start-up
 * stays cheap as the knowledge grows.
 *
 * The parts: query-engine.ts (BM25F scoring of one query), bm25f.ts (the ranking function and
 * its build-time weights), relevance.ts (the rule that can say "nothing relevant"), hybrid.ts
 * (fusion with embeddings), sentence-picker.ts (what to quote), postings.ts and codec.ts (the
 * stored form).
 */
import type { Chunk, DocumentMeta, KnowledgeBundle, SerializedIndex } from '../knowledge/schema';
import { fnv1a } from '../text/hash';
import { Analyzer, type AnalyzerData } from './analyzer';
import { BM25F, buildPostings } from './bm25f';
import { hybridSearch, type HybridOptions, type HybridResult } from './hybrid';
import { PlaceMatcher } from './places';
import { LazyPostings, serializePostings, type PostingLists } from './postings';
import { QueryEngine, type ChunkFilter, type CorpusStats, type QueryAnalysis, type SearchOptions } from './query-engine';
import { checkPlaces, type SearchHit, type SearchResult } from './relevance';
import { SentencePicker } from './sentence-picker';
import { EmbeddingsFileSchema, VectorStore, embeddingText, textHash } from './vectors';

/** Bump when the stored form changes. */
const SERIALIZED_FORMAT = 1;

export class KnowledgeIndex {
  private readonly engine: QueryEngine;
  private readonly picker: SentencePicker;

  constructor(
    private readonly bundle: KnowledgeBundle,
    private readonly analyzer: Analyzer,
    private readonly postings: PostingLists,
    private readonly vectors?: VectorStore,
    /** How the postings were obtained: decoded from the bundle, or built from the chunks. */
    readonly origin: 'serialized' | 'built' = 'built',
  ) {
    this.engine = new QueryEngine(bundle, analyzer, postings);
    this.picker = new SentencePicker(analyzer, this.engine);
  }

  /** Number of chunks. */
  get size(): number {
    return this.bundle.chunks.length;
  }

  get documentCount(): number {
    return this.engine.documentCount;
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
    return this.engine.document(id);
  }

  /** When set, a query naming a place that none of its hits mentions is not relevant. */
  places?: PlaceMatcher;

  /** A chunk's position from its id. */
  chunkNumber(id: string): number | undefined {
    return this.engine.chunkNumber(id);
  }

  /** A query as this index's analyzer reads it (what lexicalHits and queryTerms also take). */
  analyze(query: string): QueryAnalysis {
    return this.analyzer.analyzeQuery(query);
  }

  /** Every index term a query looks up (its words folded and as typed, pairs, expansions). */
  queryTerms(query: string | QueryAnalysis): string[] {
    const q = typeof query === 'string' ? this.analyzer.analyzeQuery(query) : query;
    const terms = new Set<string>(q.terms.map((t) => t.term));
    for (const w of q.words) {
      terms.add(w.folded);
      if (w.exact) terms.add(w.exact);
    }
    for (const b of q.bigrams) terms.add(b);
    return [...terms];
  }

  /** The chunk at a position (what a ChunkFilter is given). */
  chunkAt(n: number): Chunk {
    return this.bundle.chunks[n]!;
  }

  /** The documents' metadata, as stored. */
  get documents(): readonly DocumentMeta[] {
    return this.bundle.documents;
  }

  /** How many chunks hold this index term (for corpus-wide statistics across segments). */
  localDf(term: string): number {
    return this.engine.localDf(term);
  }

  /** Scores with corpus-wide statistics (this index is one segment of several); unset: its own. */
  set stats(stats: CorpusStats | undefined) {
    this.engine.stats = stats;
  }

  /**
   * The best lexical hits of this index alone, not yet judged by the relevance rule: what a
   * search over several segments merges (search/live-index).
   */
  lexicalHits(query: string | QueryAnalysis, limit: number, allow?: ChunkFilter): { hits: SearchHit[]; queryWords: number } {
    const plan = this.engine.plan(query);
    return { hits: this.engine.lexical(plan, limit, allow), queryWords: plan.words.length };
  }

  /** The place check, applied to a result merged from several segments. */
  checkPlaces<R extends SearchResult>(query: string, result: R): R {
    return checkPlaces(this.places, query, result);
  }

  /** BM25F search with the relevance rule. Synchronous; one pass over the query's postings. */
  search(query: string, opts: SearchOptions = {}): SearchResult {
    const limit = Math.max(1, opts.limit ?? 5);
    const plan = this.engine.plan(query);
    const hits = this.engine.lexical(plan, limit);
    return checkPlaces(this.places, query, this.engine.result(hits, plan));
  }

  /**
   * BM25 fused with embedding similarity (see hybrid.ts). Without vectors in the index,
   * without an embedder, or when the embedding fails or times out, it answers exactly as
   * search() would, and says why in `fallback`.
   */
  hybridSearch(query: string, opts: HybridOptions = {}): Promise<HybridResult> {
    return hybridSearch(this.engine, this.vectors, query, opts, (result) => checkPlaces(this.places, query, result));
  }

  /** The sentences of a chunk worth quoting for the query, in their original order (see sentence-picker.ts). */
  bestSentences(chunk: Chunk, query: string, max = 2): string[] {
    return this.picker.best(chunk, query, max);
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
}

/** The fingerprint an index built with this analysis data carries. */
export function indexFingerprintFor(data: AnalyzerData): string {
  return indexFingerprint(new Analyzer(data));
}

/** The index of a sharded live segment: its postings arrive shard by shard (search/sharded-postings). */
export function shardedIndex(documents: DocumentMeta[], chunks: Chunk[], data: AnalyzerData, postings: PostingLists): KnowledgeIndex {
  return new KnowledgeIndex({ version: 1, documents, chunks }, new Analyzer(data), postings, undefined, 'serialized');
}

/** What a serialised index depends on: the analysis and the ranking parameters. */
function indexFingerprint(analyzer: Analyzer): string {
  return `${analyzer.fingerprint}:${fnv1a(JSON.stringify(BM25F))}`;
}

interface CreateIndexOptions {
  /** The parsed src/generated/embeddings.json; vectors are used when it holds any for these chunks. */
  embeddings?: unknown;
  /**
   * Province and city names (knowledge/places.json), each a name or all the names of one place:
   * a query naming one that no answering hit mentions by any of its names is not relevant.
   */
  places?: ReadonlyArray<string | readonly string[]>;
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
