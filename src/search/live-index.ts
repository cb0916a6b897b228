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
import { Refresher, type RefresherOptions } from '../store/refresher';
import type { AnalyzerData } from './analyzer';
import type { HybridOptions, HybridResult } from './hybrid';
import { createIndex, indexFingerprintFor, shardedIndex, type KnowledgeIndex } from './knowledge-index';
import { ShardedPostings } from './sharded-postings';
import type { ChunkFilter, CorpusStats, QueryAnalysis, SearchOptions } from './query-engine';
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
  /**
   * The entries with the revision they belong to, in one round trip where the source can: what a
   * cold isolate asks first (it has no revision to compare), saving the revision's own round trip.
   */
  current?(): Promise<{ revision: string | null; entries: LiveEntry[] }>;
  /** A segment stored whole (parts ≥ 1). */
  segment(id: string, parts: number): Promise<KnowledgeBundle>;
  /** A large segment stored sharded (parts 0): its head, and its shards and text blocks on demand. */
  openSharded?(id: string): Promise<ShardedSource>;
}

/** What an isolate keeps of a sharded segment: its documents and which chunk is whose. */
export interface ShardedHead {
  format: 2;
  /** The analysis and ranking the postings were built with (an index of another is not used). */
  fingerprint: string;
  documents: DocumentMeta[];
  /** For each chunk, its document's position in `documents`. */
  docOf: number[];
  shards: number;
  /** Chunks per text block. */
  blockSize: number;
  /**
   * Postings stored a hash field per term, read term by term (search/sharded-postings); absent on
   * segments stored as whole shards, which are read whole and cut down to the terms asked.
   */
  termLists?: boolean;
}

export interface ShardedSource {
  head: ShardedHead;
  /** The stored lists of these terms, by shard (search/sharded-postings), null where a term is in none. */
  lists(wanted: ReadonlyMap<number, readonly string[]>): Promise<Array<[string, string | null]>>;
  /** Each block: [heading, text] of its chunks, in order. */
  blocks(bs: number[]): Promise<Array<Array<[string, string]>>>;
}

/** A sharded segment loaded in this isolate. */
interface Sharded {
  source: ShardedSource;
  postings: ShardedPostings;
  /**
   * Text blocks filled in, least recently used first, with their characters: past
   * TEXT_BUDGET_CHARS the least recently used are emptied again.
   */
  texts: Map<number, number>;
  textChars: number;
  /** Chunk positions by document, made on first need (see chunkPosition). */
  positions?: { docIndex: Map<string, number>; starts: Int32Array; order: Int32Array };
}

/**
 * The position of a sharded segment's chunk from its id (`<doc>@<version>#<k>`, the k-th chunk
 * of its document, as shardedChunks names them): worked out from the head's chunk owners, which
 * costs a fraction of a map of every chunk id (50,000 string keys on a province's corpus).
 */
function chunkPosition(s: Sharded, chunkId: string): number | undefined {
  const { head } = s.source;
  if (!s.positions) {
    const docIndex = new Map(head.documents.map((d, i) => [d.id, i]));
    const starts = new Int32Array(head.documents.length + 1);
    for (const d of head.docOf) starts[d + 1]!++;
    for (let d = 0; d < head.documents.length; d++) starts[d + 1]! += starts[d]!;
    const order = new Int32Array(head.docOf.length);
    const next = starts.slice(0, head.documents.length);
    head.docOf.forEach((d, n) => (order[next[d]!++] = n));
    s.positions = { docIndex, starts, order };
  }
  const at = chunkId.lastIndexOf('@');
  const hash = chunkId.lastIndexOf('#');
  const d = s.positions.docIndex.get(chunkId.slice(0, at));
  const k = Number(chunkId.slice(hash + 1));
  if (d === undefined || at < 0 || hash < at || !Number.isInteger(k) || k < 1) return undefined;
  const i = s.positions.starts[d]! + k - 1;
  return i < s.positions.starts[d + 1]! ? s.positions.order[i] : undefined;
}

/**
 * Bytes of terms one sharded segment keeps in memory (search/sharded-postings: each term's list
 * decoded, and the terms known to be in no shard), least recently used let go first. With the
 * segment's head and chunks (about 9 MB at 50,000 chunks) and TEXT_BUDGET_CHARS of text, the
 * index stays under 64 MB however many questions an isolate answers.
 */
const TERM_BUDGET_BYTES = 36_000_000;
/**
 * Characters of chunk text (headings and texts) one sharded segment keeps filled in, about 4 MB.
 * Kept least recently used first, not first in first out: at 50,000 chunks, 256 blocks kept in
 * the order they came made a third of the eval questions fetch and parse their hits' texts again
 * every round, and the texts parsed were most of what the young heap's collections copied.
 */
const TEXT_BUDGET_CHARS = 2_000_000;

/** The chunks of a sharded segment, their ids rebuilt: `<doc>@<version>#<n-th chunk of the doc>`. */
export function shardedChunks(head: ShardedHead, texts: ReadonlyArray<readonly [string, string] | undefined>): Chunk[] {
  const seen = new Map<number, number>();
  return head.docOf.map((d, i) => {
    const doc = head.documents[d]!;
    const k = (seen.get(d) ?? 0) + 1;
    seen.set(d, k);
    const t = texts[i];
    return { id: `${doc.id}@${doc.version ?? 1}#${k}`, docId: doc.id, heading: t?.[0] ?? '', text: t?.[1] ?? '' };
  });
}

/** `refreshMs`: the manifest revision is checked at most this often. */
interface LiveOptions extends RefresherOptions {
  analyzer: AnalyzerData;
  /**
   * Bundled documents another live catalogue overrides (a procedure record replaced or retired
   * by an operator): their bundled text is never searched.
   */
  hidden?: () => ReadonlySet<string>;
  /** Characters of chunk text a sharded segment keeps filled in (default TEXT_BUDGET_CHARS). */
  textChars?: number;
}

interface State {
  revision: string | null;
  entries: Map<string, LiveEntry>;
  segments: Map<string, KnowledgeIndex>;
  /** The sharded ones among `segments`. */
  sharded: Map<string, Sharded>;
  /** Corpus-wide statistics while segments are loaded. */
  stats?: CorpusStats;
  /** Per segment, which of its chunks may answer (1) under these entries: made on first use. */
  masks: Map<string, Uint8Array>;
  /** The same for the bundled index, under this set of overridden records. */
  baseMask?: { hidden: ReadonlySet<string> | undefined; mask: Uint8Array };
}

/**
 * Most distinct terms whose corpus df is remembered between manifest changes: each costs about
 * 70 bytes outside the terms' budget, and a question has a few dozen.
 */
const DF_CACHE_LIMIT = 20_000;

export class LiveKnowledge implements KnowledgeSearch {
  private state: State = { revision: null, entries: new Map(), segments: new Map(), sharded: new Map(), masks: new Map() };
  private readonly refresher: Refresher;

  constructor(
    readonly base: KnowledgeIndex,
    private readonly source: ManifestSource,
    private readonly opts: LiveOptions,
  ) {
    this.refresher = new Refresher(() => this.load(), opts);
  }

  /** The manifest revision this isolate answers from (null: only the bundled seed). */
  get revision(): string | null {
    return this.state.revision;
  }

  /** Live segments loaded in this isolate. */
  get segmentCount(): number {
    return this.state.segments.size;
  }

  /** Characters of chunk text held for sharded segments (what the text cache costs, roughly). */
  get heldTextChars(): number {
    let n = 0;
    for (const s of this.state.sharded.values()) n += s.textChars;
    return n;
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
  refresh(force = false): Promise<void> {
    return this.refresher.refresh(force);
  }

  private async load(): Promise<void> {
    let revision: string | null;
    let list: LiveEntry[];
    if (this.state.revision === null && this.source.current) {
      ({ revision, entries: list } = await this.source.current());
      if (revision === null && !list.length && !this.state.entries.size) return;
    } else {
      revision = await this.source.revision();
      if (revision === this.state.revision) return;
      list = await this.source.entries();
    }
    const entries = new Map(list.map((e) => [e.docId, e]));
    const wanted = new Map<string, number>();
    for (const e of list) if (e.segment && e.status !== 'retired') wanted.set(e.segment, e.parts);
    const segments = new Map<string, KnowledgeIndex>();
    const sharded = new Map<string, Sharded>();
    let failed = false;
    const loadOne = async (id: string, parts: number): Promise<void> => {
        const had = this.state.segments.get(id);
        if (had) {
          segments.set(id, had);
          const s = this.state.sharded.get(id);
          if (s) sharded.set(id, s);
          return;
        }
        if (parts > 0) {
          segments.set(id, createIndex(await this.source.segment(id, parts), this.opts.analyzer));
          return;
        }
        if (!this.source.openSharded) throw new Error(`segment ${id} is sharded and this source cannot read it`);
        const source = await this.source.openSharded(id);
        const { head } = source;
        if (head.fingerprint !== indexFingerprintFor(this.opts.analyzer)) throw new Error(`segment ${id} was indexed with another analysis; compaction must rebuild it`);
        const postings = new ShardedPostings(head.shards, head.docOf.length);
        segments.set(id, shardedIndex(head.documents, shardedChunks(head, []), this.opts.analyzer, postings));
        sharded.set(id, { source, postings, texts: new Map(), textChars: 0 });
    };
    // One unreadable segment costs only its own documents: the rest switch, and the next check
    // (the revision is not taken as seen) tries that segment again.
    await Promise.all(
      [...wanted].map(([id, parts]) =>
        loadOne(id, parts).catch((e: unknown) => {
          failed = true;
          this.opts.onError?.(e);
        }),
      ),
    );
    let chunks = this.base.size;
    for (const s of segments.values()) chunks += s.size;
    const dfCache = new Map<string, number>();
    const stats: CorpusStats | undefined = segments.size ? { chunks, df: (term) => corpusDf(this.base, segments, sharded, dfCache, term) } : undefined;
    for (const s of segments.values()) s.stats = stats;
    // One assignment: a query sees the old state or the new one.
    this.state = { revision: failed ? null : revision, entries, segments, sharded, stats, masks: new Map() };
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

  /**
   * The bundled index's filter: a bundled document named in the manifest was retired or replaced,
   * or overridden by a live procedure record. Worked out once per manifest state and set of
   * overridden records (the same set object while it does not change).
   */
  private baseFilter(state: State): ChunkFilter | undefined {
    const hidden = this.opts.hidden?.();
    if (!state.entries.size && !hidden?.size) return undefined;
    if (state.baseMask && state.baseMask.hidden === hidden) return state.baseMask.mask;
    const mask = chunkMask(this.base, (id) => {
      if (hidden?.has(id)) return false;
      const e = state.entries.get(id);
      // A bundled document superseded (no live version of its own) is still searched, for history.
      return !e || (e.status === 'superseded' && !e.segment);
    });
    state.baseMask = { hidden, mask };
    return mask;
  }

  /** A segment's filter: only the current version of a document that may answer, worked out once per manifest state. */
  private segmentFilter(state: State, id: string, index: KnowledgeIndex): ChunkFilter {
    let mask = state.masks.get(id);
    if (!mask) {
      mask = chunkMask(
        index,
        (docId) => {
          const e = state.entries.get(docId);
          return e !== undefined && e.segment === id && e.status !== 'retired' && e.visibility === 'public';
        },
        state.sharded.get(id)?.source.head,
      );
      state.masks.set(id, mask);
    }
    return mask;
  }

  document(id: string): DocumentMeta | undefined {
    const { entries, segments } = this.state;
    const e = entries.get(id);
    if (!e) return this.base.document(id);
    // Internal documents are for operators: never named, quoted or cited in a chat.
    if (e.status === 'retired' || e.visibility !== 'public') return undefined;
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
    if (!state.entries.size && !this.opts.hidden?.().size) return this.base.search(query, opts);
    return this.base.checkPlaces(query, this.merged(state, this.base.analyze(query), opts));
  }

  /**
   * The bundled index and every live segment searched, merged and judged (before the place
   * check). The query is analysed once for all of them: every segment shares the analysis data.
   */
  private merged(state: State, analysis: QueryAnalysis, opts: SearchOptions): SearchResult {
    const limit = Math.max(1, opts.limit ?? 5);
    const first = this.withStats(() => this.base.lexicalHits(analysis, limit, this.baseFilter(state)));
    const hits: SearchHit[] = [...first.hits];
    for (const [id, index] of state.segments) hits.push(...index.lexicalHits(analysis, limit, this.segmentFilter(state, id, index)).hits);
    hits.sort((a, b) => b.score - a.score);
    const top = hits.slice(0, limit).map((h) => {
      const e = state.entries.get(h.doc.id);
      return e?.supersededBy ? { ...h, doc: withValidity(h.doc, e) } : h;
    });
    return judgeHits(top, first.queryWords);
  }

  async hybridSearch(query: string, opts: HybridOptions = {}): Promise<HybridResult> {
    await this.refresh();
    const state = this.state;
    if (!state.entries.size && !this.opts.hidden?.().size) return this.base.hybridSearch(query, opts);
    const analysis = this.base.analyze(query);
    await this.fetchTerms(state, analysis);
    const result = this.merged(state, analysis, opts);
    const hits = await this.fillTexts(state, result.hits);
    // The place check reads the hits' texts: after they are filled in.
    const judged = hits.length === result.hits.length ? result : judgeHits(hits, result.queryWords);
    return { ...this.base.checkPlaces(query, judged), mode: 'bm25', fallback: 'live' };
  }


  /**
   * Brings in this query's terms that every sharded segment does not hold yet. A segment whose
   * terms cannot be read is reported and searched with what it has.
   */
  private async fetchTerms(state: State, analysis: QueryAnalysis): Promise<void> {
    if (!state.sharded.size) return;
    const terms = this.base.queryTerms(analysis);
    await Promise.all(
      [...state.sharded.values()].map(async (s) => {
        const missing = s.postings.missing(terms);
        if (missing.size) {
          try {
            for (const [term, value] of await s.source.lists(missing)) s.postings.addTerm(term, value);
          } catch (e) {
            this.opts.onError?.(e);
          }
        }
        s.postings.trim(TERM_BUDGET_BYTES, terms);
      }),
    );
  }

  /**
   * Fills in the headings and texts of hits from sharded segments (their blocks, fetched once
   * and kept while recently used); the hits whose text could not be read are left out (never
   * quoted empty).
   */
  private async fillTexts(state: State, hits: SearchHit[]): Promise<SearchHit[]> {
    if (!state.sharded.size) return hits;
    const wanted = new Map<string, Set<number>>();
    // The hits' chunks, by segment: of a block fetched, only these are filled in, and their blocks
    // are kept (see below).
    const hitChunks = new Map<string, Set<number>>();
    for (const h of hits) {
      const id = state.entries.get(h.doc.id)?.segment;
      const s = id ? state.sharded.get(id) : undefined;
      if (!id || !s) continue;
      const n = chunkPosition(s, h.chunk.id);
      if (n === undefined) continue;
      (hitChunks.get(id) ?? hitChunks.set(id, new Set()).get(id)!).add(n);
      const b = Math.floor(n / s.source.head.blockSize);
      const chars = s.texts.get(b);
      if (chars !== undefined && h.chunk.text) {
        // Used again: to the back of the line.
        s.texts.delete(b);
        s.texts.set(b, chars);
      } else (wanted.get(id) ?? wanted.set(id, new Set()).get(id)!).add(b);
    }
    await Promise.all(
      [...wanted].map(async ([id, blocks]) => {
        const s = state.sharded.get(id)!;
        const index = state.segments.get(id)!;
        const size = s.source.head.blockSize;
        const list = [...blocks];
        let got: Array<Array<[string, string]>>;
        try {
          got = await s.source.blocks(list);
        } catch (e) {
          this.opts.onError?.(e);
          return;
        }
        // Only the hits' chunks of a block are filled in (and those filled already): the block's
        // other chunks' texts would be kept, and copied by every young-generation collection
        // until let go, for answers that seldom need them (a block is 4 chunks; its neighbours are
        // fetched again when they are hits).
        const needed = hitChunks.get(id)!;
        list.forEach((b, i) => {
          let chars = 0;
          got[i]!.forEach(([heading, text], j) => {
            const chunk = index.chunkAt(b * size + j);
            if (!needed.has(b * size + j) && !chunk.text) return;
            chunk.heading = heading;
            chunk.text = text;
            chars += heading.length + text.length;
          });
          s.textChars += chars - (s.texts.get(b) ?? 0);
          s.texts.delete(b);
          s.texts.set(b, chars);
        });
        // Texts not used for long are let go again: memory stays bounded, a later hit fetches them anew.
        const keep = new Set([...needed].map((n) => Math.floor(n / size)));
        for (const [old, chars] of s.texts) {
          if (s.textChars <= (this.opts.textChars ?? TEXT_BUDGET_CHARS)) break;
          if (keep.has(old)) continue;
          s.texts.delete(old);
          s.textChars -= chars;
          for (let n = old * size; n < Math.min((old + 1) * size, index.size); n++) {
            const chunk = index.chunkAt(n);
            chunk.heading = '';
            chunk.text = '';
          }
        }
      }),
    );
    return hits.filter((h) => h.chunk.text);
  }

  bestSentences(chunk: Chunk, query: string, max = 2): string[] {
    const e = this.state.entries.get(chunk.docId);
    const owner = e?.segment ? this.state.segments.get(e.segment) : undefined;
    return owner ? owner.bestSentences(chunk, query, max) : this.withStats(() => this.base.bestSentences(chunk, query, max));
  }
}

/**
 * One byte per chunk of `index`: 1 where its document may answer (asked once per document). A
 * sharded segment's head says each chunk's document by position, which spares a cold isolate a
 * map lookup for each of its 50,000 chunks.
 */
function chunkMask(index: KnowledgeIndex, may: (docId: string) => boolean, head?: ShardedHead): Uint8Array {
  const mask = new Uint8Array(index.size);
  if (head) {
    const ok = head.documents.map((d) => may(d.id));
    head.docOf.forEach((d, n) => (mask[n] = ok[d] ? 1 : 0));
    return mask;
  }
  const byDoc = new Map<string, boolean>();
  for (let n = 0; n < index.size; n++) {
    const docId = index.chunkAt(n).docId;
    let ok = byDoc.get(docId);
    if (ok === undefined) byDoc.set(docId, (ok = may(docId)));
    mask[n] = ok ? 1 : 0;
  }
  return mask;
}

/** A document's metadata with what the manifest says of its validity. */
function withValidity(meta: DocumentMeta, e: LiveEntry): DocumentMeta {
  return e.supersededBy ? { ...meta, supersededBy: e.supersededBy } : meta;
}

/** "05-NQ/TU", "05-nq/tu" and "05 NQ/TU" alike; Đ as D. */
export function foldNumber(number: string): string {
  return fold(number.normalize('NFC').toLowerCase()).replace(/\s+/g, '').replace(/[–—]/g, '-');
}

function corpusDf(base: KnowledgeIndex, segments: ReadonlyMap<string, KnowledgeIndex>, sharded: ReadonlyMap<string, Sharded>, cache: Map<string, number>, term: string): number {
  let df = cache.get(term);
  if (df === undefined) {
    df = base.localDf(term);
    for (const [id, s] of segments) if (!sharded.has(id)) df += s.localDf(term);
    if (cache.size >= DF_CACHE_LIMIT) cache.clear();
    cache.set(term, df);
  }
  // Sharded segments only know the terms whose shard is fetched: never cached.
  for (const id of sharded.keys()) df += segments.get(id)!.localDf(term);
  return df;
}
