/**
 * @module search/bm25f
 * The ranking function: BM25F's parameters, its idf, and the per-chunk term weights
 * ("impacts") computed once at build time and stored as one byte each. Everything that
 * depends only on the chunk and the corpus is worked out here, so a query merely adds up
 * idf × impact over its terms' posting lists (query-engine.ts).
 */
import type { KnowledgeBundle } from '../knowledge/schema';
import type { Analyzer } from './analyzer';
import { PostingsBuilder, type PostingLists } from './postings';

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

/** Impacts are saturated term weights in [0, k1+1) quantised to one byte. */
export const IMPACT_SCALE = (BM25F.k1 + 1) / 255;

/** BM25 idf over `chunks` chunks; a word that occurs nowhere gets the highest value, so it weighs as missing. */
export function idf(chunks: number, df: number): number {
  return Math.log(1 + (chunks - df + 0.5) / (df + 0.5));
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
  // A field's terms interned once, in its counts' order, with their counts alongside.
  interface Field {
    counts: Map<string, number>;
    length: number;
    ids?: number[];
    tfs?: number[];
  }
  const interned = (f: Field): Field & { ids: number[]; tfs: number[] } => {
    if (!f.ids) {
      f.ids = [];
      f.tfs = [];
      for (const [term, tf] of f.counts) {
        f.ids.push(builder.intern(term));
        f.tfs.push(tf);
      }
    }
    return f as Field & { ids: number[]; tfs: number[] };
  };
  // Title and keywords are the document's: analysed (and interned) once per document.
  const perDoc = new Map<string, [Field, Field]>();
  const analyse = (text: string): Field => {
    const counts = new Map<string, number>();
    return { counts, length: analyzer.indexTerms(text, counts) };
  };
  // A term's slot in the current chunk's row: stamp[id] = chunk + 1 once the chunk has it.
  const stamp: number[] = [];
  const slot: number[] = [];

  for (let i = 0; i < n; i++) {
    const chunk = bundle.chunks[i]!;
    let docFields = perDoc.get(chunk.docId);
    if (!docFields) {
      const doc = docs.get(chunk.docId);
      docFields = [analyse(doc?.title ?? ''), analyse((doc?.keywords ?? []).join(', '))];
      perDoc.set(chunk.docId, docFields);
    }
    const fields = [docFields[0], analyse(chunk.heading), docFields[1], analyse(chunk.text)];
    const ids: number[] = [];
    // (cell, tf) pairs: a term occurs once per field, so each cell is written once.
    const cells: number[] = [];
    for (let fi = 0; fi < F; fi++) {
      const f = interned(fields[fi]!);
      lengths[i * F + fi] = f.length;
      for (let k = 0; k < f.ids.length; k++) {
        const id = f.ids[k]!;
        if (stamp[id] !== i + 1) {
          stamp[id] = i + 1;
          slot[id] = ids.length;
          ids.push(id);
        }
        cells.push(slot[id]! * F + fi, f.tfs[k]!);
      }
    }
    const tfs = new Uint16Array(ids.length * F);
    for (let c = 0; c < cells.length; c += 2) tfs[cells[c]!] = Math.min(cells[c + 1]!, 65535);
    rows.push({ ids: Uint32Array.from(ids), tfs });
  }

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
