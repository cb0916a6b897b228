/**
 * @module test/store/upstash.test
 * Runs the Store contract against UpstashStore talking REST to the loopback bridge in front of a
 * real redis-server, then checks the wire itself: auth, base64 responses, transactions, SCAN
 * paging, error hygiene and outages. Redis may be shared, so every store here lives under a
 * unique key prefix (with glob characters in it, to keep SCAN escaping honest) and only those
 * keys are deleted. It runs in the `redis` test project, only where redis-server is installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScoredMember, Store } from '../../src/store/store';
import { UpstashStore } from '../../src/store/upstash';
import { nodeSend } from '../../src/store/node-send';
import type { RestSend } from '../../src/store/rest-requester';
import { RespClient } from '../support/redis-resp';
import { ageKeys, answersPing, deleteKeysWithPrefix, requireRedis, startRedisServer, type RedisEndpoint } from '../support/redis-server';
import { startUpstashBridge, type BridgeRequest, type UpstashBridge } from '../support/upstash-bridge';
import { storeContract } from './contract';
import { prefixedStore } from '../support/prefixed-store';

const TOKEN = 'test-token-0123456789';
/** "[x]" as a glob matches only "x", never "[": unescaped SCAN patterns would find nothing. */
const RUN_PREFIX = `cchc-test:${process.pid}.${Date.now().toString(36)}:[x]*?:`;


upstashSuites(await requireRedis());

function upstashSuites(endpoint: RedisEndpoint): void {
  let bridge: UpstashBridge;
  let admin: RespClient;
  let suiteCount = 0;

  beforeAll(async () => {
    bridge = await startUpstashBridge({ redis: endpoint, token: TOKEN });
    admin = await RespClient.connect(endpoint.host, endpoint.port);
  });

  afterAll(async () => {
    // Anything left under the run prefix is a leak from some test's cleanup.
    const leaked = await deleteKeysWithPrefix(admin, RUN_PREFIX);
    await admin.close();
    await bridge.close();
    await endpoint.stop();
    expect(leaked).toBe(0);
  });

  // Every suite runs over both senders: fetch (Workers) and node:http (the Node entry).
  const senders: Array<[string, RestSend | undefined]> = [['fetch', undefined], ['node:http', nodeSend()]];
  for (const [senderName, send] of senders) {
    function newStore(opts: Partial<ConstructorParameters<typeof UpstashStore>[0]> = {}): UpstashStore {
      return new UpstashStore({ url: bridge.url, token: TOKEN, retry: false, send, ...opts });
    }

    for (const encoding of senderName === 'fetch' ? ([false, 'base64'] as const) : ([false] as const))
    storeContract(`UpstashStore (${senderName}${encoding ? `, ${encoding} replies` : ''}) via the REST bridge on real Redis`, async () => {
      const prefix = `${RUN_PREFIX}${++suiteCount}:`;
      const inner = newStore({ responseEncoding: encoding });
      return {
        store: prefixedStore(inner, prefix),
        // Only this suite's keys age: Redis may be shared.
        advance: async (ms) => {
          await ageKeys(admin, await inner.keysWithPrefix(prefix), ms);
        },
        realTimePasses: true,
        cleanup: async () => {
          await deleteKeysWithPrefix(admin, prefix);
        },
      };
    });

    describe(`UpstashStore on the wire (${senderName})`, () => {
      let prefix: string;
      let store: UpstashStore;

      afterEach(async () => {
        bridge.setDown(false);
        bridge.setDelay(0);
        await deleteKeysWithPrefix(admin, prefix);
      });

      /** A fresh store and key prefix, with the request log cleared. */
      function fresh(): void {
        prefix = `${RUN_PREFIX}wire${++suiteCount}:`;
        store = newStore();
        bridge.requests.length = 0;
      }

      it('reports its kind as upstash', () => {
        fresh();
        expect(store.kind).toBe('upstash');
      });

      it('asks for plain JSON replies by default: strings come back as written, with no base64 to decode', async () => {
        fresh();
        const key = `${prefix}greeting`;
        const value = 'Đăng ký hộ kinh doanh – 85,52% 🙏 \u2028 "trích" \\ \n';
        await store.set(key, value);
        expect(await store.get(key)).toBe(value);
        expect(await store.get(`${prefix}missing`)).toBeNull();
        expect(await store.incr(`${prefix}n`, 41)).toBe(41);
        const [, get, missing, incr] = bridge.requests;
        for (const request of bridge.requests) expect(request.headers['upstash-encoding']).toBeUndefined();
        expect(get!.response).toEqual({ result: value });
        expect(missing!.response).toEqual({ result: null });
        expect(incr!.response).toEqual({ result: 41 });
      });

      it('asks for base64 responses when told to, and the bridge encodes strings but leaves integers and nulls', async () => {
        fresh();
        store = newStore({ responseEncoding: 'base64' });
        const key = `${prefix}greeting`;
        const value = 'Đăng ký hộ kinh doanh – 85,52% 🙏';
        await store.set(key, value);
        expect(await store.get(key)).toBe(value);
        expect(await store.get(`${prefix}missing`)).toBeNull();
        expect(await store.incr(`${prefix}n`, 41)).toBe(41);

        const [set, get, missing, incr] = bridge.requests;
        for (const request of bridge.requests) {
          expect(request.headers['upstash-encoding']).toBe('base64');
          expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
        }
        expect(set!.body).toEqual(['SET', key, value]);
        expect(set!.response).toEqual({ result: 'OK' });
        expect(get!.response).toEqual({ result: Buffer.from(value, 'utf8').toString('base64') });
        expect(missing!.response).toEqual({ result: null });
        expect(incr!.response).toEqual({ result: 41 });
      });

      it('with base64 replies, decodes strings inside array replies, including the ones that read "OK"', async () => {
        fresh();
        store = newStore({ responseEncoding: 'base64' });
        const key = `${prefix}list`;
        await store.listPush(key, 'OK', { maxLen: 5 });
        await store.listPush(key, 'Hà Nội', { maxLen: 5 });
        expect(await store.listRange(key, 0, -1)).toEqual(['OK', 'Hà Nội']);
        const range = bridge.requests.find((r) => (r.body as string[])[0] === 'LRANGE')!;
        expect(range.response).toEqual({ result: ['T0s=', Buffer.from('Hà Nội').toString('base64')] });
      });

      it('sends listPush as one EVAL of a script doing RPUSH, LTRIM and EXPIRE', async () => {
        fresh();
        const key = `${prefix}turns`;
        await store.listPush(key, ['a', 'b'], { maxLen: 20, ttlSeconds: 3600 });
        expect(bridge.requests).toHaveLength(1);
        const [command, script, numKeys, ...rest] = bridge.requests[0]!.body as string[];
        expect([bridge.requests[0]!.path, command, numKeys, rest]).toEqual(['/', 'EVAL', '1', [key, '20', '3600', 'a', 'b']]);
        expect(script).toMatch(/RPUSH.*LTRIM.*EXPIRE/);
        expect(await store.listRange(key, 0, -1)).toEqual(['a', 'b']);
      });

      it('sends incr with a TTL as one EVAL (SET NX EX, then INCRBY), and plain incr as INCRBY', async () => {
        fresh();
        const key = `${prefix}rate`;
        expect(await store.incr(key, 2, 60)).toBe(2);
        expect(await store.incr(key, 3)).toBe(5);
        const bodies = bridge.requests.map((r) => r.body as string[]);
        expect([bodies[0]![0], ...bodies[0]!.slice(2)]).toEqual(['EVAL', '1', key, '2', '60']);
        expect(bodies[1]).toEqual(['INCRBY', key, '3']);
        expect(await store.ttl(key)).toBeGreaterThan(55);
      });

      it('sends the calls made in the same tick as one /pipeline request, each with its own result', async () => {
        fresh();
        const key = `${prefix}batched`;
        await store.set(key, 'v');
        bridge.requests.length = 0;
        const results = await Promise.allSettled([store.get(key), store.incr(`${prefix}n`, 1), store.incr(key, 1), store.ttl(key)]);
        expect(bridge.requests.map((r) => r.path)).toEqual(['/pipeline']);
        expect(bridge.requests[0]!.body).toEqual([
          ['GET', key],
          ['INCRBY', `${prefix}n`, '1'],
          ['INCRBY', key, '1'],
          ['TTL', key],
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
        expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/not an integer.*\(INCRBY\)/);
        // Calls awaited one after the other still go one by one.
        bridge.requests.length = 0;
        await store.get(key);
        await store.get(key);
        expect(bridge.requests.map((r) => r.path)).toEqual(['/', '/']);
      });

      it('keeps calls from two tasks (two requests, on Workers) in separate requests unless told to batch by turn', async () => {
        fresh();
        const key = `${prefix}tasks`;
        // Two tasks of one event-loop turn, as two requests handled by one Worker isolate would be:
        // the second task is queued first, so a batch gathered per turn would take both.
        const later = new Promise<void>((resolve) => setImmediate(resolve)).then(() => store.get(key));
        await Promise.all([store.get(key), later]);
        expect(bridge.requests.map((r) => r.path)).toEqual(['/', '/']);
        bridge.requests.length = 0;
        // A Node process may gather a whole turn (the Node entry asks for it): both share one request.
        const node = newStore({ batching: 'event-loop-turn' });
        await Promise.all([node.get(key), new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => node.get(key))]);
        expect(bridge.requests.map((r) => r.path)).toEqual(['/pipeline']);
      });

      it('fails every call of a batch whose request failed, and serves the next batch', async () => {
        fresh();
        bridge.setDown(true);
        const failed = await Promise.allSettled([store.get(`${prefix}a`), store.set(`${prefix}b`, 'x')]);
        expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
        bridge.setDown(false);
        expect(await Promise.all([store.set(`${prefix}b`, 'x'), store.get(`${prefix}b`)])).toEqual([undefined, 'x']);
      });

      it('claims with a single SET NX EX', async () => {
        fresh();
        const key = `${prefix}update:42`;
        expect(await store.claim(key, 300, 'v')).toBe(true);
        expect(bridge.requests.map(pathAndBody)).toEqual([{ path: '/', body: ['SET', key, 'v', 'NX', 'EX', '300'] }]);
      });

      it('gives back a claim it cannot confirm, so the redelivery can take it, but never one held by another', async () => {
        fresh();
        const key = `${prefix}update:44`;
        bridge.loseNextReply(); // the SET NX runs in Redis, its reply never comes, there is no retry
        await expect(store.claim(key, 300)).rejects.toThrow();
        expect(await store.claim(key, 300)).toBe(true); // the redelivery: not dropped as "taken"

        const held = `${prefix}update:45`;
        expect(await store.claim(held, 300)).toBe(true);
        bridge.loseNextReply(); // a failing claim on a key someone else holds
        await expect(store.claim(held, 300)).rejects.toThrow();
        expect(await store.claim(held, 300)).toBe(false); // still theirs
      });

      it('keeps a claim whose reply was lost and whose SET NX the client sent again', async () => {
        fresh();
        const key = `${prefix}update:43`;
        const retrying = newStore({ retry: { retries: 1, backoff: () => 0 } });
        bridge.loseNextReply();
        expect(await retrying.claim(key, 300)).toBe(true);
        const sets = bridge.requests.filter((r) => Array.isArray(r.body) && r.body[0] === 'SET');
        expect(sets.length).toBe(2); // the first attempt took the key, the retry found it taken
        expect(await store.claim(key, 300)).toBe(false); // and anyone else still finds it taken
      });

      it('pages keysWithPrefix with SCAN MATCH <escaped prefix>* COUNT 500 until the cursor is 0', async () => {
        fresh();
        await Promise.all(Array.from({ length: 30 }, (_, i) => store.set(`${prefix}k${i}`, 'x')));
        bridge.requests.length = 0;
        expect(await store.keysWithPrefix(prefix)).toHaveLength(30);
        const scans = bridge.requests.map((r) => r.body as string[]);
        expect(scans[0]).toEqual(['SCAN', '0', 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', '500']);
        expect(scans.every((body) => body[0] === 'SCAN')).toBe(true);
        const lastCursor = (bridge.requests.at(-1)!.response as { result: string[] }).result[0];
        expect(lastCursor).toBe('0');
      });

      it('a wrong token makes store calls reject with Unauthorized', async () => {
        fresh();
        const intruder = newStore({ token: 'wrong-token' });
        await expect(intruder.get(`${prefix}k`)).rejects.toThrow(/Unauthorized/);
        await expect(intruder.listPush(`${prefix}l`, 'x', { maxLen: 2 })).rejects.toThrow(/Unauthorized/);
        expect(bridge.requests.map((r) => r.status)).toEqual([401, 401]);
        expect(await store.ttl(`${prefix}l`)).toBe(-2);
      });

      it('Redis errors reject with the reason and command name but without the stored values', async () => {
        fresh();
        const key = `${prefix}s`;
        await store.set(key, 'x');
        const error = await store.hashSet(key, { field: 'bí mật của công dân' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^WRONGTYPE .* \(HSET\)$/);
        expect((error as Error).message).not.toContain('bí mật');
        const status = bridge.requests.at(-1)!;
        expect(status.status).toBe(400);
        expect(status.response).toEqual({ error: expect.stringMatching(/^WRONGTYPE/) });
      });

      it('when the upstream is down, calls reject quickly and work again once it is back', async () => {
        fresh();
        const key = `${prefix}k`;
        bridge.setDown(true);
        await expect(store.set(key, 'x')).rejects.toThrow(/upstream unavailable/);
        bridge.setDown('reset');
        await expect(store.get(key)).rejects.toThrow();
        bridge.setDown(false);
        await store.set(key, 'x');
        expect(await store.get(key)).toBe('x');
        // retry: false means one attempt; a 502 is an answer and is never retried anyway.
        expect(bridge.requests.map((r) => r.status)).toEqual([502, 0, 200, 200]);
      });

      it('a call to a hung upstream fails at the store deadline instead of waiting forever', async () => {
        fresh();
        // Timers are fake here: the store's 150 ms deadline passes when the test says, and the
        // bridge's one-minute delay never does, so only the deadline can end the call.
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        try {
          const impatient = newStore({ timeoutMs: 150 });
          bridge.setDelay(60_000);
          const call = impatient.get(`${prefix}k`).then(
            () => 'answered',
            (e: unknown) => e,
          );
          // Real I/O still runs: wait (without a timer) until the bridge holds the request.
          while (bridge.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
          await vi.advanceTimersByTimeAsync(149);
          expect(bridge.requests[0]!.status).toBe(0); // still hanging
          await vi.advanceTimersByTimeAsync(1);
          expect(String(await call)).toMatch(/timed out after 150 ms/);
        } finally {
          vi.useRealTimers();
        }
      });
    });
  }

  describe('the REST bridge protocol', () => {
    async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
      const response = await fetch(`${bridge.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    }

    it('answers a single command with its plain result when no encoding is asked for', async () => {
      expect(await post('/', ['ECHO', 'Đà Nẵng'])).toEqual({ status: 200, json: { result: 'Đà Nẵng' } });
    });

    it('answers a failing single command with HTTP 400 and the Redis error', async () => {
      const reply = await post('/', ['NOSUCHCOMMAND']);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
    });

    it('answers a pipeline with one result or error per command, in order', async () => {
      const key = `${RUN_PREFIX}bridge:p`;
      const reply = await post('/pipeline', [['SET', key, 'v'], ['INCR', key], ['GET', key], ['DEL', key]], {
        'upstash-encoding': 'base64',
      });
      expect(reply).toEqual({
        status: 200,
        json: [
          { result: 'OK' },
          { error: 'ERR value is not an integer or out of range' },
          { result: Buffer.from('v').toString('base64') },
          { result: 1 },
        ],
      });
    });

    it('runs /multi-exec as a transaction and rejects an aborted one with HTTP 400', async () => {
      const key = `${RUN_PREFIX}bridge:m`;
      const ok = await post('/multi-exec', [['RPUSH', key, 'a', 'b'], ['LRANGE', key, 0, -1], ['DEL', key]]);
      expect(ok).toEqual({ status: 200, json: [{ result: 2 }, { result: ['a', 'b'] }, { result: 1 }] });
      const aborted = await post('/multi-exec', [['SET', key, 'v'], ['NOSUCHCOMMAND']]);
      expect(aborted.status).toBe(400);
      expect(aborted.json).toEqual({ error: expect.stringMatching(/^EXECABORT/) });
      expect(await admin.send(['EXISTS', key])).toBe(0);
    });

    it('refuses a missing or wrong bearer token with 401 Unauthorized', async () => {
      expect(await post('/', ['PING'], { authorization: 'Bearer nope' })).toEqual({
        status: 401,
        json: { error: 'Unauthorized' },
      });
      expect(await post('/', ['PING'], { authorization: '' })).toEqual({ status: 401, json: { error: 'Unauthorized' } });
    });
  });
}

describe('test support: private redis-server', () => {
  it('starts a throwaway redis-server on a free port, and stop() ends it', async () => {
    const own = await startRedisServer();
    if (!own) throw new Error('redis-server did not start');
    expect(own.port).not.toBe(6379);
    expect(await answersPing(own.host, own.port)).toBe(true);
    await own.stop();
    expect(await answersPing(own.host, own.port)).toBe(false);
  });
});

function pathAndBody(request: BridgeRequest): { path: string; body: unknown } {
  return { path: request.path, body: request.body };
}

