/**
 * Live documents on a real redis-server, through both shared stores: UpstashStore (REST, via the
 * loopback bridge) and RedisStore (TCP, REDIS_URL). The publish → chat → new version → retire
 * flow through the composed app, seen by a second process on the same store; two publishes of one
 * id at once; a store failure in the middle of a publish; the export → import round trip across
 * the two stores; and the store requests one publish of a 50-page document costs on Upstash.
 * The shared 127.0.0.1:6379 is never flushed: every store here lives under its own key prefix.
 * Runs in the `redis` test project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { CatalogueError, UploadFieldsSchema } from '../../src/knowledge/catalogue';
import { RedisStore } from '../../src/store/redis';
import { UpstashStore } from '../../src/store/upstash';
import type { Store } from '../../src/store/store';
import { BACKUP_PREFIXES } from '../../src/admin/backup';
import { RespClient } from '../support/redis-resp';
import { deleteKeysWithPrefix, requireRedis } from '../support/redis-server';
import { prefixedStore } from '../support/prefixed-store';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { postJson } from '../support/runtime';
import { PLAN_QUESTION, PLAN_V1, PLAN_V2, uploadForm as form } from './support/plan';

const TOKEN = 'live-redis-admin-token-0123456789';
const UPSTASH_TOKEN = 'live-redis-upstash-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const RUN_PREFIX = `cchc-test:live-kb:${process.pid}.${Date.now().toString(36)}:`;

const PLAN_V3 = PLAN_V1.replace('từ 7 giờ 30 đến 11 giờ 30', 'từ 9 giờ 15 đến 11 giờ 45');
const QUESTION = PLAN_QUESTION;
const DOC_ID = '412-kh-ubnd';

/**
 * About 50 pages of a decision (~150,000 characters): Chương / Điều / Khoản with varied wording,
 * so its postings are as many and as varied as a real one's.
 */
function fiftyPageDecision(): string {
  const subjects = ['Sở Nội vụ', 'Sở Tư pháp', 'Sở Tài chính', 'Sở Xây dựng', 'Sở Y tế', 'Sở Giáo dục và Đào tạo', 'Công an thành phố', 'Ủy ban nhân dân phường', 'Trung tâm Phục vụ hành chính công', 'Văn phòng Đăng ký đất đai'];
  const verbs = ['tiếp nhận', 'thẩm định', 'giải quyết', 'trả kết quả', 'hướng dẫn', 'số hóa', 'lưu trữ', 'công khai', 'kiểm tra', 'báo cáo'];
  const objects = ['hồ sơ đăng ký hộ tịch', 'hồ sơ cấp giấy phép xây dựng', 'hồ sơ đất đai', 'hồ sơ đăng ký kinh doanh', 'thủ tục chứng thực', 'hồ sơ trợ cấp xã hội', 'hồ sơ cấp phiếu lý lịch tư pháp', 'hồ sơ khám chữa bệnh bảo hiểm y tế', 'hồ sơ tuyển sinh đầu cấp', 'hồ sơ cư trú'];
  const tails = ['trong thời hạn quy định', 'qua Cổng Dịch vụ công quốc gia', 'bằng hình thức trực tuyến toàn trình', 'không yêu cầu nộp thêm giấy tờ', 'theo đúng quy trình nội bộ đã công bố', 'và cập nhật trạng thái cho người dân', 'đồng thời gửi tin nhắn thông báo', 'bảo đảm không phát sinh chi phí ngoài quy định'];
  const lines = [
    'ỦY BAN NHÂN DÂN',
    'THÀNH PHỐ CẦN THƠ',
    'Số: 918/QĐ-UBND',
    'Cần Thơ, ngày 12 tháng 10 năm 2026',
    'QUYẾT ĐỊNH',
    'Về việc ban hành Quy chế phối hợp giải quyết thủ tục hành chính trên địa bàn thành phố',
  ];
  let article = 0;
  let n = 0;
  for (let chapter = 1; lines.join('\n').length < 150_000; chapter++) {
    lines.push(`Chương ${['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII', 'XIV', 'XV'][chapter - 1] ?? chapter}`, `QUY ĐỊNH NHÓM ${chapter}`);
    for (let a = 0; a < 8; a++) {
      article++;
      lines.push(`Điều ${article}. Trách nhiệm phối hợp số ${article}`);
      for (let k = 1; k <= 4; k++) {
        const sentences: string[] = [];
        for (let s = 0; s < 4; s++, n++) {
          sentences.push(`${subjects[n % subjects.length]} ${verbs[(n * 3) % verbs.length]} ${objects[(n * 7) % objects.length]} mã ${1000 + (n % 997)} ${tails[(n * 5) % tails.length]}, chậm nhất ${1 + (n % 15)} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.`);
        }
        lines.push(`${k}. ${sentences.join(' ')}`);
      }
    }
  }
  return lines.join('\n');
}

const shared = await requireRedis();
let admin: RespClient;
let bridge: UpstashBridge;
let storeCount = 0;
const closers: Array<() => Promise<void>> = [];

type Backend = 'upstash' | 'redis';

/** A fresh store of the given kind under its own prefix; `inner` is the unprefixed client (for its request count). */
async function openStore(kind: Backend): Promise<{ store: Store; inner: Store; prefix: string }> {
  const prefix = `${RUN_PREFIX}${kind}.${++storeCount}:`;
  if (kind === 'upstash') {
    const inner = new UpstashStore({ url: bridge.url, token: UPSTASH_TOKEN, retry: false });
    return { store: prefixedStore(inner, prefix), inner, prefix };
  }
  const inner = new RedisStore({ host: shared.host, port: shared.port, db: 0, tls: false });
  closers.push(() => inner.close());
  if (!(await inner.ready())) throw new Error('Redis did not answer');
  return { store: prefixedStore(inner, prefix), inner, prefix };
}

/** The composed app on a store, as one process of a deployment. */
function appOn(store: Store) {
  const env = { ADMIN_TOKEN: TOKEN };
  const rt = createRuntime(loadConfig(env), { store, log: createLogger('error', () => undefined) });
  const app = createApp(rt);
  return { rt, request: async (path: string, init?: RequestInit) => app.request(path, init, env) };
}
type App = ReturnType<typeof appOn>;


const upload = (t: App, body: FormData, method = 'POST', path = '/admin/documents') => t.request(path, { method, headers: auth, body });

async function ask(t: App, message = QUESTION) {
  const res = await t.request('/api/chat', postJson({ message }));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { reply: string; citations: Array<{ id: string }> };
  return { reply: body.reply, cited: body.citations.map((c) => c.id) };
}

/** Every backed-up key with its type and value (audit left out: each deployment adds its own). */
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

beforeAll(async () => {
  admin = await RespClient.connect(shared.host, shared.port);
  bridge = await startUpstashBridge({ redis: shared, token: UPSTASH_TOKEN });
});

afterAll(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await bridge?.close();
  await deleteKeysWithPrefix(admin, RUN_PREFIX);
  await admin?.close();
  await shared.stop();
});

describe.each<Backend>(['upstash', 'redis'])('live documents on real Redis through the %s store', (kind) => {
  it('publish → cited in chat (here and in another process) → a new version → retired, never cited', async () => {
    const { store } = await openStore(kind);
    const a = appOn(store);
    const b = appOn(store);
    expect((await ask(b)).cited).not.toContain(DOC_ID);

    const res = await upload(a, form(PLAN_V1, 'ke-hoach-412.txt'));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: DOC_ID, version: 1, status: 'published' });
    const first = await ask(a);
    expect(first.cited).toContain(DOC_ID);
    expect(first.reply).toContain('7 giờ 30');
    // The other process: its refresh interval passed (forced here, no waiting).
    await b.rt.knowledge.refresh(true);
    expect((await ask(b)).cited).toContain(DOC_ID);

    expect((await upload(a, form(PLAN_V1, 'copy.txt'))).status).toBe(200);
    const v2 = await upload(a, form(PLAN_V2, 'ke-hoach-412-sua.txt'), 'PUT', `/admin/documents/${DOC_ID}`);
    expect(v2.status).toBe(201);
    expect(await v2.json()).toMatchObject({ id: DOC_ID, version: 2 });
    await b.rt.knowledge.refresh(true);
    for (const t of [a, b]) {
      const r = await ask(t);
      expect(r.reply).toContain('8 giờ 00');
      expect(r.reply).not.toContain('7 giờ 30');
    }

    const del = await a.request(`/admin/documents/${DOC_ID}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    await b.rt.knowledge.refresh(true);
    for (const t of [a, b]) {
      const r = await ask(t);
      expect(r.cited).not.toContain(DOC_ID);
      expect(r.reply).not.toContain('8 giờ 00');
    }
    const detail = (await (await a.request(`/admin/documents/${DOC_ID}`, { headers: auth })).json()) as { status: string; versions: Array<{ version: number }> };
    expect(detail.status).toBe('retired');
    expect(detail.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('two publishes of one id at once: exactly one wins, the other is told 409, the manifest names one new version', async () => {
    const { store } = await openStore(kind);
    const t = appOn(store);
    expect((await upload(t, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    const catalogue = t.rt.catalogue;
    const fields = UploadFieldsSchema.parse({});
    const [p2, p3] = await Promise.all([
      catalogue.prepare({ bytes: new TextEncoder().encode(PLAN_V2), filename: 'b.txt', fields }, DOC_ID),
      catalogue.prepare({ bytes: new TextEncoder().encode(PLAN_V3), filename: 'c.txt', fields }, DOC_ID),
    ]);
    const outcomes = await Promise.allSettled([catalogue.publish(p2, 'admin', 'version'), catalogue.publish(p3, 'admin', 'version')]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(CatalogueError);
    expect(lost[0]!.reason).toMatchObject({ status: 409, code: 'busy' });

    const winner = outcomes[0]!.status === 'fulfilled' ? p2 : p3;
    const manifest = await catalogue.manifest();
    expect(manifest).toHaveLength(1);
    expect(manifest[0]).toMatchObject({ docId: DOC_ID, version: 2, status: 'published' });
    expect(manifest[0]!.segment).toContain(winner.hash.slice(0, 12));
    expect((await catalogue.versions(DOC_ID)).map((v) => v.version)).toEqual([1, 2]);
    // Only the winner's segment was written; the lock is free again.
    const segments = new Set((await store.keysWithPrefix('kb:seg:')).map((k) => k.split(':')[2]));
    expect(segments.size).toBe(2);
    expect(await store.keysWithPrefix('kb:lock:')).toEqual([]);
    await t.rt.knowledge.refresh(true);
    expect((await ask(t)).reply).toContain(winner === p2 ? '8 giờ 00' : '9 giờ 15');
  });

  it('two new documents that propose the same id, one publishing just after the other: the second never becomes a version of the first', async () => {
    const { store } = await openStore(kind);
    const t = appOn(store);
    const fields = UploadFieldsSchema.parse({});
    // Another plan with the same số ký hiệu (a typo upstream): it proposes the same id.
    const other = PLAN_V1.replace('Về việc phục vụ người dân ngoài giờ hành chính', 'Về việc chuyển đổi số trong trường học').replace(/I\. MỤC ĐÍCH[\s\S]*$/, 'I. MỤC ĐÍCH\n1. Các trường học số hóa học bạ của học sinh trong năm học 2026–2027.\n');
    // Process B read the manifest before A switched it, and takes the lock just after A let it go.
    let releaseB!: () => void;
    let bAtClaim!: () => void;
    const bMayClaim = new Promise<void>((r) => (releaseB = r));
    const bReachedClaim = new Promise<void>((r) => (bAtClaim = r));
    const slowClaim = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'claim') {
          return async (key: string, ttl: number, value?: string) => {
            bAtClaim();
            await bMayClaim;
            return target.claim(key, ttl, value);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const a = t.rt.catalogue;
    const b = appOn(slowClaim).rt.catalogue;
    const pa = await a.prepare({ bytes: new TextEncoder().encode(PLAN_V1), filename: 'a.txt', fields });
    const pb = await b.prepare({ bytes: new TextEncoder().encode(other), filename: 'b.txt', fields });
    expect(pb.id).toBe(pa.id);
    const bRun = b.publish(pb, 'admin-b', 'create').then(
      (r) => ({ ok: true as const, id: r.entry.docId, version: r.entry.version }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
    // B has read the manifest (still empty) and waits at its claim.
    await bReachedClaim;
    const ra = await a.publish(pa, 'admin-a', 'create');
    expect(ra.entry).toMatchObject({ docId: DOC_ID, version: 1 });
    releaseB();
    const rb = await bRun;
    // Told (409), or published under an id of its own; never version 2 of A's document.
    if (rb.ok) expect(rb.id).not.toBe(DOC_ID);
    else expect(rb.error).toMatchObject({ status: 409 });
    expect((await a.versions(DOC_ID)).map((v) => v.actor)).toEqual(['admin-a']);
  });

  it('a store failure in the middle of a publish leaves the old version answering and no half-published version', async () => {
    const { store } = await openStore(kind);
    let failing = false;
    const faulty = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'hashSet') {
          return async (key: string, fields: Record<string, string>) => {
            if (failing && key === 'kb:manifest') throw new Error('store down');
            return target.hashSet(key, fields);
          };
        }
        if (prop === 'hashSetMany') {
          return async (writes: Array<[string, Record<string, string>]>) => {
            if (failing && writes.some(([key]) => key === 'kb:manifest')) throw new Error('store down');
            return target.hashSetMany(writes);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const a = appOn(faulty);
    const b = appOn(store);
    expect((await upload(a, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    failing = true;
    const res = await upload(a, form(PLAN_V2, 'b.txt'), 'PUT', `/admin/documents/${DOC_ID}`);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(await res.json())).not.toContain('store down');
    failing = false;
    for (const t of [a, b]) {
      await t.rt.knowledge.refresh(true);
      const r = await ask(t);
      expect(r.cited).toContain(DOC_ID);
      expect(r.reply).toContain('7 giờ 30');
      expect(r.reply).not.toContain('8 giờ 00');
    }
    const detail = (await (await b.request(`/admin/documents/${DOC_ID}`, { headers: auth })).json()) as { version: number; versions: Array<{ version: number }> };
    expect(detail.version).toBe(1);
    // The audit trail names only versions that were ever live.
    expect(detail.versions.map((v) => v.version)).toEqual([1]);
    expect(await store.keysWithPrefix('kb:lock:')).toEqual([]);
    // Tried again once the store is back: it goes through as version 2.
    const again = await upload(a, form(PLAN_V2, 'b.txt'), 'PUT', `/admin/documents/${DOC_ID}`);
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ version: 2 });
    await b.rt.knowledge.refresh(true);
    expect((await ask(b)).reply).toContain('8 giờ 00');
  });
});

describe('export → import across the two stores', () => {
  async function populate(t: App): Promise<void> {
    expect((await upload(t, form(PLAN_V1, 'a.txt'))).status).toBe(201);
    expect((await upload(t, form(PLAN_V2, 'b.txt'), 'PUT', `/admin/documents/${DOC_ID}`)).status).toBe(201);
    expect((await upload(t, form(PLAN_V1.replace('412/KH', '413/KH'), 'c.txt'))).status).toBe(201);
    expect((await t.request('/admin/documents/413-kh-ubnd', { method: 'DELETE', headers: auth })).status).toBe(200);
    const metrics = [{ kpi: 'bd-dvc-toan-trinh', period: '2026-09', value: 41.5, unit: 'percent', source: 'Báo cáo tháng 9' }];
    expect((await t.request('/admin/metrics', postJson(metrics, auth))).status).toBeLessThan(300);
    await t.rt.store.setAdd('remind:subs', JSON.stringify({ channel: 'telegram', chatId: '42', unit: 'so-khcn-ct' }));
  }

  it.each<[Backend, Backend]>([
    ['upstash', 'redis'],
    ['redis', 'upstash'],
  ])('from %s into an empty %s store with nothing lost, answering from the restored version', async (from, to) => {
    const src = await openStore(from);
    const a = appOn(src.store);
    await populate(a);
    const before = await snapshot(src.store);
    expect(Object.keys(before).some((k) => k.startsWith('kb:seg:'))).toBe(true);
    const exported = await a.request('/admin/export', { headers: auth });
    expect(exported.status).toBe(200);
    const ndjson = await exported.text();

    const dst = await openStore(to);
    const b = appOn(dst.store);
    const res = await b.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { imported: number }).imported).toBe(ndjson.trim().split('\n').length - 2);
    expect(await snapshot(dst.store)).toEqual(before);
    const r = await ask(b);
    expect(r.cited).toContain(DOC_ID);
    expect(r.cited).not.toContain('413-kh-ubnd');
    expect(r.reply).toContain('8 giờ 00');
    // Importing again into the now populated store is refused whole.
    const again = await b.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson });
    expect(again.status).toBe(409);
  });
});

describe('a province-sized backup on Upstash', () => {
  it('restores 60 segment parts (~45 MB) into an empty Upstash store, each request under its 10 MB limit, every key back; a failed write takes back the rest', async () => {
    const src = await openStore('redis');
    // Parts as the catalogue writes them (256,000 characters), Vietnamese: 3 bytes a letter.
    const part = (n: number) => `{"n":${n},"text":"${'Điều khoản về thủ tục hành chính công. '.repeat(7_000)}"}`.slice(0, 256_000);
    for (let n = 0; n < 60; n++) await src.store.set(`kb:seg:big-${n}.v1.abc:0`, part(n));
    await src.store.hashSet('kb:manifest', { _rev: 'r1' });
    const exported = await appOn(src.store).request('/admin/export', { headers: auth });
    expect(exported.status).toBe(200);
    const ndjson = await exported.text();
    expect(ndjson.length).toBeGreaterThan(60 * 256_000);

    const dst = await openStore('upstash');
    // A write failing halfway (the 41st part): the import is refused whole and takes back what it wrote.
    const faulty = new Proxy(dst.store, {
      get(target, prop, receiver) {
        if (prop === 'set') {
          return async (key: string, value: string, ttl?: number) => {
            if (key.startsWith('kb:seg:big-40.')) throw new Error('store down');
            return target.set(key, value, ttl);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const failed = await appOn(faulty).request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await dst.store.keysWithPrefix('kb:')).toEqual([]);

    const b = appOn(dst.store);
    const from = bridge.requests.length;
    const res = await b.request('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson });
    const sent = bridge.requests.slice(from);
    const refusedBySize = sent.filter((r) => r.status === 413);
    expect(refusedBySize).toEqual([]);
    expect(res.status).toBe(200);
    expect((await dst.store.keysWithPrefix('kb:seg:')).length).toBe(60);
    expect(await dst.store.get('kb:seg:big-7.v1.abc:0')).toBe(part(7));
  });
});

describe('what one publish of a 50-page document costs on Upstash', () => {
  it('stays within 50 store requests, through the route (audit and this isolate’s refresh included)', async () => {
    const text = fiftyPageDecision();
    expect(text.length).toBeGreaterThanOrEqual(150_000);
    const { store, inner } = await openStore('upstash');
    const t = appOn(store);
    await ask(t); // the isolate's first manifest check, not the publish's cost
    const bridgeBefore = bridge.requests.length;
    const before = inner.requestsMade!();
    const res = await upload(t, form(text, 'quyet-dinh-918.txt'));
    expect(res.status).toBe(201);
    const viaRoute = inner.requestsMade!() - before;
    const body = (await res.json()) as { id: string; chunks: unknown[] };
    const sent = bridge.requests.slice(bridgeBefore);
    const largest = Math.max(...sent.map((r) => JSON.stringify(r.body).length));
    const parts = (await store.keysWithPrefix(`kb:seg:`)).length;

    // The catalogue's share alone: a new version of the same text, changed by one word.
    const fields = UploadFieldsSchema.parse({});
    const prepared = await t.rt.catalogue.prepare({ bytes: new TextEncoder().encode(text.replace('Quy chế', 'Quy chế (sửa đổi)')), filename: 'v2.txt', fields }, body.id);
    const at = inner.requestsMade!();
    await t.rt.catalogue.publish(prepared, 'admin', 'version');
    const catalogueOnly = inner.requestsMade!() - at;

    console.info(`[live-redis] 50-page publish: ${text.length} chars, ${body.chunks.length} chunks, ${parts} segment parts; ${viaRoute} Upstash requests through POST /admin/documents, ${catalogueOnly} for Catalogue.publish alone; largest request ${largest} bytes`);
    expect(viaRoute).toBeLessThanOrEqual(50);
    expect(catalogueOnly).toBeLessThanOrEqual(viaRoute);
    // Each request stays under Upstash's 10 MB request limit with room to spare.
    expect(largest).toBeLessThan(2 * 1024 * 1024);
  });
});
