/**
 * @module search/relevance
 * What a hit measures besides its score (the share of the query's words it holds, weighted by
 * rarity, and of its adjacent word pairs) and the rule that reads those shares to say "nothing
 * relevant" rather than quote a passage that merely shares a few words with the question. It
 * stands apart from the ranking so the thresholds can be read and swept (npm run eval --
 * --calibrate), and so the answer code can use them without the engine.
 */
import type { Chunk, DocumentMeta } from '../knowledge/schema';
import type { PlaceMatcher } from './places';

export interface SearchHit {
  chunk: Chunk;
  doc: DocumentMeta;
  /** BM25F score (search) or fused RRF score (hybridSearch): comparable within one result only. */
  score: number;
  /** Share of the query's content words found in the chunk, its title or keywords (0..1). */
  coverage: number;
  /** The same share weighted by each word's rarity (idf): what the relevance rule reads. */
  weightedCoverage: number;
  /** Share of the query's adjacent content-word pairs found as pairs in the chunk (1 when the query has none). */
  phraseCoverage: number;
  /** Cosine similarity to the query, when the hit came through hybridSearch with vectors. */
  similarity?: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** False when no hit passes the relevance rule: say "not found", do not quote. */
  relevant: boolean;
  /**
   * The best idf-weighted coverage among hits meeting the rest of the relevance rule (0..1);
   * `relevant` is `confidence >= RELEVANCE.minWeightedCoverage` (or the vector rule in hybrid).
   */
  confidence: number;
  /** Number of distinct content words in the query (what coverage is counted over). */
  queryWords: number;
}

/** A passage quoted next to the best one needs at least this share of the query's words. */
export const MIN_COVERAGE = 0.5;

/**
 * The relevance rule, calibrated on the eval set (npm run eval -- --calibrate). Some hit must
 * match at least `minWeightedCoverage` of the query's content words weighted by rarity (idf),
 * at least `minPhraseCoverage` of its adjacent word pairs, and at least two distinct words (all
 * of them for a one-word query). Rare words weigh most, so "PAPI là gì" gets in on "papi";
 * pairs catch the unmarked query whose syllables each occur somewhere but never together
 * ("thoi tiet ha noi": thời, tiết, Hà, nội all exist, "thời tiết" and "Hà Nội" do not).
 */
interface RelevanceRule {
  minWeightedCoverage: number;
  minPhraseCoverage: number;
  minMatchedWords: number;
}
export const RELEVANCE: Readonly<RelevanceRule> = { minWeightedCoverage: 0.4, minPhraseCoverage: 0.1, minMatchedWords: 2 };

/** Whether a result's hits pass a relevance rule (exported so the eval can sweep thresholds). */
export function passesRelevance(hits: SearchHit[], queryWords: number, rule: RelevanceRule = RELEVANCE): boolean {
  return bestCoverage(hits, queryWords, rule) >= rule.minWeightedCoverage;
}

/** The result for these hits under the relevance rule in force. */
export function judgeHits(hits: SearchHit[], queryWords: number): SearchResult {
  const confidence = bestCoverage(hits, queryWords, RELEVANCE);
  return { hits, relevant: confidence >= RELEVANCE.minWeightedCoverage, confidence, queryWords };
}

/** Best weighted coverage among hits that meet the phrase and word-count parts of the rule. */
function bestCoverage(hits: SearchHit[], queryWords: number, rule: RelevanceRule): number {
  const needWords = Math.min(rule.minMatchedWords, queryWords);
  if (needWords === 0) return 0;
  let best = 0;
  for (const h of hits) {
    if (Math.round(h.coverage * queryWords) < needWords || h.phraseCoverage < rule.minPhraseCoverage) continue;
    best = Math.max(best, h.weightedCoverage);
  }
  return best;
}

/**
 * Turns `relevant` off when the query names a place the hits never mention (see
 * search/places): the words around the name match, the answer would not.
 */
export function checkPlaces<R extends SearchResult>(places: PlaceMatcher | undefined, query: string, result: R): R {
  if (!result.relevant || !places) return result;
  const named = places.namedIn(query);
  if (named.length === 0) return result;
  // The place must be in a hit that answers by itself, on words besides the place's own: a
  // list of provinces that names it is no answer about that province's leaders. Hits that pass
  // only by vectors (none passes the word rule) are judged together, as before.
  const placeWords = named.reduce((n, p) => n + p.split(' ').length, 0);
  const needOthers = Math.min(RELEVANCE.minMatchedWords, Math.max(0, result.queryWords - placeWords));
  const passing = result.hits.filter((h) => passesRelevance([h], result.queryWords));
  const answering = passing.length
    ? passing.filter((h) => Math.round(h.coverage * result.queryWords) - placeWords >= needOthers)
    : result.hits;
  const covered = answering.some((h) => places.mentions([h.doc.title, h.doc.region ?? '', h.chunk.heading, h.chunk.text].join(' '), named));
  return covered ? result : { ...result, relevant: false };
}
