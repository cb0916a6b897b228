/**
 * @module search/sentence-picker
 * Picks, within a found chunk, the sentences worth quoting: the whole chunk is too long for a
 * chat reply, and the sentence that answers is rarely the first. Sentences come from
 * sentences.ts; here they are scored against the query by rarity (idf from the index), and a
 * list's introduction brings its items. Each chunk's sentences are analysed once and kept.
 */
import type { Chunk } from '../knowledge/schema';
import type { Analyzer } from './analyzer';
import type { QueryEngine } from './query-engine';
import { splitSentences } from './sentences';

/** Weight, when picking sentences, of a query word the heading or title already holds (the subject). */
const CONTEXT_WEIGHT = 0.05;
/** Weight, when picking sentences, of a matched pair of content words relative to a word. */
const PAIR_SENTENCE_WEIGHT = 0.5;
/** Sentences after a list's introduction ("…:") quoted with it, at most. */
const LIST_ITEMS_QUOTED = 8;
/** Chunks whose sentences are kept analysed for quoting; the bundled corpus fits many times over. */
const SENTENCE_CACHE_CHUNKS = 2_000;

/** A chunk's sentences with their terms, and the terms of its heading and document title. */
interface AnalysedChunk {
  context: Set<string>;
  sentences: Array<{ s: string; terms: Set<string> }>;
}

export class SentencePicker {
  /** Each quoted chunk's sentences and their terms, worked out once (bounded for huge corpora). */
  private readonly cache = new Map<Chunk, AnalysedChunk>();

  constructor(
    private readonly analyzer: Analyzer,
    /** Rarity of terms and the chunk's document title. */
    private readonly engine: Pick<QueryEngine, 'termIdf' | 'document'>,
  ) {}

  /**
   * The sentences of a chunk that best match the query, in their original order. Rare words
   * count most; query words already in the chunk's heading or its document's title are the
   * subject, not the answer, so they count little ("Chỉ thị 22-CT/TU ban hành ngày nào" picks
   * "Ngày ban hành: 22/6/2022." over another sentence naming the directive). A picked list
   * introduction brings its items.
   */
  best(chunk: Chunk, query: string, max = 2): string[] {
    const q = this.analyzer.analyzeQuery(query);
    const { context, sentences } = this.analysed(chunk);
    // Each query word and each pair of content words counts once, by rarity.
    const units = [
      ...q.words.map((w) => ({ term: w.folded, weight: 1 })),
      ...q.bigrams.map((b) => ({ term: b, weight: PAIR_SENTENCE_WEIGHT })),
    ].map(({ term, weight }) => {
      const idf = this.engine.termIdf(term);
      return { term, value: weight * idf * (context.has(term) ? CONTEXT_WEIGHT : 1) };
    });
    const scored = sentences.map(({ s, terms }, i) => {
      let score = 0;
      for (const u of units) if (terms.has(u.term)) score += u.value;
      return { s, i, score };
    });
    const top = scored
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, max);
    const picked = new Set((top.length ? top : scored.slice(0, 1)).map((x) => x.i));
    // A sentence ending in ":" introduces the list after it ("… tại 5 địa phương:"): alone it
    // says nothing, so its items come with it.
    for (const i of [...picked]) {
      if (!sentences[i]!.s.endsWith(':')) continue;
      for (let j = i + 1; j < Math.min(sentences.length, i + 1 + LIST_ITEMS_QUOTED); j++) picked.add(j);
    }
    return [...picked].sort((a, b) => a - b).map((i) => sentences[i]!.s);
  }

  private analysed(chunk: Chunk): AnalysedChunk {
    let cached = this.cache.get(chunk);
    if (!cached) {
      if (this.cache.size >= SENTENCE_CACHE_CHUNKS) this.cache.clear();
      cached = {
        context: this.analyzer.termSet(`${this.engine.document(chunk.docId)?.title ?? ''}\n${chunk.heading}`),
        sentences: splitSentences(chunk.text).map((s) => ({ s, terms: this.analyzer.termSet(s) })),
      };
      this.cache.set(chunk, cached);
    }
    return cached;
  }
}
