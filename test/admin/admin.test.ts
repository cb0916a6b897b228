import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';
import { makeAudit } from '../../src/admin/index';

const TOKEN = 'admin-token-0123456789';

describe('/admin', () => {
  it('is off (404) when ADMIN_TOKEN is unset', async () => {
    const t = makeTestApp();
    const res = await t.request('/admin/audit', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
  });

  it.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789' }],
    ['a token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
    // hono/bearer-auth alone would answer 400 to a header that is not one token.
    ['a malformed header', { authorization: `Bearer ${TOKEN} ${TOKEN}` }],
  ])('refuses %s with 401, the realm and a reason', async (_name, headers) => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/audit', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    expect(((await res.json()) as { error: string }).error).toMatch(/bearer/);
  });

  it('lists audit entries in a date range for a valid token', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const audit = makeAudit({ store: t.store, now: t.rt.now });
    await audit({ actor: 'lan', action: 'tasks.create', target: 'task-1' });
    await audit({ actor: 'lan', action: 'tasks.create', target: 'task-1' });
    const res = await t.request('/admin/audit', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: Array<{ actor: string; action: string; target: string; at: string }> };
    expect(body.entries).toHaveLength(2);
    expect(body.entries[0]).toMatchObject({ actor: 'lan', action: 'tasks.create', target: 'task-1' });
  });

  it('refuses a reversed date range with 400', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/audit?from=2026-02-01&to=2026-01-01', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
  });

  it('refuses a date it cannot read with 400 naming it, instead of reading another range', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/audit?from=yesterday', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/from: must be a date/);
  });
});
