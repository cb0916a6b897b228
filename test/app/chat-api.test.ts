import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';

describe('POST /api/chat', () => {
  it('answers a directive question with the date and its source', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: 'Chỉ thị 22-CT/TU ban hành ngày nào?' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reply: string; citations: Array<{ id: string; title: string; source: string; date: string }>; intent: string; sessionId: string };
    expect(body.intent).toBe('ask');
    expect(body.reply).toContain('22/6/2022');
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.citations[0]).toMatchObject({ id: expect.any(String), title: expect.any(String), source: expect.any(String), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('answers the same question typed without diacritics', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: 'chi thi 22-ct/tu ban hanh ngay nao' }));
    const body = (await res.json()) as { reply: string; citations: unknown[] };
    expect(body.reply).toContain('22/6/2022');
    expect(body.citations.length).toBeGreaterThan(0);
  });

  it('says plainly when the knowledge has no answer, with no sources', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: 'quy trình nuôi cá tra xuất khẩu' }));
    const body = (await res.json()) as { reply: string; citations: unknown[]; found: boolean };
    expect(res.status).toBe(200);
    expect(body.found).toBe(false);
    expect(body.citations).toEqual([]);
    expect(body.reply).toContain('không tìm thấy');
  });

  it('declines an out-of-scope request politely and says what it can do', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: 'Giá vàng hôm nay bao nhiêu?' }));
    const body = (await res.json()) as { reply: string; citations: unknown[]; intent: string };
    expect(body.intent).toBe('out-of-scope');
    expect(body.citations).toEqual([]);
    expect(body.reply).toMatch(/thủ tục/);
  });

  it.each([
    ['an empty message', postJson({ message: '   ' }), /trống/],
    ['a missing message', postJson({ text: 'hi' }), /message/],
    ['a non-JSON body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }, /JSON/],
    ['a 100 KB message', postJson({ message: 'a'.repeat(100 * 1024) }), /quá dài/],
    ['a wrong type', postJson({ message: 42 }), /message/],
    ['a malformed session id', postJson({ message: 'xin chào', sessionId: '../../etc' }), /sessionId/],
  ])('refuses %s with a 400 and a reason, and keeps serving', async (_name, init, reason) => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', init);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(reason);
    const after = await t.request('/healthz');
    expect(after.status).toBe(200);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: 'a'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
  });

  it('keeps a session: the turns are stored under the session id with personal numbers masked', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: 'CCCD của tôi là 079123456789, thủ tục gì?' }));
    const { sessionId } = (await res.json()) as { sessionId: string };
    const turns = await t.store.listRange(`conv:web:${sessionId}`, 0, -1);
    expect(turns).toHaveLength(2);
    expect(turns.join()).not.toContain('079123456789');
    expect(turns.join()).toContain('[số CCCD]');
  });

  it('answers in English when asked to', async () => {
    const t = makeTestApp();
    const res = await t.request('/api/chat', postJson({ message: '/help', locale: 'en' }));
    const body = (await res.json()) as { reply: string; intent: string };
    expect(body.intent).toBe('help');
    expect(body.reply).toContain('Commands');
  });
});

describe('the page', () => {
  it('serves the Vietnamese chat page at /', async () => {
    const t = makeTestApp();
    const res = await t.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('lang="vi"');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const t = makeTestApp();
    const res = await t.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toHaveProperty('error');
  });
});
