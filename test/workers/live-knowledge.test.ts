/**
 * Live documents inside workerd, through the Worker's own fetch: a DOCX published with
 * POST /admin/documents answers /api/chat with its citation, a TXT version replaces it, a retired
 * one is never cited; the export streams out as NDJSON and restores into an empty deployment,
 * which answers from it. The catalogue, the live index and the dump all run on the Workers runtime.
 */
import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/worker';
import { makeDocx, paragraphXml, tableXml } from '../knowledge/support/docx';

const TOKEN = 'workers-live-knowledge-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const DOC_ID = '1520-qd-ubnd';
const QUESTION = 'Bộ phận một cửa phường có nhận hồ sơ vào tối thứ Tư không, đến mấy giờ?';

/** The Worker keeps one runtime (and its memory store) per env object: one object, one deployment. */
function deployment() {
  const bindings = { ...(env as Record<string, unknown>), ADMIN_TOKEN: TOKEN } as never;
  return (path: string, init?: RequestInit) => worker.fetch(new Request(`http://x${path}`, init), bindings, createExecutionContext());
}

function decision(hours: string): Uint8Array {
  return makeDocx(
    [
      tableXml([
        ['ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỦ DẦU MỘT', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'],
        ['Số: 1520/QĐ-UBND', 'Thủ Dầu Một, ngày 30 tháng 10 năm 2026'],
      ]),
      paragraphXml('QUYẾT ĐỊNH'),
      paragraphXml('Về việc tiếp nhận hồ sơ ngoài giờ tại Bộ phận một cửa phường'),
      paragraphXml(`Điều 1. Bộ phận một cửa phường tiếp nhận hồ sơ vào tối thứ Tư hằng tuần, ${hours}.`),
      paragraphXml('Điều 2. Quyết định có hiệu lực từ ngày ký.'),
    ].join(''),
  );
}

function form(bytes: Uint8Array | string, name: string, type: string): FormData {
  const fd = new FormData();
  fd.set('file', new File([typeof bytes === 'string' ? bytes : (bytes as Uint8Array<ArrayBuffer>)], name, { type }));
  return fd;
}

async function ask(call: ReturnType<typeof deployment>) {
  const res = await call('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: QUESTION }) });
  expect(res.status).toBe(200);
  const body = await res.json<{ reply: string; citations: Array<{ id: string }> }>();
  return { reply: body.reply, cited: body.citations.map((c) => c.id) };
}

describe('live documents in workerd', () => {
  it('publish a DOCX → cited in chat → a TXT version → exported and restored → retired, never cited', async () => {
    const a = deployment();
    expect((await ask(a)).cited).not.toContain(DOC_ID);

    const res = await a('/admin/documents', {
      method: 'POST',
      headers: auth,
      body: form(decision('từ 17 giờ 30 đến 20 giờ 00'), 'qd-1520.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: DOC_ID, version: 1, status: 'published', metadata: { number: '1520/QĐ-UBND', kind: 'decision' } });
    const first = await ask(a);
    expect(first.cited).toContain(DOC_ID);
    expect(first.reply).toContain('20 giờ 00');

    const text = 'ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỦ DẦU MỘT\nSố: 1520/QĐ-UBND\nThủ Dầu Một, ngày 30 tháng 10 năm 2026\nQUYẾT ĐỊNH\nVề việc tiếp nhận hồ sơ ngoài giờ tại Bộ phận một cửa phường\nĐiều 1. Bộ phận một cửa phường tiếp nhận hồ sơ vào tối thứ Tư hằng tuần, từ 18 giờ 00 đến 21 giờ 00.\nĐiều 2. Quyết định có hiệu lực từ ngày ký.\n';
    const v2 = await a(`/admin/documents/${DOC_ID}`, { method: 'PUT', headers: auth, body: form(text, 'qd-1520-sua.txt', 'text/plain') });
    expect(v2.status).toBe(201);
    expect(await v2.json()).toMatchObject({ id: DOC_ID, version: 2 });
    const second = await ask(a);
    expect(second.reply).toContain('21 giờ 00');
    expect(second.reply).not.toContain('20 giờ 00');

    const exported = await a('/admin/export', { headers: auth });
    expect(exported.status).toBe(200);
    const ndjson = new TextDecoder().decode(await exported.arrayBuffer());
    expect(ndjson).toContain('"kb:manifest"');

    const del = await a(`/admin/documents/${DOC_ID}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    const gone = await ask(a);
    expect(gone.cited).not.toContain(DOC_ID);
    expect(gone.reply).not.toContain('21 giờ 00');

    // Another deployment (its own empty store) restored from the export answers from version 2.
    const b = deployment();
    expect((await ask(b)).cited).not.toContain(DOC_ID);
    const imported = await b('/admin/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson });
    expect(imported.status).toBe(200);
    const restored = await ask(b);
    expect(restored.cited).toContain(DOC_ID);
    expect(restored.reply).toContain('21 giờ 00');
  });
});
