/**
 * Another site cannot drive /api/chat through its visitors' browsers: a body a page can send
 * without a CORS preflight (text/plain, a form) is refused with 415, and a request a browser marks
 * as coming from elsewhere (a foreign Origin, Sec-Fetch-Site: cross-site) with 403. The page is
 * never framed and runs only its own script and style (CSP by hash, no 'unsafe-inline').
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeWebApp } from './web-app';

const QUESTION = JSON.stringify({ message: 'Chỉ thị 22-CT/TU ban hành ngày nào?' });

describe('POST /api/chat takes only same-site JSON', () => {
  it.each([
    ['text/plain with JSON in it', 'text/plain', QUESTION],
    ['text/plain with a charset', 'text/plain;charset=UTF-8', QUESTION],
    ['a form', 'application/x-www-form-urlencoded', `message=${encodeURIComponent('xin chào')}&${QUESTION}=`],
    ['a multipart form', 'multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="message"\r\n\r\n${QUESTION}\r\n--x--\r\n`],
    ['no content type', undefined, QUESTION],
  ])('refuses %s with 415 and a reason, and answers nothing', async (_name, type, body) => {
    const t = makeWebApp();
    const res = await t.request('/api/chat', { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toBe(t.rt.texts.get('vi', 'error-content-type'));
    expect(await t.store.keysWithPrefix('conv:')).toEqual([]);
    expect(await t.store.keysWithPrefix('analytics:')).toEqual([]);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['an Origin on another port', { origin: 'http://localhost:9999' }],
    ['Origin: null (a sandboxed frame)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: cross-site with a matching Origin', { 'sec-fetch-site': 'cross-site', origin: 'http://localhost' }],
  ])('refuses %s with 403 and a reason, and answers nothing', async (_name, headers) => {
    const t = makeWebApp();
    const res = await t.request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: QUESTION });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe(t.rt.texts.get('vi', 'error-cross-site'));
    expect(await t.store.keysWithPrefix('conv:')).toEqual([]);
    expect(await t.store.keysWithPrefix('analytics:')).toEqual([]);
  });

  it.each([
    ['its own page (same Origin, same-origin)', { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }],
    ['a client that is no browser (no Origin)', {}],
  ])('answers %s', async (_name, headers) => {
    const t = makeWebApp();
    const res = await t.request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: QUESTION });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { reply: string }).reply).toContain('22/6/2022');
  });
});

describe('GET / (the page)', () => {
  it("sends frame-ancestors 'none' and a CSP that allows the page's own script and style by hash, with no 'unsafe-inline'", async () => {
    const t = makeWebApp();
    const res = await t.request('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(res.headers.get('x-frame-options')).toBe('DENY');

    const html = await res.text();
    const hashes = (tag: string) =>
      [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
    expect(hashes('script')).toHaveLength(1);
    expect(hashes('style')).toHaveLength(1);
    expect(directives.get('script-src')).toEqual(hashes('script'));
    expect(directives.get('style-src')).toEqual(hashes('style'));
    // Every script and style in the page is one the CSP allows: none carries attributes it would need.
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
