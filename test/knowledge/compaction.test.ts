/**
 * Compaction merges the segments of live documents into one: every document answers as before,
 * a version published after the merge replaces the merged one, the scheduled job does it, and
 * merged segments nothing names any more are deleted.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import knowledgeJson from '../../src/generated/knowledge.json';

const TOKEN = 'compaction-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const TOWNS = ['Phong Điền', 'Cái Răng', 'Ninh Kiều', 'Bình Thủy', 'Ô Môn', 'Thốt Nốt', 'Cờ Đỏ', 'Thới Lai', 'Vĩnh Thạnh', 'Long Mỹ'];

const notice = (n: number, town: string, hour: string) => `ỦY BAN NHÂN DÂN
PHƯỜNG ${town.toUpperCase()}

Số: ${100 + n}/TB-UBND

${town}, ngày 2 tháng 12 năm 2026

THÔNG BÁO
Về lịch tiếp công dân của phường ${town}

1. Chủ tịch Ủy ban nhân dân phường ${town} tiếp công dân định kỳ vào ${hour} thứ Năm hằng tuần tại trụ sở.
`;

async function publish(t: TestApp, n: number, hour = '8 giờ') {
  const fd = new FormData();
  fd.set('file', new File([notice(n, TOWNS[n]!, hour)], `tb-${n}.txt`, { type: 'text/plain' }));
  const res = await t.request('/admin/documents', { method: 'POST', headers: auth, body: fd });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function ask(t: TestApp, town: string) {
  const res = await t.request('/api/chat', postJson({ message: `Chủ tịch phường ${town} tiếp công dân vào lúc nào?` }));
  return (await res.json()) as { reply: string; citations: Array<{ id: string }> };
}

describe('knowledge compaction', () => {
  it('merges ten segments into one; every document still answers, a later version replaces its merged copy', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const ids: string[] = [];
    for (let n = 0; n < TOWNS.length; n++) ids.push(await publish(t, n));
    expect(t.rt.knowledge.segmentCount).toBe(10);

    const done = await t.rt.catalogue.compact({ maxSegments: 8 });
    expect(done).toMatchObject({ merged: 10, documents: 10 });
    await t.rt.knowledge.refresh(true);
    expect(t.rt.knowledge.segmentCount).toBe(1);
    for (let n = 0; n < TOWNS.length; n++) {
      const answer = await ask(t, TOWNS[n]!);
      expect(answer.citations.map((c) => c.id), TOWNS[n]).toContain(ids[n]);
    }
    const detail = (await (await t.request(`/admin/documents/${ids[3]}`, { headers: auth })).json()) as { chunks: Array<{ id: string }> };
    expect(detail.chunks.length).toBeGreaterThan(0);

    // A new version after the merge: its own segment answers, the merged copy no longer does.
    const fd = new FormData();
    fd.set('file', new File([notice(3, TOWNS[3]!, '14 giờ')], 'tb-3b.txt', { type: 'text/plain' }));
    expect((await t.request(`/admin/documents/${ids[3]}`, { method: 'PUT', headers: auth, body: fd })).status).toBe(201);
    const changed = await ask(t, TOWNS[3]!);
    expect(changed.reply).toContain('14 giờ');
    expect(changed.reply).not.toMatch(/vào 8 giờ/);

    // Below the threshold nothing happens; above it, the older merged segment is deleted.
    expect(await t.rt.catalogue.compact({ maxSegments: 8 })).toMatchObject({ merged: 0 });
    const again = await t.rt.catalogue.compact({ maxSegments: 1 });
    expect(again.merged).toBe(2);
    const merged = new Set((await t.store.keysWithPrefix('kb:seg:c.')).map((k) => k.split(':')[2]));
    expect([...merged]).toEqual([again.segment]);
    await t.rt.knowledge.refresh(true);
    expect((await ask(t, TOWNS[3]!)).reply).toContain('14 giờ');
    expect((await ask(t, TOWNS[7]!)).citations.map((c) => c.id)).toContain(ids[7]);
  });

  it('runs as a scheduled job, listed with its counts', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    for (let n = 0; n < TOWNS.length; n++) await publish(t, n);
    const job = t.rt.jobs.find((j) => j.id === 'knowledge-compaction');
    expect(job).toBeDefined();
    const counts = await job!.run({ at: t.rt.now(), store: t.store, log: t.rt.log });
    expect(counts).toEqual({ segmentsMerged: 10, documents: 10 });
  });

  it('a document being published is left out of the merge, and merged next time', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const ids: string[] = [];
    for (let n = 0; n < TOWNS.length; n++) ids.push(await publish(t, n));
    expect(await t.store.claim(`kb:lock:${ids[0]}`, 60)).toBe(true);
    const done = await t.rt.catalogue.compact({ maxSegments: 1 });
    expect(done.documents).toBe(9);
    // The lock held by the publish is not taken away by the compaction.
    expect(await t.store.get(`kb:lock:${ids[0]}`)).not.toBeNull();
    await t.store.del(`kb:lock:${ids[0]}`);
    await t.rt.knowledge.refresh(true);
    expect((await ask(t, TOWNS[0]!)).citations.map((c) => c.id)).toContain(ids[0]);
  });

  it('a merge larger than 2 MB is stored sharded and stays readable (its keys are not taken for stale ones)', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const filler = KnowledgeBundleSchema.parse(knowledgeJson).chunks.map((c) => c.text.replace(/\s+/g, ' '));
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) {
      // About 450,000 characters each: six make a merge well over the 2 MB of a whole segment.
      const body = Array.from({ length: 900 }, (_, k) => `${k + 1}. ${filler[(n * 900 + k) % filler.length]!.slice(0, 480)}`).join('\n');
      const fd = new FormData();
      fd.set('file', new File([`${notice(n, TOWNS[n]!, '8 giờ')}\nII. PHỤ LỤC\n${body}\n`], `tb-${n}.txt`, { type: 'text/plain' }));
      const res = await t.request('/admin/documents', { method: 'POST', headers: auth, body: fd });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const done = await t.rt.catalogue.compact({ maxSegments: 1 });
    expect(done.documents).toBe(6);
    const entries = await t.rt.catalogue.manifest();
    expect(entries.every((e) => e.segment === done.segment && e.parts === 0)).toBe(true);
    expect(await t.store.get(`kb:seg:${done.segment}:h`)).not.toBeNull();
    await t.rt.knowledge.refresh(true);
    expect((await ask(t, TOWNS[4]!)).citations.map((c) => c.id)).toContain(ids[4]);
  });
});
