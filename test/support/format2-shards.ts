/**
 * How sharded segments stored their postings before term lists (format 2): each shard one string,
 * the JSON of a SerializedPostings of its terms. Only tests write it now, to check that segments
 * stored that way are still read (src/search/sharded-postings reads them: decodeShard, termListsOf).
 */
import { serializePostings, type PostingLists, type SerializedPostings } from '../../src/search/postings';
import { shardOf } from '../../src/search/sharded-postings';

/** The postings split by term hash, each shard serialised on its own. */
export function splitPostings(p: PostingLists, shards: number): SerializedPostings[] {
  const members: number[][] = Array.from({ length: shards }, () => []);
  // Terms are visited in sorted order, so every shard's terms stay sorted.
  for (let t = 0; t < p.termCount; t++) members[shardOf(p.termAt(t), shards)]!.push(t);
  return members.map((terms) => serializePostings(subset(p, terms)));
}

/** A shard as format 2 stored it. */
export function encodeShard(s: SerializedPostings): string {
  return JSON.stringify({ terms: s.terms, counts: s.counts, postings: s.postings });
}

/** A view of some terms of a PostingLists (sorted, as the original is). */
function subset(p: PostingLists, terms: number[]): PostingLists {
  return {
    termCount: terms.length,
    size: terms.reduce((n, t) => n + p.df(t), 0),
    findTerm: () => -1,
    termAt: (t) => p.termAt(terms[t]!),
    df: (t) => p.df(terms[t]!),
    list: (t) => p.list(terms[t]!),
  };
}
