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
import { decodeShard, encodeShard, ShardedPostings, shardOf, splitPostings } from '../../src/search/sharded-postings';
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

  it('shards read back from their stored form; anything else is refused', () => {
    const shards = splitPostings(buildPostings(bundled, analyzer), 4);
    for (const sh of shards) expect(decodeShard(encodeShard(sh))).toEqual(sh);
    // The terms are joined by newlines themselves: they come back whole.
    expect(shards[0]!.terms).toContain('\n');
    for (const bad of ['P1\nabc', '', '{"terms":"a"}', 'null', '[]', '{"terms":1,"counts":"","postings":""}']) expect(() => decodeShard(bad), bad).toThrow(/shard cannot be read/);
  });

  it('a sharded view counts the lists it decoded in what it holds, and lets the least recently used shards go first', () => {
    const built = buildPostings(bundled, analyzer);
    const count = 8;
    const shards = splitPostings(built, count);
    const view = new ShardedPostings(count, bundled.chunks.length);
    shards.forEach((sh, k) => view.add(k, sh));
    // The stored text (terms at two bytes a character), and per-term tables of 20 bytes (two of them one entry longer).
    const text = shards.reduce((n, sh) => n + 2 * sh.terms.length + sh.counts.length + sh.postings.length + 20 * (sh.terms ? sh.terms.split('\n').length : 0) + 8, 0);
    expect(view.heldBytes).toBe(text);
    // Decoding a long list adds its chunks (4 bytes each) and impacts (1 byte each).
    const term = Array.from({ length: built.termCount }, (_, t) => t).sort((a, b) => built.df(b) - built.df(a))[0]!;
    const word = built.termAt(term);
    const t = view.findTerm(word);
    view.list(t);
    expect(view.heldBytes).toBe(text + 5 * built.df(term));
    // Shard of `word` used last; shard 0 (or 1) used before it: trimming to one shard keeps the most recent.
    const mine = shardOf(word, count);
    const other = mine === 0 ? 1 : 0;
    const otherWord = Array.from({ length: built.termCount }, (_, i) => built.termAt(i)).find((w) => shardOf(w, count) === other)!;
    expect(view.missing([otherWord])).toEqual([]);
    expect(view.missing([word])).toEqual([]);
    const alone = new ShardedPostings(count, bundled.chunks.length);
    alone.add(mine, shards[mine]!);
    alone.list(alone.findTerm(word));
    const mineBytes = alone.heldBytes;
    view.trim(mineBytes, new Set());
    expect(view.heldBytes).toBe(mineBytes);
    expect(view.missing([word])).toEqual([]);
    expect(view.missing([otherWord])).toEqual([other]);
    // What is kept for the query at hand stays, whatever the budget.
    view.add(other, shards[other]!);
    view.trim(0, new Set([other]));
    expect(view.missing([otherWord, word])).toEqual([mine]);
  });
});
