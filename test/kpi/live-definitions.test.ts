/**
 * /admin/kpis through the composed app: a KPI definition published by an operator is what /kpi
 * answers from (this runtime at once, another on the same store after the refresh interval); a
 * definition with a bundled id replaces it; a retired one (live or bundled) is gone from /kpi;
 * definitions are checked as the build checks knowledge/kpis (schema, unique ids, a former
 * province labelled as such), bad ones reported by line with nothing written; export → import
 * carries them over.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { bundledKpis } from '../../src/kpi/definitions';
import type { KpiDefinition } from '../../src/kpi/schema';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';

const TOKEN = 'kpis-admin-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A KPI the bundled catalogue does not hold (test data). */
const ONLINE = {
  id: 'ct-ho-so-truc-tuyen',
  name: 'Tỷ lệ hồ sơ nộp trực tuyến của TP. Cần Thơ',
  nameEn: 'Share of applications filed online, Cần Thơ City',
  short: 'Hồ sơ nộp trực tuyến (Cần Thơ)',
  shortEn: 'Applications filed online (Cần Thơ)',
  aliases: ['hồ sơ nộp trực tuyến cần thơ', 'nộp trực tuyến cần thơ'],
  region: 'Cần Thơ',
  group: 'target',
  unit: 'percent',
  direction: 'up',
  target: 73,
  deadline: '2027-12-31',
  cadence: 'monthly',
  visibility: 'public',
  source: { title: 'Kế hoạch mẫu của bài kiểm thử', publisher: 'UBND TP. Cần Thơ (mẫu)' },
};

const defKeys = async (store: Store) => store.keysWithPrefix('kpidef:');

function publish(t: Pick<TestApp, 'request'>, body: unknown, query = '') {
  return t.request(`/admin/kpis${query}`, postJson(body, auth));
}

async function chat(t: Pick<TestApp, 'request'>, message: string) {
  const res = await t.request('/api/chat', postJson({ message }));
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: string; intent: string };
}

const bundledDef = (id: string): KpiDefinition => bundledKpis().definitions.find((d) => d.id === id)!;

afterEach(() => {
  vi.useRealTimers();
});

describe('/admin/kpis', () => {
  it('publishes a definition that /kpi then answers from; retired, it is gone', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    expect((await chat(t, `/kpi ${ONLINE.id}`)).reply).not.toContain(ONLINE.name);

    const res = await publish(t, ONLINE);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ status: 'published', count: 1, definitions: [{ id: ONLINE.id, action: 'add', version: 1 }] });

    const byId = await chat(t, `/kpi ${ONLINE.id}`);
    expect(byId.intent).toBe('kpi');
    expect(byId.reply).toContain(ONLINE.name);
    expect(byId.reply).toContain(`${ONLINE.target}%`);
    expect((await chat(t, `/kpi ${ONLINE.aliases[0]}`)).reply).toContain(ONLINE.name);
    expect((await chat(t, '/kpi')).reply).toContain(ONLINE.short);

    const list = (await (await t.request('/admin/kpis', { headers: auth })).json()) as { definitions: Array<{ id: string; origin: string }> };
    expect(list.definitions.length).toBe(bundledKpis().definitions.length + 1);
    expect(list.definitions.find((d) => d.id === ONLINE.id)).toMatchObject({ origin: 'live', status: 'published', bundled: false });
    const one = (await (await t.request(`/admin/kpis/${ONLINE.id}`, { headers: auth })).json()) as { definition: { name: string; target: number } };
    expect(one.definition).toMatchObject({ name: ONLINE.name, target: ONLINE.target });

    const del = await t.request(`/admin/kpis/${ONLINE.id}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ id: ONLINE.id, status: 'retired' });
    expect((await chat(t, `/kpi ${ONLINE.id}`)).reply).not.toContain(ONLINE.name);
    expect((await chat(t, '/kpi')).reply).not.toContain(ONLINE.short);
    const retired = (await (await t.request(`/admin/kpis/${ONLINE.id}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(retired).toMatchObject({ status: 'retired', definition: { name: ONLINE.name } });

    const audit = (await (await t.request('/admin/audit?from=2026-01-01&to=2026-12-31', { headers: auth })).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['kpi-definition.publish', 'kpi-definition.retire']));
  });

  it('a definition with a bundled id replaces it (its values kept); a bundled one can be retired', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const old = bundledDef('bd-dvc-toan-trinh');
    const changed = { ...old, target: old.target! + 17, deadline: '2027-06-30' };
    const res = await publish(t, [changed]);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ definitions: [{ id: old.id, action: 'replace', replaces: 'bundled' }] });
    const reply = (await chat(t, `/kpi ${old.id}`)).reply;
    expect(reply).toContain(`≥ ${changed.target}%`);
    expect(reply).toContain('30/6/2027');

    const rank = bundledDef('bd-dti-rank');
    expect((await chat(t, '/kpi')).reply).toContain(rank.short);
    expect((await t.request(`/admin/kpis/${rank.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await chat(t, '/kpi')).reply).not.toContain(rank.short);
    expect((await chat(t, `/kpi ${rank.id}`)).reply).not.toContain(rank.name);
    const list = (await (await t.request('/admin/kpis?status=retired', { headers: auth })).json()) as { definitions: unknown[] };
    expect(list.definitions).toEqual([expect.objectContaining({ id: rank.id, origin: 'bundled', bundled: true })]);
    expect((await t.request('/admin/kpis/khong-co', { method: 'DELETE', headers: auth })).status).toBe(404);
  });

  it('checks definitions as the build does: bad ones are a 400 naming their lines, and nothing is written', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    // A former province's KPI must be labelled as the former unit's; a unit outside the schema; an id twice.
    const unlabelled = { ...ONLINE, id: 'bd-chua-ghi-cu', region: 'Bình Dương', name: 'Tỷ lệ hồ sơ trực tuyến của tỉnh Bình Dương' };
    const badUnit = { ...ONLINE, id: 'ct-sai-don-vi', unit: 'percentage' };
    const file = { definitions: [ONLINE, unlabelled, badUnit, ONLINE] };
    const text = JSON.stringify(file, null, 2);
    const lineOf = (id: string, nth = 0) => text.split('\n').map((l, i) => [l, i] as const).filter(([l]) => l.includes(`"id": "${id}"`))[nth]![1];
    const res = await t.request('/admin/kpis', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: text });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; rows: Array<{ line: number; id?: string; reason: string }> };
    expect(body.error).toMatch(/không có gì được ghi/);
    expect(body.rows.map((r) => r.id)).toEqual(['bd-chua-ghi-cu', 'ct-sai-don-vi', ONLINE.id]);
    // Each row's line is the one before its "id" (where its object opens).
    expect(body.rows.map((r) => r.line)).toEqual([lineOf('bd-chua-ghi-cu'), lineOf('ct-sai-don-vi'), lineOf(ONLINE.id, 1)]);
    expect(body.rows[0]!.reason).toMatch(/former unit/);
    expect(body.rows[0]!.reason).toContain('tỉnh Bình Dương (cũ)');
    expect(body.rows[1]!.reason).toMatch(/unit/);
    expect(body.rows[2]!.reason).toMatch(/already defined/);
    expect(await defKeys(t.store)).toEqual([]);
    expect((await chat(t, `/kpi ${ONLINE.id}`)).reply).not.toContain(ONLINE.name);

    // The file's placeNote is put first in the notes, as the build does: then a former unit's KPI passes.
    const placeNote = bundledDef('bd-dvc-toan-trinh').notes[0]!;
    const labelled = { ...unlabelled, name: 'Tỷ lệ hồ sơ trực tuyến của tỉnh Bình Dương (cũ)', nameEn: 'Online applications, former Bình Dương province', short: 'Hồ sơ trực tuyến (BD cũ)', shortEn: 'Online applications (former BD)' };
    const ok = await publish(t, { placeNote, definitions: [labelled], observations: [{ kpi: labelled.id, period: '2025', value: 1, source: 'x', recordedAt: '2025-12-31' }] });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ count: 1, ignoredValues: 1 });
    const one = (await (await t.request(`/admin/kpis/${labelled.id}`, { headers: auth })).json()) as { definition: { notes: string[] } };
    expect(one.definition.notes[0]).toBe(placeNote);

    expect((await publish(t, [])).status).toBe(400);
    expect((await t.request('/admin/kpis', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"id": ' })).status).toBe(400);
    expect((await t.request('/admin/kpis', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: 'id\nx' })).status).toBe(415);
  });

  it('?dryRun=1 previews and writes nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await publish(t, ONLINE, '?dryRun=1');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: true, definitions: [{ id: ONLINE.id, action: 'add' }] });
    expect(await defKeys(t.store)).toEqual([]);
    expect((await chat(t, `/kpi ${ONLINE.id}`)).reply).not.toContain(ONLINE.name);
  });

  it('another process on the same store answers from a published definition after its refresh interval, with no restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryStore();
    const env = { ADMIN_TOKEN: TOKEN, KNOWLEDGE_REFRESH_SECONDS: '5' };
    const make = () => {
      const rt = createRuntime(loadConfig(env), { store, log: createLogger('error', () => undefined) });
      const app = createApp(rt);
      return { rt, request: async (path: string, init?: RequestInit) => app.request(path, init, env) };
    };
    const a = make();
    const b = make();
    expect((await chat(b, `/kpi ${ONLINE.id}`)).reply).not.toContain(ONLINE.name);
    expect((await publish(a, ONLINE)).status).toBe(201);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await chat(b, `/kpi ${ONLINE.id}`)).reply).toContain(ONLINE.name);
    // Scheduled work reads the catalogue too: it sees the definition as well.
    expect(b.rt.kpi.catalog.get(ONLINE.id)?.name).toBe(ONLINE.name);
    expect((await a.request(`/admin/kpis/${ONLINE.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await chat(b, `/kpi ${ONLINE.id}`)).reply).not.toContain(ONLINE.name);
  });

  it('export then import into an empty store carries live and retired definitions over', async () => {
    const a = makeTestApp({ ADMIN_TOKEN: TOKEN });
    expect((await publish(a, ONLINE)).status).toBe(201);
    expect((await a.request('/admin/kpis/bd-dti-rank', { method: 'DELETE', headers: auth })).status).toBe(200);
    const dump = await (await a.request('/admin/export', { headers: auth })).text();
    expect(dump).toContain('kpidef:manifest');

    const b = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const imported = await b.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: dump });
    expect(imported.status).toBe(200);
    expect((await chat(b, `/kpi ${ONLINE.id}`)).reply).toContain(ONLINE.name);
    expect((await chat(b, '/kpi')).reply).not.toContain(bundledDef('bd-dti-rank').short);
    const listOf = async (t: TestApp) => ((await (await t.request('/admin/kpis', { headers: auth })).json()) as { definitions: unknown[] }).definitions;
    expect(await listOf(b)).toEqual(await listOf(a));
  });
});
