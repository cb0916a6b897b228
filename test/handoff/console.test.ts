/**
 * The console's Hỗ trợ page through the composed app: the inbox (oldest first, masked turns,
 * waiting time, the overdue mark counted in working time only), a conversation's transcript,
 * take / reply / close as forms with the CSRF token (two operators: one wins, the other is told
 * who), the reply reaching the web chat, and the stats.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleClient } from '../console/client';
import { handoffApp, handoffsOfChat, listHandoffs, MONDAY_9, type HandoffApp } from './support';

const LAN = 'lan-support-token-0123456789';
const MINH = 'minh-support-token-0123456789';
const ENV = { ADMIN_TOKENS: `Lan:${LAN},Minh:${MINH}` };
const MINUTE = 60_000;

async function setup(start = MONDAY_9): Promise<{ app: HandoffApp; lan: ConsoleClient; minh: ConsoleClient }> {
  const app = handoffApp(ENV, start);
  const lan = new ConsoleClient(app, '203.0.113.7');
  const minh = new ConsoleClient(app, '203.0.113.8');
  expect((await lan.signIn(LAN)).status).toBe(303);
  expect((await minh.signIn(MINH)).status).toBe(303);
  return { app, lan, minh };
}

async function openOnWeb(app: HandoffApp, first: string): Promise<{ session: { id?: string }; id: string }> {
  const session: { id?: string } = {};
  await app.web(first, session);
  expect((await app.web('gặp cán bộ', session)).intent).toBe('handoff');
  const [listed] = await handoffsOfChat(app, session.id!);
  return { session, id: listed!.id };
}

/** The inbox's conversation ids in page order. */
function inboxOrder(html: string): string[] {
  return [...html.matchAll(/data-handoff="([^"]+)"/g)].map((m) => m[1]!);
}

function articleOf(html: string, id: string): string {
  const start = html.indexOf(`data-handoff="${id}"`);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</article>', start));
}

describe('the Hỗ trợ inbox', () => {
  it('lists open conversations oldest first, with masked turns, waiting time, and the overdue mark', async () => {
    const { app, lan } = await setup();
    const first = await openOnWeb(app, 'Số điện thoại của tôi là 0912 345 678, hỏi về hộ chiếu');
    app.clock.now += 10 * MINUTE;
    const second = await openOnWeb(app, 'thủ tục khai sinh');

    let html = await (await lan.get('/console/support')).text();
    expect(html).toContain('<h1>Hỗ trợ</h1>');
    expect(html).toMatch(/href="\/console\/support" aria-current="page"/);
    expect(inboxOrder(html)).toEqual([first.id, second.id]);
    expect(articleOf(html, first.id)).toContain('[số điện thoại]');
    expect(html).not.toContain('0912 345 678');
    expect(articleOf(html, first.id)).toContain('thời gian chờ 10 phút');
    expect(html).not.toContain('data-overdue');

    // 25 more minutes in working hours: the first has waited 35 (past the 30-minute target), the second 25.
    app.clock.now += 25 * MINUTE;
    html = await (await lan.get('/console/support')).text();
    expect(articleOf(html, first.id)).toContain('data-overdue="true"');
    expect(articleOf(html, second.id)).not.toContain('data-overdue');
    expect(html).toMatch(/data-count="overdue">\s*1</);
    expect(((await app.admin('GET', '/handoffs?status=open')).body.handoffs as Array<{ overdue: boolean }>).map((h) => h.overdue)).toEqual([true, false]);
  });

  it('counts the target in working time: a request on Saturday evening is not overdue on Sunday', async () => {
    const { app } = await setup(Date.parse('2026-11-21T19:00:00+07:00'));
    await openOnWeb(app, 'xin chào');
    const overdue = async () => (await listHandoffs(app, 'open')).map((h) => (h as unknown as { overdue: boolean }).overdue);
    app.clock.now += 20 * 60 * MINUTE; // Sunday 15:00
    expect(await overdue()).toEqual([false]);
    app.clock.now = Date.parse('2026-11-23T07:59:00+07:00'); // Monday, 29 working minutes after 7:30
    expect(await overdue()).toEqual([false]);
    app.clock.now = Date.parse('2026-11-23T08:01:00+07:00'); // 31
    expect(await overdue()).toEqual([true]);
    // The console shows the mark (a fresh session: the earlier one expired over the weekend).
    const lan = new ConsoleClient(app, '203.0.113.9');
    await lan.signIn(LAN);
    expect(await (await lan.get('/console/support')).text()).toContain('data-overdue="true"');
  });
});

describe('a conversation on the console', () => {
  it('takes (one operator wins), replies into the web chat, closes; each a CSRF form', async () => {
    const { app, lan, minh } = await setup();
    const { session, id } = await openOnWeb(app, 'Tôi muốn hỏi về đất đai, CCCD 079123456789');
    await app.web('Tôi đang chờ ạ', session);

    const page = await lan.get(`/console/support/${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Tôi đang chờ ạ');
    expect(html).toContain('[số CCCD]');
    expect(html).not.toContain('079123456789');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

    // Without the CSRF token nothing happens.
    expect((await lan.post(`/console/support/${id}/take`, {})).status).toBe(403);
    expect((await listHandoffs(app, 'open')).map((h) => h.id)).toEqual([id]);

    const taken = await lan.post(`/console/support/${id}/take`, { _csrf: csrf });
    expect(taken.status).toBe(303);
    expect(taken.headers.get('location')).toBe(`/console/support/${id}?ok=handoff-taken`);
    expect(await (await lan.get(taken.headers.get('location')!)).text()).toContain('Bạn đã nhận cuộc trò chuyện này.');

    const minhCsrf = await minh.csrf(`/console/support/${id}`);
    const refused = await minh.post(`/console/support/${id}/take`, { _csrf: minhCsrf });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('Cán bộ “Lan” đã nhận cuộc trò chuyện này.');

    const text = 'Chào anh, hồ sơ đất đai nộp tại bộ phận một cửa cấp xã.';
    const replied = await lan.post(`/console/support/${id}/reply`, { _csrf: csrf, text });
    expect(replied.status).toBe(303);
    const after = await (await lan.get(`/console/support/${id}`)).text();
    expect(after).toContain(text);
    expect(after).toContain('data-assignee="Lan"');

    // The citizen's page sees it on its next poll, once.
    const updates = async () => (await app.request('/api/chat/updates', { headers: { cookie: `cchc_sid=${session.id}` } })).json() as Promise<{ replies: Array<{ reply: string }>; active: boolean }>;
    const polled = await updates();
    expect(polled.active).toBe(true);
    expect(polled.replies.map((r) => r.reply)).toHaveLength(1);
    expect(polled.replies[0]!.reply).toContain(text);

    const empty = await lan.post(`/console/support/${id}/reply`, { _csrf: csrf, text: '   ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Nội dung trả lời (text) phải có chữ');

    const closed = await lan.post(`/console/support/${id}/close`, { _csrf: csrf });
    expect(closed.status).toBe(303);
    expect(await listHandoffs(app, 'closed')).toMatchObject([{ id, closedBy: 'Lan' }]);
    const end = await updates();
    expect(end.active).toBe(false);
    expect(end.replies[0]!.reply).toContain('Cán bộ đã kết thúc cuộc trò chuyện');
    // Closed: no forms left, and the inbox is empty.
    const last = await (await lan.get(`/console/support/${id}`)).text();
    expect(last).not.toContain(`/console/support/${id}/reply`);
    expect(await (await lan.get('/console/support')).text()).toContain('Không có ai đang chờ cán bộ.');
  });

  it('answers 404 with a reason for an unknown conversation', async () => {
    const { lan } = await setup();
    const res = await lan.get('/console/support/no-such-handoff');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Không tìm thấy cuộc trò chuyện này');
  });

  it('shows the stats: opened per day and the first reply median and p90', async () => {
    const { app, lan } = await setup();
    const waits = [5, 10, 40];
    for (const minutes of waits) {
      const { id } = await openOnWeb(app, 'xin chào');
      app.clock.now += minutes * MINUTE;
      expect((await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'Lan', body: { text: 'Chào anh/chị.' } })).status).toBe(200);
    }
    const html = await (await lan.get('/console/support')).text();
    expect(html).toMatch(/data-stat="median">\s*10 phút</);
    expect(html).toMatch(/data-stat="p90">\s*40 phút</);
    expect(html).toMatch(/<td>23\/11\/2026<\/td><td class="num">3<\/td>/);
  });
});
