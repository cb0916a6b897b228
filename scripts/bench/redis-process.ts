/**
 * @module scripts/bench/redis-process
 * A redis-server the load run and the chaos drills own: on a fixed loopback port, so it can be
 * killed and started again where clients expect it, and optionally durable (append-only file,
 * fsync on every write, in a private temporary folder) the way a managed Redis such as Upstash
 * keeps its data across a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing, freePort } from '../../test/support/redis-server';

export interface RedisProcess {
  host: string;
  port: number;
  /** Kills the server (SIGKILL: no goodbye to clients, no final save beyond what is fsynced). */
  kill(): Promise<void>;
  /** Starts it again on the same port (and folder, so a durable one comes back with its data). */
  start(): Promise<void>;
  running(): boolean;
  /** The server's process id while it runs (for CPU accounting). */
  pid(): number | undefined;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startRedisProcess(opts: { durable?: boolean; binary?: string } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cchc-redis-'));
  const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', ''];
  args.push(...(opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const c = spawn(opts.binary ?? 'redis-server', args, { stdio: 'ignore' });
    child = c;
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && c.exitCode === null) {
      if (await answersPing(HOST, port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server did not come up on ${HOST}:${port}`);
  };
  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    host: HOST,
    port,
    kill,
    start,
    running: () => Boolean(child && child.exitCode === null && child.signalCode === null),
    pid: () => child?.pid,
    close: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
