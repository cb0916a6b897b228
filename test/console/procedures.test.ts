/**
 * Tài liệu's procedure catalogue import through the console, over POST /admin/procedures: a
 * catalogue export previewed as a dry run (records with their cards, nothing written), published
 * from the preview without choosing the file again, then its card shown as users see it and
 * answered in chat; bad rows named by line with nothing written; audited under the operator.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleClient, LAN_TOKEN } from './client';
import { readAudit } from '../../src/admin/audit';

const HEADER = 'id,name,aliases,field,inPersonFee,asOf,sources';
const row = (id: string, name: string) => `${id},${name},,Hộ tịch,15.000 đồng,2026-11-01,Nguồn kiểm thử (2026-11-01)`;
const csvFile = (text: string) => new File([text], 'danh-muc.csv', { type: 'text/csv' });

describe('procedure catalogue import in the console', () => {
  it('previews with cards, publishes what was previewed, and shows the card as users see it', async () => {
    const c = ConsoleClient.make();
    await c.signIn(LAN_TOKEN);
    const csrf = await c.csrf('/console/knowledge');
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('mode', 'preview');
    form.set('file', csvFile([HEADER, row('thu-tuc-bang-console', 'Thủ tục nhập từ bảng điều khiển')].join('\n')));
    const preview = await c.post('/console/knowledge/procedures', form);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('Xem trước: 1 thủ tục sẽ được đăng');
    expect(html).toContain('thêm mới');
    expect(html).toMatch(/<pre class="reply">[^<]*Thủ tục nhập từ bảng điều khiển[^<]*15\.000 đồng/);
    expect(await c.t.store.keysWithPrefix('proc:')).toEqual([]);
    const pending = /name="pending" value="([^"]+)"/.exec(html)![1]!;

    const publish = await c.post('/console/knowledge/procedures', { _csrf: csrf, mode: 'publish', pending });
    expect(publish.status).toBe(201);
    expect(await publish.text()).toContain('Đã đăng 1 thủ tục');
    // Used once: publishing the same preview again is refused.
    expect((await c.post('/console/knowledge/procedures', { _csrf: csrf, mode: 'publish', pending })).status).toBe(400);

    const card = await (await c.get('/console/knowledge?procedure=thu-tuc-bang-console#procedures')).text();
    expect(card).toContain('Thẻ thủ tục: Thủ tục nhập từ bảng điều khiển');
    const chat = await c.t.rt.assistant.handle({ channel: 'web', chatId: 'web-proc-1', userId: 'web-proc-1', text: '/thutuc thu-tuc-bang-console', locale: 'vi' });
    expect(JSON.stringify(chat.blocks)).toContain('Thủ tục nhập từ bảng điều khiển');
    const audit = await readAudit(c.t.store, new Date('2026-01-01'), new Date('2027-01-01'));
    expect(audit.filter((e) => e.action.startsWith('procedure.')).map((e) => [e.actor, e.action])).toEqual([['Lan', 'procedure.publish']]);
  });

  it('names the bad rows and writes nothing', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/knowledge');
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('mode', 'preview');
    form.set('file', csvFile([HEADER, row('thu-tuc-tot', 'Thủ tục tốt'), 'thu-tuc-xau,Thủ tục xấu,,Hộ tịch,,21/11/2026,Nguồn (2026-11-01)'].join('\n')));
    const res = await c.post('/console/knowledge/procedures', form);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Các dòng không hợp lệ (không có gì được ghi)');
    expect(html).toMatch(/<tr class="rejected"><td class="num">3<\/td>/);
    expect(html).not.toContain('name="pending"');
    expect(await c.t.store.keysWithPrefix('proc:')).toEqual([]);
  });

  it('asks for the file when none was chosen', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/knowledge');
    const res = await c.post('/console/knowledge/procedures', { _csrf: csrf, mode: 'preview' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Hãy chọn tệp danh mục thủ tục.');
  });
});
