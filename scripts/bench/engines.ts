/**
 * @module scripts/bench/engines
 * The search engines the bench compares, behind one small interface: ours (BM25F over the
 * Vietnamese analyzer), MiniSearch and Orama, each peer with its defaults and with settings
 * a careful user would pick for Vietnamese (fold marks, index both forms, drop stopwords,
 * boost fields, typo tolerance or prefixes). The peers' Vietnamese helpers below are written
 * independently of our analyzer, the way a MiniSearch or Orama user would write them; they
 * get the same stopword list, but not our abbreviation table or bigrams.
 */
import MiniSearch, { type Options as MiniSearchOptions, type SearchOptions as MiniSearchSearchOptions } from 'minisearch';
import { create, insertMultiple, load, save, search as oramaSearch, type AnyOrama, type Tokenizer } from '@orama/orama';
import type { KnowledgeBundle } from '../../src/knowledge/schema';
import type { AnalyzerData } from '../../src/search/analyzer';
import { createIndex, type KnowledgeIndex } from '../../src/search/knowledge-index';

/** An index ready to answer: top-k chunk numbers for a query. */
export interface BuiltEngine {
  search(query: string, k: number): number[];
  /** Everything needed to answer after a restart (index and chunk texts), as one string. */
  serialize(): string;
}

export interface Engine {
  name: string;
  /** Settings in words, for the report. */
  settings: string;
  build(bundle: KnowledgeBundle, data: AnalyzerData): Promise<BuiltEngine>;
  /** Restores from the parsed serialize() output (JSON.parse is timed apart by the bench). */
  load(parsed: unknown, data: AnalyzerData): Promise<BuiltEngine>;
}

interface Row {
  id: number;
  title: string;
  heading: string;
  keywords: string;
  text: string;
}

function rows(bundle: KnowledgeBundle): Row[] {
  const docs = new Map(bundle.documents.map((d) => [d.id, d]));
  return bundle.chunks.map((c, id) => {
    const d = docs.get(c.docId);
    return { id, title: d?.title ?? '', heading: c.heading, keywords: (d?.keywords ?? []).join(', '), text: c.text };
  });
}

// ---------------------------------------------------------------- ours

function oursBuilt(index: KnowledgeIndex, bundle: KnowledgeBundle): BuiltEngine {
  const numbers = new Map(bundle.chunks.map((c, i) => [c.id, i]));
  return {
    search: (q, k) => index.search(q, { limit: k }).hits.map((h) => numbers.get(h.chunk.id)!),
    serialize: () => JSON.stringify({ ...bundle, index: index.serialize() }),
  };
}

export const ours: Engine = {
  name: 'ours',
  settings: 'BM25F (title, heading, keywords, body); syllables folded + as typed, bigrams, abbreviations, stopwords',
  async build(bundle, data) {
    const { index: _stored, ...plain } = bundle;
    return oursBuilt(createIndex(plain, data), plain);
  },
  async load(parsed, data) {
    const bundle = parsed as KnowledgeBundle;
    const index = createIndex(bundle, data);
    if (index.origin !== 'serialized') throw new Error('bench: our index was rebuilt instead of loaded');
    return oursBuilt(index, bundle);
  },
};

// ---------------------------------------------------------------- peers' Vietnamese helpers

/** Marks stripped, đ→d: the usual one-liner a peer user would write. */
const foldMarks = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

function vietnameseTerms(stopwords: Set<string>, both: boolean): (term: string) => string[] | null {
  return (term) => {
    const lower = term.normalize('NFC').toLowerCase();
    if (!lower || stopwords.has(lower)) return null;
    const folded = foldMarks(lower);
    return both && folded !== lower ? [folded, lower] : [folded];
  };
}

const SPLIT = /[\s\p{P}\p{S}]+/u;

// ---------------------------------------------------------------- MiniSearch

const MS_FIELDS = ['title', 'heading', 'keywords', 'text'];

function miniSearchEngine(name: string, settings: string, options: (data: AnalyzerData) => MiniSearchOptions<Row>): Engine {
  const built = (ms: MiniSearch<Row>, bundle: KnowledgeBundle): BuiltEngine => ({
    search: (q, k) => ms.search(q).slice(0, k).map((r) => r.id as number),
    serialize: () => JSON.stringify({ index: ms, chunks: bundle.chunks, documents: bundle.documents }),
  });
  return {
    name,
    settings,
    async build(bundle, data) {
      const ms = new MiniSearch<Row>(options(data));
      ms.addAll(rows(bundle));
      return built(ms, bundle);
    },
    async load(raw, data) {
      const parsed = raw as { index: unknown; chunks: KnowledgeBundle['chunks']; documents: KnowledgeBundle['documents'] };
      const ms = MiniSearch.loadJS<Row>(parsed.index as never, options(data));
      return built(ms, { version: 1, chunks: parsed.chunks, documents: parsed.documents });
    },
  };
}

const BOOST = { title: 1, heading: 2, keywords: 1, text: 1 };

function miniSearchVi(both: boolean, search: MiniSearchSearchOptions, label: string): Engine {
  return miniSearchEngine(`minisearch:vi-${label}`, `fold marks${both ? ' + as typed' : ''}, stopwords, boost heading 2, ${label}`, (data) => {
    const terms = vietnameseTerms(new Set(data.stopwords.map((w) => w.normalize('NFC').toLowerCase())), both);
    return {
      fields: MS_FIELDS,
      tokenize: (text) => text.split(SPLIT),
      processTerm: (term) => terms(term),
      searchOptions: { boost: BOOST, ...search },
    };
  });
}

export const miniSearchDefault = miniSearchEngine('minisearch:default', 'defaults (4 fields, OR, no fuzzy, no prefix)', () => ({
  fields: MS_FIELDS,
}));

export const miniSearchVariants: Engine[] = [
  miniSearchVi(false, {}, 'fold'),
  miniSearchVi(true, {}, 'both'),
  miniSearchVi(true, { prefix: true }, 'prefix'),
  miniSearchVi(true, { fuzzy: 0.1 }, 'fuzzy0.1'),
  miniSearchVi(true, { fuzzy: 0.2, prefix: true }, 'fuzzy0.2+prefix'),
];

// ---------------------------------------------------------------- Orama

const ORAMA_SCHEMA = { title: 'string', heading: 'string', keywords: 'string', text: 'string' } as const;

interface OramaHit {
  id: string;
}

function oramaEngine(
  name: string,
  settings: string,
  tokenizer: (data: AnalyzerData) => Tokenizer | undefined,
  params: Record<string, unknown>,
): Engine {
  const make = (data: AnalyzerData): AnyOrama => {
    const t = tokenizer(data);
    return create({ schema: ORAMA_SCHEMA, ...(t ? { components: { tokenizer: t } } : {}) }) as AnyOrama;
  };
  const built = (db: AnyOrama, bundle: KnowledgeBundle): BuiltEngine => ({
    search: (q, k) => {
      const r = oramaSearch(db, { term: q, limit: k, ...params }) as unknown as { hits: OramaHit[] };
      if (typeof (r as unknown as Promise<unknown>).then === 'function') throw new Error('bench: Orama search went async');
      return r.hits.map((h) => Number(h.id));
    },
    serialize: () => JSON.stringify({ index: save(db), chunks: bundle.chunks.map((c) => ({ id: c.id, docId: c.docId })) }),
  });
  return {
    name,
    settings,
    async build(bundle, data) {
      const db = make(data);
      await insertMultiple(db, rows(bundle).map((r) => ({ ...r, id: String(r.id) })) as never);
      return built(db, bundle);
    },
    async load(raw, data) {
      const parsed = raw as { index: unknown; chunks: KnowledgeBundle['chunks'] };
      const db = make(data);
      load(db, parsed.index as never);
      return built(db, { version: 1, chunks: parsed.chunks, documents: [] });
    },
  };
}

function oramaViTokenizer(both: boolean): (data: AnalyzerData) => Tokenizer {
  return (data) => {
    const terms = vietnameseTerms(new Set(data.stopwords.map((w) => w.normalize('NFC').toLowerCase())), both);
    return {
      language: 'english',
      normalizationCache: new Map(),
      tokenize: (raw: string) => [...new Set(String(raw).split(SPLIT).flatMap((t) => terms(t) ?? []))],
    };
  };
}

const ORAMA_BOOST = { boost: { title: 1, heading: 2, keywords: 1, text: 1 } };

export const oramaDefault = oramaEngine('orama:default', 'defaults (english tokenizer, prefix match, threshold 1)', () => undefined, {});

export const oramaVariants: Engine[] = [
  oramaEngine('orama:vi-fold', 'fold marks, stopwords, boost heading 2', oramaViTokenizer(false), ORAMA_BOOST),
  oramaEngine('orama:vi-both', 'fold marks + as typed, stopwords, boost heading 2', oramaViTokenizer(true), ORAMA_BOOST),
  oramaEngine('orama:vi-both-tol1', 'fold marks + as typed, stopwords, boost heading 2, tolerance 1', oramaViTokenizer(true), {
    ...ORAMA_BOOST,
    tolerance: 1,
  }),
];

export const ALL_ENGINES: Engine[] = [ours, miniSearchDefault, ...miniSearchVariants, oramaDefault, ...oramaVariants];

export function engineByName(name: string): Engine {
  const e = ALL_ENGINES.find((x) => x.name === name);
  if (!e) throw new Error(`unknown engine ${name}; known: ${ALL_ENGINES.map((x) => x.name).join(', ')}`);
  return e;
}
