/**
 * A large live segment is stored sharded: an isolate loads its head, fetches only the postings
 * of a question's terms (one HMGET a shard they fall in) and the text blocks of its hits, and
 * answers exactly as from a segment loaded whole. A segment stored before term lists (whole
 * shards) is still answered from. Compaction leaves it alone.
 */
import { describe, expect, it } from 'vitest';
import { liveCorpus } from '../../scripts/bench/corpus';
import { KnowledgeBundleSchema, type KnowledgeBundle } from '../../src/knowledge/schema';
import knowledgeJson from '../../src/generated/knowledge.json';
import { makeTestApp, postJson } from '../support/runtime';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { Catalogue } from '../../src/knowledge/catalogue';
import { createIndex } from '../../src/search/knowledge-index';
import { LiveKnowledge } from '../../src/search/live-index';
import type { AnalyzerData } from '../../src/search/analyzer';
import { MemoryStore } from '../../src/store/memory';
import bundleJson from '../../src/generated/bundle.json';
import { serializePostings, type PostingLists } from '../../src/search/postings';
import { decodeTermList } from '../../src/search/sharded-postings';
import { encodeShard } from '../support/format2-shards';

const TOKEN = 'sharded-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

/** About 3,000 chunks: the bundled corpus and perturbed copies of it, with ids an operator could give. */
function corpus(): KnowledgeBundle {
  return liveCorpus(KnowledgeBundleSchema.parse(knowledgeJson), 3000, 7);
}

/** corpus() published as one bulk segment into a store of its own, and the bundled index an isolate starts from. */
async function publishedCorpus() {
  const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
  const store = new MemoryStore();
  const catalogue = new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 });
  const bundle = corpus();
  await catalogue.publishBundle(bundle, 'test');
  const seed = createIndex(KnowledgeBundleSchema.parse(knowledgeJson), analyzer);
  return { analyzer, store, catalogue, bundle, seed };
}

describe('sharded live segments', () => {
  it('a large publish is sharded; another process answers from it, fetching only the shards and texts it needs', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const bundle = corpus();
    const done = await t.rt.catalogue.publishBundle(bundle, 'test');
    const entries = await t.rt.catalogue.manifest();
    expect(entries.every((e) => e.segment === done.segment && e.parts === 0)).toBe(true);
    const keys = await t.store.keysWithPrefix(`kb:seg:${done.segment}:`);
    const shards = keys.filter((k) => /:s\d+$/.test(k)).length;
    expect(keys).toContain(`kb:seg:${done.segment}:h`);
    expect(shards).toBeGreaterThan(4);

    // A second runtime on the same store, as another isolate.
    const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store: t.store, log: createLogger('error', () => undefined) });
    const app = createApp(rt);
    const reads: string[] = [];
    const get = t.store.get.bind(t.store);
    t.store.get = async (key: string) => {
      reads.push(key);
      return get(key);
    };
    const fields: string[] = [];
    const hashGetMany = t.store.hashGetMany.bind(t.store);
    t.store.hashGetMany = async (key: string, asked: readonly string[]) => {
      reads.push(key);
      fields.push(...asked);
      return hashGetMany(key, asked);
    };
    const res = await app.request('/api/chat', postJson({ message: 'Chỉ thị 22-CT/TU ban hành ngày nào?' }));
    const body = (await res.json()) as { reply: string; citations: Array<{ id: string }> };
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.reply).toMatch(/22\/6\/2022|22 tháng 6 năm 2022/);
    const fetchedShards = reads.filter((k) => /:s\d+$/.test(k)).length;
    expect(fetchedShards).toBeGreaterThan(0);
    expect(fetchedShards).toBeLessThan(shards);
    // Only the question's own terms are read from those shards, each once: not the shards' every term.
    const stored = (await Promise.all(keys.filter((k) => /:s\d+$/.test(k)).map((k) => t.store.hashGetAll(k)))).reduce((n, h) => n + Object.keys(h).length, 0);
    expect(new Set(fields).size).toBe(fields.length);
    expect(fields).toContain('22-ct/tu');
    expect(fields.length).toBeLessThan(stored / 20);
    expect(reads.filter((k) => /:t\d+$/.test(k)).length).toBeLessThanOrEqual(8);

    // The same question through the runtime that loaded nothing sharded yet gives the same sources
    // as a fresh load would: ranking does not depend on what was fetched before.
    const again = (await (await app.request('/api/chat', postJson({ message: 'Chỉ thị 22-CT/TU ban hành ngày nào?' }))).json()) as typeof body;
    expect(again.citations).toEqual(body.citations);

    // An operator's view of one document reads its chunks from the blocks that hold them, not all.
    const doc = bundle.documents[0]!.id;
    reads.length = 0;
    const detail = (await (await t.request(`/admin/documents/${doc}`, { headers: auth })).json()) as { chunks: Array<{ id: string; text: string }> };
    expect(detail.chunks.length).toBe(bundle.chunks.filter((c) => c.docId === doc).length);
    expect(detail.chunks.every((c) => c.text.length > 0 && c.id.startsWith(`${doc}@1#`))).toBe(true);
    const blocks = keys.filter((k) => /:t\d+$/.test(k)).length;
    expect(reads.filter((k) => /:t\d+$/.test(k)).length).toBeLessThanOrEqual(2);
    expect(blocks).toBeGreaterThan(10);

    // Compaction merges small segments only: the sharded one stays as it is.
    expect(await t.rt.catalogue.compact({ maxSegments: 0 })).toMatchObject({ merged: 0 });
  });
});

describe('a sharded segment stored before term lists', () => {
  it('whole shards as strings, with a head that does not say term lists: read whole, answered from as before', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const done = await t.rt.catalogue.publishBundle(corpus(), 'test');
    const question = 'Chỉ thị 22-CT/TU ban hành ngày nào?';
    const fresh = async () => createApp(createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store: t.store, log: createLogger('error', () => undefined) }));
    const ask = async (app: Awaited<ReturnType<typeof fresh>>) => (await (await app.request('/api/chat', postJson({ message: question }))).json()) as { reply: string; citations: Array<{ id: string }> };
    const now = await ask(await fresh());
    expect(now.citations.length).toBeGreaterThan(0);

    // Rewritten as the store held it before: each shard one string (format 2 postings), the head without `postings`.
    const headKey = `kb:seg:${done.segment}:h`;
    const head = JSON.parse((await t.store.get(headKey))!) as Record<string, unknown>;
    expect(head.postings).toBe('terms');
    const chunkCount = (head.runs as number[]).reduce((n, v, i) => (i % 2 ? n + v : n), 0);
    for (const key of (await t.store.keysWithPrefix(`kb:seg:${done.segment}:s`)).filter((k) => /:s\d+$/.test(k))) {
      const lists = Object.entries(await t.store.hashGetAll(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const shard: PostingLists = {
        termCount: lists.length,
        size: 0,
        findTerm: () => -1,
        termAt: (i) => lists[i]![0],
        df: (i) => decodeTermList(lists[i]![1], chunkCount).chunks.length,
        list: (i) => decodeTermList(lists[i]![1], chunkCount),
      };
      await t.store.del(key);
      await t.store.set(key, encodeShard(serializePostings(shard)));
    }
    delete head.postings;
    await t.store.set(headKey, JSON.stringify(head));

    const before = await ask(await fresh());
    expect(before.citations).toEqual(now.citations);
    expect(before.reply).toBe(now.reply);
  });
});

describe('texts of a sharded segment held in an isolate', () => {
  const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
  const pool = [
    'Chỉ thị 22-CT/TU ban hành ngày nào?',
    'làm lại căn cước cần giấy tờ gì',
    'đăng ký khai sinh ở đâu',
    'chỉ số hài lòng SIPAS năm 2022',
    'ban chỉ đạo phòng chống tham nhũng',
    'cấp giấy phép xây dựng nhà ở',
    'đăng ký kết hôn cần gì',
    'chuyển đổi số cơ quan Đảng',
  ];

  it('keep the recently used blocks, let the others go past their budget, and fetch them again', async () => {
    const store = new MemoryStore();
    const catalogue = new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 });
    await catalogue.publishBundle(corpus(), 'test');
    const seed = createIndex(KnowledgeBundleSchema.parse(knowledgeJson), analyzer);
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (key: string) => {
      reads.push(key);
      return get(key);
    };
    const isolate = (textChars?: number) => new LiveKnowledge(seed, catalogue, { analyzer, refreshMs: 60_000, ...(textChars ? { textChars } : {}) });
    /** The text blocks a question reads. */
    const ask = async (live: LiveKnowledge, q: string): Promise<string[]> => {
      reads.length = 0;
      const { hits } = await live.hybridSearch(q, { limit: 5 });
      expect(hits.every((h) => h.chunk.text.length > 0)).toBe(true);
      return reads.filter((k) => /:t\d+$/.test(k));
    };
    // What each question reads, and the characters that holds, on an isolate of its own.
    const alone: Array<{ q: string; blocks: string[]; chars: number }> = [];
    for (const q of pool) {
      const live = isolate();
      const blocks = await ask(live, q);
      alone.push({ q, blocks, chars: live.heldTextChars });
    }
    const disjoint = (a: string[], b: string[]) => a.length > 0 && b.length > 0 && !a.some((k) => b.includes(k));
    const triple = alone.flatMap((a) => alone.flatMap((b) => alone.map((c) => [a, b, c] as const))).find(([a, b, c]) => disjoint(a.blocks, b.blocks) && disjoint(a.blocks, c.blocks) && disjoint(b.blocks, c.blocks) && c.chars <= b.chars);
    expect(triple).toBeDefined();
    const [a, b, c] = triple!;

    // Room for the texts of two questions: A, B, A again (nothing read), then C lets B go, not A.
    const live = isolate(a.chars + b.chars);
    expect(await ask(live, a.q)).toEqual(a.blocks);
    expect(await ask(live, b.q)).toEqual(b.blocks);
    expect(await ask(live, a.q)).toEqual([]);
    expect(await ask(live, c.q)).toEqual(c.blocks);
    expect(live.heldTextChars).toBeLessThanOrEqual(a.chars + b.chars);
    expect(await ask(live, a.q)).toEqual([]);
    // B's texts were let go: asked again, they are fetched again and quoted in full.
    expect((await ask(live, b.q)).length).toBeGreaterThan(0);
  });
});

describe('texts of a sharded segment filled in for the hits', () => {
  it('of a block fetched, only the hits\' chunks are filled in; a neighbour is fetched again when it is a hit', async () => {
    const { analyzer, store, catalogue, bundle, seed } = await publishedCorpus();
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (key: string) => {
      reads.push(key);
      return get(key);
    };
    const live = new LiveKnowledge(seed, catalogue, { analyzer, refreshMs: 60_000 });
    const own = <T extends { chunk: { id: string } }>(hits: T[]): T[] => hits.filter((h) => /@\d+#\d+$/.test(h.chunk.id));
    const { hits } = await live.hybridSearch('cấp đổi căn cước công dân', { limit: 5 });
    const mine = own(hits);
    expect(mine.length).toBeGreaterThan(0);
    // What is held is the hits' own texts, not their blocks' (4 chunks each).
    expect(live.heldTextChars).toBe(mine.reduce((a, h) => a + h.chunk.heading.length + h.chunk.text.length, 0));
    // A neighbour in a block fetched, not a hit: asked for by its own words, it is fetched and quoted in full.
    const held = new Set(mine.map((h) => h.chunk.id));
    // A chunk next to a hit in its document (ids are <doc>@<version>#<n-th chunk of the doc>).
    const neighbour = mine
      .flatMap((h) => {
        const [, doc, version, k] = /^(.*)@(\d+)#(\d+)$/.exec(h.chunk.id)!;
        const chunks = bundle.chunks.filter((c) => c.docId === doc);
        return [Number(k) - 1, Number(k) + 1].filter((n) => n >= 1 && n <= chunks.length && !held.has(`${doc}@${version}#${n}`)).map((n) => chunks[n - 1]!);
      })
      .find((c) => c.text.length > 40);
    expect(neighbour).toBeDefined();
    reads.length = 0;
    const again = await live.hybridSearch(neighbour!.text.slice(0, 120), { limit: 5 });
    const found = own(again.hits).find((h) => h.chunk.text === neighbour!.text);
    expect(found).toBeDefined();
    expect(reads.some((k) => /:t\d+$/.test(k))).toBe(true);
  });
});

describe('documents of a sharded segment taken out of answers', () => {
  it('a retired document of a bulk segment is never returned again; its neighbours still are', async () => {
    const { analyzer, catalogue, bundle, seed } = await publishedCorpus();
    const isolate = () => new LiveKnowledge(seed, catalogue, { analyzer, refreshMs: 60_000 });
    // Documents found first by their own title, one early and one late in the segment.
    const found: string[] = [];
    for (const d of [...bundle.documents.slice(3, 40), ...bundle.documents.slice(-40)]) {
      const { hits } = await isolate().hybridSearch(d.title, { limit: 3 });
      if (hits[0]?.doc.id === d.id) found.push(d.id);
      if (found.length === 2 && found.some((id) => bundle.documents.findIndex((x) => x.id === id) > bundle.documents.length / 2)) break;
    }
    expect(found.length).toBeGreaterThanOrEqual(2);
    const [gone, kept] = [found[0]!, found.at(-1)!];
    await catalogue.retire(gone);
    const live = isolate();
    for (const d of bundle.documents.filter((x) => x.id === gone)) {
      const { hits } = await live.hybridSearch(d.title, { limit: 20 });
      expect(hits.map((h) => h.doc.id)).not.toContain(gone);
    }
    const title = bundle.documents.find((x) => x.id === kept)!.title;
    expect((await live.hybridSearch(title, { limit: 3 })).hits[0]?.doc.id).toBe(kept);
  });
});

describe('bulk publish and locks', () => {
  it('a bulk publish is refused (409) while one of its documents is being published, writing nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const bundle = corpus();
    expect(await t.store.claim(`kb:lock:${bundle.documents[3]!.id}`, 60)).toBe(true);
    await expect(t.rt.catalogue.publishBundle(bundle, 'test')).rejects.toMatchObject({ status: 409 });
    expect(await t.rt.catalogue.manifest()).toEqual([]);
    expect((await t.store.keysWithPrefix('kb:lock:')).length).toBe(1);
  });
});
