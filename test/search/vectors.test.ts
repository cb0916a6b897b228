import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createIndex } from '../../src/search/knowledge-index';
import {
  EMPTY_EMBEDDINGS,
  VectorStore,
  decodeEmbeddings,
  embeddingText,
  encodeEmbeddings,
  quantize,
  reciprocalRankFusion,
  textHash,
  type Embedder,
} from '../../src/search/vectors';
import { buildKnowledgeBundle } from '../../src/knowledge/build';
import type { KnowledgeDocument } from '../../src/knowledge/schema';
import { fakeVector } from './fake-embeddings';

const docs: KnowledgeDocument[] = [
  {
    id: 'hop-nhat',
    title: 'Nhiệm vụ cuối năm 2023',
    source: 'Báo A',
    date: '2023-08-21',
    kind: 'plan',
    keywords: [],
    text: '## Hợp nhất Cổng Dịch vụ công\nHợp nhất Cổng Dịch vụ công tỉnh và Hệ thống một cửa điện tử trước 30/9/2023.',
  },
  {
    id: 'cong-tin',
    title: 'Cổng Thông tin điện tử của Tỉnh ủy',
    source: 'Báo B',
    date: '2023-05-26',
    kind: 'target',
    keywords: [],
    text: '## Quy trình\nCác quy trình giải quyết thủ tục được đăng trên Cổng Thông tin điện tử của Tỉnh ủy.',
  },
  {
    id: 'bien-che',
    title: 'Biên chế năm 2022',
    source: 'Báo C',
    date: '2023-08-21',
    kind: 'target',
    keywords: [],
    text: '## Biên chế\nNăm 2022 toàn tỉnh có 1.711 biên chế phục vụ 2,6 triệu dân.',
  },
];
const data = { abbreviations: [], stopwords: ['là', 'gì', 'của', 'các'] };
const bundle = buildKnowledgeBundle(docs);

function embeddingsFor(model: string) {
  const titles = new Map(bundle.documents.map((d) => [d.id, d.title]));
  return encodeEmbeddings(
    model,
    bundle.chunks.map((c) => {
      const text = embeddingText(titles.get(c.docId)!, c.heading, c.text);
      return { id: c.id, hash: textHash(text), vector: fakeVector(text) };
    }),
  );
}

const embedder: Embedder = { model: 'fake-embed', embed: async (texts) => texts.map(fakeVector) };
const index = createIndex(bundle, data, { embeddings: embeddingsFor('fake-embed') });

afterEach(() => {
  vi.useRealTimers();
});

describe('stored vectors', () => {
  const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i]! * b[i]!;
      na += a[i]! * a[i]!;
      nb += b[i]! * b[i]!;
    }
    return dot / Math.sqrt(na * nb);
  };

  it('quantise to signed bytes with cosine similarity nearly unchanged', () => {
    const vec = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        fc.pre(a.some((x) => Math.abs(x) > 1e-3) && b.some((x) => Math.abs(x) > 1e-3));
        expect(Math.abs(cosine(quantize(a), quantize(b)) - cosine(a, b))).toBeLessThan(0.05);
      }),
    );
  });

  it('round-trip through the embeddings file', () => {
    const file = encodeEmbeddings('m', [
      { id: 'a', hash: 'h1', vector: [1, 0, -1] },
      { id: 'b', hash: 'h2', vector: [0, 0.5, 0.25] },
    ]);
    expect(file).toMatchObject({ model: 'm', dimensions: 3, chunks: [{ id: 'a', hash: 'h1' }, { id: 'b', hash: 'h2' }] });
    expect(decodeEmbeddings(file).get('b')).toEqual({ hash: 'h2', vector: [0, 127, 64] });
  });

  it('skip the vector of a chunk whose text changed since it was embedded', () => {
    const file = encodeEmbeddings('m', [
      { id: 'a', hash: 'same', vector: [1, 0] },
      { id: 'b', hash: 'old', vector: [0, 1] },
    ]);
    const store = VectorStore.load(file, new Map([['a', [0, 'same']], ['b', [1, 'new']]]))!;
    expect(store.size).toBe(1);
    expect(store.search([0, 1], 5).map((h) => h.chunk)).toEqual([0]);
    expect(VectorStore.load(EMPTY_EMBEDDINGS, new Map())).toBeUndefined();
  });

  it('fuse rankings by reciprocal rank: agreement beats a single first place', () => {
    const fused = reciprocalRankFusion([
      [1, 2, 3],
      [2, 3, 1],
    ]);
    expect(fused.map((f) => f.chunk)).toEqual([2, 1, 3]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61);
  });
});

describe('hybrid search', () => {
  it('finds a paraphrase that shares no word with the passage', async () => {
    // "sáp nhập" never occurs; the passage says "hợp nhất".
    expect(index.search('sáp nhập').hits).toEqual([]);
    const r = await index.hybridSearch('sáp nhập', { embedder });
    expect(r.mode).toBe('hybrid');
    expect(r.hits[0]!.chunk.docId).toBe('hop-nhat');
    expect(r.hits[0]!.similarity).toBeGreaterThan(0.3);
    // Lexically nothing matched, so only a calibrated similarity rule may call it relevant.
    expect(r.relevant).toBe(false);
    expect((await index.hybridSearch('sáp nhập', { embedder, minSimilarity: 0.3 })).relevant).toBe(true);
  });

  it('keeps what BM25 and the vectors agree on first', async () => {
    const r = await index.hybridSearch('biên chế năm 2022 bao nhiêu', { embedder });
    expect(r.mode).toBe('hybrid');
    expect(r.hits[0]!.chunk.docId).toBe('bien-che');
    expect(r.relevant).toBe(true);
  });

  it('answers as BM25 alone when the index has no vectors', async () => {
    const plain = createIndex(bundle, data);
    const r = await plain.hybridSearch('hợp nhất cổng', { embedder });
    expect(r).toMatchObject({ mode: 'bm25', fallback: 'no-vectors' });
    expect(r.hits).toEqual(plain.search('hợp nhất cổng').hits);
  });

  it('falls back to BM25 when the embedding call fails', async () => {
    const failing: Embedder = { embed: () => Promise.reject(new Error('HTTP 500')) };
    const r = await index.hybridSearch('hợp nhất cổng', { embedder: failing });
    expect(r).toMatchObject({ mode: 'bm25', fallback: 'error' });
    expect(r.hits.map((h) => h.chunk.id)).toEqual(index.search('hợp nhất cổng').hits.map((h) => h.chunk.id));
  });

  it('falls back to BM25 and aborts the call when the embedding takes too long', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const hanging: Embedder = {
      embed: (_texts, s) => {
        signal = s;
        return new Promise(() => {});
      },
    };
    const pending = index.hybridSearch('hợp nhất cổng', { embedder: hanging, timeoutMs: 800 });
    await vi.advanceTimersByTimeAsync(800);
    await expect(pending).resolves.toMatchObject({ mode: 'bm25', fallback: 'timeout' });
    expect(signal?.aborted).toBe(true);
  });

  it('does not mix vectors of another model', async () => {
    const other: Embedder = { model: 'text-embedding-3-large', embed: embedder.embed };
    expect(await index.hybridSearch('hợp nhất', { embedder: other })).toMatchObject({ mode: 'bm25', fallback: 'model-mismatch' });
  });

  it('falls back when the embedding has the wrong shape', async () => {
    const short: Embedder = { embed: async () => [[1, 2, 3]] };
    expect(await index.hybridSearch('hợp nhất', { embedder: short })).toMatchObject({ mode: 'bm25', fallback: 'bad-response' });
    const empty: Embedder = { embed: async () => [] };
    expect(await index.hybridSearch('hợp nhất', { embedder: empty })).toMatchObject({ fallback: 'bad-response' });
  });

  it('leaves concurrent searches unaffected while it waits for the embedding', async () => {
    let release!: (v: number[][]) => void;
    const slow: Embedder = { embed: (texts) => new Promise((resolve) => (release = () => resolve(texts.map(fakeVector)))) };
    const pending = index.hybridSearch('biên chế 2022', { embedder: slow });
    const meanwhile = index.search('hợp nhất cổng dịch vụ công');
    expect(meanwhile.hits[0]!.chunk.docId).toBe('hop-nhat');
    release([]);
    const r = await pending;
    expect(r.hits[0]!.chunk.docId).toBe('bien-che');
    expect(r.hits[0]!.coverage).toBe(1);
  });
});
