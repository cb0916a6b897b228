/**
 * Web session ids come from the server: random, at least 128 bits, kept in an HttpOnly
 * SameSite=Strict cookie and returned in the JSON. An id the server did not issue starts a new
 * session (not an error), and no role is ever bound to a session the server did not issue.
 */
import { describe, expect, it } from 'vitest';
import { makeWebApp, sessionCookie, type ChatBody, type WebApp } from './web-app';

async function json(res: Response): Promise<ChatBody> {
  expect(res.status).toBe(200);
  return (await res.json()) as ChatBody;
}

async function inviteCode(t: WebApp): Promise<string> {
  const { code } = await t.rt.invites.issue({ role: 'staff', units: [], expiresInHours: 72, createdBy: 'test' });
  return code;
}

describe('web sessions issued by the server', () => {
  it('issues a random id of at least 128 bits in an HttpOnly SameSite=Strict cookie and in the JSON', async () => {
    const t = makeWebApp();
    const first = await t.chat({ message: 'xin chào' });
    const a = await json(first);
    // 32 base64url characters: 192 bits.
    expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^cchc_sid=${a.sessionId};`));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api/);
    expect(cookie).toMatch(/; Max-Age=2592000/);
    expect(cookie).not.toMatch(/; Secure/); // plain http (local Node): a Secure cookie would never come back

    const b = await json(await t.chat({ message: 'xin chào' }));
    expect(b.sessionId).not.toBe(a.sessionId);

    const https = await t.request('https://chat.example/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'xin chào' }),
    });
    expect(https.headers.get('set-cookie')).toMatch(/; Secure/);
    // Behind a TLS-terminating proxy the app sees http with the public host: still Secure.
    const proxied = await t.request('http://chat.example/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'xin chào' }),
    });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('keeps the session through the cookie, and through a body sessionId it issued', async () => {
    const t = makeWebApp();
    const first = await t.chat({ message: 'Chỉ thị 22-CT/TU ban hành ngày nào?' });
    const { sessionId } = await json(first);
    const byCookie = await t.chat({ message: 'xin chào' }, undefined, { cookie: sessionCookie(first)! });
    expect((await json(byCookie)).sessionId).toBe(sessionId);
    expect(byCookie.headers.get('set-cookie')).toBeNull();
    expect((await json(await t.chat({ message: 'xin chào', sessionId }))).sessionId).toBe(sessionId);
    expect(await t.store.listRange(`conv:web:${sessionId}`, 0, -1)).toHaveLength(6);
  });

  it('starts a new session for an id it did not issue, in the body or in the cookie', async () => {
    const t = makeWebApp();
    const forged = 'chosen-by-the-client-0001';
    const res = await t.chat({ message: 'xin chào', sessionId: forged }, undefined, { cookie: `cchc_sid=${forged}-cookie` });
    const body = await json(res);
    expect(body.sessionId).not.toBe(forged);
    expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(sessionCookie(res)).toBe(`cchc_sid=${body.sessionId}`);
    expect(await t.store.keysWithPrefix(`conv:web:${forged}`)).toEqual([]);
    expect(await t.store.listRange(`conv:web:${body.sessionId}`, 0, -1)).toHaveLength(2);
  });

  it('binds no role from /xacthuc to an id it did not issue', async () => {
    const t = makeWebApp();
    const forged = 'someone-elses-session-01';
    await json(await t.chat({ message: `/xacthuc ${await inviteCode(t)}`, sessionId: forged }));
    expect(await t.rt.roles.roleOf('web', forged)).toBe('citizen');
    // Nor when the core is handed a web id that no issued session vouches for.
    const code = await inviteCode(t);
    const reply = await t.rt.assistant.handle({ channel: 'web', chatId: forged, userId: forged, text: `/xacthuc ${code}`, locale: 'vi' });
    expect(reply.blocks[0]).toMatchObject({ text: t.rt.texts.get('vi', 'verify-web-session') });
    expect(await t.rt.roles.roleOf('web', forged)).toBe('citizen');
  });

  it('binds no role, and spends no code, when the new session could not be recorded', async () => {
    const t = makeWebApp();
    const code = await inviteCode(t);
    const set = t.store.set.bind(t.store);
    t.store.set = async (key, value, ttl) => {
      if (key.startsWith('web:session:')) throw new Error('store down');
      return set(key, value, ttl);
    };
    const body = await json(await t.chat({ message: `/xacthuc ${code}` }));
    expect(body.reply).toBe(t.rt.texts.get('vi', 'verify-web-session'));
    expect(await t.rt.roles.roleOf('web', body.sessionId)).toBe('citizen');
    expect((await t.rt.invites.list()).map((i) => i.status)).toEqual(['open']);
  });

  it('binds the role to a session it issued, and /xoadulieu ends that session', async () => {
    const t = makeWebApp();
    const first = await t.chat({ message: 'xin chào' });
    const { sessionId } = await json(first);
    const cookie = { cookie: sessionCookie(first)! };
    expect((await json(await t.chat({ message: `/xacthuc ${await inviteCode(t)}` }, undefined, cookie))).reply).toContain('nhân viên');
    expect(await t.rt.roles.roleOf('web', sessionId)).toBe('staff');

    await json(await t.chat({ message: '/xoadulieu xacnhan' }, undefined, cookie));
    expect(await t.rt.roles.roleOf('web', sessionId)).toBe('citizen');
    expect(await t.store.keysWithPrefix('web:session:')).toEqual([]);
    expect((await json(await t.chat({ message: 'xin chào' }, undefined, cookie))).sessionId).not.toBe(sessionId);
  });
});

describe('the invite-code brake on the web', () => {
  it('counts failed codes per client address, so fresh sessions do not buy more tries', async () => {
    const t = makeWebApp();
    const code = await inviteCode(t);
    const replies: string[] = [];
    // Each message without a cookie is a new session, with a per-user brake of its own.
    for (let i = 0; i < 21; i++) replies.push((await json(await t.chat({ message: '/xacthuc WRONG-CODE0' }, '203.0.113.7'))).reply);
    expect(replies.slice(0, 20).every((r) => r === t.rt.texts.get('vi', 'verify-invalid'))).toBe(true);
    expect(replies[20]).toBe(t.rt.texts.get('vi', 'verify-throttled'));
    // Even the right code waits the hour from that address; another address is not held back.
    const held = await json(await t.chat({ message: `/xacthuc ${code}` }, '203.0.113.7'));
    expect(held.reply).toBe(t.rt.texts.get('vi', 'verify-throttled'));
    expect(await t.rt.roles.roleOf('web', held.sessionId)).toBe('citizen');
    const other = await json(await t.chat({ message: `/xacthuc ${code}` }, '198.51.100.4'));
    expect(await t.rt.roles.roleOf('web', other.sessionId)).toBe('staff');
  });
});
