/**
 * /admin/documents through the composed app: a document published by an operator answers a
 * chat question with its citation, a new version replaces it, a retired one is never cited;
 * the preview writes nothing; bad uploads are 4xx with a reason and change nothing; a second
 * isolate on the same store sees a publish after its refresh interval, without a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';
import { PLAN_QUESTION, PLAN_V1, PLAN_V2, uploadForm as form } from './support/plan';

const TOKEN = 'documents-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const FIXTURES = join(import.meta.dirname, '../fixtures/documents');

const QUESTION = PLAN_QUESTION;


function upload(t: TestApp, body: FormData, opts: { method?: string; path?: string; query?: string } = {}) {
  return t.request(`${opts.path ?? '/admin/documents'}${opts.query ?? ''}`, { method: opts.method ?? 'POST', headers: auth, body });
}

async function ask(t: TestApp, message = QUESTION) {
  const res = await t.request('/api/chat', postJson({ message }));
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: string; citations: Array<{ id: string }>; found?: boolean };
}

const kbKeys = async (store: Store) => (await store.keysWithPrefix('kb:')).filter((k) => !k.startsWith('kb:lock:'));

afterEach(() => {
  vi.useRealTimers();
});

describe('/admin/documents', () => {
  it('publishes a plan that then answers a chat question with its citation; a new version replaces it; retired, it is never cited', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const before = await ask(t);
    expect(before.citations.map((c) => c.id)).not.toContain('412-kh-ubnd');

    const res = await upload(t, form(PLAN_V1, 'ke-hoach-412.txt'));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; version: number; status: string; metadata: Record<string, unknown>; found: string[]; chunks: unknown[]; warnings: unknown[] };
    expect(body).toMatchObject({ id: '412-kh-ubnd', version: 1, status: 'published' });
    expect(body.metadata).toMatchObject({ number: '412/KH-UBND', kind: 'plan', issuedAt: '2026-11-03' });
    expect(body.found).toEqual(expect.arrayContaining(['number', 'kind', 'issuedAt']));
    expect(body.chunks.length).toBeGreaterThan(0);

    const after = await ask(t);
    expect(after.citations.map((c) => c.id)).toContain('412-kh-ubnd');
    expect(after.reply).toContain('7 giờ 30');

    // The same file again: 200, the same id, nothing new.
    const again = await upload(t, form(PLAN_V1, 'copy.txt'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: '412-kh-ubnd', version: 1, status: 'unchanged' });

    const v2 = await upload(t, form(PLAN_V2, 'ke-hoach-412-sua.txt'), { method: 'PUT', path: '/admin/documents/412-kh-ubnd' });
    expect(v2.status).toBe(201);
    expect(await v2.json()).toMatchObject({ id: '412-kh-ubnd', version: 2 });
    const replaced = await ask(t);
    expect(replaced.reply).toContain('8 giờ 00');
    expect(replaced.reply).not.toContain('7 giờ 30');

    const one = await t.request('/admin/documents/412-kh-ubnd', { headers: auth });
    const detail = (await one.json()) as { version: number; versions: Array<{ version: number }>; chunks: Array<{ id: string }> };
    expect(detail.version).toBe(2);
    expect(detail.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(detail.chunks.every((c) => c.id.startsWith('412-kh-ubnd@2#'))).toBe(true);

    const del = await t.request('/admin/documents/412-kh-ubnd', { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ id: '412-kh-ubnd', status: 'retired' });
    const gone = await ask(t);
    expect(gone.citations.map((c) => c.id)).not.toContain('412-kh-ubnd');
    expect(gone.reply).not.toContain('8 giờ 00');

    const list = (await (await t.request('/admin/documents', { headers: auth })).json()) as { documents: Array<{ docId: string; status: string }> };
    expect(list.documents).toEqual([expect.objectContaining({ docId: '412-kh-ubnd', status: 'retired' })]);

    const audit = (await (await t.request('/admin/audit?from=2026-01-01&to=2026-12-31', { headers: auth })).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['document.publish', 'document.version', 'document.retire']));
  });

  it('?dryRun=1 answers the preview and writes nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await upload(t, form(PLAN_V1, 'ke-hoach.txt'), { query: '?dryRun=1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: '412-kh-ubnd', status: 'preview', dryRun: true, metadata: { number: '412/KH-UBND' } });
    expect(await kbKeys(t.store)).toEqual([]);
    expect((await ask(t)).citations.map((c) => c.id)).not.toContain('412-kh-ubnd');
  });

  it('reads a real PDF (text layer) and its metadata; refuses a scan and an encrypted PDF with 422, writing nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const pdf = readFileSync(join(FIXTURES, 'chi-thi-22-ct-tu.pdf'));
    const ok = await upload(t, form(pdf, 'chi-thi-22.pdf', {}, 'application/pdf'), { query: '?dryRun=1' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ metadata: { number: '22-CT/TU', kind: 'directive', issuedAt: '2022-06-22' } });
    for (const name of ['scan.pdf', 'encrypted.pdf']) {
      const res = await upload(t, form(readFileSync(join(FIXTURES, name)), name, {}, 'application/pdf'));
      expect(res.status, name).toBe(422);
      const body = (await res.json()) as { error: string };
      expect(body.error.length).toBeGreaterThan(10);
    }
    expect(await kbKeys(t.store)).toEqual([]);
  });

  it('refuses bad requests with a 4xx and a reason', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN, KNOWLEDGE_MAX_UPLOAD_MB: '1' });
    const noFile = new FormData();
    noFile.set('title', 'Không có tệp');
    expect((await upload(t, noFile)).status).toBe(400);
    expect((await t.request('/admin/documents', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hello' })).status).toBe(415);
    expect((await upload(t, form(PLAN_V1, 'a.txt', { issuedAt: '3/11/2026' }))).status).toBe(400);
    expect((await upload(t, form(PLAN_V1, 'a.txt', { visibility: 'secret' }))).status).toBe(400);
    const unknown = await upload(t, form(PLAN_V1, 'a.txt', { supersedes: 'khong-co-van-ban-nay' }));
    expect(unknown.status).toBe(422);
    const big = await upload(t, form(new Uint8Array(1_200_000).fill(0x61), 'big.txt'));
    expect(big.status).toBe(413);
    // A file whose bytes are not what its name and type claim.
    const lying = await upload(t, form(PLAN_V1, 'fake.pdf', {}, 'application/pdf'));
    expect(lying.status).toBeGreaterThanOrEqual(400);
    expect(lying.status).toBeLessThan(500);
    expect((await t.request('/admin/documents/khong-co', { method: 'DELETE', headers: auth })).status).toBe(404);
    expect((await upload(t, form(PLAN_V1, 'a.txt'), { method: 'PUT', path: '/admin/documents/khong-co' })).status).toBe(404);
    expect(await kbKeys(t.store)).toEqual([]);
  });

  it('a publish of an id already being published is told 409 and changes nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    expect((await upload(t, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    expect(await t.store.claim('kb:lock:412-kh-ubnd', 60)).toBe(true);
    const res = await upload(t, form(PLAN_V2, 'b.txt'), { method: 'PUT', path: '/admin/documents/412-kh-ubnd' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/đang được cập nhật/);
    expect((await ask(t)).reply).toContain('7 giờ 30');
  });

  it('a store failure in the middle of a publish leaves the old version answering', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    expect((await upload(t, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    const hashSet = t.store.hashSet.bind(t.store);
    const hashSetMany = t.store.hashSetMany.bind(t.store);
    const spy = vi.spyOn(t.store, 'hashSet').mockImplementation(async (key, fields) => {
      if (key === 'kb:manifest') throw new Error('store down');
      return hashSet(key, fields);
    });
    // The manifest and its compact view switch together: failing that step fails both.
    const spyMany = vi.spyOn(t.store, 'hashSetMany').mockImplementation(async (writes) => {
      if (writes.some(([key]) => key === 'kb:manifest')) throw new Error('store down');
      return hashSetMany(writes);
    });
    const res = await upload(t, form(PLAN_V2, 'b.txt'), { method: 'PUT', path: '/admin/documents/412-kh-ubnd' });
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain('store down');
    spy.mockRestore();
    spyMany.mockRestore();
    await t.rt.knowledge.refresh(true);
    expect((await ask(t)).reply).toContain('7 giờ 30');
    const detail = (await (await t.request('/admin/documents/412-kh-ubnd', { headers: auth })).json()) as { version: number };
    expect(detail.version).toBe(1);
    // The lock was released: the next attempt goes through.
    expect((await upload(t, form(PLAN_V2, 'b.txt'), { method: 'PUT', path: '/admin/documents/412-kh-ubnd' })).status).toBe(201);
  });

  it('superseding: the old document is marked superseded and names its successor', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    expect((await upload(t, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    const next = PLAN_V2.replace('412/KH-UBND', '530/KH-UBND');
    const res = await upload(t, form(next, 'b.txt', { supersedes: '412-kh-ubnd' }));
    expect(res.status).toBe(201);
    const list = (await (await t.request('/admin/documents?status=superseded', { headers: auth })).json()) as { documents: Array<Record<string, unknown>> };
    expect(list.documents).toEqual([expect.objectContaining({ docId: '412-kh-ubnd', status: 'superseded', supersededBy: '530-kh-ubnd' })]);
    const q = (await (await t.request('/admin/documents?q=530', { headers: auth })).json()) as { documents: Array<{ docId: string }> };
    expect(q.documents.map((d) => d.docId)).toEqual(['530-kh-ubnd']);
  });

  it('another process on the same store answers from a new document after its refresh interval, with no restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryStore();
    const env = { ADMIN_TOKEN: TOKEN, KNOWLEDGE_REFRESH_SECONDS: '5' };
    const make = () => {
      const rt = createRuntime(loadConfig(env), { store, log: createLogger('error', () => undefined) });
      const app = createApp(rt);
      return { rt, request: (path: string, init?: RequestInit) => app.request(path, init, env) } as unknown as TestApp;
    };
    const a = make();
    const b = make();
    expect((await ask(b)).citations.map((c) => c.id)).not.toContain('412-kh-ubnd');
    expect((await upload(a, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await ask(b)).citations.map((c) => c.id)).toContain('412-kh-ubnd');
    expect((await a.request('/admin/documents/412-kh-ubnd', { method: 'DELETE', headers: auth })).status).toBe(200);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await ask(b)).citations.map((c) => c.id)).not.toContain('412-kh-ubnd');
  });
});
