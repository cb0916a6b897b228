/**
 * @module scripts/bench/world
 * The parent's handles on the processes a run starts: the outside world (./world-child.ts: fake
 * Bot APIs, model, Redis behind the Upstash bridge) and, for load and chaos, the app's Node
 * server (./server-child.ts). Each is forked under tsx and driven over IPC as promises.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawEnv } from '../../src/config';
import type { WorldOptions, WorldUrls, Tally } from './world-child';

export type { WorldOptions, WorldUrls, Tally };

/** Node processes the benches start run their TypeScript through tsx, like `npm run` does. */
export const TSX_EXEC_ARGV = ['--import', 'tsx'];

export interface RpcProcess {
  pid: number;
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  close(): Promise<void>;
}

export async function forkRpc(file: string): Promise<RpcProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execArgv: TSX_EXEC_ARGV,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`${file} exited`));
    pending.clear();
  });
  const call = <T>(method: string, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`${file} is not running`));
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, method, args });
    });
  return {
    pid: child.pid!,
    call,
    exited,
    close: async () => {
      await call('close').catch(() => {});
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

export interface World extends RpcProcess {
  urls: WorldUrls;
  harvest(): Promise<{ telegram: Tally; zalo: Tally; bridge: Record<string, number> }>;
}

export async function startWorld(opts: WorldOptions): Promise<World> {
  const rpc = await forkRpc('./world-child.ts');
  const urls = await rpc.call<WorldUrls>('init', opts);
  return { ...rpc, urls, harvest: () => rpc.call('harvest') };
}

export interface ServerStats {
  pid: number;
  background: number;
  memory: NodeJS.MemoryUsage;
  logs: Record<'debug' | 'info' | 'warn' | 'error', number>;
  byMessage: Record<string, number>;
  samples: string[];
  crashes: number;
}

export interface ServerProcess extends RpcProcess {
  url: string;
  stats(): Promise<ServerStats>;
}

/** The app's Node server (startNodeServer, as `npm start` runs it) in its own process. */
export async function startServerProcess(env: RawEnv): Promise<ServerProcess> {
  const rpc = await forkRpc('./server-child.ts');
  const { url } = await rpc.call<{ url: string }>('init', env);
  return { ...rpc, url, stats: () => rpc.call('stats') };
}

/** Requests the Upstash bridge answered, from a world's counts by "path status" ("commands" is not a request). */
export function bridgeRequests(counts: Record<string, number>): number {
  return Object.entries(counts).reduce((a, [k, n]) => (k === 'commands' ? a : a + n), 0);
}

/** CPU seconds (user + system) a process has used so far; undefined where /proc is missing. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
