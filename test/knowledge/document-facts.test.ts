/**
 * Questions about a published document itself ("05-NQ/TU về nội dung gì / ban hành ngày nào /
 * ai ký / còn hiệu lực không") are answered from its metadata, through the composed app; a
 * superseded or expired document is not used for a question about the present, and when it is
 * quoted for history the answer says so.
 */
import { describe, expect, it } from 'vitest';
import { parseDocumentQuestion, validityOn } from '../../src/knowledge/document-facts';
import type { DocumentMeta } from '../../src/knowledge/schema';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';

const TOKEN = 'document-facts-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

const RESOLUTION = `ĐẢNG BỘ THÀNH PHỐ CẦN THƠ
THÀNH ỦY CẦN THƠ

Số: 05-NQ/TU

Cần Thơ, ngày 12 tháng 3 năm 2026

NGHỊ QUYẾT
về đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính

1. Đến năm 2027, 100% hồ sơ thủ tục hành chính của thành phố được số hóa ngay khi tiếp nhận.
2. Bộ phận Một cửa cấp xã trả kết quả giải quyết thủ tục hành chính qua bưu chính công ích miễn phí cho người từ 80 tuổi trở lên.

T/M THÀNH ỦY
BÍ THƯ

Nguyễn Văn Minh
`;

const NEWER = RESOLUTION.replace('05-NQ/TU', '09-NQ/TU').replace('ngày 12 tháng 3 năm 2026', 'ngày 20 tháng 10 năm 2026').replace('từ 80 tuổi', 'từ 70 tuổi');

function form(text: string, fields: Record<string, string> = {}): FormData {
  const fd = new FormData();
  fd.set('file', new File([text], 'nghi-quyet.txt', { type: 'text/plain' }));
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  return fd;
}

async function ask(t: TestApp, message: string) {
  const res = await t.request('/api/chat', postJson({ message }));
  return (await res.json()) as { reply: string; citations: Array<{ id: string }>; found?: boolean };
}

async function publish(t: TestApp, text: string, fields: Record<string, string> = {}) {
  const res = await t.request('/admin/documents', { method: 'POST', headers: auth, body: form(text, fields) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; metadata: Record<string, unknown> };
}

describe('questions about a document, from its metadata', () => {
  it('parses the number and what is asked; content questions are left to the search', () => {
    expect(parseDocumentQuestion('05-NQ/TU về nội dung gì?')).toEqual({ number: '05-NQ/TU', ask: 'subject' });
    expect(parseDocumentQuestion('nghi quyet 05-nq/tu ban hanh ngay nao')).toEqual({ number: '05-nq/tu', ask: 'issued' });
    expect(parseDocumentQuestion('Nghị định 118/2025/NĐ-CP còn hiệu lực không?')).toEqual({ number: '118/2025/NĐ-CP', ask: 'validity' });
    expect(parseDocumentQuestion('Ai ký Quyết định 766/QĐ-TTg?')).toEqual({ number: '766/QĐ-TTg', ask: 'signer' });
    expect(parseDocumentQuestion('Theo 412/KH-UBND, trung tâm mở cửa ngày nào?')).toBeUndefined();
    expect(parseDocumentQuestion('Thủ tục khai sinh cần giấy tờ gì?')).toBeUndefined();
  });

  it('validity is read on the day asked', () => {
    const doc = { id: 'x', title: 'X', source: 's', date: '2026-01-01', kind: 'decree', keywords: [] } as DocumentMeta;
    expect(validityOn({ ...doc, effectiveAt: '2027-01-01' }, '2026-12-06').state).toBe('not-yet');
    expect(validityOn({ ...doc, effectiveAt: '2026-01-01', expiresAt: '2026-06-30' }, '2026-12-06').state).toBe('expired');
    expect(validityOn({ ...doc, supersededBy: 'y' }, '2026-12-06').state).toBe('superseded');
    expect(validityOn({ ...doc, effectiveAt: '2026-01-01' }, '2026-12-06')).toEqual({ state: 'in-force', since: '2026-01-01' });
  });

  it('answers subject, date, signer and validity of a published resolution, with its citation', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const doc = await publish(t, RESOLUTION);
    expect(doc.id).toBe('05-nq-tu');
    expect(doc.metadata).toMatchObject({ title: 'Nghị quyết 05-NQ/TU về đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính' });

    const subject = await ask(t, 'Nghị quyết 05-NQ/TU về nội dung gì?');
    expect(subject.reply).toContain('chuyển đổi số trong giải quyết thủ tục hành chính');
    expect(subject.citations.map((c) => c.id)).toEqual(['05-nq-tu']);

    const issued = await ask(t, 'nghi quyet 05-nq/tu ban hanh ngay nao');
    expect(issued.reply).toContain('12/3/2026');

    const signer = await ask(t, '05-NQ/TU do ai ký?');
    expect(signer.reply).toContain('Nguyễn Văn Minh');

    const valid = await ask(t, '05-NQ/TU còn hiệu lực không?');
    expect(valid.reply).toMatch(/đang có hiệu lực/);
  });

  it('a superseded resolution: says it was replaced, is not used for the present, and is quoted for history with a note', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await publish(t, RESOLUTION);
    await publish(t, NEWER, { supersedes: '05-nq-tu' });

    const valid = await ask(t, '05-NQ/TU còn hiệu lực không?');
    expect(valid.reply).toMatch(/đã được thay bằng Nghị quyết 09-NQ\/TU/);
    expect(valid.citations.map((c) => c.id)).toEqual(['05-nq-tu', '09-nq-tu']);

    const now = await ask(t, 'Hiện nay người từ bao nhiêu tuổi được trả kết quả thủ tục hành chính qua bưu chính công ích miễn phí?');
    expect(now.citations.map((c) => c.id)).toContain('09-nq-tu');
    expect(now.citations.map((c) => c.id)).not.toContain('05-nq-tu');
    expect(now.reply).toContain('70 tuổi');
    expect(now.reply).not.toContain('80 tuổi');

    // Retire the newer one: the older, superseded resolution is the only source left, quoted with its note.
    expect((await t.request('/admin/documents/09-nq-tu', { method: 'DELETE', headers: auth })).status).toBe(200);
    const history = await ask(t, 'Theo Nghị quyết 05-NQ/TU, người từ bao nhiêu tuổi được trả kết quả qua bưu chính công ích miễn phí?');
    expect(history.citations.map((c) => c.id)).toContain('05-nq-tu');
    expect(history.reply).toMatch(/đã hết hiệu lực.*thay bằng/);
  });
});
