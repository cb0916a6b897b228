/**
 * The operator console through the composed app (createApp, in-memory store, fixed clock): sign-in
 * and its limits, the session cookie and its expiry, CSRF and cross-site refusals, each page, and
 * the actions, which must reach the admin API and leave audit entries naming the operator.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleClient, ENV, LAN_TOKEN, TOKEN } from './client';
import { readAudit } from '../../src/admin/audit';
import { loadConfig } from '../../src/config';
import { recordQuestion } from '../../src/analytics/questions';
import { PAGES } from '../../src/console/view';

const NOW = new Date('2026-11-21T08:00:00+07:00');
const DAY = 86_400_000;

async function auditOf(c: ConsoleClient) {
  return readAudit(c.t.store, new Date(NOW.getTime() - 30 * DAY), new Date(NOW.getTime() + 30 * DAY));
}

describe('ADMIN_TOKENS', () => {
  it('reads name:token pairs beside ADMIN_TOKEN, which stays the operator "admin"', () => {
    const config = loadConfig(ENV);
    expect(config.admin?.token).toBe(TOKEN);
    expect(config.admin?.operators.map((o) => [o.name, o.shared])).toEqual([
      ['admin', true],
      ['Lan', false],
    ]);
    expect(loadConfig({ ADMIN_TOKENS: `Lan:${LAN_TOKEN}` }).admin?.operators).toHaveLength(1);
  });

  it.each([
    ['a pair without a token', 'lan'],
    ['a short token', 'lan:short'],
    ['a repeated name', `lan:${LAN_TOKEN},LAN:${LAN_TOKEN}x`],
    ['a token used twice', `lan:${LAN_TOKEN},minh:${LAN_TOKEN}`],
  ])('refuses %s, never echoing a token', (_name, value) => {
    let message = '';
    try {
      loadConfig({ ADMIN_TOKENS: value });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/ADMIN_TOKENS: pair \d/);
    expect(message).not.toContain(LAN_TOKEN);
  });
});

describe('the admin API names the operator by token', () => {
  it('a named token is its operator, whatever X-Admin-Actor says; the shared token keeps the header', async () => {
    const c = ConsoleClient.make();
    const post = (token: string, actor: string) =>
      c.t.request('/admin/invites', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-admin-actor': actor },
        body: JSON.stringify({ role: 'staff' }),
      });
    expect((await post(LAN_TOKEN, 'someone-else')).status).toBe(201);
    expect((await post(TOKEN, 'Minh')).status).toBe(201);
    expect((await auditOf(c)).map((e) => e.actor)).toEqual(['Lan', 'Minh']);
    const wrong = await c.t.request('/admin/invites', { headers: { authorization: 'Bearer not-a-token-of-anyone-here' } });
    expect(wrong.status).toBe(401);
  });
});

describe('sign-in', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict session cookie whose expiry the store keeps', async () => {
    // Over https, as deployed (plain http to localhost leaves Secure off: review-fixes.test.ts).
    const c = ConsoleClient.make(ENV, undefined, 'https://cchc.example');
    const res = await c.signIn(LAN_TOKEN);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('cchc_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/console/i);
    expect(cookie).toMatch(/Max-Age=28800/i);
    const keys = await c.t.store.keysWithPrefix('console:session:');
    expect(keys).toHaveLength(1);
    // The store holds a hash of the id, never the cookie's value.
    expect(keys[0]).not.toContain(c.cookies.get('cchc_console'));
    expect(await c.t.store.ttl(keys[0]!)).toBe(28_800);
    const stored = JSON.parse((await c.t.store.get(keys[0]!))!) as { operator: string; expiresAt: string };
    expect(stored.operator).toBe('Lan');
    expect(stored.expiresAt).toBe(new Date(NOW.getTime() + 8 * 3_600_000).toISOString());
    expect((await auditOf(c)).map((e) => [e.actor, e.action])).toEqual([['Lan', 'console.signin']]);
  });

  it('refuses a wrong token in Vietnamese, and locks an address out after five failures', async () => {
    const c = ConsoleClient.make();
    for (let i = 0; i < 5; i++) {
      const res = await c.signIn('wrong-token-wrong-token-wrong');
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('Mã quản trị không đúng.');
    }
    const blocked = await c.signIn(TOKEN);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('thử lại sau 15 phút');
    expect(c.cookies.has('cchc_console')).toBe(false);
  });

  it('refuses a sign-in without the CSRF token, or from another site', async () => {
    const c = ConsoleClient.make();
    await c.get('/console/signin');
    const noCsrf = await c.post('/console/signin', { token: TOKEN });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.text()).toContain('CSRF');
    const csrf = await c.csrf('/console/signin');
    const foreign = await c.post('/console/signin', { token: TOKEN, _csrf: csrf }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(c.cookies.has('cchc_console')).toBe(false);
  });

  it('sends a page asked for before sign-in back to it afterwards, and only within the console', async () => {
    const c = ConsoleClient.make();
    const first = await c.get('/console/people');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/console/signin?next=%2Fconsole%2Fpeople');
    const csrf = await c.csrf('/console/signin?next=%2Fconsole%2Fpeople');
    const res = await c.post('/console/signin', { _csrf: csrf, token: TOKEN, next: '/console/people' });
    expect(res.headers.get('location')).toBe('/console/people');
    const c2 = ConsoleClient.make();
    const csrf2 = await c2.csrf('/console/signin');
    const away = await c2.post('/console/signin', { _csrf: csrf2, token: TOKEN, next: '//evil.example/console' });
    expect(away.headers.get('location')).toBe('/console');
  });
});

describe('a session', () => {
  it('ends at its expiry', async () => {
    let now = NOW;
    const c = ConsoleClient.make(ENV, () => now);
    await c.signIn();
    expect((await c.get('/console/audit')).status).toBe(200);
    now = new Date(NOW.getTime() + 8 * 3_600_000 + 1000);
    const later = await c.get('/console/audit');
    expect(later.status).toBe(303);
    expect(later.headers.get('location')).toMatch(/^\/console\/signin/);
  });

  it('ends at sign-out: the old cookie opens nothing', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const old = c.cookies.get('cchc_console')!;
    const csrf = await c.csrf('/console');
    const out = await c.post('/console/signout', { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/signin?ok=signed-out');
    const replay = await c.t.request('/console', { headers: { cookie: `cchc_console=${old}` } });
    expect(replay.status).toBe(303);
    expect((await auditOf(c)).map((e) => e.action)).toEqual(['console.signin', 'console.signout']);
  });

  it('needs the CSRF token on every form, and the session\'s own', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const missing = await c.post('/console/people/invites', { role: 'staff', expiresInHours: '72', count: '1' });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('CSRF');
    const other = ConsoleClient.make();
    const otherCsrf = await other.csrf('/console/signin');
    const wrong = await c.post('/console/people/invites', { _csrf: otherCsrf, role: 'staff', expiresInHours: '72', count: '1' });
    expect(wrong.status).toBe(403);
    expect(await c.t.rt.invites.list()).toEqual([]);
  });

  it('is refused when its operator is no longer configured', async () => {
    const c = ConsoleClient.make();
    await c.signIn(LAN_TOKEN);
    // The same store, a configuration without Lan: the session no longer opens anything.
    const { createApp, createRuntime } = await import('../../src/app');
    const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store: c.t.store, now: () => NOW });
    const res = await createApp(rt).request('/console', { headers: { cookie: `cchc_console=${c.cookies.get('cchc_console')}` } });
    expect(res.status).toBe(303);
  });
});

describe('pages', () => {
  it('each page answers with the navigation in order, a strict CSP and no script', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    for (const p of PAGES) {
      const res = await c.get(p.path);
      expect(res.status, p.path).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/ style=/);
      const nav = [...html.matchAll(/<nav class="pages"[\s\S]*?<\/nav>/g)][0]![0];
      expect([...nav.matchAll(/<a href="[^"]+"[^>]*>([^<]+)<\/a>/g)].map((m) => m[1])).toEqual(['Tổng quan', 'Câu hỏi', 'Tài liệu', 'Chỉ số', 'Nhiệm vụ', 'Người dùng', 'Hỗ trợ', 'Nhật ký']);
      expect(html).toMatch(new RegExp(`href="${p.path}" aria-current="page"`));
    }
  });

  it('shows the English texts after the language switch', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const sw = await c.get('/console/lang?to=en&back=%2Fconsole%2Ftasks');
    expect(sw.headers.get('location')).toBe('/console/tasks');
    const html = await (await c.get('/console/tasks')).text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('>Tasks<');
    expect((await c.get('/console/lang?to=en&back=https%3A%2F%2Fevil.example')).headers.get('location')).toBe('/console');
  });

  it('Tổng quan counts today\'s questions and draws both 30-day charts', async () => {
    const c = ConsoleClient.make();
    await recordQuestion(c.t.store, { at: NOW, channel: 'zalo', intent: 'ask', found: true, latencyMs: 5, text: 'Chỉ thị 22 ban hành ngày nào?', retentionDays: 90 });
    await recordQuestion(c.t.store, { at: NOW, channel: 'web', intent: 'ask', found: false, latencyMs: 5, text: 'Giá vàng hôm nay?', retentionDays: 90 });
    await c.signIn();
    const html = await (await c.get('/console')).text();
    expect(html).toMatch(/Câu hỏi hôm nay<\/span><span class="value">2</);
    expect(html).toMatch(/Tỉ lệ trả lời được hôm nay<\/span><span class="value">50%</);
    expect(html.match(/<svg[^>]*role="img"/g)).toHaveLength(2);
    expect(html).toContain('aria-label="Câu hỏi mỗi ngày theo kênh (30 ngày)"');
  });

  it('Câu hỏi lists an unanswered question (masked) with links to add a document and to try it again', async () => {
    const c = ConsoleClient.make();
    await recordQuestion(c.t.store, { at: NOW, channel: 'web', intent: 'ask', found: false, latencyMs: 5, text: 'Số CCCD 079203001234 làm hộ chiếu ở đâu?', retentionDays: 90 });
    await c.signIn();
    const html = await (await c.get('/console/questions?outcome=unanswered')).text();
    expect(html).not.toContain('079203001234');
    expect(html).toContain('/console/knowledge?q=');
    expect(html).toContain('Thêm tài liệu trả lời');
    expect(html).toContain('Thử lại');
    const zalo = await (await c.get('/console/questions?channel=zalo')).text();
    expect(zalo).not.toContain('làm hộ chiếu');
  });

  it('the search tester ranks passages, judges relevance and shows the reply, recording nothing', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const hit = await (await c.get(`/console/knowledge?q=${encodeURIComponent('Chỉ thị 22-CT/TU ban hành ngày nào?')}`)).text();
    expect(hit).toContain('ĐẠT — có đoạn trả lời được');
    expect(hit).toContain('<mark>');
    expect(hit).toContain('22/6/2022');
    const miss = await (await c.get(`/console/knowledge?q=${encodeURIComponent('giá vàng hôm nay bao nhiêu')}`)).text();
    expect(miss).toContain('KHÔNG ĐẠT');
    expect(await c.t.store.keysWithPrefix('analytics:')).toEqual([]);
    expect(await c.t.store.keysWithPrefix('conv:')).toEqual([]);
  });

  it('shows a procedure card as users see it', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const p = c.t.rt.procedures.procedures[0]!;
    const html = await (await c.get(`/console/knowledge?procedure=${p.id}`)).text();
    expect(html).toContain(`Thẻ thủ tục: ${p.name}`);
  });
});

describe('actions go through the admin API as the operator', () => {
  it('creates an invite (its code shown once) and revokes it, audited under the operator', async () => {
    const c = ConsoleClient.make();
    await c.signIn(LAN_TOKEN);
    const csrf = await c.csrf('/console/people');
    const res = await c.post('/console/people/invites', { _csrf: csrf, role: 'official', units: 'so-noi-vu', expiresInHours: '48', count: '1', note: 'tập huấn' });
    expect(res.status).toBe(201);
    const html = await res.text();
    const code = /<span class="code" data-invite-code="(inv_[0-9a-f]+)">([^<]+)<\/span>/.exec(html)!;
    expect(code[2]).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    // Shown once: the list shows the invite, never its code.
    const list = await (await c.get('/console/people')).text();
    expect(list).toContain(code[1]);
    expect(list).not.toContain(code[2]);
    const revoke = await c.post(`/console/people/invites/${code[1]}/revoke`, { _csrf: csrf });
    expect(revoke.status).toBe(303);
    expect((await c.t.rt.invites.get(code[1]!))?.status).toBe('revoked');
    expect((await auditOf(c)).filter((e) => e.action.startsWith('invites.')).map((e) => [e.actor, e.action])).toEqual([
      ['Lan', 'invites.create'],
      ['Lan', 'invites.revoke'],
    ]);
  });

  it('refuses a bad invite with a Vietnamese reason and writes nothing', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/people');
    const res = await c.post('/console/people/invites', { _csrf: csrf, role: 'king', expiresInHours: '9999', count: '1' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Dữ liệu chưa hợp lệ');
    expect(await c.t.rt.invites.list()).toEqual([]);
  });

  it('previews KPI values with one bad row, writing nothing, then writes the good ones', async () => {
    const c = ConsoleClient.make();
    await c.signIn(LAN_TOKEN);
    const csrf = await c.csrf('/console/kpis');
    const content = 'kpi,period,value\nbd-dvc-toan-trinh,2026-10,44\nbd-dvc-toan-trinh,2026-13,45\n';
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('mode', 'dry');
    form.set('file', new File([content], 'values.csv', { type: 'text/csv' }));
    const dry = await c.post('/console/kpis', form);
    expect(dry.status).toBe(200);
    const preview = await dry.text();
    expect(preview).toContain('Chạy thử: 1 dòng được nhận, 1 dòng bị từ chối. Chưa có gì được ghi.');
    expect(preview).toMatch(/<tr class="rejected"><td>3<\/td>/);
    expect(await c.t.rt.kpi.observations.history('bd-dvc-toan-trinh')).not.toContainEqual(expect.objectContaining({ period: '2026-10' }));
    // The previewed rows come back in the form, to be written without choosing the file again.
    expect(preview).toContain('bd-dvc-toan-trinh,2026-10,44');
    const write = await c.post('/console/kpis', { _csrf: csrf, mode: 'write', content });
    expect(await write.text()).toContain('Đã ghi 1 dòng');
    expect(await c.t.rt.kpi.observations.history('bd-dvc-toan-trinh')).toContainEqual(expect.objectContaining({ period: '2026-10', value: 44 }));
    expect((await auditOf(c)).filter((e) => e.action === 'metrics.ingest').map((e) => e.actor)).toEqual(['Lan']);
  });

  it('closes and extends a task through PUT /admin/tasks/:id', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const [task] = (await c.t.rt.store.hashGetAll('tasks:overrides'), (await (await c.t.request('/admin/tasks?status=open', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { tasks: Array<{ id: string }> }).tasks;
    const csrf = await c.csrf('/console/tasks');
    const extend = await c.post(`/console/tasks/${task!.id}`, { _csrf: csrf, action: 'extend', deadline: '2027-06-30' });
    expect(extend.status).toBe(303);
    const close = await c.post(`/console/tasks/${task!.id}`, { _csrf: csrf, action: 'close' });
    expect(close.headers.get('location')).toBe('/console/tasks?ok=task-closed');
    const after = (await (await c.t.request(`/admin/tasks/${task!.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { task: { status: string; deadline: string } };
    expect(after.task).toMatchObject({ status: 'done', deadline: '2027-06-30' });
    const page = await (await c.get('/console/tasks?ok=task-closed')).text();
    expect(page).toContain('Đã đóng nhiệm vụ (hoàn thành).');
    expect((await auditOf(c)).filter((e) => e.action === 'tasks.update').map((e) => e.actor)).toEqual(['admin', 'admin']);
  });

  it('a bad deadline is refused in Vietnamese and changes nothing', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const list = (await (await c.t.request('/admin/tasks?status=open', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { tasks: Array<{ id: string; deadline: string }> };
    const task = list.tasks[0]!;
    const csrf = await c.csrf('/console/tasks');
    const res = await c.post(`/console/tasks/${task.id}`, { _csrf: csrf, action: 'extend', deadline: '2027-02-30' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Dữ liệu chưa hợp lệ');
    const after = (await (await c.t.request(`/admin/tasks/${task.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { task: { deadline: string } };
    expect(after.task.deadline).toBe(task.deadline);
  });
});

describe('the console is off without operators', () => {
  it('answers 404 in Vietnamese', async () => {
    const c = ConsoleClient.make({});
    const res = await c.get('/console');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Bảng điều hành đang tắt');
  });
});
