/**
 * @module test/support/redis-server
 * Finds a real Redis for the store tests: the shared one on 127.0.0.1:6379 when it answers,
 * otherwise a private redis-server spawned on a free loopback port, otherwise none (requireRedis
 * then fails the suite). The shared server is never flushed: suites own a unique key prefix and delete
 * only keys under it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RespClient } from './redis-resp';

export interface RedisEndpoint {
  host: string;
  port: number;
  /** Stops a server this module spawned; a no-op for the shared one. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const SHARED_PORT = 6379;
const START_TIMEOUT_MS = 5000;

export async function getRedis(): Promise<RedisEndpoint | null> {
  if (await answersPing(HOST, SHARED_PORT)) {
    return { host: HOST, port: SHARED_PORT, stop: async () => {} };
  }
  return startRedisServer();
}

/**
 * A Redis for the `redis` test project, which runs only where redis-server is installed (see
 * test/support/prerequisites.ts): none answering is a failure, never a skip.
 */
export async function requireRedis(): Promise<RedisEndpoint> {
  const redis = await getRedis();
  if (!redis) throw new Error('no Redis answered on 127.0.0.1:6379 and a private redis-server did not start');
  return redis;
}

/**
 * Spawns a private, throwaway redis-server on a free loopback port (null when the binary is
 * missing or it does not come up). Also for chaos tests that need a Redis they may kill.
 */
export async function startRedisServer(): Promise<RedisEndpoint | null> {
  const binary = findExecutable('redis-server');
  return binary ? spawnRedis(binary) : null;
}

/**
 * Lets time pass for the given keys without waiting: each TTL is shortened by ARGV[1] ms, and a
 * key whose TTL runs out is deleted, all in one atomic step. Keys without a TTL are left alone.
 */
const AGE_KEYS = `for _, key in ipairs(KEYS) do
  local left = redis.call('PTTL', key)
  if left >= 0 then
    left = left - tonumber(ARGV[1])
    if left <= 0 then redis.call('DEL', key) else redis.call('PEXPIRE', key, left) end
  end
end
return 0`;

/** A store contract's `advance(ms)` on a real Redis: ages the given keys (only a suite's own: Redis may be shared). */
export async function ageKeys(client: RespClient, keys: readonly string[], ms: number): Promise<void> {
  if (keys.length > 0) await client.send(['EVAL', AGE_KEYS, keys.length, ...keys, ms]);
}

/**
 * Deletes every key that starts with prefix and nothing else: the SCAN pattern escapes glob
 * characters, and each key is checked again before DEL so a pattern mistake cannot reach
 * another suite's keys. Returns how many keys were deleted.
 */
export async function deleteKeysWithPrefix(client: RespClient, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let deleted = 0;
  let cursor = '0';
  do {
    const reply = (await client.send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000])) as [string, string[]];
    cursor = reply[0];
    const keys = reply[1].filter((key) => key.startsWith(prefix));
    if (keys.length > 0) deleted += (await client.send(['DEL', ...keys])) as number;
  } while (cursor !== '0');
  return deleted;
}

export async function answersPing(host: string, port: number): Promise<boolean> {
  let client: RespClient | undefined;
  try {
    client = await RespClient.connect(host, port, 500);
    return (await client.send(['PING'])) === 'PONG';
  } catch {
    return false;
  } finally {
    await client?.close();
  }
}

export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

async function spawnRedis(binary: string): Promise<RedisEndpoint | null> {
  const port = await freePort();
  // No persistence: the throwaway server must not write dump files into the working directory.
  const child = spawn(binary, ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (!(await waitUntilUp(port, child))) {
    child.kill('SIGKILL');
    await exited;
    return null;
  }
  return {
    host: HOST,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilUp(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await answersPing(HOST, port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** A port nothing listens on right now (the OS picks it), for servers the tests start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
