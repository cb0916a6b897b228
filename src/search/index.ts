/**
 * @module search/index
 * The knowledge search: BM25 over section chunks with field weights (title, heading, body,
 * keywords), a relevance rule that can say "nothing relevant", and the best sentences of
 * a chunk picked out for quoting. Built once per isolate from the bundled knowledge.
 */
import type { Chunk, DocumentMeta, KnowledgeBundle } from '../knowledge/schema';
import { Analyzer, type AnalyzerData } from './analyzer';

export interface SearchHit {
  chunk: Chunk;
  doc: DocumentMeta;
  score: number;
  /** Share of the query's content words found in the chunk (0..1). */
  coverage: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** False when even the best hit is below the relevance rule: say "not found". */
  relevant: boolean;
}

export interface SearchOptions {
  limit?: number;
}

const FIELD_WEIGHTS = { title: 2, heading: 1.5, keywords: 1.5, body: 1 } as const;
const K1 = 1.2;
const B = 0.75;
/** Below this share of query words matched, a hit does not count as an answer. */
export const MIN_COVERAGE = 0.5;
/** And at least this many distinct content words must match (one common word is not enough). */
const MIN_MATCHED_WORDS = 2;

interface Posting {
  chunk: number;
  tf: number;
}

export class KnowledgeIndex {
  private readonly postings = new Map<string, Posting[]>();
  private readonly lengths: number[] = [];
  private readonly wordSets: Set<string>[] = [];
  private readonly avgLength: number;
  private readonly docs: Map<string, DocumentMeta>;

  constructor(
    private readonly bundle: KnowledgeBundle,
    private readonly analyzer: Analyzer,
  ) {
    this.docs = new Map(bundle.documents.map((d) => [d.id, d]));
    let total = 0;
    bundle.chunks.forEach((chunk, i) => {
      const doc = this.docs.get(chunk.docId);
      const tf = new Map<string, number>();
      const words = new Set<string>();
      let length = 0;
      const fields: Array<[string, number]> = [
        [doc?.title ?? '', FIELD_WEIGHTS.title],
        [chunk.heading, FIELD_WEIGHTS.heading],
        [(doc?.keywords ?? []).join(', '), FIELD_WEIGHTS.keywords],
        [chunk.text, FIELD_WEIGHTS.body],
      ];
      for (const [text, weight] of fields) {
        const a = this.analyzer.analyze(text);
        for (const t of a.terms) {
          tf.set(t, (tf.get(t) ?? 0) + weight);
          words.add(t);
        }
        length += a.terms.length * weight;
      }
      for (const [term, f] of tf) {
        let list = this.postings.get(term);
        if (!list) this.postings.set(term, (list = []));
        list.push({ chunk: i, tf: f });
      }
      this.lengths.push(length);
      this.wordSets.push(words);
      total += length;
    });
    this.avgLength = bundle.chunks.length ? total / bundle.chunks.length : 1;
  }

  /** Number of chunks. */
  get size(): number {
    return this.bundle.chunks.length;
  }

  get documentCount(): number {
    return this.docs.size;
  }

  document(id: string): DocumentMeta | undefined {
    return this.docs.get(id);
  }

  search(query: string, opts: SearchOptions = {}): SearchResult {
    const limit = opts.limit ?? 5;
    const analysis = this.analyzer.analyze(query);
    const n = this.bundle.chunks.length;
    const scores = new Map<number, number>();
    const queryTf = new Map<string, number>();
    for (const t of analysis.terms) queryTf.set(t, (queryTf.get(t) ?? 0) + 1);
    for (const [term, qtf] of queryTf) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const p of list) {
        const len = this.lengths[p.chunk]!;
        const norm = (p.tf * (K1 + 1)) / (p.tf + K1 * (1 - B + (B * len) / this.avgLength));
        scores.set(p.chunk, (scores.get(p.chunk) ?? 0) + idf * norm * Math.min(qtf, 2));
      }
    }
    const words = [...new Set(analysis.words)];
    const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
    const hits: SearchHit[] = ranked.map(([i, score]) => {
      const chunk = this.bundle.chunks[i]!;
      const set = this.wordSets[i]!;
      const matched = words.filter((w) => set.has(w)).length;
      return {
        chunk,
        doc: this.docs.get(chunk.docId)!,
        score,
        coverage: words.length ? matched / words.length : 0,
      };
    });
    const best = hits[0];
    const relevant =
      best !== undefined &&
      best.coverage >= MIN_COVERAGE &&
      Math.round(best.coverage * words.length) >= Math.min(MIN_MATCHED_WORDS, words.length);
    return { hits, relevant };
  }

  /** The sentences of a chunk that best match the query, in their original order. */
  bestSentences(chunk: Chunk, query: string, max = 2): string[] {
    const queryWords = new Set(this.analyzer.analyze(query).terms);
    const sentences = splitSentences(chunk.text);
    const scored = sentences.map((s, i) => {
      const terms = new Set(this.analyzer.analyze(s).terms);
      let score = 0;
      for (const t of terms) if (queryWords.has(t)) score += t.includes('_') ? 2 : 1;
      return { s, i, score };
    });
    const top = scored
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, max)
      .sort((a, b) => a.i - b.i);
    return (top.length ? top : scored.slice(0, 1)).map((x) => x.s);
  }
}

/** Splits at sentence ends and list lines, keeping dates like 30/9/2023 and "TP.Thủ Dầu Một" whole. */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ0-9"“(-])/u))
    .map((s) => s.replace(/^[-*•]\s+/, '').trim())
    .filter((s) => s.length > 0);
}

export function createIndex(bundle: KnowledgeBundle, data: AnalyzerData): KnowledgeIndex {
  return new KnowledgeIndex(bundle, new Analyzer(data));
}
