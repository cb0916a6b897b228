/**
 * Tài liệu's documents through the console: a file previewed (nothing published), the preview
 * published without choosing the file again, the document found by the search tester, then
 * retired; each step through /admin/documents and audited under the operator.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleClient, LAN_TOKEN } from './client';
import { readAudit } from '../../src/admin/audit';

const PLAN = `ỦY BAN NHÂN DÂN
THÀNH PHỐ CẦN THƠ

Số: 977/KH-UBND

Cần Thơ, ngày 05 tháng 11 năm 2026

KẾ HOẠCH
Về việc tiếp nhận hồ sơ đất đai tại bưu điện xã

I. MỤC ĐÍCH
1. Bưu điện xã Thới Lai nhận hồ sơ đăng ký biến động đất đai mỗi chiều thứ Năm, từ 13 giờ 30 đến 16 giờ 30.

II. TỔ CHỨC THỰC HIỆN
Sở Nông nghiệp và Môi trường hướng dẫn bưu điện xã thực hiện Kế hoạch này.
`;
const QUESTION = 'Bưu điện xã Thới Lai nhận hồ sơ đăng ký biến động đất đai vào lúc nào?';

describe('documents in the console', () => {
  it('previews, publishes what was previewed, finds it in the tester, and retires it', async () => {
    const c = ConsoleClient.make();
    await c.signIn(LAN_TOKEN);
    const csrf = await c.csrf('/console/knowledge');
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('mode', 'preview');
    form.set('file', new File([PLAN], 'ke-hoach-977.txt', { type: 'text/plain' }));
    const preview = await c.post('/console/knowledge/documents', form);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('Xem trước: những gì đọc được từ tệp');
    expect(html).toContain('977/KH-UBND');
    const pending = /name="pending" value="([^"]+)"/.exec(html)![1]!;
    const before = await (await c.get(`/console/knowledge?q=${encodeURIComponent(QUESTION)}`)).text();
    expect(before).not.toContain('13 giờ 30');

    const publish = await c.post('/console/knowledge/documents', { _csrf: csrf, mode: 'publish', pending });
    expect(publish.status).toBe(201);
    const published = await publish.text();
    const id = /Đã đăng: ([^,<]+), phiên bản/.exec(published)![1]!;
    const after = await (await c.get(`/console/knowledge?q=${encodeURIComponent(QUESTION)}`)).text();
    expect(after).toContain('ĐẠT — có đoạn trả lời được');
    expect(after).toContain('Thới Lai');
    expect(after).toContain('13 giờ 30');
    // The preview was used once: publishing it again is refused.
    const again = await c.post('/console/knowledge/documents', { _csrf: csrf, mode: 'publish', pending });
    expect(again.status).toBe(400);

    const retire = await c.post(`/console/knowledge/documents/${encodeURIComponent(id)}/retire`, { _csrf: csrf });
    expect(retire.status).toBe(303);
    const list = await (await c.get('/console/knowledge?ok=document-retired')).text();
    expect(list).toContain('Đã cho tài liệu ngừng hiệu lực');
    const audit = await readAudit(c.t.store, new Date('2026-01-01'), new Date('2027-01-01'));
    expect(audit.filter((e) => e.action.startsWith('document.')).map((e) => [e.actor, e.action])).toEqual([
      ['Lan', 'document.publish'],
      ['Lan', 'document.retire'],
    ]);
  });

  it('asks for the file when none was chosen', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/knowledge');
    const res = await c.post('/console/knowledge/documents', { _csrf: csrf, mode: 'preview' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Hãy chọn tệp tài liệu.');
  });
});
