/**
 * @module search/vectors
 * Optional dense retrieval: chunk embeddings stored at ingest (src/generated/embeddings.json,
 * int8-quantised, base64), cosine search over them, and reciprocal rank fusion with BM25.
 * The embedding call itself is not here: the caller hands in an Embedder (src/llm/ in the
 * app, a plain fetch in scripts), so this module stays pure and runs unchanged in workerd.
 */
import { z } from 'zod';
import { fromBase64, toBase64 } from '../text/base64';
import { fnv1a } from '../text/hash';

/** Turns texts into vectors with the same model the chunks were embedded with. */
export interface Embedder {
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
  /** The model name; when given and different from the stored vectors' model, vectors are not used. */
  readonly model?: string;
}

const EMBEDDINGS_FORMAT = 1;

/** src/generated/embeddings.json: written by `npm run ingest` when OPENAI_API_KEY is set. */
export const EmbeddingsFileSchema = z.object({
  format: z.literal(EMBEDDINGS_FORMAT),
  /** null until embeddings were first computed. */
  model: z.string().nullable(),
  dimensions: z.number().int().nonnegative(),
  /** Chunk ids with the hash of the text that was embedded, in vector order. */
  chunks: z.array(z.object({ id: z.string(), hash: z.string() })),
  /** base64 of chunks.length * dimensions signed bytes. */
  vectors: z.string(),
});
export type EmbeddingsFile = z.infer<typeof EmbeddingsFileSchema>;

export const EMPTY_EMBEDDINGS: EmbeddingsFile = { format: EMBEDDINGS_FORMAT, model: null, dimensions: 0, chunks: [], vectors: '' };

/** The text embedded for a chunk: its document's title, its heading and its body. */
export function embeddingText(title: string, heading: string, text: string): string {
  return [title, heading, text].filter(Boolean).join('\n');
}

/** Hash of an embedded text, so a vector is only reused while its chunk is unchanged. */
export function textHash(text: string): string {
  return fnv1a(text) + text.length.toString(16);
}

/** Scales a vector to unit length and to signed bytes (cosine ranking barely changes; size drops 4x). */
export function quantize(vector: number[]): Int8Array {
  let max = 0;
  for (const v of vector) max = Math.max(max, Math.abs(v));
  const out = new Int8Array(vector.length);
  if (max === 0) return out;
  for (let i = 0; i < vector.length; i++) out[i] = Math.round((vector[i]! / max) * 127);
  return out;
}

/** Builds the embeddings file from vectors in chunk order. */
export function encodeEmbeddings(model: string, entries: Array<{ id: string; hash: string; vector: number[] }>): EmbeddingsFile {
  const dimensions = entries[0]?.vector.length ?? 0;
  const bytes = new Uint8Array(entries.length * dimensions);
  entries.forEach((e, i) => {
    if (e.vector.length !== dimensions) throw new Error(`embedding for ${e.id} has ${e.vector.length} dimensions, expected ${dimensions}`);
    bytes.set(new Uint8Array(quantize(e.vector).buffer), i * dimensions);
  });
  return {
    format: EMBEDDINGS_FORMAT,
    model,
    dimensions,
    chunks: entries.map(({ id, hash }) => ({ id, hash })),
    vectors: toBase64(bytes),
  };
}

/** Unpacks stored vectors back to numbers (to reuse unchanged ones at the next ingest). */
export function decodeEmbeddings(file: EmbeddingsFile): Map<string, { hash: string; vector: number[] }> {
  const bytes = new Int8Array(fromBase64(file.vectors).buffer);
  const out = new Map<string, { hash: string; vector: number[] }>();
  file.chunks.forEach((c, i) => {
    out.set(c.id, { hash: c.hash, vector: Array.from(bytes.subarray(i * file.dimensions, (i + 1) * file.dimensions)) });
  });
  return out;
}

interface VectorHit {
  /** Chunk number in the bundle. */
  chunk: number;
  similarity: number;
}

/** Vectors of the current chunks (stale or missing ones left out), searched by cosine. */
export class VectorStore {
  private constructor(
    readonly model: string,
    readonly dimensions: number,
    /** chunk number of each stored row */
    private readonly rows: Uint32Array,
    private readonly data: Int8Array,
    private readonly norms: Float32Array,
  ) {}

  /**
   * Keeps the rows whose chunk still exists with the same text hash; `hashes` maps the
   * bundle's chunk ids to [chunk number, current hash]. Undefined when nothing usable is left.
   */
  static load(file: EmbeddingsFile, hashes: Map<string, [number, string]>): VectorStore | undefined {
    if (!file.model || file.dimensions === 0 || file.chunks.length === 0) return undefined;
    const all = new Int8Array(fromBase64(file.vectors).buffer);
    if (all.length !== file.chunks.length * file.dimensions) throw new Error('embeddings: vector data does not match the chunk list');
    const keep: Array<[number, number]> = [];
    file.chunks.forEach((c, row) => {
      const current = hashes.get(c.id);
      if (current && current[1] === c.hash) keep.push([row, current[0]]);
    });
    if (keep.length === 0) return undefined;
    const d = file.dimensions;
    const data = new Int8Array(keep.length * d);
    const rows = new Uint32Array(keep.length);
    const norms = new Float32Array(keep.length);
    keep.forEach(([row, chunk], i) => {
      const v = all.subarray(row * d, (row + 1) * d);
      data.set(v, i * d);
      rows[i] = chunk;
      let s = 0;
      for (let k = 0; k < d; k++) s += v[k]! * v[k]!;
      norms[i] = Math.sqrt(s) || 1;
    });
    return new VectorStore(file.model, d, rows, data, norms);
  }

  get size(): number {
    return this.rows.length;
  }

  /** The `k` most similar chunks by cosine similarity. */
  search(query: number[], k: number): VectorHit[] {
    const d = this.dimensions;
    let qn = 0;
    for (const v of query) qn += v * v;
    qn = Math.sqrt(qn) || 1;
    const hits: VectorHit[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      let dot = 0;
      const base = i * d;
      for (let j = 0; j < d; j++) dot += query[j]! * this.data[base + j]!;
      hits.push({ chunk: this.rows[i]!, similarity: dot / (qn * this.norms[i]!) });
    }
    return hits.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }
}

/** The usual RRF constant: dampens the head so one list cannot dominate. */
const RRF_K = 60;

/** Reciprocal rank fusion: score(c) = Σ over lists of 1 / (RRF_K + rank), ranks from 1. */
export function reciprocalRankFusion(lists: number[][], k = RRF_K): Array<{ chunk: number; score: number }> {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((chunk, i) => scores.set(chunk, (scores.get(chunk) ?? 0) + 1 / (k + i + 1)));
  }
  return [...scores].map(([chunk, score]) => ({ chunk, score })).sort((a, b) => b.score - a.score || a.chunk - b.chunk);
}
