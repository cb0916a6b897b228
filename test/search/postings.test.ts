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
import { decodeShard, decodeTermList, encodeTermList, ShardedPostings, shardOf, shardTermLists, termListsOf } from '../../src/search/sharded-postings';
import { encodeShard, splitPostings } from '../support/format2-shards';
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

  it('a sharded segment stores each term as its count and run, read back as built; whole shards (format 2) give the same values', () => {
    const built = buildPostings(bundled, analyzer);
    const lazy = new LazyPostings(serializePostings(built), bundled.chunks.length);
    const stored = shardTermLists(lazy, 8);
    expect(stored.reduce((n, m) => n + m.size, 0)).toBe(built.termCount);
    for (let t = 0; t < built.termCount; t++) {
      const term = built.termAt(t);
      const value = stored[shardOf(term, 8)]!.get(term)!;
      const list = decodeTermList(value, bundled.chunks.length);
      expect([...list.chunks], term).toEqual([...built.list(t).chunks]);
      expect([...list.impacts], term).toEqual([...built.list(t).impacts]);
      expect(list.top, term).toBe(built.list(t).top);
    }
    // A segment stored before term lists: each shard read whole, cut down to the terms asked.
    splitPostings(built, 8).forEach((shard, k) => {
      const terms = [...stored[k]!.keys()];
      expect(termListsOf(shard, bundled.chunks.length, [...terms.slice(0, 50), 'không-có-từ-này'])).toEqual([...terms.slice(0, 50).map((term) => [term, stored[k]!.get(term)]), ['không-có-từ-này', null]]);
    });
  });

  it('a stored term list that is malformed is refused, and a lying count allocates nothing', () => {
    const good = encodeTermList(1, 'AQEA');
    expect([...decodeTermList(good, 5).chunks]).toEqual([1]);
    for (const bad of ['', 'AQEA', ':AQEA', '0:', '0:AQEA', '-1:AQEA', '1.5:AQEA', '1:AQE', '1:AQEA=', '2:AQEA', '99999999:AQEA', '9999999999:AQEA', 'x:AQEA']) {
      expect(() => decodeTermList(bad, 5), bad).toThrow(/term list cannot be read|truncated|invalid base64/);
    }
    // Points past the last chunk.
    expect(() => decodeTermList(good, 1)).toThrow(/points past the last chunk/);
  });

  it('a sharded view keeps only the terms fetched, remembers those in no shard, and lets the least recently used go first', () => {
    const built = buildPostings(bundled, analyzer);
    const count = 8;
    const stored = shardTermLists(new LazyPostings(serializePostings(built), bundled.chunks.length), count);
    const n = bundled.chunks.length;
    const view = new ShardedPostings(count, n);
    const byDf = Array.from({ length: built.termCount }, (_, t) => t).sort((a, b) => built.df(b) - built.df(a));
    const word = built.termAt(byDf[0]!);
    const k = shardOf(word, count);
    // Another term of the same shard, and a term no shard holds.
    const neighbour = [...stored[k]!.keys()].find((t) => t !== word)!;
    const absent = 'từ-không-có';
    const wanted = view.missing([word, absent, word]);
    expect(wanted.get(k)).toEqual(shardOf(absent, count) === k ? [word, absent] : [word]);
    view.addTerm(word, stored[k]!.get(word)!);
    view.addTerm(absent, null);
    // What a term costs: its text, its chunks and impacts, and the objects around them; an absent one, its text and the entry.
    const wordBytes = 2 * word.length + 5 * built.df(byDf[0]!) + 320;
    expect(view.heldBytes).toBe(wordBytes + 2 * absent.length + 72);
    expect([...view.list(view.findTerm(word)).chunks]).toEqual([...built.list(byDf[0]!).chunks]);
    expect(view.findTerm(absent)).toBe(-1);
    // Held and known absent: nothing to fetch. Its neighbour in the shard was not kept: fetched when asked.
    expect(view.missing([word, absent]).size).toBe(0);
    expect(view.missing([neighbour])).toEqual(new Map([[k, [neighbour]]]));
    expect(view.termCount).toBe(1);
    expect(view.size).toBe(built.df(byDf[0]!));
    // `absent` used last: trimming to one entry's worth lets `word` go first.
    view.missing([absent]);
    view.trim(2 * absent.length + 72, new Set());
    expect(view.findTerm(word)).toBe(-1);
    expect(view.missing([word, absent])).toEqual(new Map([[k, [word]]]));
    // What the query at hand asks for stays, whatever the budget.
    view.addTerm(word, stored[k]!.get(word)!);
    const id = view.findTerm(word);
    view.trim(0, new Set([word]));
    expect(view.heldBytes).toBe(wordBytes);
    expect(view.findTerm(word)).toBe(id);
    view.trim(0, new Set());
    expect(view.heldBytes).toBe(0);
    expect(() => view.list(id)).toThrow(/dropped while in use/);
  });

  it('a sharded view in long use: slots given again, recency kept exactly, its counts always those of the terms it holds', () => {
    const built = buildPostings(bundled, analyzer);
    const count = 4;
    const stored = shardTermLists(new LazyPostings(serializePostings(built), bundled.chunks.length), count);
    const all = stored.flatMap((m) => [...m]);
    const view = new ShardedPostings(count, bundled.chunks.length);
    // A plain model of the same policy: an array in recency order, least recent first.
    let model: string[] = [];
    const cost = (term: string) => {
      const v = stored[shardOf(term, count)]!.get(term);
      return v === undefined ? 2 * term.length + 72 : 2 * term.length + 5 * Number(v.slice(0, v.indexOf(':'))) + 320;
    };
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // Past the 1,024 slots the view starts with, with terms let go and their slots given again.
    for (let step = 0; step < 6000; step++) {
      const asked = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.1 ? `vắng-${Math.floor(next() * 300)}` : all[Math.floor(next() * Math.min(all.length, 3000))]![0]));
      // Terms held count as used in the order asked; those fetched come after, in the order added.
      for (const t of asked) if (model.includes(t)) model = [...model.filter((m) => m !== t), t];
      for (const [, terms] of view.missing(asked)) {
        for (const t of terms) {
          view.addTerm(t, stored[shardOf(t, count)]!.get(t) ?? null);
          model.push(t);
        }
      }
      const budget = next() < 0.2 ? 20_000 : 200_000;
      view.trim(budget, asked);
      let bytes = model.reduce((a, t) => a + cost(t), 0);
      model = model.filter((t) => {
        if (bytes <= budget || asked.includes(t)) return true;
        bytes -= cost(t);
        return false;
      });
      if (step % 500 !== 0 && step !== 5999) continue;
      expect(view.heldBytes).toBe(model.reduce((a, t) => a + cost(t), 0));
      const present = model.filter((t) => stored[shardOf(t, count)]!.has(t));
      expect(view.termCount).toBe(present.length);
      expect(view.size).toBe(present.reduce((a, t) => a + built.df(built.findTerm(t)), 0));
      for (const t of present) expect([...view.list(view.findTerm(t)).chunks], t).toEqual([...built.list(built.findTerm(t)).chunks]);
      // Held terms need no fetch; everything let go does.
      expect(view.missing(model).size).toBe(0);
      for (const t of model) model = [...model.filter((m) => m !== t), t];
    }
  });
});
