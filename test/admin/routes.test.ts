/**
 * The admin routes for roles and what people ask, through the real app: invites (issue, list,
 * revoke), bound roles, stats, and the audit log they write. Every route is off without
 * ADMIN_TOKEN and refuses a missing or wrong bearer; bodies and queries get 400 with a reason.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';

const TOKEN = 'admin-token-0123456789';

const auth = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${TOKEN}`, ...extra });
const post = (body: unknown, headers: Record<string, string> = auth()) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

interface IssuedInvite {
  id: string;
  code: string;
  role: string;
  units: string[];
  expiresAt: string;
  status: string;
}

async function issue(t: ReturnType<typeof makeTestApp>, body: unknown = { role: 'official' }): Promise<IssuedInvite> {
  const res = await t.request('/admin/invites', post(body));
  return ((await res.json()) as { invites: IssuedInvite[] }).invites[0]!;
}

describe('/admin feature routes', () => {
  const routes: Array<[string, string]> = [
    ['POST', '/admin/invites'],
    ['GET', '/admin/invites'],
    ['GET', '/admin/invites/inv_00000000000'],
    ['DELETE', '/admin/invites/inv_00000000000'],
    ['GET', '/admin/roles'],
    ['DELETE', '/admin/roles/telegram/1'],
    ['GET', '/admin/stats'],
  ];

  it.each(routes)('%s %s is off (404) when ADMIN_TOKEN is unset', async (method, path) => {
    const t = makeTestApp();
    const res = await t.request(path, { method, headers: auth() });
    expect(res.status).toBe(404);
  });

  it.each(routes)('%s %s refuses a missing or wrong bearer with 401 and writes nothing', async (method, path) => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    for (const headers of [{}, { authorization: 'Bearer not-the-admin-token' }] as Array<Record<string, string>>) {
      const res = await t.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' ? '{"role":"staff"}' : undefined });
      expect(res.status).toBe(401);
    }
    expect(await t.store.keysWithPrefix('')).toEqual([]);
  });
});

describe('POST /admin/invites', () => {
  it('issues one-time codes with role, units and expiry, audited without the code', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/invites', post({ role: 'official', units: ['so-noi-vu'], expiresInHours: 48, count: 2, note: 'tập huấn' }, auth({ 'x-admin-actor': 'Lan <script>' })));
    expect(res.status).toBe(201);
    const { invites } = (await res.json()) as { invites: IssuedInvite[] };
    expect(invites).toHaveLength(2);
    expect(invites[0]).toMatchObject({ role: 'official', units: ['so-noi-vu'], status: 'open', createdBy: 'Lan script', expiresAt: '2026-11-23T01:00:00.000Z', note: 'tập huấn' });
    expect(invites[0]!.code).not.toBe(invites[1]!.code);

    const audit = (await (await t.request('/admin/audit', { headers: auth() })).json()) as { entries: Array<Record<string, unknown>> };
    // Both in the same millisecond: the log's order between them is arbitrary.
    expect(audit.entries.map((e) => e.target).sort()).toEqual(invites.map((i) => i.id).sort());
    for (const entry of audit.entries) {
      expect(entry).toMatchObject({ actor: 'Lan script', action: 'invites.create', at: '2026-11-21T01:00:00.000Z' });
    }
    const everything = JSON.stringify(audit) + JSON.stringify(await (await t.request('/admin/invites', { headers: auth() })).json());
    for (const i of invites) expect(everything).not.toContain(i.code.replace('-', ''));
  });

  it('defaults to one code, no units and 72 hours', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/invites', post({ role: 'staff' }));
    const { invites } = (await res.json()) as { invites: IssuedInvite[] };
    expect(invites).toEqual([expect.objectContaining({ role: 'staff', units: [], expiresAt: '2026-11-24T01:00:00.000Z' })]);
  });

  it.each([
    ['not JSON', '{role:', /JSON/],
    ['a citizen role', { role: 'citizen' }, /role/],
    ['a missing role', {}, /role/],
    ['a bad unit code', { role: 'staff', units: ['Sở Nội vụ'] }, /units\.0: a unit code/],
    ['a zero expiry', { role: 'staff', expiresInHours: 0 }, /expiresInHours/],
    ['too long an expiry', { role: 'staff', expiresInHours: 721 }, /expiresInHours/],
    ['too many codes', { role: 'staff', count: 51 }, /count/],
    ['an unknown field', { role: 'staff', expiresInHour: 5 }, /expiresInHour/],
  ])('refuses %s with 400 and a reason, issuing nothing', async (_name, body, reason) => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/invites', post(body));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
    expect(await t.store.keysWithPrefix('')).toEqual([]);
  });

  it('lists each field in error in `issues`, for programs', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/invites', post({ role: 'citizen', units: ['Sở Nội vụ'] }));
    expect(((await res.json()) as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual(['role', 'units.0']);
  });

  it('refuses a body not sent as JSON with 415, issuing nothing', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await t.request('/admin/invites', { method: 'POST', headers: { ...auth(), 'content-type': type }, body: '{"role":"staff"}' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: string }).error).toMatch(/application\/json/);
    }
    expect(await t.store.keysWithPrefix('')).toEqual([]);
  });
});

describe('GET and DELETE /admin/invites', () => {
  it('lists invites by status, and shows one by id', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const a = await issue(t);
    const b = await issue(t, { role: 'staff' });
    await t.request('/admin/invites/' + b.id, { method: 'DELETE', headers: auth() });
    const open = (await (await t.request('/admin/invites?status=open', { headers: auth() })).json()) as { invites: IssuedInvite[] };
    expect(open.invites.map((i) => i.id)).toEqual([a.id]);
    const one = await t.request(`/admin/invites/${b.id}`, { headers: auth() });
    expect(((await one.json()) as { invite: IssuedInvite }).invite).toMatchObject({ id: b.id, status: 'revoked' });
    expect((await t.request('/admin/invites?status=lost', { headers: auth() })).status).toBe(400);
    expect((await t.request('/admin/invites/inv_ffffffffff0', { headers: auth() })).status).toBe(404);
  });

  it('revokes an invite (audited), answers 409 the second time and 404 for an unknown id', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const inv = await issue(t);
    const res = await t.request(`/admin/invites/${inv.id}`, { method: 'DELETE', headers: auth() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ invite: { id: inv.id, status: 'revoked' }, roleRevoked: false });
    expect((await t.request(`/admin/invites/${inv.id}`, { method: 'DELETE', headers: auth() })).status).toBe(409);
    expect((await t.request('/admin/invites/inv_ffffffffff0', { method: 'DELETE', headers: auth() })).status).toBe(404);
    expect((await t.request('/admin/invites/nonsense', { method: 'DELETE', headers: auth() })).status).toBe(404);
    const audit = (await (await t.request('/admin/audit', { headers: auth() })).json()) as { entries: Array<{ action: string; target?: string }> };
    expect(audit.entries.map((e) => [e.action, e.target])).toEqual([
      ['invites.create', inv.id],
      ['invites.revoke', inv.id],
    ]);
  });

  it('revoking a redeemed invite takes the role back from the chat user', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const inv = await issue(t);
    const said = await t.rt.assistant.handle({ channel: 'telegram', chatId: '55', userId: '55', text: `/xacthuc ${inv.code}`, locale: 'vi' });
    expect(said.intent).toBe('verify');
    expect(await t.rt.roles.roleOf('telegram', '55')).toBe('official');
    const res = await t.request(`/admin/invites/${inv.id}`, { method: 'DELETE', headers: auth() });
    expect(await res.json()).toMatchObject({ roleRevoked: true });
    expect(await t.rt.roles.roleOf('telegram', '55')).toBe('citizen');
  });
});

describe('/admin/roles', () => {
  it('lists bound roles (audited without user ids) and revokes one', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const inv = await issue(t, { role: 'staff', units: ['ubnd-xa-an-phu'] });
    await t.rt.assistant.handle({ channel: 'zalo', chatId: 'z-777', userId: 'z-777', text: `/xacthuc ${inv.code}`, locale: 'vi' });

    const list = await t.request('/admin/roles', { headers: auth() });
    expect(await list.json()).toEqual({
      users: [{ channel: 'zalo', userId: 'z-777', role: 'staff', units: ['ubnd-xa-an-phu'], since: '2026-11-21T01:00:00.000Z', invite: inv.id }],
    });
    const revoked = await t.request('/admin/roles/zalo/z-777', { method: 'DELETE', headers: auth() });
    expect(revoked.status).toBe(200);
    expect(await t.rt.roles.roleOf('zalo', 'z-777')).toBe('citizen');
    expect((await t.request('/admin/roles/zalo/z-777', { method: 'DELETE', headers: auth() })).status).toBe(404);
    expect((await t.request('/admin/roles/fax/1', { method: 'DELETE', headers: auth() })).status).toBe(400);

    const audit = await (await t.request('/admin/audit', { headers: auth() })).text();
    expect(audit).toContain('roles.list');
    expect(audit).toContain('roles.revoke');
    expect(audit).not.toContain('z-777');
  });
});

describe('GET /admin/stats', () => {
  it('reports the last 7 Vietnamese days by default', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    await t.rt.assistant.handle({ channel: 'web', chatId: 'sess-0001', userId: 'sess-0001', text: 'giá vàng hôm nay bao nhiêu', locale: 'vi' });
    const res = await t.request('/admin/stats', { headers: auth() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { from: string; to: string; totals: { questions: number }; perDay: unknown[]; byChannel: Record<string, number> };
    expect([body.from, body.to]).toEqual(['2026-11-15', '2026-11-21']);
    expect(body.perDay).toHaveLength(7);
    expect(body.totals.questions).toBe(1);
    expect(body.byChannel).toEqual({ web: 1 });
  });

  it('takes a date range and a top count', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request('/admin/stats?from=2026-01-01&to=2026-12-31&top=3', { headers: auth() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { perDay: unknown[] }).perDay).toHaveLength(365);
  });

  it.each([
    ['a malformed date', '?from=21/11/2026', /from: must be a date/],
    ['an impossible date', '?to=2026-02-30', /to: must be a date/],
    ['a reversed range', '?from=2026-11-21&to=2026-11-01', /from must not be after to/],
    ['too long a range', '?from=2024-01-01&to=2026-01-01', /at most 366 days/],
    ['a bad top', '?top=0', /top/],
    ['a non-numeric top', '?top=ten', /top/],
  ])('refuses %s with 400 and a reason', async (_name, query, reason) => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const res = await t.request(`/admin/stats${query}`, { headers: auth() });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
  });
});

describe('the audit log', () => {
  it('drops entries older than its retention on the next write', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN, AUDIT_RETENTION_DAYS: '30' }, () => now);
    await t.request('/admin/invites', post({ role: 'staff' }));
    now = new Date('2026-02-15T00:00:00Z');
    await t.request('/admin/invites', post({ role: 'staff' }));
    const res = await t.request('/admin/audit?from=2025-12-01&to=2026-03-01', { headers: auth() });
    const { entries } = (await res.json()) as { entries: Array<{ at: string }> };
    expect(entries.map((e) => e.at)).toEqual(['2026-02-15T00:00:00.000Z']);
  });
});
