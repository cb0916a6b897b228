/**
 * The console and admin-auth review fixes, through the composed app: the sign-in limit under
 * parallel attempts, the search tester running only read-only handlers, cookies on plain http to
 * this machine, the upload limit of every console upload form, the sign-in audit written before
 * any session, store failures answered by the console's error page, the reserved actor "citizen",
 * and CSRF comparisons kept out of the config-secret digest cache.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleClient, ENV, TOKEN } from './client';
import { readAudit } from '../../src/admin/audit';
import { MAX_FAILED_SIGNINS } from '../../src/console/session';
import { secureEqual } from '../../src/core/secure-compare';

const WRONG = 'wrong-token-wrong-token-wrong';

async function signInForm(c: ConsoleClient, token: string): Promise<Record<string, string>> {
  return { _csrf: await c.csrf('/console/signin'), token };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the sign-in limit', () => {
  it('holds against many wrong sign-ins sent at once: at most five are looked at', async () => {
    const c = ConsoleClient.make();
    const form = await signInForm(c, WRONG);
    const statuses = await Promise.all(Array.from({ length: 40 }, () => c.post('/console/signin', form).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_FAILED_SIGNINS);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40 - MAX_FAILED_SIGNINS);
    // Locked out: the right token is refused unread too.
    expect((await c.post('/console/signin', { ...form, token: TOKEN })).status).toBe(429);
  });

  it('a success clears the count', async () => {
    const c = ConsoleClient.make();
    const form = await signInForm(c, WRONG);
    for (let i = 0; i < MAX_FAILED_SIGNINS - 1; i++) expect((await c.post('/console/signin', form)).status).toBe(401);
    expect((await c.post('/console/signin', { ...form, token: TOKEN })).status).toBe(303);
    expect(await c.t.store.keysWithPrefix('console:signin-fail:')).toEqual([]);
  });
});

describe('the search tester', () => {
  it('does not open a handoff (nor tell staff) for "tôi muốn gặp cán bộ": it says it was not run', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const res = await c.get(`/console/knowledge?q=${encodeURIComponent('tôi muốn gặp cán bộ')}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(c.t.rt.texts.get('vi', 'console-tester-not-run'));
    const list = await c.t.request('/admin/handoffs', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await list.json()) as { handoffs: unknown[] }).handoffs).toEqual([]);
    expect(await c.t.store.keysWithPrefix('handoff:')).toEqual([]);
  });

  it('answers a question nothing matches without counting a miss toward a handoff offer', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    for (let i = 0; i < 4; i++) {
      const html = await (await c.get(`/console/knowledge?q=${encodeURIComponent(`giá vàng hôm nay bao nhiêu lần ${i}`)}`)).text();
      expect(html).toContain('KHÔNG ĐẠT');
      expect(html).not.toContain(c.t.rt.texts.get('vi', 'console-tester-not-run'));
    }
    expect(await c.t.store.keysWithPrefix('handoff:')).toEqual([]);
  });
});

describe('console cookies', () => {
  const sessionCookie = (res: Response, name: string) => res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`))!;

  it('leave Secure off over plain http to this machine (npm start), so the browser keeps them', async () => {
    const c = ConsoleClient.make(ENV, undefined, 'http://127.0.0.1:8787');
    const page = await c.get('/console/signin');
    expect(sessionCookie(page, 'cchc_console_pre')).not.toMatch(/Secure/i);
    const res = await c.signIn();
    expect(res.status).toBe(303);
    expect(sessionCookie(res, 'cchc_console')).not.toMatch(/Secure/i);
    expect((await c.get('/console')).status).toBe(200);
  });

  it('carry Secure over https', async () => {
    const c = ConsoleClient.make(ENV, undefined, 'https://cchc.example');
    expect(sessionCookie(await c.get('/console/signin'), 'cchc_console_pre')).toMatch(/Secure/i);
    expect(sessionCookie(await c.signIn(), 'cchc_console')).toMatch(/Secure/i);
    expect(sessionCookie(await c.get('/console/lang?to=en'), 'cchc_console_lang')).toMatch(/Secure/i);
  });
});

describe('console uploads', () => {
  it('take a procedure export over 1 MB (the upload limit, not the app limit)', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/knowledge');
    const header = 'id,name,aliases,field,inPersonFee,asOf,sources';
    const rows = [header];
    for (let i = 0; rows.join('\n').length < 2 * 1024 * 1024; i++) {
      const block = Array.from({ length: 500 }, (_, j) => `thu-tuc-lon-${i}-${j},Thủ tục kiểm thử số ${i}-${j} có tên khá dài để tệp lớn hơn,,Hộ tịch,15.000 đồng,2026-11-01,Nguồn kiểm thử (2026-11-01)`);
      rows.push(...block);
    }
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('mode', 'preview');
    form.set('file', new File([rows.join('\n')], 'danh-muc.csv', { type: 'text/csv' }));
    const res = await c.post('/console/knowledge/procedures', form);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="pending"');
  });

  it('take KPI values over 1 MB past the app limit', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/kpis');
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('file', new File(['kpi,period,value\n' + 'x,2026-11,1\n'.repeat(200_000)], 'values.csv', { type: 'text/csv' }));
    const res = await c.post('/console/kpis', form);
    expect(res.status).not.toBe(413);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('store failures', () => {
  it('an audit that cannot be written leaves no session behind', async () => {
    const c = ConsoleClient.make();
    const form = await signInForm(c, TOKEN);
    const zAdd = c.t.store.zAdd.bind(c.t.store);
    vi.spyOn(c.t.store, 'zAdd').mockImplementation(async (key, ...rest) => {
      if (key.startsWith('audit:')) throw new Error('store down');
      return zAdd(key, ...rest);
    });
    const res = await c.post('/console/signin', form);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain(c.t.rt.texts.get('vi', 'console-failed'));
    expect(await c.t.store.keysWithPrefix('console:session:')).toEqual([]);
    expect(c.cookies.has('cchc_console')).toBe(false);
  });

  it('a kept upload the store cannot read or write gives the console error page, not a bare 500', async () => {
    const c = ConsoleClient.make();
    await c.signIn();
    const csrf = await c.csrf('/console/knowledge');
    const set = c.t.store.set.bind(c.t.store);
    const get = c.t.store.get.bind(c.t.store);
    vi.spyOn(c.t.store, 'set').mockImplementation(async (key, ...rest) => {
      if (key.startsWith('console:pending-')) throw new Error('store down');
      return set(key, ...rest);
    });
    vi.spyOn(c.t.store, 'get').mockImplementation(async (key) => {
      if (key.startsWith('console:pending-')) throw new Error('store down');
      return get(key);
    });
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('mode', 'preview');
    form.set('file', new File(['id,name,aliases,field,inPersonFee,asOf,sources\nthu-tuc-x,Thủ tục X,,Hộ tịch,15.000 đồng,2026-11-01,Nguồn (2026-11-01)'], 'a.csv', { type: 'text/csv' }));
    const failed = c.t.rt.texts.get('vi', 'console-failed');
    for (const res of [
      await c.post('/console/knowledge/procedures', form),
      await c.post('/console/knowledge/procedures', { _csrf: csrf, pending: 'A'.repeat(24) }),
      await c.post('/console/knowledge/documents', { _csrf: csrf, pending: 'A'.repeat(24) }),
    ]) {
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toContain(failed);
      expect(html).toContain('<nav');
    }
  });
});

describe('the actor "citizen"', () => {
  it('is not taken from X-Admin-Actor: the shared token is recorded as "admin"', async () => {
    const c = ConsoleClient.make();
    for (const actor of ['citizen', 'Citizen', ' citizen ']) {
      const res = await c.t.request('/admin/invites', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-admin-actor': actor },
        body: JSON.stringify({ role: 'staff' }),
      });
      expect(res.status).toBe(201);
    }
    const audit = await readAudit(c.t.store, new Date('2026-01-01'), new Date('2027-01-01'));
    expect(audit.map((e) => e.actor)).toEqual(['admin', 'admin', 'admin']);
  });
});

describe('CSRF comparison', () => {
  it('keeps client-chosen tokens out of the config-secret digest cache', async () => {
    const c = ConsoleClient.make();
    const pre = await c.csrf('/console/signin');
    expect((await c.post('/console/signin', { _csrf: pre, token: TOKEN })).status).toBe(303);
    // A cached expected value is not hashed again: a digest of it here means it was not cached.
    const digest = vi.spyOn(crypto.subtle, 'digest');
    await secureEqual('another-guess', pre);
    expect(digest).toHaveBeenCalledTimes(2);
  });

  it('the cache still serves config secrets (one digest per check once warm)', async () => {
    await secureEqual('warm-up', 'a-config-secret-0123456789');
    const digest = vi.spyOn(crypto.subtle, 'digest');
    await secureEqual('another-guess', 'a-config-secret-0123456789');
    expect(digest).toHaveBeenCalledTimes(1);
  });
});
