/**
 * The live knowledge under faults and limits: an internal document is never named in a chat;
 * one unreadable segment costs only its own documents (and is tried again); a store failure
 * while fetching a sharded segment's postings does not fail the question.
 */
import { describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { scaleBundle } from '../../scripts/bench/corpus';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import knowledgeJson from '../../src/generated/knowledge.json';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';

const TOKEN = 'robust-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

const plan = (number: string, town: string, hour: string) => `ỦY BAN NHÂN DÂN
PHƯỜNG ${town.toUpperCase()}

Số: ${number}

${town}, ngày 2 tháng 12 năm 2026

THÔNG BÁO
Về lịch tiếp công dân của phường ${town}

1. Chủ tịch Ủy ban nhân dân phường ${town} tiếp công dân định kỳ vào ${hour} thứ Năm hằng tuần tại trụ sở.
`;

async function publish(t: TestApp, text: string, fields: Record<string, string> = {}) {
  const fd = new FormData();
  fd.set('file', new File([text], 'ke-hoach.txt', { type: 'text/plain' }));
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  const res = await t.request('/admin/documents', { method: 'POST', headers: auth, body: fd });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

const chat = async (request: (path: string, init?: RequestInit) => Response | Promise<Response>, message: string) =>
  (await (await request('/api/chat', postJson({ message }))).json()) as { reply: string; citations: Array<{ id: string }> };

/** About 3,000 chunks published live as one sharded segment, every document renamed (none overrides a bundled one). */
async function publishSharded(t: TestApp): Promise<void> {
  const { index: _index, ...plain } = scaleBundle(KnowledgeBundleSchema.parse(knowledgeJson), 3000, 3);
  const rename = new Map(plain.documents.map((d, i) => [d.id, `copy-${i}`]));
  await t.rt.catalogue.publishBundle(
    { ...plain, documents: plain.documents.map((d) => ({ ...d, id: rename.get(d.id)! })), chunks: plain.chunks.map((c) => ({ ...c, docId: rename.get(c.docId)! })) },
    'test',
  );
}

describe('live knowledge under faults', () => {
  it('an internal document is never named, quoted or cited in a chat, even asked by its number', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await publish(t, plan('77/TB-UBND', 'Tân An', '9 giờ'), { visibility: 'internal' });
    const byNumber = await chat(t.request, '77/TB-UBND về nội dung gì?');
    expect(byNumber.reply).not.toContain('Tân An');
    expect(byNumber.citations.map((c) => c.id)).not.toContain('77-tb-ubnd');
    const byContent = await chat(t.request, 'Chủ tịch phường Tân An tiếp công dân vào lúc nào?');
    expect(byContent.reply).not.toContain('9 giờ');
  });

  it('one unreadable segment costs only its own documents, and is tried again on the next check', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const a = await publish(t, plan('81/TB-UBND', 'Cái Khế', '8 giờ'));
    const b = await publish(t, plan('82/TB-UBND', 'An Hòa', '8 giờ'));
    const entryA = (await t.rt.catalogue.manifest()).find((e) => e.docId === a.id)!;
    const part = `kb:seg:${entryA.segment}:0`;
    const saved = (await t.store.get(part))!;
    await t.store.del(part);

    const errors: string[] = [];
    const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store: t.store, log: createLogger('warn', (l) => errors.push(l)) });
    const app = createApp(rt);
    const other = await chat((p, i) => app.request(p, i), 'Chủ tịch phường An Hòa tiếp công dân vào lúc nào?');
    expect(other.citations.map((c) => c.id)).toContain(b.id);
    expect(errors.join('\n')).toMatch(/manifest check failed/);

    await t.store.set(part, saved);
    await rt.knowledge.refresh(true);
    const back = await chat((p, i) => app.request(p, i), 'Chủ tịch phường Cái Khế tiếp công dân vào lúc nào?');
    expect(back.citations.map((c) => c.id)).toContain(a.id);
  });

  it('a store failure while fetching a sharded segment answers from the rest, never fails the question', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await publishSharded(t);
    // The postings' shards fail, whether read whole (get) or term by term (hashGetMany).
    let failed = 0;
    const get = t.store.get.bind(t.store);
    t.store.get = async (key: string) => {
      if (/:s\d+$/.test(key)) {
        failed++;
        throw new Error('store down');
      }
      return get(key);
    };
    const hashGetMany = t.store.hashGetMany.bind(t.store);
    t.store.hashGetMany = async (key: string, fields: readonly string[]) => {
      if (/:s\d+$/.test(key)) {
        failed++;
        throw new Error('store down');
      }
      return hashGetMany(key, fields);
    };
    const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store: t.store, log: createLogger('error', () => undefined) });
    const res = await createApp(rt).request('/api/chat', postJson({ message: 'Chủ tịch UBND tỉnh Bình Dương yêu cầu gì về cải cách hành chính?' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { reply: string }).reply.length).toBeGreaterThan(10);
    expect(failed).toBeGreaterThan(0);
  });

  it('a stored term list that cannot be read answers from the rest, never fails the question', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await publishSharded(t);
    // Every list of the question's terms garbled in the store: a count that lies, and text that is not base64.
    let garbled = 0;
    const hashGetMany = t.store.hashGetMany.bind(t.store);
    t.store.hashGetMany = async (key: string, fields: readonly string[]) => {
      const values = await hashGetMany(key, fields);
      return values.map((v, i) => (v === null ? v : (garbled++, i % 2 ? '99999999:AAAA' : '3:not base64')));
    };
    const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store: t.store, log: createLogger('error', () => undefined) });
    const res = await createApp(rt).request('/api/chat', postJson({ message: 'Chủ tịch UBND tỉnh Bình Dương yêu cầu gì về cải cách hành chính?' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { reply: string }).reply.length).toBeGreaterThan(10);
    expect(garbled).toBeGreaterThan(0);
  });
});
