/**
 * The web chat's limits hold per client address, whatever session ids the client names: a new
 * or missing sessionId does not buy a new allowance. The address comes from the entry
 * (CF-Connecting-IP on Workers; the socket on Node, forwarded headers only with TRUST_PROXY).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request as httpRequest } from 'node:http';
import { makeWebApp } from './web-app';
import { addressBucket, forwardedClientAddress } from '../../src/channels/web/address';
import { startNodeServer, type NodeServer } from '../../src/node';
import worker from '../../src/worker';

describe('per-address limit on POST /api/chat', () => {
  it('answers 429 with a polite reason after 30 requests a minute from one address, however the session ids change', async () => {
    const t = makeWebApp();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      // Half without a session id, half with a new one each time.
      const body = i % 2 ? { message: 'xin chào' } : { message: 'xin chào', sessionId: `fresh-session-${i}` };
      const res = await t.chat(body, '203.0.113.7');
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toBe('60');
        expect(((await res.json()) as { error: string }).error).toBe(t.rt.texts.get('vi', 'error-rate-limited-address'));
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);

    // Another address is not held back, and the first one may ask again the next minute.
    expect((await t.chat({ message: 'xin chào' }, '198.51.100.4')).status).toBe(200);
    t.advance(60_000);
    expect((await t.chat({ message: 'xin chào' }, '203.0.113.7')).status).toBe(200);
  });

  it('takes the limit from RATE_LIMIT_PER_ADDRESS_PER_MINUTE, and counts an IPv6 /64 as one address', async () => {
    const t = makeWebApp({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' });
    for (const suffix of ['1', '2', 'abcd:1']) expect((await t.chat({ message: 'xin chào' }, `2001:db8:1:2::${suffix}`)).status).toBe(200);
    expect((await t.chat({ message: 'xin chào' }, '2001:db8:1:2:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await t.chat({ message: 'xin chào' }, '2001:db8:1:3::1')).status).toBe(200);
  });
});

describe('finding the client address', () => {
  it('buckets addresses: IPv4 as is (also when mapped into IPv6), IPv6 by its /64, garbage as unknown', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:DB8:0001:0002:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    for (const bad of [undefined, '', 'not-an-ip', '1:2:3', '1::2::3', '1:2:3:4:5:6:7:8:9']) expect(addressBucket(bad)).toBe('unknown');
  });

  it('believes X-Forwarded-For only as far as the trusted proxies reach', () => {
    const headers = { forwardedFor: '6.6.6.6, 203.0.113.7, 10.0.0.2', realIp: '9.9.9.9' };
    expect(forwardedClientAddress('10.0.0.1', headers, 0)).toBe('10.0.0.1');
    expect(forwardedClientAddress('10.0.0.1', headers, 1)).toBe('10.0.0.2');
    expect(forwardedClientAddress('10.0.0.1', headers, 2)).toBe('203.0.113.7');
    expect(forwardedClientAddress('10.0.0.1', headers, 5)).toBe('6.6.6.6');
    expect(forwardedClientAddress('10.0.0.1', { realIp: '9.9.9.9' }, 1)).toBe('9.9.9.9');
    expect(forwardedClientAddress('10.0.0.1', {}, 1)).toBe('10.0.0.1');
  });

  describe('on Node: the socket address', () => {
    let server: NodeServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    /** POSTs from a chosen loopback source address (Linux routes all of 127/8 to lo). */
    function post(from: string, headers: Record<string, string> = {}): Promise<number> {
      const url = new URL('/api/chat', server!.url);
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ message: 'xin chào' }));
      });
    }

    const now = () => new Date('2026-11-21T08:00:00+07:00');

    it('ignores CF-Connecting-IP, X-Forwarded-For and X-Real-IP sent by a client', async () => {
      server = await startNodeServer({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2' }, port: 0, hostname: '127.0.0.1', now });
      const spoofs: Array<Record<string, string>> = [{ 'cf-connecting-ip': '1.1.1.1' }, { 'x-forwarded-for': '2.2.2.2' }, { 'x-real-ip': '3.3.3.3' }];
      const statuses = [];
      for (const h of spoofs) statuses.push(await post('127.0.0.2', h));
      expect(statuses).toEqual([200, 200, 429]);
      expect(await post('127.0.0.3', { 'cf-connecting-ip': '1.1.1.1' })).toBe(200);
    });

    it('with TRUST_PROXY=1, counts the address the proxy forwarded for', async () => {
      server = await startNodeServer({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1', TRUST_PROXY: '1' }, port: 0, hostname: '127.0.0.1', now });
      expect(await post('127.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).toBe(200);
      expect(await post('127.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).toBe(429);
      // A client-written entry to the left of the proxy's is not believed.
      expect(await post('127.0.0.2', { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' })).toBe(429);
      expect(await post('127.0.0.2', { 'x-forwarded-for': '198.51.100.4' })).toBe(200);
    });
  });

  describe('on Workers: CF-Connecting-IP', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('limits by the address Cloudflare gives', async () => {
      // The Worker reads the real clock: hold it still so the minute cannot turn mid-test.
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-21T08:00:10+07:00') });
      const env = { ALLOW_MEMORY_STORE: '1', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2' };
      const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };
      const post = async (ip: string) =>
        (
          await worker.fetch(
            new Request('https://chat.example/api/chat', {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
              body: JSON.stringify({ message: 'xin chào' }),
            }),
            env,
            ctx,
          )
        ).status;
      expect([await post('203.0.113.7'), await post('203.0.113.7'), await post('203.0.113.7')]).toEqual([200, 200, 429]);
      expect(await post('198.51.100.4')).toBe(200);
    });
  });
});
