/**
 * /admin/procedures through the composed app: a record published by an operator is what /thutuc
 * and free questions answer from, on this runtime at once and on another one on the same store
 * after the refresh interval; a published record replaces the bundled one with its id; a retired
 * one (live or bundled) is gone from answers; bad rows are a 400 naming their lines, with nothing
 * written; the preview writes nothing; export → import carries the live records over.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { bundledProcedures } from '../../src/procedures/load';
import type { ProcedureInput } from '../../src/procedures/schema';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';

const TOKEN = 'procedures-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A procedure the bundled catalogue does not hold (test data, not a real record). */
const ADOPTION: ProcedureInput = {
  id: 'dang-ky-nuoi-con-nuoi',
  name: 'Đăng ký nuôi con nuôi trong nước',
  aliases: ['nhận con nuôi', 'xin con nuôi'],
  field: 'Nuôi con nuôi',
  agency: 'Ủy ban nhân dân cấp xã',
  channels: [{ kind: 'in-person', where: 'Trung tâm Phục vụ hành chính công cấp xã', timeLimit: '30 ngày kể từ ngày nhận đủ hồ sơ.', fee: '400.000 đồng mỗi trường hợp.' }],
  documents: [{ name: 'Đơn xin nhận con nuôi', originals: 1, copies: 0 }],
  asOf: '2026-11-01',
  sources: [{ title: 'Bản ghi mẫu của bài kiểm thử', checkedAt: '2026-11-01' }],
};

const procKeys = async (store: Store) => store.keysWithPrefix('proc:');

function publish(t: Pick<TestApp, 'request'>, body: unknown, query = '') {
  return t.request(`/admin/procedures${query}`, postJson(body, auth));
}

function publishCsv(t: TestApp, csv: string) {
  return t.request('/admin/procedures', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv });
}

async function chat(t: Pick<TestApp, 'request'>, message: string) {
  const res = await t.request('/api/chat', postJson({ message }));
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: string; intent: string; citations: Array<{ id: string }> };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('/admin/procedures', () => {
  it('publishes a new record that /thutuc and a free question then answer from; retired, it is gone', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const fee = ADOPTION.channels![0]!.fee!;
    const before = await chat(t, '/thutuc nhận con nuôi');
    expect(before.reply).not.toContain(ADOPTION.name);

    const res = await publish(t, ADOPTION);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ status: 'published', count: 1, procedures: [{ id: ADOPTION.id, action: 'add', version: 1 }] });

    const card = await chat(t, '/thutuc nhận con nuôi');
    expect(card.intent).toBe('procedure');
    expect(card.reply).toContain(ADOPTION.name);
    expect(card.reply).toContain(fee.replace(/\.$/, ''));
    const free = await chat(t, 'Thủ tục xin con nuôi cần những giấy tờ gì?');
    expect(free.intent).toBe('procedure');
    expect(free.reply).toContain(ADOPTION.documents![0]!.name);

    const list = (await (await t.request('/admin/procedures', { headers: auth })).json()) as { procedures: Array<{ id: string; origin: string; status: string }> };
    expect(list.procedures.length).toBe(bundledProcedures().length + 1);
    expect(list.procedures.find((p) => p.id === ADOPTION.id)).toMatchObject({ origin: 'live', status: 'published' });
    expect(list.procedures.find((p) => p.id === 'dang-ky-khai-tu')).toMatchObject({ origin: 'bundled', status: 'published' });
    const one = (await (await t.request(`/admin/procedures/${ADOPTION.id}`, { headers: auth })).json()) as { card: string; record: { name: string } };
    expect(one.record.name).toBe(ADOPTION.name);
    expect(one.card).toContain(ADOPTION.name);
    // The chat's reply is the card without its sources (the web shows them apart).
    expect(one.card.startsWith(card.reply)).toBe(true);

    const del = await t.request(`/admin/procedures/${ADOPTION.id}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ id: ADOPTION.id, status: 'retired', bundled: false });
    expect((await chat(t, '/thutuc nhận con nuôi')).reply).not.toContain(ADOPTION.name);
    expect((await chat(t, `/thutuc ${ADOPTION.id}`)).reply).not.toContain(ADOPTION.name);
    const retired = (await (await t.request(`/admin/procedures/${ADOPTION.id}`, { headers: auth })).json()) as { status: string; record: { name: string } };
    expect(retired).toMatchObject({ status: 'retired', record: { name: ADOPTION.name } });

    const audit = (await (await t.request('/admin/audit?from=2026-01-01&to=2026-12-31', { headers: auth })).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['procedure.publish', 'procedure.retire']));
  });

  it('a published record replaces the bundled one with its id; a bundled one can be retired', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const bundled = bundledProcedures().find((p) => p.id === 'dang-ky-khai-tu')!;
    const newFee = 'Lệ phí mới do tỉnh công bố trong bài kiểm thử: 12.345 đồng';
    const changed = { ...bundled, channels: bundled.channels.map((c) => (c.kind === 'in-person' ? { ...c, fee: newFee } : c)) };
    const res = await publish(t, { procedures: [changed] });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ procedures: [{ id: bundled.id, action: 'replace', replaces: 'bundled' }] });
    const reply = await chat(t, `/thutuc ${bundled.id}`);
    expect(reply.reply).toContain(newFee);
    const one = (await (await t.request(`/admin/procedures/${bundled.id}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ origin: 'live', bundled: true, status: 'published', version: 1 });

    const other = bundledProcedures().find((p) => p.id === 'dang-ky-ket-hon')!;
    expect((await chat(t, `/thutuc ${other.id}`)).reply).toContain(other.code!);
    expect((await t.request(`/admin/procedures/${other.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    // Another procedure's name may contain this one's ("… kết hôn có yếu tố nước ngoài"): its code may not.
    expect((await chat(t, `/thutuc ${other.id}`)).reply).not.toContain(other.code!);
    expect((await chat(t, '/thutuc đăng ký kết hôn')).reply).not.toContain(other.code!);
    const list = (await (await t.request('/admin/procedures?status=retired', { headers: auth })).json()) as { procedures: Array<Record<string, unknown>> };
    expect(list.procedures).toEqual([expect.objectContaining({ id: other.id, origin: 'bundled', status: 'retired', bundled: true })]);

    expect((await t.request('/admin/procedures/khong-co-thu-tuc-nay', { method: 'DELETE', headers: auth })).status).toBe(404);
    expect((await t.request('/admin/procedures/khong-co-thu-tuc-nay', { headers: auth })).status).toBe(404);
  });

  it('reads a CSV catalogue export; bad rows are a 400 naming their lines, and nothing is written', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const header = 'id,name,aliases,field,inPersonFee,asOf,sources';
    const good = (id: string, name: string) => `${id},${name},,Hộ tịch,10.000 đồng,2026-11-01,Nguồn kiểm thử (2026-11-01)`;
    const bad = [header, good('thu-tuc-csv-tot', 'Thủ tục CSV tốt'), 'thu-tuc-csv-xau,Thủ tục CSV xấu,,Hộ tịch,,21/11/2026,Nguồn (2026-11-01)', good('thu-tuc-csv-tot-2', 'Thủ tục CSV tốt hai'), 'Thu Tuc Hoa,Tên,,Hộ tịch,,2026-11-01,Nguồn (2026-11-01)'].join('\n');
    const res = await publishCsv(t, bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; rows: Array<{ line: number; reason: string }> };
    expect(body.error).toMatch(/không có gì được ghi/);
    expect(body.rows.map((r) => r.line)).toEqual([3, 5]);
    expect(body.rows[0]!.reason).toMatch(/asOf/);
    expect(await procKeys(t.store)).toEqual([]);
    expect((await chat(t, '/thutuc thu-tuc-csv-tot')).reply).not.toContain('Thủ tục CSV tốt');

    // A JSON array: the bad element's own line; a national code another procedure already has.
    const taken = bundledProcedures().find((p) => p.code)!;
    const json = JSON.stringify([ADOPTION, { ...ADOPTION, id: 'thu-tuc-trung-ma', code: taken.code }], null, 2);
    const clash = await t.request('/admin/procedures', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: json });
    expect(clash.status).toBe(400);
    const clashBody = (await clash.json()) as { rows: Array<{ line: number; reason: string }> };
    expect(clashBody.rows).toHaveLength(1);
    expect(clashBody.rows[0]!.line).toBe(json.split('\n').findIndex((l) => l.includes('"thu-tuc-trung-ma"')));
    expect(clashBody.rows[0]!.reason).toContain(taken.id);
    expect(await procKeys(t.store)).toEqual([]);

    const ok = await publishCsv(t, [header, good('thu-tuc-csv-tot', 'Thủ tục CSV tốt'), good('thu-tuc-csv-tot-2', 'Thủ tục CSV tốt hai')].join('\n'));
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ count: 2 });
    expect((await chat(t, '/thutuc thu-tuc-csv-tot-2')).reply).toContain('Thủ tục CSV tốt hai');

    expect((await t.request('/admin/procedures', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect((await publish(t, [])).status).toBe(400);
  });

  it('?dryRun=1 previews the records with their cards and writes nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await publish(t, ADOPTION, '?dryRun=1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dryRun: boolean; procedures: Array<{ id: string; action: string; card: string }> };
    expect(body.dryRun).toBe(true);
    expect(body.procedures[0]).toMatchObject({ id: ADOPTION.id, action: 'add' });
    expect(body.procedures[0]!.card).toContain(ADOPTION.name);
    expect(await procKeys(t.store)).toEqual([]);
    expect((await chat(t, '/thutuc nhận con nuôi')).reply).not.toContain(ADOPTION.name);
  });

  it('another process on the same store answers from a published record after its refresh interval, with no restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryStore();
    const env = { ADMIN_TOKEN: TOKEN, KNOWLEDGE_REFRESH_SECONDS: '5' };
    const make = () => {
      const app = createApp(createRuntime(loadConfig(env), { store, log: createLogger('error', () => undefined) }));
      return { request: async (path: string, init?: RequestInit) => app.request(path, init, env) };
    };
    const a = make();
    const b = make();
    expect((await chat(b, '/thutuc nhận con nuôi')).reply).not.toContain(ADOPTION.name);
    expect((await publish(a, ADOPTION)).status).toBe(201);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await chat(b, '/thutuc nhận con nuôi')).reply).toContain(ADOPTION.name);
    expect((await a.request(`/admin/procedures/${ADOPTION.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await chat(b, '/thutuc nhận con nuôi')).reply).not.toContain(ADOPTION.name);
  });

  it('export then import into an empty store carries published and retired records over', async () => {
    const a = makeTestApp({ ADMIN_TOKEN: TOKEN });
    expect((await publish(a, ADOPTION)).status).toBe(201);
    expect((await a.request('/admin/procedures/dang-ky-ket-hon', { method: 'DELETE', headers: auth })).status).toBe(200);
    const dump = await (await a.request('/admin/export', { headers: auth })).text();
    expect(dump).toContain('proc:manifest');

    const b = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const imported = await b.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: dump });
    expect(imported.status).toBe(200);
    expect((await chat(b, '/thutuc nhận con nuôi')).reply).toContain(ADOPTION.name);
    const retired = bundledProcedures().find((p) => p.id === 'dang-ky-ket-hon')!;
    expect((await chat(b, '/thutuc dang-ky-ket-hon')).reply).not.toContain(retired.code!);
    expect((await chat(a, '/thutuc dang-ky-ket-hon')).reply).not.toContain(retired.code!);
    const listOf = async (t: TestApp) => ((await (await t.request('/admin/procedures', { headers: auth })).json()) as { procedures: unknown[] }).procedures;
    expect(await listOf(b)).toEqual(await listOf(a));
  });

  it('a bundled procedure retired or replaced live is no longer quoted from its bundled text by the knowledge search', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const question = 'Đăng ký khai sinh cần những giấy tờ gì?';
    const ids = async () => (await t.rt.knowledge.hybridSearch(question, { limit: 8 })).hits.map((h) => h.doc.id);
    expect(await ids()).toContain('dang-ky-khai-sinh');
    expect((await t.request('/admin/procedures/dang-ky-khai-sinh', { method: 'DELETE', headers: auth })).status).toBe(200);
    expect(await ids()).not.toContain('dang-ky-khai-sinh');
  });
});
