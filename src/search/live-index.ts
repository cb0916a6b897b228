/**
 * @module search/live-index
 * The knowledge as every question searches it: the bundled index (the seed) plus the segments
 * operators published live (knowledge/catalogue). Each published document version is an
 * immutable segment in the store, with its postings built at publish time; a small manifest says
 * which version of each document is current, which are retired, which superseded. An isolate
 * checks the manifest's revision at most every `refreshMs` (one GET) and, when it moved, loads
 * the segments it lacks and drops those no longer named; the switch is one assignment, so a
 * query sees the old state or the new one, never half of each. A failing store keeps the last
 * good state answering.
 *
 * Scores from different segments are comparable because every segment scores with the whole
 * corpus's idf (CorpusStats); the hits are merged, then judged once by the relevance rule.
 * Embeddings cover only the bundled seed: while anything is published, search is lexical over
 * all of it (a live document is found by its words from the first second).
 */
import type { Chunk, DocumentMeta, KnowledgeBundle } from '../knowledge/schema';
import { fold } from '../text/normalize';
import type { AnalyzerData } from './analyzer';
import type { HybridOptions, HybridResult } from './hybrid';
import { createIndex, type KnowledgeIndex } from './knowledge-index';
import type { ChunkFilter, CorpusStats, SearchOptions } from './query-engine';
import { judgeHits, type SearchHit, type SearchResult } from './relevance';

/** What every caller of the knowledge search needs; the bundled index and the live one both offer it. */
export interface KnowledgeSearch {
  readonly size: number;
  readonly documentCount: number;
  document(id: string): DocumentMeta | undefined;
  search(query: string, opts?: SearchOptions): SearchResult;
  hybridSearch(query: string, opts?: HybridOptions): Promise<HybridResult>;
  bestSentences(chunk: Chunk, query: string, max?: number): string[];
  /** The documents with this số ký hiệu, current ones first (only published documents carry one). */
  findByNumber?(number: string): DocumentMeta[];
}

/** One document's line in the manifest, as the search reads it. */
export interface LiveEntry {
  docId: string;
  /** retired: never searched nor cited. superseded: searched, cited for history with a note. */
  status: 'published' | 'retired' | 'superseded';
  /** The segment holding the current version, with its number of stored parts; null when retired. */
  segment: string | null;
  parts: number;
  /** internal: kept, listed for operators, never used in a chat answer. */
  visibility: 'public' | 'internal';
  /** The document that replaced this one (status superseded). */
  supersededBy?: string;
}

/** Where the manifest and segments are read from (knowledge/catalogue over the store). */
export interface ManifestSource {
  /** A token that changes whenever the manifest does; null before anything was published. */
  revision(): Promise<string | null>;
  entries(): Promise<LiveEntry[]>;
  segment(id: string, parts: number): Promise<KnowledgeBundle>;
}

interface LiveOptions {
  analyzer: AnalyzerData;
  /** The manifest revision is checked at most this often (ms). */
  refreshMs: number;
  /** Milliseconds, monotonic enough for throttling (tests pass a fake clock). */
  clock?: () => number;
  onError?: (error: unknown) => void;
}

interface State {
  revision: string | null;
  entries: Map<string, LiveEntry>;
  segments: Map<string, KnowledgeIndex>;
  /** Corpus-wide statistics while segments are loaded. */
  stats?: CorpusStats;
}

/** Most distinct terms whose corpus df is remembered between manifest changes. */
const DF_CACHE_LIMIT = 100_000;

export class LiveKnowledge implements KnowledgeSearch {
  private state: State = { revision: null, entries: new Map(), segments: new Map() };
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;
  private readonly clock: () => number;

  constructor(
    readonly base: KnowledgeIndex,
    private readonly source: ManifestSource,
    private readonly opts: LiveOptions,
  ) {
    this.clock = opts.clock ?? (() => Date.now());
  }

  /** The manifest revision this isolate answers from (null: only the bundled seed). */
  get revision(): string | null {
    return this.state.revision;
  }

  /** Live segments loaded in this isolate. */
  get segmentCount(): number {
    return this.state.segments.size;
  }

  get size(): number {
    let n = this.base.size;
    for (const s of this.state.segments.values()) n += s.size;
    return n;
  }

  get documentCount(): number {
    let n = 0;
    for (const d of this.base.documents) if (!this.state.entries.has(d.id)) n++;
    for (const e of this.state.entries.values()) if (e.status !== 'retired') n++;
    return n;
  }

  /**
   * Brings this isolate up to the stored manifest when it was last checked more than
   * `refreshMs` ago (`force`: now). Concurrent callers share one check. Never throws: a store
   * failure is reported to onError and the state already loaded keeps answering.
   */
  async refresh(force = false): Promise<void> {
    if (!force && this.clock() - this.checkedAt < this.opts.refreshMs) return;
    this.pending ??= this.load()
      .catch((e: unknown) => this.opts.onError?.(e))
      .finally(() => {
        this.checkedAt = this.clock();
        this.pending = undefined;
      });
    return this.pending;
  }

  private async load(): Promise<void> {
    const revision = await this.source.revision();
    if (revision === this.state.revision) return;
    const list = await this.source.entries();
    const entries = new Map(list.map((e) => [e.docId, e]));
    const wanted = new Map<string, number>();
    for (const e of list) if (e.segment && e.status !== 'retired') wanted.set(e.segment, e.parts);
    const segments = new Map<string, KnowledgeIndex>();
    await Promise.all(
      [...wanted].map(async ([id, parts]) => {
        const loaded = this.state.segments.get(id) ?? createIndex(await this.source.segment(id, parts), this.opts.analyzer);
        segments.set(id, loaded);
      }),
    );
    let chunks = this.base.size;
    for (const s of segments.values()) chunks += s.size;
    const dfCache = new Map<string, number>();
    const stats: CorpusStats | undefined = segments.size ? { chunks, df: (term) => corpusDf(this.base, segments, dfCache, term) } : undefined;
    for (const s of segments.values()) s.stats = stats;
    // One assignment: a query sees the old state or the new one.
    this.state = { revision, entries, segments, stats };
  }

  /**
   * Runs `fn` with the bundled index scoring by this corpus's statistics. The bundled index is
   * shared by every runtime in the isolate, so the statistics are set only for the (synchronous)
   * call and taken off again.
   */
  private withStats<T>(fn: () => T): T {
    const { stats } = this.state;
    if (!stats) return fn();
    this.base.stats = stats;
    try {
      return fn();
    } finally {
      this.base.stats = undefined;
    }
  }

  /** The bundled index's filter: a bundled document named in the manifest was retired or replaced. */
  private baseFilter(state: State): ChunkFilter | undefined {
    if (!state.entries.size) return undefined;
    return (c) => !state.entries.has(this.base.chunkAt(c).docId);
  }

  /** A segment's filter: only the current version of a document that may answer. */
  private segmentFilter(state: State, id: string, index: KnowledgeIndex): ChunkFilter {
    return (c) => {
      const e = state.entries.get(index.chunkAt(c).docId);
      return e !== undefined && e.segment === id && e.status !== 'retired' && e.visibility === 'public';
    };
  }

  document(id: string): DocumentMeta | undefined {
    const { entries, segments } = this.state;
    const e = entries.get(id);
    if (!e) return this.base.document(id);
    if (e.status === 'retired') return undefined;
    // A bundled document that was superseded keeps its bundled text.
    const meta = e.segment ? segments.get(e.segment)?.document(id) : this.base.document(id);
    return meta && withValidity(meta, e);
  }

  /**
   * The published documents whose số ký hiệu is `number` (compared without case and marks:
   * "05-nq/tu" finds "05-NQ/TU"), current ones first; retired ones never.
   */
  findByNumber(number: string): DocumentMeta[] {
    const wanted = foldNumber(number);
    const out: DocumentMeta[] = [];
    for (const [id, e] of this.state.entries) {
      if (e.status === 'retired') continue;
      const meta = this.document(id);
      if (meta?.number && foldNumber(meta.number) === wanted) out.push(meta);
    }
    return out.sort((a, b) => Number(Boolean(a.supersededBy)) - Number(Boolean(b.supersededBy)));
  }

  search(query: string, opts: SearchOptions = {}): SearchResult {
    const state = this.state;
    if (!state.entries.size) return this.base.search(query, opts);
    const limit = Math.max(1, opts.limit ?? 5);
    const first = this.withStats(() => this.base.lexicalHits(query, limit, this.baseFilter(state)));
    const hits: SearchHit[] = [...first.hits];
    for (const [id, index] of state.segments) hits.push(...index.lexicalHits(query, limit, this.segmentFilter(state, id, index)).hits);
    hits.sort((a, b) => b.score - a.score);
    const top = hits.slice(0, limit).map((h) => {
      const e = state.entries.get(h.doc.id);
      return e?.supersededBy ? { ...h, doc: withValidity(h.doc, e) } : h;
    });
    return this.base.checkPlaces(query, judgeHits(top, first.queryWords));
  }

  async hybridSearch(query: string, opts: HybridOptions = {}): Promise<HybridResult> {
    await this.refresh();
    if (!this.state.entries.size) return this.base.hybridSearch(query, opts);
    return { ...this.search(query, opts), mode: 'bm25', fallback: 'live' };
  }

  bestSentences(chunk: Chunk, query: string, max = 2): string[] {
    const e = this.state.entries.get(chunk.docId);
    const owner = e?.segment ? this.state.segments.get(e.segment) : undefined;
    return owner ? owner.bestSentences(chunk, query, max) : this.withStats(() => this.base.bestSentences(chunk, query, max));
  }
}

/** A document's metadata with what the manifest says of its validity. */
function withValidity(meta: DocumentMeta, e: LiveEntry): DocumentMeta {
  return e.supersededBy ? { ...meta, supersededBy: e.supersededBy } : meta;
}

/** "05-NQ/TU", "05-nq/tu" and "05 NQ/TU" alike; Đ as D. */
export function foldNumber(number: string): string {
  return fold(number.normalize('NFC').toLowerCase()).replace(/\s+/g, '').replace(/[–—]/g, '-');
}

function corpusDf(base: KnowledgeIndex, segments: ReadonlyMap<string, KnowledgeIndex>, cache: Map<string, number>, term: string): number {
  let df = cache.get(term);
  if (df === undefined) {
    df = base.localDf(term);
    for (const s of segments.values()) df += s.localDf(term);
    if (cache.size >= DF_CACHE_LIMIT) cache.clear();
    cache.set(term, df);
  }
  return df;
}
