/**
 * @module test/store/redis.test
 * RedisStore (Redis over TCP, REDIS_URL) against a real redis-server: the Store contract on the
 * shared server, then what only a TCP client has to get right: the database and credentials from
 * the URL, TLS for rediss://, deadlines, the give-back of an unconfirmed claim, an outage with the
 * server killed and started again, the Node server built on it, and the Worker never importing it.
 * The shared 127.0.0.1:6379 is never flushed: every key here lives under a unique prefix (with glob
 * characters, to keep SCAN escaping honest) and only those keys are deleted. Tests that stop,
 * pause or lock a server use a private one.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, describeServices, loadConfig, parseRedisUrl, requireSharedStore } from '../../src/config';
import type { Logger } from '../../src/log';
import { startNodeServer } from '../../src/node';
import { RedisStore, type RedisStoreOptions } from '../../src/store/redis';
import type { Store } from '../../src/store/store';
import { startRedisProcess, type RedisProcess } from '../../scripts/bench/redis-process';
import { RespClient } from '../support/redis-resp';
import { ageKeys, deleteKeysWithPrefix, freePort, requireRedis, startRedisServer, type RedisEndpoint } from '../support/redis-server';
import { prefixedStore } from '../support/prefixed-store';
import { storeContract } from './contract';

/** "[x]" as a glob matches only "x", never "[": unescaped SCAN patterns would find nothing. */
const RUN_PREFIX = `cchc-test:redis:${process.pid}.${Date.now().toString(36)}:[x]*?:`;
const ADMIN_TOKEN = 'redis-store-admin-token-0123456789';


const shared = await requireRedis();
let admin: RespClient;
let suiteCount = 0;
/** Every store a test opens, closed after it (a reconnecting client would keep the run alive). */
const opened: RedisStore[] = [];

function storeOn(endpoint: { host: string; port: number }, opts: Partial<RedisStoreOptions> = {}): RedisStore {
  const store = new RedisStore({ host: endpoint.host, port: endpoint.port, db: 0, tls: false, ...opts });
  opened.push(store);
  return store;
}

async function closeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

beforeAll(async () => {
  admin = await RespClient.connect(shared.host, shared.port);
});

afterAll(async () => {
  await closeOpened();
  // Anything left under the run prefix is a leak from some test's cleanup.
  const leaked = await deleteKeysWithPrefix(admin, RUN_PREFIX);
  await admin.close();
  await shared.stop();
  expect(leaked).toBe(0);
});

describe('RedisStore over TCP on real Redis', () => {
  let store: RedisStore;
  beforeAll(async () => {
    store = new RedisStore({ host: shared.host, port: shared.port, db: 0, tls: false });
    expect(await store.ready(5000)).toBe(true);
  });
  afterAll(async () => {
    await store.close();
  });

  storeContract('RedisStore', async () => {
    const prefix = `${RUN_PREFIX}${++suiteCount}:`;
    return {
      store: prefixedStore(store, prefix),
      // Only this suite's keys age, as in test/store/upstash.test.ts: Redis may be shared.
      advance: async (ms) => {
        await ageKeys(admin, await store.keysWithPrefix(prefix), ms);
      },
      realTimePasses: true,
      cleanup: async () => {
        await deleteKeysWithPrefix(admin, prefix);
      },
    };
  });
});

describe('RedisStore on the wire', () => {
  let prefix: string;
  afterEach(async () => {
    await closeOpened();
    await deleteKeysWithPrefix(admin, prefix);
  });

  /** A connected store and a fresh key prefix. */
  async function fresh(opts: Partial<RedisStoreOptions> = {}): Promise<RedisStore> {
    prefix = `${RUN_PREFIX}wire${++suiteCount}:`;
    const store = storeOn(shared, opts);
    expect(await store.ready(5000)).toBe(true);
    return store;
  }

  it('reports its kind as redis', async () => {
    expect((await fresh()).kind).toBe('redis');
  });

  it('claims with SET NX EX and a value unique to the call, or the value given', async () => {
    const store = await fresh();
    expect(await store.claim(`${prefix}update:1`, 300)).toBe(true);
    expect(await store.claim(`${prefix}update:2`, 300)).toBe(true);
    expect(await store.claim(`${prefix}update:3`, 300, 'owner-7')).toBe(true);
    const values = [await admin.send(['GET', `${prefix}update:1`]), await admin.send(['GET', `${prefix}update:2`])];
    expect(values[0]).toMatch(/^claim:[0-9a-f-]{36}$/);
    expect(values[1]).toMatch(/^claim:[0-9a-f-]{36}$/);
    expect(values[0]).not.toBe(values[1]);
    expect(await admin.send(['GET', `${prefix}update:3`])).toBe('owner-7');
    expect(await admin.send(['TTL', `${prefix}update:1`])).toBeGreaterThan(295);
  });

  it('Redis errors reject with the reason and the command name but without the stored values', async () => {
    const store = await fresh();
    await store.set(`${prefix}s`, 'x');
    const error = await store.hashSet(`${prefix}s`, { field: 'bí mật của công dân' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^WRONGTYPE .* \(HSET\)$/);
    expect(JSON.stringify(error)).not.toContain('bí mật');
    expect(String(error)).not.toContain('bí mật');
  });

  it('uses the database number of the URL', async () => {
    const store = await fresh(parseRedisUrl(`redis://${shared.host}:${shared.port}/7`));
    const key = `${prefix}in-db-7`;
    await store.set(key, 'seven');
    const db7 = await RespClient.connect(shared.host, shared.port);
    try {
      expect(await admin.send(['EXISTS', key])).toBe(0); // the admin client is on database 0
      await db7.send(['SELECT', 7]);
      expect(await db7.send(['GET', key])).toBe('seven');
    } finally {
      await db7.send(['DEL', key]);
      await db7.close();
    }
  });
});

describe('RedisStore against a private redis-server', () => {
  let own: RedisEndpoint;
  let ownAdmin: RespClient;

  beforeAll(async () => {
    const started = await startRedisServer();
    if (!started) throw new Error('a private redis-server did not start');
    own = started;
    ownAdmin = await RespClient.connect(own.host, own.port);
  });
  afterEach(async () => {
    await ownAdmin.send(['CLIENT', 'UNPAUSE']);
    await closeOpened();
  });
  afterAll(async () => {
    await ownAdmin.close();
    await own.stop();
  });

  it('logs in with the user and password of the URL; a wrong password fails fast and is never echoed', async () => {
    const password = 's3cr@t/pass:word';
    await ownAdmin.send(['ACL', 'SETUSER', 'cchc', 'on', `>${password}`, '~*', '&*', '+@all']);
    const good = storeOn(own, parseRedisUrl(`redis://cchc:${encodeURIComponent(password)}@127.0.0.1:${own.port}/0`));
    expect(await good.ready(5000)).toBe(true);
    await good.set('auth-check', 'ok');
    expect(await good.get('auth-check')).toBe('ok');
    expect(await ownAdmin.send(['CLIENT', 'LIST'])).toMatch(/name=tro-ly-cchc .*user=cchc /);

    const warnings: string[] = [];
    const wrong = 'not-the-password-9f8e7d';
    const bad = storeOn(own, { ...parseRedisUrl(`redis://cchc:${wrong}@127.0.0.1:${own.port}/0`), log: capture(warnings) });
    expect(await bad.ready(5000)).toBe(false);
    const started = performance.now();
    const error = await bad.get('auth-check').catch((e: unknown) => e as Error);
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(Error);
    expect(warnings.join('\n')).toMatch(/WRONGPASS|connection lost/);
    expect(`${String(error)}\n${warnings.join('\n')}`).not.toContain(wrong);
    await ownAdmin.send(['DEL', 'auth-check']);
    await ownAdmin.send(['ACL', 'DELUSER', 'cchc']);
  });

  it('a call that gets no reply fails at its deadline instead of waiting', async () => {
    const store = storeOn(own, { commandTimeoutMs: 150 });
    expect(await store.ready(5000)).toBe(true);
    await ownAdmin.send(['CLIENT', 'PAUSE', 60_000, 'WRITE']); // writes wait, as on a hung server
    await withFakeTimers(async () => {
      const call = settle(store.set('hung', 'x'));
      await vi.advanceTimersByTimeAsync(149);
      expect(call.outcome).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(String(call.outcome)).toMatch(/timed out \(SET\)/);
    });
    await ownAdmin.send(['CLIENT', 'UNPAUSE']);
    expect(await store.get('hung')).toBe('x'); // it did run, later: the caller was told it failed
    await store.del('hung');
  });

  it('gives back a claim it cannot confirm, so the redelivery can take it, but never one held by another', async () => {
    const store = storeOn(own, { commandTimeoutMs: 150 });
    expect(await store.ready(5000)).toBe(true);
    expect(await store.claim('update:45', 300, 'theirs')).toBe(true);
    await ownAdmin.send(['CLIENT', 'PAUSE', 60_000, 'WRITE']);
    await withFakeTimers(async () => {
      const ours = settle(store.claim('update:44', 300));
      const held = settle(store.claim('update:45', 300));
      await vi.advanceTimersByTimeAsync(150); // the SET NX's deadline
      expect(ours.outcome).toBeUndefined(); // the give-back is out, behind the SET on the hung server
      await new Promise((resolve) => setImmediate(resolve)); // commands go out on the next turn
      await vi.advanceTimersByTimeAsync(150); // the give-back's deadline
      expect(String(ours.outcome)).toMatch(/timed out/);
      expect(String(held.outcome)).toMatch(/timed out/);
    });
    await ownAdmin.send(['CLIENT', 'UNPAUSE']);
    // Each SET NX ran after its deadline, and its give-back right after it on the same connection.
    expect(await store.claim('update:44', 300)).toBe(true); // the redelivery is not dropped as "taken"
    expect(await store.claim('update:45', 300)).toBe(false); // still theirs
    expect(await store.get('update:45')).toBe('theirs');
    await store.del('update:44', 'update:45');
  });
});

describe('RedisStore while Redis is killed and started again', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedisProcess();
  });
  afterEach(async () => {
    await closeOpened();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('calls fail fast while it is down (the webhook can answer 503) and work again once it is back', async () => {
    // Deadlines far above what is measured: failing fast must not come from them.
    const store = storeOn(redis, { commandTimeoutMs: 5000, connectTimeoutMs: 5000, maxReconnectDelayMs: 100 });
    expect(await store.ready(5000)).toBe(true);
    await store.set('k', 'before');

    // A command in flight when the server dies fails with the connection, not at its deadline.
    const pauser = await RespClient.connect(redis.host, redis.port);
    await pauser.send(['CLIENT', 'PAUSE', 10_000, 'WRITE']);
    await pauser.close();
    const inFlight = store.claim('update:1', 60).then(
      () => 'claimed',
      (e: Error) => e.message,
    );
    const killedAt = performance.now();
    await redis.kill();
    expect(await inFlight).not.toBe('claimed');
    expect(performance.now() - killedAt).toBeLessThan(1000);

    for (const call of [() => store.get('k'), () => store.claim('update:2', 60), () => store.incr('n', 1, 60), () => store.listPush('l', 'x', { maxLen: 3 })]) {
      const started = performance.now();
      await expect(call()).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(200);
    }

    await redis.start();
    expect(await store.ready(10_000, { untilConnected: true })).toBe(true);
    await store.set('k', 'after');
    expect(await store.get('k')).toBe('after');
    expect(await store.claim('update:2', 60)).toBe(true);
    expect(await store.incr('n', 1, 60)).toBe(1);
    await store.del('k', 'update:2', 'n');
  });
});

describe('REDIS_URL', () => {
  it('gives host, port, database, user and password (decoded), and TLS for rediss://', () => {
    expect(parseRedisUrl('redis://10.0.0.7:6379/0')).toEqual({ host: '10.0.0.7', port: 6379, db: 0, tls: false });
    expect(parseRedisUrl('rediss://:p%40ss%2Fw0rd@redis.so-noi-vu.example.vn:6380/3')).toEqual({
      host: 'redis.so-noi-vu.example.vn',
      port: 6380,
      db: 3,
      password: 'p@ss/w0rd',
      tls: true,
    });
    expect(parseRedisUrl('redis://cchc:pw@[::1]/2')).toEqual({ host: '::1', port: 6379, db: 2, username: 'cchc', password: 'pw', tls: false });
    expect(parseRedisUrl('redis://valkey.local')).toEqual({ host: 'valkey.local', port: 6379, db: 0, tls: false });
    expect(loadConfig({ REDIS_URL: ' redis://10.0.0.7/1 ' }).redis).toEqual({ host: '10.0.0.7', port: 6379, db: 1, tls: false });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('refuses what is not a Redis URL with a reason naming the variable, never the value', () => {
    const secret = 'hunter2-secret';
    const bad = [
      `http://:${secret}@10.0.0.7:6379`,
      `redis://:${secret}@10.0.0.7/zero`,
      `redis://:${secret}@10.0.0.7/0?tls=true`,
      `redis://:${secret}%zz@10.0.0.7/0`,
      `redis://:${secret}@/0`,
      `10.0.0.7:6379 ${secret}`,
    ];
    for (const url of bad) {
      const error = (() => {
        try {
          loadConfig({ REDIS_URL: url });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, url).toBeInstanceOf(ConfigError);
      expect((error as Error).message, url).toMatch(/^Invalid environment: REDIS_URL: /);
      expect((error as Error).message, url).not.toContain(secret);
    }
  });

  it('refuses REDIS_URL together with Upstash, naming both', () => {
    for (const upstash of [
      { UPSTASH_REDIS_REST_URL: 'https://example.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'token' },
      { UPSTASH_REDIS_REST_URL: 'https://example.upstash.io' },
    ]) {
      expect(() => loadConfig({ REDIS_URL: 'redis://:pw-123@10.0.0.7/0', ...upstash })).toThrow(
        /^Invalid environment: REDIS_URL and UPSTASH_REDIS_REST_URL\/UPSTASH_REDIS_REST_TOKEN: set one store, not both/,
      );
    }
  });

  it('names the redis store for /healthz and the start-up line, and a Worker refuses it', () => {
    const config = loadConfig({ REDIS_URL: 'redis://:pw-123@10.0.0.7/0' });
    expect(describeServices(config).store).toBe('redis');
    expect(JSON.stringify(describeServices(config))).not.toContain('pw-123');
    expect(() => requireSharedStore({ ...config, allowMemoryStore: true })).toThrow(/^Invalid environment: REDIS_URL: the Worker/);
  });

  it('rediss:// opens TLS (with the host name for SNI) and redis:// plain RESP', async () => {
    const heard: Buffer[] = [];
    const server = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        heard.push(chunk);
        socket.destroy();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const firstBytes: Buffer[] = [];
    try {
      for (const url of [`rediss://localhost:${port}/0`, `redis://127.0.0.1:${port}/0`]) {
        heard.length = 0;
        const store = storeOn({ host: '', port: 0 }, parseRedisUrl(url));
        expect(await store.ready(2000)).toBe(false);
        await store.close();
        firstBytes.push(heard[0]!); // later chunks are its reconnection attempts
      }
    } finally {
      await closeOpened();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const [tls, plain] = firstBytes;
    expect(tls![0]).toBe(0x16); // a TLS handshake record: the ClientHello
    expect(tls!.includes(Buffer.from('localhost'))).toBe(true);
    expect(plain!.toString('latin1')).toMatch(/^\*\d+\r\n\$\d+\r\n/); // a RESP command
  });
});

describe('the Node server on REDIS_URL', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedisProcess();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('runs on the Redis store, names it in /healthz behind the admin token, and closes it on shutdown', async () => {
    const server = await startNodeServer({
      env: { REDIS_URL: `redis://127.0.0.1:${redis.port}/0`, ADMIN_TOKEN },
      port: 0,
      hostname: '127.0.0.1',
      log: capture([]),
    });
    let closed = false;
    try {
      expect(server.runtime.store.kind).toBe('redis');
      const res = await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, ready: true, store: 'redis' });
      const publicAnswer = await fetch(`${server.url}/healthz`);
      expect(await publicAnswer.json()).toEqual({ ok: true, ready: true });
      await server.close();
      closed = true;
      await expect(server.runtime.store.get('k')).rejects.toThrow(/closed/i);
    } finally {
      if (!closed) await server.close();
    }
  });

  it('starts while Redis is down, answers /healthz 503, then 200 once Redis is back', async () => {
    await redis.kill();
    const warnings: string[] = [];
    const server = await startNodeServer({
      env: { REDIS_URL: `redis://127.0.0.1:${redis.port}/0` },
      port: 0,
      hostname: '127.0.0.1',
      log: capture(warnings),
    });
    try {
      expect(warnings.join('\n')).toMatch(/not reachable at start-up/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
      await redis.start();
      expect(await (server.runtime.store as RedisStore).ready(10_000, { untilConnected: true })).toBe(true);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('the Worker', () => {
  it('never imports the TCP store or its client (src/worker.ts and everything it imports)', () => {
    const graph = importGraph(path.resolve('src/worker.ts'));
    // The walk itself works: it reaches the app, the Upstash store and the packages they import.
    expect(graph.files).toContain(path.resolve('src/app.ts'));
    expect(graph.files).toContain(path.resolve('src/store/upstash.ts'));
    expect(graph.packages).toContain('hono');
    expect(graph.files).not.toContain(path.resolve('src/store/redis.ts'));
    expect(graph.files).not.toContain(path.resolve('src/node.ts'));
    expect(graph.packages).not.toContain('ioredis');
  });
});

// ---------------------------------------------------------------------------------------------

/** Runs `body` with setTimeout faked (the client's deadlines pass when the test says); real I/O still runs. */
async function withFakeTimers(body: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    await body();
  } finally {
    vi.useRealTimers();
  }
}

/** A promise's outcome once it settles (its value, or its error), readable without awaiting it. */
function settle(promise: Promise<unknown>): { outcome: unknown } {
  const state: { outcome: unknown } = { outcome: undefined };
  promise.then(
    (value) => (state.outcome = value ?? 'settled'),
    (error: unknown) => (state.outcome = error),
  );
  return state;
}

/** A logger that keeps warnings (message and fields) as lines. */
function capture(lines: string[]): Logger {
  const keep = (msg: string, fields?: Record<string, unknown>) => lines.push(`${msg} ${JSON.stringify(fields ?? {})}`);
  return { debug() {}, info: keep, warn: keep, error: keep };
}


/** The files a module imports at run time (type-only imports are erased), followed from `entry`, and the packages they name. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    if (!/\.tsx?$/.test(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...[...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
    ];
    for (const spec of specifiers) {
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const found = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')].find((candidate) => {
        try {
          return readFileSync(candidate) && true;
        } catch {
          return false;
        }
      });
      if (!found) throw new Error(`${path.relative(process.cwd(), file)}: cannot resolve ${spec}`);
      visit(found);
    }
  };
  visit(entry);
  return { files: [...files], packages: [...packages] };
}
