/**
 * GET /admin/export and POST /admin/import through the composed app: a store populated through
 * the admin API (documents with versions, a retired one, KPI values, a task, an invite, a role
 * subscription, the audit log) goes out as NDJSON and into an empty store with nothing lost, and
 * the restored deployment answers from the restored documents. Bad files are refused whole.
 */
import { describe, expect, it } from 'vitest';
import { BACKUP_PREFIXES } from '../../src/admin/backup';
import type { Store } from '../../src/store/store';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';
import { PLAN_V1 as PLAN, uploadForm as form } from '../knowledge/support/plan';

const TOKEN = 'backup-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };



async function populate(t: TestApp): Promise<void> {
  const call = (path: string, init: RequestInit) => t.request(path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
  expect((await call('/admin/documents', { method: 'POST', body: form(PLAN, 'a.txt') })).status).toBe(201);
  expect((await call('/admin/documents/412-kh-ubnd', { method: 'PUT', body: form(PLAN.replace('7 giờ 30', '7 giờ 00'), 'b.txt') })).status).toBe(201);
  expect((await call('/admin/documents', { method: 'POST', body: form(PLAN.replace('412/KH', '413/KH'), 'c.txt') })).status).toBe(201);
  expect((await call('/admin/documents/413-kh-ubnd', { method: 'DELETE' })).status).toBe(200);
  const metrics = [
    { kpi: 'bd-dvc-toan-trinh', period: '2026-09', value: 41.5, unit: 'percent', source: 'Báo cáo tháng 9' },
    { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 44 },
  ];
  expect((await t.request('/admin/metrics', postJson(metrics, auth))).status).toBeLessThan(300);
  const task = {
    id: 'ct-cong-dvc-2027',
    title: 'Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính',
    owner: 'Sở Khoa học và Công nghệ thành phố Cần Thơ',
    unit: 'so-khcn-ct',
    deadline: '2027-03-31',
    source: { title: 'Kế hoạch năm 2027', outlet: 'UBND thành phố Cần Thơ', date: '2026-11-01' },
  };
  expect((await t.request('/admin/tasks', postJson(task, auth))).status).toBe(201);
  expect((await t.request('/admin/invites', postJson({ role: 'official', note: 'Sở Nội vụ' }, auth))).status).toBe(201);
  // A reminder subscription, as /nhacviec leaves it.
  await t.store.setAdd('remind:subs', JSON.stringify({ channel: 'telegram', chatId: '42', unit: 'so-khcn-ct' }));
}

/** Every backed-up key with its type and value, read straight from a store. */
async function snapshot(store: Store): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const prefix of BACKUP_PREFIXES) {
    for (const key of await store.keysWithPrefix(prefix)) {
      if (key.startsWith('kb:lock:') || key.startsWith('audit:')) continue;
      const type = await store.type(key);
      out[key] =
        type === 'string'
          ? await store.get(key)
          : type === 'hash'
            ? await store.hashGetAll(key)
            : type === 'set'
              ? await store.setMembers(key)
              : type === 'list'
                ? await store.listRange(key, 0, -1)
                : await store.zRangeByScore(key, -Infinity, Infinity);
    }
  }
  return out;
}

async function exportOf(t: TestApp): Promise<string> {
  const res = await t.request('/admin/export', { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
  return res.text();
}

const importInto = (t: TestApp, body: string) =>
  t.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });

describe('/admin/export and /admin/import', () => {
  it('round-trips a populated store into an empty one with nothing lost', async () => {
    const a = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await populate(a);
    const before = await snapshot(a.store);
    expect(Object.keys(before).length).toBeGreaterThan(8);
    const ndjson = await exportOf(a);
    const lines = ndjson.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'tro-ly-cchc/export', version: 1 });
    // Invite codes never leave: only their hashes.
    expect(ndjson).not.toMatch(/"code"\s*:/);

    const b = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await importInto(b, ndjson);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { imported: number }).imported).toBe(lines.length - 2);
    expect(await snapshot(b.store)).toEqual(before);
    // The audit log came along (plus this import).
    const audit = (await (await b.request('/admin/audit?from=2026-01-01&to=2026-12-31', { headers: auth })).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['document.publish', 'document.version', 'document.retire', 'import']));

    // The restored deployment answers from the restored version, and the retired one stays retired.
    const chat = await b.request('/api/chat', postJson({ message: 'Trung tâm phục vụ hành chính công có tiếp nhận hồ sơ sáng thứ bảy không?' }));
    const reply = (await chat.json()) as { reply: string; citations: Array<{ id: string }> };
    expect(reply.citations.map((c) => c.id)).toContain('412-kh-ubnd');
    expect(reply.citations.map((c) => c.id)).not.toContain('413-kh-ubnd');
    expect(reply.reply).toContain('7 giờ 00');
  });

  it('refuses a store that is not empty, and a file with a bad line, writing nothing', async () => {
    const a = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await populate(a);
    const ndjson = await exportOf(a);
    const again = await importInto(a, ndjson);
    expect(again.status).toBe(409);

    const b = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const lines = ndjson.trim().split('\n');
    const broken = [...lines.slice(0, 3), '{"key":"kb:x","type":"string"', ...lines.slice(3)].join('\n');
    const bad = await importInto(b, broken);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ line: 4 });
    const outside = [lines[0], JSON.stringify({ key: 'web:session:x', type: 'string', ttl: -1, value: 'x' })].join('\n');
    expect((await importInto(b, outside)).status).toBe(400);
    expect((await importInto(b, 'not json')).status).toBe(400);
    // A file cut short (the export stream failed half-way) is not a backup.
    const cut = await importInto(b, lines.slice(0, -3).join('\n'));
    expect(cut.status).toBe(400);
    expect(((await cut.json()) as { error: string }).error).toMatch(/không trọn vẹn/);
    expect((await b.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })).status).toBe(415);
    expect(await snapshot(b.store)).toEqual({});
  });
});
