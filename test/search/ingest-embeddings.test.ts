import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchEmbeddings, ingestFolder, main } from '../../scripts/ingest';
import { createIndex } from '../../src/search/knowledge-index';
import { EmbeddingsFileSchema, type Embedder } from '../../src/search/vectors';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { loadAnalyzerData } from '../../scripts/ingest';
import { FAKE_DIMENSIONS, startFakeEmbeddings, type FakeEmbeddings } from './fake-embeddings';

const doc = (id: string, title: string, body: string) =>
  `---\nid: ${id}\ntitle: "${title}"\nsource: "Báo thử"\ndate: 2023-08-21\nkind: plan\nkeywords: thử\n---\n# ${title}\n\n${body}\n`;

let fake: FakeEmbeddings;
let dir: string;
let folder: string;
const out = () => join(dir, 'knowledge.json');
const emb = () => join(dir, 'embeddings.json');
const args = () => [folder, '--out', out(), '--embeddings', emb()];
const env = () => ({ OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: fake.url, OPENAI_EMBEDDING_MODEL: 'fake-embed' });

beforeAll(async () => {
  fake = await startFakeEmbeddings();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-embed-'));
  folder = join(dir, 'docs');
  mkdirSync(folder);
  writeFileSync(join(folder, 'a.md'), doc('hop-nhat', 'Nhiệm vụ cuối năm 2023', '## Hợp nhất cổng\nHợp nhất Cổng Dịch vụ công tỉnh và Hệ thống một cửa điện tử trước 30/9/2023.'));
  writeFileSync(join(folder, 'b.md'), doc('bien-che', 'Biên chế năm 2022', '## Biên chế\nNăm 2022 toàn tỉnh có 1.711 biên chế.\n\n## Dân số\nTỉnh có 2,6 triệu dân.'));
  fake.calls.length = 0;
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

describe('ingest with OPENAI_API_KEY set', () => {
  it('embeds every chunk at the configured OpenAI-compatible server', async () => {
    expect(await main(args(), env())).toBe(0);
    const file = EmbeddingsFileSchema.parse(JSON.parse(readFileSync(emb(), 'utf8')));
    const bundle = KnowledgeBundleSchema.parse(JSON.parse(readFileSync(out(), 'utf8')));
    expect(file.model).toBe('fake-embed');
    expect(file.dimensions).toBe(FAKE_DIMENSIONS);
    expect(file.chunks.map((c) => c.id)).toEqual(bundle.chunks.map((c) => c.id));
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({ authorization: 'Bearer sk-test-key', model: 'fake-embed' });
    expect(fake.calls[0]!.input[0]).toContain('Biên chế năm 2022');
  });

  it('writes the same knowledge.json as an ingest without a key', async () => {
    expect(await main(args(), env())).toBe(0);
    expect(readFileSync(out(), 'utf8')).toBe(ingestFolder(folder).content);
  });

  it('reuses stored vectors and embeds only chunks whose text changed', async () => {
    await main(args(), env());
    fake.calls.length = 0;
    expect(await main(args(), env())).toBe(0);
    expect(fake.calls).toHaveLength(0);
    writeFileSync(join(folder, 'b.md'), doc('bien-che', 'Biên chế năm 2022', '## Biên chế\nNăm 2022 toàn tỉnh có 1.711 biên chế.\n\n## Dân số\nTỉnh có 2,7 triệu dân.'));
    expect(await main(args(), env())).toBe(0);
    expect(fake.calls.flatMap((c) => c.input)).toEqual([expect.stringContaining('2,7 triệu dân')]);
  });

  it('keeps the knowledge index and the old vectors when the embeddings call fails', async () => {
    await main(args(), env());
    const before = readFileSync(emb(), 'utf8');
    writeFileSync(join(folder, 'c.md'), doc('moi', 'Tài liệu mới', '## Mới\nMột đoạn mới.'));
    fake.failNext(500);
    expect(await main(args(), env())).toBe(1);
    expect(readFileSync(emb(), 'utf8')).toBe(before);
    expect(readFileSync(out(), 'utf8')).toBe(ingestFolder(folder).content);
  });

  it('leaves the embeddings alone without a key, and never calls the server', async () => {
    expect(await main(args(), {})).toBe(0);
    expect(fake.calls).toHaveLength(0);
    expect(EmbeddingsFileSchema.parse(JSON.parse(readFileSync(emb(), 'utf8'))).model).toBeNull();
    expect(existsSync(out())).toBe(true);
  });

  it('gives the index vectors that hybrid search uses with a live embedder', async () => {
    await main(args(), env());
    const bundle = KnowledgeBundleSchema.parse(JSON.parse(readFileSync(out(), 'utf8')));
    const index = createIndex(bundle, loadAnalyzerData(), { embeddings: JSON.parse(readFileSync(emb(), 'utf8')) });
    expect(index.vectorCount).toBe(bundle.chunks.length);
    const client = { apiKey: 'sk-test-key', baseUrl: fake.url, model: 'fake-embed' };
    const embedder: Embedder = { model: client.model, embed: (texts, signal) => fetchEmbeddings(client, texts, signal) };
    const r = await index.hybridSearch('sáp nhập', { embedder });
    expect(r.mode).toBe('hybrid');
    expect(r.hits[0]!.chunk.docId).toBe('hop-nhat');
    fake.failNext(503);
    expect(await index.hybridSearch('sáp nhập', { embedder })).toMatchObject({ mode: 'bm25', fallback: 'error' });
  });
});

describe('the embeddings client', () => {
  it('rejects a response that is not in the OpenAI format', async () => {
    const fetchStub = (async () => new Response(JSON.stringify({ vectors: [] }), { status: 200 })) as typeof fetch;
    await expect(fetchEmbeddings({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1', model: 'm', fetch: fetchStub }, ['x'])).rejects.toThrow(
      /not in the OpenAI format/,
    );
  });

  it('names the HTTP status of a failed call, never the key', async () => {
    fake.failNext(401);
    const err = await fetchEmbeddings({ apiKey: 'sk-secret-123', baseUrl: fake.url, model: 'm' }, ['x']).catch((e: Error) => e);
    expect(String(err)).toMatch(/HTTP 401/);
    expect(String(err)).not.toContain('sk-secret-123');
  });
});
