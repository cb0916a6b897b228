/**
 * buildPostings against the way it built postings before it was made cheaper (each chunk's
 * terms interned twice and slotted through a Map), kept here as the reference: the lists, and
 * so the serialised index, must stay the same posting for posting.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer, type AnalyzerData } from '../../src/search/analyzer';
import { BM25F, buildPostings, IMPACT_SCALE } from '../../src/search/bm25f';
import { PostingsBuilder, type PostingLists } from '../../src/search/postings';
import { KnowledgeBundleSchema, type KnowledgeBundle } from '../../src/knowledge/schema';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

const FIELDS = ['title', 'heading', 'keywords', 'body'] as const;

function referencePostings(bundle: KnowledgeBundle, analyzer: Analyzer): PostingLists {
  const docs = new Map(bundle.documents.map((d) => [d.id, d]));
  const n = bundle.chunks.length;
  const F = FIELDS.length;
  const builder = new PostingsBuilder();
  const lengths = new Float64Array(n * F);
  const rows: Array<{ ids: Uint32Array; tfs: Uint16Array }> = [];
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
      impacts[k] = Math.max(1, Math.min(255, Math.round((tf * (k1 + 1)) / (tf + k1) / IMPACT_SCALE)));
    }
    builder.add(i, row.ids, impacts);
  });
  return builder.build();
}

function lists(p: PostingLists): Array<[string, number[], number[]]> {
  return Array.from({ length: p.termCount }, (_, t) => {
    const l = p.list(t);
    return [p.termAt(t), [...l.chunks], [...l.impacts]];
  });
}

const analyzer = new Analyzer((bundleJson as { analyzer: AnalyzerData }).analyzer);

describe('building postings', () => {
  it('gives the reference postings on the bundled knowledge (many documents sharing chunks)', () => {
    const bundle = KnowledgeBundleSchema.parse(knowledgeJson);
    const built = lists(buildPostings(bundle, analyzer));
    expect(built.length).toBeGreaterThan(1000);
    expect(built).toEqual(lists(referencePostings(bundle, analyzer)));
  });

  it('gives the reference postings when terms repeat across fields, documents are missing or fields are empty', () => {
    const bundle: KnowledgeBundle = {
      version: 1,
      documents: [
        { id: 'a', title: 'Chỉ thị 22-CT/TU về cải cách hành chính', source: 's', date: '2022-01-01', kind: 'directive', keywords: ['CCHC', 'UBND tỉnh'] },
        { id: 'b', title: '', source: 's', date: '2022-01-01', kind: 'reference', keywords: [] },
      ],
      chunks: [
        { id: 'a#1', docId: 'a', heading: 'Điều 1. Cải cách hành chính', text: 'Cải cách hành chính, cải cách hành chính: UBND tỉnh đạt 85,52% ngày 30.9.2023.' },
        { id: 'b#1', docId: 'b', heading: '', text: '' },
        { id: 'x#1', docId: 'missing', heading: 'Chỉ thị', text: 'Ủy ban nhân dân tỉnh chỉ thị.' },
        { id: 'a#2', docId: 'a', heading: 'Điều 2', text: 'chỉ thị '.repeat(70_000) },
      ],
    };
    expect(lists(buildPostings(bundle, analyzer))).toEqual(lists(referencePostings(bundle, analyzer)));
  });
});
