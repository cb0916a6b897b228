/**
 * The stored postings read back exactly as they were built: every term's chunks, impacts and top
 * impact, on the bundled corpus and on lists long enough for multi-byte gaps; a run that is not
 * base64, or cut short, or points past the last chunk is refused, never read as something else.
 */
import { describe, expect, it } from 'vitest';
import { scaleBundle } from '../../scripts/bench/corpus';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { Analyzer, type AnalyzerData } from '../../src/search/analyzer';
import { buildPostings } from '../../src/search/bm25f';
import { LazyPostings, serializePostings, type PostingLists, type SerializedPostings } from '../../src/search/postings';
import { decodeShard, encodeShard, splitPostings } from '../../src/search/sharded-postings';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

const analyzer = new Analyzer((bundleJson as { analyzer: AnalyzerData }).analyzer);
const bundled = KnowledgeBundleSchema.parse(knowledgeJson);

/** Every list as plain arrays, with the top impact worked out from the impacts themselves. */
function lists(p: PostingLists): Array<[string, number[], number[], number]> {
  return Array.from({ length: p.termCount }, (_, t) => {
    const { chunks, impacts, top } = p.list(t);
    const expected = impacts.length && Math.min(...impacts) === 0 ? 0 : Math.max(0, ...impacts);
    expect(top, p.termAt(t)).toBe(expected);
    return [p.termAt(t), [...chunks], [...impacts], top];
  });
}

describe('stored postings', () => {
  it('read back exactly as built, on the bundled corpus and on a scaled one', () => {
    const { index: _index, ...scaled } = scaleBundle(bundled, 3000, 5);
    for (const bundle of [bundled, scaled]) {
      const built = buildPostings(bundle, analyzer);
      const stored = new LazyPostings(serializePostings(built), bundle.chunks.length);
      expect(stored.termCount).toBe(built.termCount);
      const got = lists(stored);
      expect(got).toEqual(lists(built));
      // Gaps of two and three varint bytes are exercised (chunks past 128 and 16,384 apart).
      expect(got.some(([, chunks]) => chunks.some((c, i) => i > 0 && c - chunks[i - 1]! >= 128))).toBe(true);
    }
  });

  it('refuses a run that is not base64, is cut short, or points past the last chunk', () => {
    const built = buildPostings(bundled, analyzer);
    const good = serializePostings(built);
    const t = Array.from({ length: built.termCount }, (_, i) => i).find((i) => built.df(i) > 20)!;
    const open = (s: SerializedPostings, chunks = bundled.chunks.length) => new LazyPostings(s, chunks);
    // Where the term's run lies in the base64 text.
    const runs = (open(good) as unknown as { runStarts: Uint32Array }).runStarts;
    const start = runs[t]!;
    const end = runs[t + 1]!;
    // The same length, one character of the run changed.
    for (const bad of ['$', 'é', '=']) {
      const postings = good.postings.slice(0, start + 1) + bad + good.postings.slice(start + 2);
      expect(() => open({ ...good, postings }).list(t), bad).toThrow(/invalid base64/);
    }
    // Too few chunks for what the postings point at.
    expect(() => open(good, 1).list(t)).toThrow(/points past the last chunk/);
    // A run whose bytes end early: every byte a varint continuation.
    const cut = good.postings.slice(0, start) + '////'.repeat((end - start) / 4) + good.postings.slice(end);
    expect(() => open({ ...good, postings: cut }).list(t)).toThrow(/truncated postings/);
  });

  it('shards read back from their stored form, and from the JSON they were first stored as', () => {
    const shards = splitPostings(buildPostings(bundled, analyzer), 4);
    for (const sh of shards) {
      expect(decodeShard(encodeShard(sh))).toEqual(sh);
      expect(decodeShard(JSON.stringify(sh))).toEqual(sh);
    }
    // The terms are joined by newlines themselves: they come back whole.
    expect(shards[0]!.terms).toContain('\n');
    for (const bad of ['P1\nabc', 'P1\n', '{"terms":"a"}', 'null', '[]']) expect(() => decodeShard(bad), bad).toThrow(/shard/);
    expect(() => decodeShard('nonsense')).toThrow();
  });
});
