/**
 * QueryEngine.lexical() skips postings that cannot change its result (dynamic pruning); it must
 * still return exactly what scoring every posting returns. Checked against a plain reference
 * (every posting of every lookup, in the plan's order, then a full sort) on the bundled index,
 * on a scaled corpus of a few thousand chunks (whole and sharded, as large live segments are
 * searched), and on a corpus of exact copies (ties everywhere): eval questions and random word
 * mixes, with and without a chunk filter, several limits. Same chunks in the same order, scores
 * equal to the last bit, same coverage figures.
 */
import { describe, expect, it } from 'vitest';
import { rng, scaleBundle } from '../../scripts/bench/corpus';
import { loadQuestions } from '../../scripts/bench/eval-set';
import { KnowledgeBundleSchema, type KnowledgeBundle } from '../../src/knowledge/schema';
import { Analyzer, type AnalyzerData } from '../../src/search/analyzer';
import { IMPACT_SCALE, buildPostings } from '../../src/search/bm25f';
import { LazyPostings, serializePostings, type PostingLists } from '../../src/search/postings';
import { QueryEngine, type ChunkFilter, type Plan } from '../../src/search/query-engine';
import { ShardedPostings, shardTermLists } from '../../src/search/sharded-postings';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

const data = (bundleJson as { analyzer: AnalyzerData }).analyzer;
const analyzer = new Analyzer(data);
const bundled = KnowledgeBundleSchema.parse(knowledgeJson);
const LIMITS = [1, 5, 20];
const TRACKED = 32;

interface Row {
  chunk: number;
  score: number;
  coverage: number;
  weightedCoverage: number;
  phraseCoverage: number;
}

/** The unpruned algorithm: every posting added in the plan's order, every allowed chunk ranked. */
function reference(postings: PostingLists, chunkCount: number, plan: Plan, allow?: ChunkFilter): Row[] {
  const scores = new Float64Array(chunkCount);
  const seen = new Uint8Array(chunkCount);
  const words = new Uint32Array(chunkCount);
  const exact = new Uint32Array(chunkCount);
  const pairs = new Uint32Array(chunkCount);
  for (const l of plan.lookups) {
    const { chunks, impacts } = postings.list(l.t);
    const w = l.weight * l.idf * IMPACT_SCALE;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      seen[c] = 1;
      scores[c] = scores[c]! + w * impacts[i]!;
      words[c]! |= l.wordBit;
      exact[c]! |= l.exactBit;
      pairs[c]! |= l.pairBit;
    }
  }
  const ranked: number[] = [];
  for (let c = 0; c < chunkCount; c++) if (seen[c] && (!allow || allow[c] === 1)) ranked.push(c);
  ranked.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const tracked = Math.min(plan.words.length, TRACKED);
  return ranked.map((c) => {
    let matched = 0;
    let weighted = 0;
    for (let k = 0; k < tracked; k++) {
      if (!(words[c]! & (1 << k))) continue;
      matched++;
      const w = plan.words[k]!;
      weighted += w.idf * (w.exact === -2 || exact[c]! & (1 << k) ? 1 : 0.5);
    }
    let pairCount = 0;
    for (let p = pairs[c]!; p; p &= p - 1) pairCount++;
    return {
      chunk: c,
      score: scores[c]!,
      coverage: plan.words.length ? matched / plan.words.length : 0,
      weightedCoverage: plan.wordTotal > 0 ? weighted / plan.wordTotal : 0,
      phraseCoverage: plan.pairs.length ? pairCount / plan.pairs.length : 1,
    };
  });
}

/** Eval questions, then random mixes of the corpus's words (some repeated, some unknown). */
function queries(bundle: KnowledgeBundle, mixes: number, seed: number): string[] {
  const r = rng(seed);
  const vocabulary = [...new Set(bundle.chunks.slice(0, 400).flatMap((c) => c.text.split(/\s+/).filter((w) => /\p{L}/u.test(w))))];
  const out = loadQuestions().map((q) => q.question);
  for (let i = 0; i < mixes; i++) {
    const words = Array.from({ length: 1 + Math.floor(r() * 14) }, () => vocabulary[Math.floor(r() * vocabulary.length)]!);
    if (r() < 0.2) words.push('xyzzyqq');
    out.push(words.join(' '));
  }
  return out;
}

/** A filter mask over `n` chunks: 1 where `may` says so. */
const mask = (n: number, may: (c: number) => boolean): ChunkFilter => Uint8Array.from({ length: n }, (_, c) => (may(c) ? 1 : 0));
const filters = (n: number): Array<[string, ChunkFilter | undefined]> => [
  ['no filter', undefined],
  ['odd chunks only', mask(n, (c) => c % 2 === 1)],
  ['one chunk in seven', mask(n, (c) => c % 7 === 3)],
];

/** Runs every query through lexical() and the reference; returns how many hits were compared. */
function compare(bundle: KnowledgeBundle, postings: PostingLists, texts: string[]): number {
  const engine = new QueryEngine(bundle, analyzer, postings);
  let compared = 0;
  for (const text of texts) {
    const plan = engine.plan(text);
    for (const [name, allow] of filters(bundle.chunks.length)) {
      const all = reference(postings, bundle.chunks.length, plan, allow);
      for (const limit of LIMITS) {
        const got = engine.lexical(plan, limit, allow).map((h) => ({
          chunk: engine.chunkNumber(h.chunk.id)!,
          score: h.score,
          coverage: h.coverage,
          weightedCoverage: h.weightedCoverage,
          phraseCoverage: h.phraseCoverage,
        }));
        expect(got, `${JSON.stringify(text)}, ${name}, limit ${limit}`).toEqual(all.slice(0, limit));
        compared += got.length;
      }
    }
  }
  return compared;
}

/** A scaled corpus of about 3,000 chunks (the bundled one and perturbed copies of it). */
function scaled(): KnowledgeBundle {
  const { index: _index, ...plain } = scaleBundle(bundled, 3000, 11);
  return plain;
}

describe('lexical() with pruning returns what scoring every posting returns', () => {
  it('on the bundled index, as stored', () => {
    expect(bundled.index).toBeDefined();
    const postings = new LazyPostings(bundled.index!, bundled.chunks.length);
    expect(compare(bundled, postings, queries(bundled, 150, 1))).toBeGreaterThan(1000);
  });

  it('on a scaled corpus, whole and sharded', () => {
    const bundle = scaled();
    const postings = buildPostings(bundle, analyzer);
    const texts = queries(bundle, 150, 2);
    expect(compare(bundle, postings, texts)).toBeGreaterThan(1000);

    // Stored term by term, as a sharded segment is, and every term fetched.
    const shards = shardTermLists(new LazyPostings(serializePostings(postings), bundle.chunks.length), 16);
    const sharded = new ShardedPostings(shards.length, bundle.chunks.length);
    for (const terms of shards) for (const [term, value] of terms) sharded.addTerm(term, value);
    expect(compare(bundle, sharded, texts.filter((_, i) => i % 3 === 0))).toBeGreaterThan(300);
  }, 120_000);

  it('on a corpus where every chunk has exact copies (ties broken by the lower chunk number)', () => {
    // Copies of a chunk (same document, same text) score exactly alike for every query.
    const chunks = [0, 1, 2].flatMap((copy) => bundled.chunks.map((c) => ({ ...c, id: `${c.id}~${copy}` })));
    const { index: _index, ...plain } = bundled;
    const bundle: KnowledgeBundle = { ...plain, chunks };
    const postings = buildPostings(bundle, analyzer);
    expect(compare(bundle, postings, queries(bundle, 100, 3))).toBeGreaterThan(1000);
  }, 60_000);

  it('with no lookups, and with a limit beyond the chunks that match', () => {
    const postings = new LazyPostings(bundled.index!, bundled.chunks.length);
    const engine = new QueryEngine(bundled, analyzer, postings);
    expect(engine.lexical(engine.plan('xyzzyqq'), 5)).toEqual([]);
    const plan = engine.plan('papi');
    const all = reference(postings, bundled.chunks.length, plan);
    expect(all.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThan(1000);
    expect(engine.lexical(plan, 1000).map((h) => h.score)).toEqual(all.map((r) => r.score));
  });
});
