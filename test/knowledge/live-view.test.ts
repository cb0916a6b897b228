/**
 * The compact view of the document manifest that every cold isolate loads (knowledge/live-view):
 * switched in the same atomic step as kb:manifest, always saying what the manifest says of every
 * document (status, segment, visibility, successor), and read instead of it. Rows gather in a
 * hash and are folded into one snapshot string past FOLD_AT; a row switched during a fold is
 * never lost. A store written before the view existed is read from its manifest until its next
 * switch writes the view.
 */
import { describe, expect, it } from 'vitest';
import { Catalogue } from '../../src/knowledge/catalogue';
import { FOLD_AT, LiveView } from '../../src/knowledge/live-view';
import type { KnowledgeBundle } from '../../src/knowledge/schema';
import type { LiveEntry } from '../../src/search/live-index';
import { MemoryStore } from '../../src/store/memory';
import { LiveKnowledge } from '../../src/search/live-index';
import { createIndex } from '../../src/search/knowledge-index';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import knowledgeJson from '../../src/generated/knowledge.json';
import type { AnalyzerData } from '../../src/search/analyzer';
import bundleJson from '../../src/generated/bundle.json';
import { PLAN_V1, PLAN_V2 } from './support/plan';

const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
const now = () => new Date('2026-11-21T08:00:00+07:00');

function catalogueOn(store: MemoryStore): Catalogue {
  return new Catalogue({ store, analyzer, now, maxUploadMb: 10 });
}

async function publish(c: Catalogue, text: string, fields: Record<string, unknown> = {}, id?: string) {
  const prepared = await c.prepare({ bytes: new TextEncoder().encode(text), filename: 'plan.txt', contentType: 'text/plain', fields: { supersedes: [], visibility: 'public', ...fields } }, id);
  return c.publish(prepared, 'test', id ? 'version' : 'create');
}

/** What the search needs of the full manifest, for comparison with the view. */
async function fromManifest(c: Catalogue): Promise<LiveEntry[]> {
  return (await c.manifest()).map((e) => ({
    docId: e.docId,
    status: e.status,
    segment: e.segment,
    parts: e.parts,
    visibility: e.visibility,
    ...(e.supersededBy ? { supersededBy: e.supersededBy } : {}),
  }));
}

/** `n` small documents, as a bulk publish takes them. */
function bulk(n: number, from = 0): KnowledgeBundle {
  const documents = Array.from({ length: n }, (_, i) => ({ id: `bulk-${from + i}`, title: `Văn bản ${from + i}`, source: 'UBND', date: '2026-11-01', kind: 'reference' as const, keywords: [] }));
  return { version: 1, documents, chunks: documents.map((d) => ({ id: `${d.id}#1`, docId: d.id, heading: d.title, text: `Nội dung số ${d.id} về thủ tục hành chính.` })) };
}

const rev = (store: MemoryStore, key: string) => store.hashGet(key, '_rev');

describe('the compact manifest view', () => {
  it('says what the manifest says after publishes, a new version, a supersession, an internal document and a retirement', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    const a = await publish(c, PLAN_V1);
    await publish(c, PLAN_V2, {}, a.entry.docId);
    const b = await publish(c, PLAN_V1.replace('412/KH-UBND', '530/KH-UBND').replace('7 giờ 30', '7 giờ 15'), { supersedes: [a.entry.docId] });
    const internal = await publish(c, PLAN_V1.replace('412/KH-UBND', '77/KH-UBND').replace('7 giờ 30', '6 giờ 45'), { visibility: 'internal' });
    await c.retire(internal.entry.docId);

    const view = await c.entries();
    expect(view).toEqual(await fromManifest(c));
    expect(view.find((e) => e.docId === a.entry.docId)).toMatchObject({ status: 'superseded', supersededBy: b.entry.docId });
    expect(view.find((e) => e.docId === internal.entry.docId)).toMatchObject({ status: 'retired', segment: null, visibility: 'internal' });
    // Same revision in both hashes: the view switched in the same step as the manifest.
    expect(await rev(store, 'kb:live')).toBe(await c.revision());
  });

  it('is what entries() reads: the full manifest is not loaded by the search', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    await publish(c, PLAN_V1);
    const read: string[] = [];
    const hashGetAll = store.hashGetAll.bind(store);
    store.hashGetAll = async (key: string) => {
      read.push(key);
      return hashGetAll(key);
    };
    expect(await c.entries()).toHaveLength(1);
    expect(read).toEqual(['kb:live']);
  });

  it('folds past FOLD_AT rows into one snapshot, a fifth of the manifest, and still says what the manifest says', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    await c.publishBundle(bulk(FOLD_AT + 20), 'test');
    // Folded: the hash keeps only its revision, the snapshot every row.
    expect(Object.keys(await store.hashGetAll('kb:live'))).toEqual(['_rev']);
    expect(Object.keys(JSON.parse((await store.get('kb:live:snap'))!) as object)).toHaveLength(FOLD_AT + 20);
    const a = await publish(c, PLAN_V1);
    await c.retire('bulk-3');
    expect(Object.keys(await store.hashGetAll('kb:live')).sort()).toEqual(['_rev', a.entry.docId, 'bulk-3'].sort());
    const view = await c.entries();
    expect(view).toEqual(await fromManifest(c));
    expect(view.find((e) => e.docId === 'bulk-3')).toMatchObject({ status: 'retired' });
    const viewChars = (await store.get('kb:live:snap'))!.length + JSON.stringify(await store.hashGetAll('kb:live')).length;
    expect(viewChars).toBeLessThan(JSON.stringify(await store.hashGetAll('kb:manifest')).length / 4);
  });

  it('a row switched while a fold runs is kept, and a reader never misses a row', async () => {
    const store = new MemoryStore();
    const view = new LiveView(store);
    const entry = (docId: string, status: LiveEntry['status'] = 'published'): LiveEntry => ({ docId, status, segment: status === 'retired' ? null : 'seg-1', parts: 1, visibility: 'public' });
    const first = await view.prepare([entry('doc-a'), entry('doc-b')], async () => []);
    await store.hashSet(first.write[0], { ...first.write[1], _rev: 'r1' });
    // In the middle of the fold (after the snapshot is written, before the rows are removed):
    // doc-a is retired by a publish, and a reader reads the view.
    const set = store.set.bind(store);
    let during: LiveEntry[] | undefined;
    store.set = async (key: string, value: string, ttl?: number) => {
      await set(key, value, ttl);
      if (key === 'kb:live:snap') {
        const next = await view.prepare([entry('doc-a', 'retired')], async () => []);
        await store.hashSet(next.write[0], { ...next.write[1], _rev: 'r2' });
        during = await view.read();
      }
    };
    await view.fold();
    expect(during?.map((e) => [e.docId, e.status])).toEqual([['doc-a', 'retired'], ['doc-b', 'published']]);
    // doc-b was folded away from the hash; doc-a's newer row stayed there and still wins.
    expect(Object.keys(await store.hashGetAll('kb:live')).sort()).toEqual(['_rev', 'doc-a']);
    expect((await view.read())?.map((e) => [e.docId, e.status])).toEqual([['doc-a', 'retired'], ['doc-b', 'published']]);
  });

  it('one fold at a time: a second fold while the first holds the lock leaves the rows for the next', async () => {
    const store = new MemoryStore();
    const view = new LiveView(store);
    const p = await view.prepare([{ docId: 'doc-a', status: 'published', segment: 's', parts: 1, visibility: 'public' }], async () => []);
    await store.hashSet(p.write[0], { ...p.write[1], _rev: 'r1' });
    await store.claim('kb:lock:.live-fold', 60, 'someone-else');
    await view.fold();
    expect(Object.keys(await store.hashGetAll('kb:live')).sort()).toEqual(['_rev', 'doc-a']);
  });

  it('a store from before the view: read from the manifest, then the next switch writes the view', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    const a = await publish(c, PLAN_V1);
    await publish(c, PLAN_V1.replace('412/KH-UBND', '530/KH-UBND').replace('7 giờ 30', '7 giờ 15'));
    const before = await c.entries();
    await store.del('kb:live', 'kb:live:snap');
    // Still read, from the manifest.
    expect(await c.entries()).toEqual(before);
    // One document changes: the others go to the snapshot, the switched one to the hash.
    await publish(c, PLAN_V2, {}, a.entry.docId);
    expect(Object.keys(await store.hashGetAll('kb:live')).sort()).toEqual(['_rev', a.entry.docId].sort());
    expect(await c.entries()).toEqual(await fromManifest(c));
  });

  it('skips a row that is not an entry; refuses a snapshot that cannot be read rather than show half the documents', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    await publish(c, PLAN_V1);
    await store.hashSet('kb:live', { 'bad-1': 'not json', 'bad-2': '["x",null,0,0]', 'bad-3': '["p",null,"0",0]', 'bad-4': '{"docId":"x"}' });
    expect((await c.entries()).map((e) => e.docId)).toEqual(['412-kh-ubnd']);
    await store.set('kb:live:snap', '{"cut short": [');
    await expect(c.entries()).rejects.toThrow(/kb:live:snap/);
  });
});

describe('a publish reads only the entries it touches', () => {
  it('never loads the whole manifest, and still gives a taken id the next free suffix', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    await c.publishBundle(bulk(50), 'test');
    const read: string[] = [];
    const hashGetAll = store.hashGetAll.bind(store);
    store.hashGetAll = async (key: string) => {
      read.push(key);
      return hashGetAll(key);
    };
    const ids: string[] = [];
    for (const hours of ['7 giờ 30', '7 giờ 15', '6 giờ 45']) ids.push((await publish(c, PLAN_V1.replace('7 giờ 30', hours))).entry.docId);
    expect(ids).toEqual(['412-kh-ubnd', '412-kh-ubnd-2', '412-kh-ubnd-3']);
    const superseding = await publish(c, PLAN_V1.replace('412/KH-UBND', '530/KH-UBND').replace('7 giờ 30', '9 giờ'), { supersedes: ['412-kh-ubnd-2', 'bulk-7'] });
    expect(superseding.entry.docId).toBe('530-kh-ubnd');
    await c.retire('bulk-9');
    expect(read).not.toContain('kb:manifest');
    expect(await c.entries()).toEqual(await fromManifest(c));
  });
});

describe('a cold isolate', () => {
  it('loads the view and its revision in one round trip, then checks only the revision', async () => {
    const store = new MemoryStore();
    const c = catalogueOn(store);
    await publish(c, PLAN_V1);
    const revision = await rev(store, 'kb:manifest');
    const calls: string[] = [];
    for (const method of ['get', 'hashGet', 'hashGetAll'] as const) {
      const original = store[method].bind(store) as (...a: string[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[method] = (...a: string[]) => {
        calls.push(`${method} ${a.join(' ')}`);
        return original(...a);
      };
    }
    const live = new LiveKnowledge(createIndex(KnowledgeBundleSchema.parse(knowledgeJson), analyzer), c, { analyzer, refreshMs: 5000 });
    await live.refresh(true);
    expect(live.revision).toBe(revision);
    // The hash and the snapshot (sent together), then the segment; no separate revision read.
    expect(calls.filter((k) => !k.startsWith('get kb:seg:'))).toEqual(['hashGetAll kb:live', 'get kb:live:snap']);
    calls.length = 0;
    await live.refresh(true);
    expect(calls).toEqual(['hashGet kb:manifest _rev']);
  });
});

