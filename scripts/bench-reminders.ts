/**
 * @module scripts/bench-reminders
 * Measures one reminder run at the size the issue names (1,000 subscribers, 50 open tasks) against
 * the in-memory store and against real Redis through the Upstash REST bridge, with a loopback
 * Outbound that counts sends. It reports wall time, CPU time of this process (the bridge and
 * redis run in a child process, so their CPU is not counted), store requests (counted at the
 * bridge: each is one Workers subrequest) and sends, for:
 *   first   the first run after everyone subscribed (every overdue task is owed: worst case)
 *   rerun   the same day again (everything already sent)
 *   steady  the next day (only tasks entering a new stage)
 * and how many invocations a day's work takes under a per-invocation subrequest budget
 * (50 = Workers Free, 1,000 and 10,000 = Workers Paid, old and current documentation).
 * Bench data are synthetic (10 units x 5 tasks, deadlines one per day from 20 days ago to 29 days
 * ahead, everyone follows all units, half on Telegram and half on Zalo); nothing is bundled.
 * Usage: npx tsx scripts/bench-reminders.ts [--subscribers 1000] [--tasks 50] [--send-ms 0]
 *        [--redis-ms 0] [--memory-only | --upstash-only] [--with-free (the 50-subrequest budget on Upstash too: slow)]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Outbound, Recipient, Reply, SendResult } from '../src/core/types';
import { Texts, type TextTable } from '../src/core/texts';
import { silentLogger } from '../src/log';
import { MemoryStore } from '../src/store/memory';
import type { Store } from '../src/store/store';
import { UpstashStore } from '../src/store/upstash';
import bundle from '../src/generated/bundle.json';
import { addDays, localInstant } from '../src/tasks/calendar';
import { meteredStore } from '../src/tasks/metered-store';
import { createRemindersJob, estimateSendCalls, type ReminderCounts } from '../src/jobs/reminders';
import type { Task } from '../src/tasks/schema';
import { SUBSCRIPTIONS_KEY, type Subscription } from '../src/tasks/subscriptions';

const TOKEN = 'bench-token-0123456789';
const DAY = '2026-11-21';

interface Args {
  subscribers: number;
  tasks: number;
  sendMs: number;
  redisMs: number;
  memoryOnly: boolean;
  withFree: boolean;
  upstashOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const num = (name: string, dflt: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  return {
    subscribers: num('subscribers', 1000),
    tasks: num('tasks', 50),
    sendMs: num('send-ms', 0),
    redisMs: num('redis-ms', 0),
    memoryOnly: argv.includes('--memory-only'),
    withFree: argv.includes('--with-free'),
    upstashOnly: argv.includes('--upstash-only'),
  };
}

/** Counts sends and the HTTP requests they would take once rendered; optionally slow, like a real API. */
class LoopbackOutbound implements Outbound {
  sends = 0;
  requests = 0;
  constructor(private readonly latencyMs: number) {}
  async send(to: Recipient, reply: Reply): Promise<SendResult> {
    this.sends++;
    this.requests += estimateSendCalls(reply, to);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    return { ok: true };
  }
}

function benchTasks(n: number): Task[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-task-${String(i).padStart(3, '0')}`,
    title: `Nhiệm vụ thử số ${i + 1}: hoàn thành một hạng mục cải cách thủ tục hành chính của đơn vị`,
    owner: `Đơn vị thử ${i % 10}`,
    unit: `don-vi-thu-${i % 10}`,
    deadline: addDays(DAY, i - 20),
    status: 'open' as const,
    source: { title: 'Kế hoạch thử', outlet: 'Báo Thử', date: '2026-01-02' },
  }));
}

function benchSubscriptions(n: number): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const channel = i % 2 === 0 ? 'telegram' : 'zalo';
    const chatId = String(100_000_000 + i);
    const sub: Subscription = {
      recipient: { channel, chatId, locale: 'vi' },
      allUnits: true,
      units: [],
      tasks: [],
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    };
    fields[`${channel}:${chatId}`] = JSON.stringify(sub);
  }
  return fields;
}

interface Measured {
  scenario: string;
  invocations: number;
  wallMs: number;
  cpuMs: number;
  maxInvocationCpuMs: number;
  storeRequests: number;
  maxInvocationSubrequests: number;
  sends: number;
  sendRequests: number;
  items: number;
}

interface Env {
  store: Store;
  requests(): Promise<number>;
}

async function runUntilDone(env: Env, args: Args, scenario: string, day: string, budget?: number): Promise<Measured> {
  const outbound = new LoopbackOutbound(args.sendMs);
  const texts = new Texts((bundle as { prompts: TextTable }).prompts);
  const job = createRemindersJob({ outbound, texts, bundled: benchTasks(args.tasks), maxSubrequests: budget, concurrency: 4 });
  const m: Measured = {
    scenario, invocations: 0, wallMs: 0, cpuMs: 0, maxInvocationCpuMs: 0, storeRequests: 0, maxInvocationSubrequests: 0, sends: 0, sendRequests: 0, items: 0,
  };
  for (let i = 0; i < 2000; i++) {
    const before = { requests: await env.requests(), cpu: process.cpuUsage(), wall: performance.now(), sendRequests: outbound.requests };
    const counts: ReminderCounts = await job.run({ at: localInstant(day, 8, i % 60), store: env.store, log: silentLogger });
    const cpu = process.cpuUsage(before.cpu);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const storeRequests = (await env.requests()) - before.requests;
    m.invocations++;
    m.wallMs += performance.now() - before.wall;
    m.cpuMs += cpuMs;
    m.maxInvocationCpuMs = Math.max(m.maxInvocationCpuMs, cpuMs);
    m.storeRequests += storeRequests;
    m.maxInvocationSubrequests = Math.max(m.maxInvocationSubrequests, storeRequests + (outbound.requests - before.sendRequests));
    m.items += counts.items;
    if (counts.deferred === 0) break;
  }
  m.sends = outbound.sends;
  m.sendRequests = outbound.requests;
  return m;
}

async function reset(env: Env, args: Args): Promise<void> {
  for (const key of await env.store.keysWithPrefix('remind:')) await env.store.del(key);
  await env.store.del('jobs:history', 'tasks:overrides');
  await env.store.hashSet(SUBSCRIPTIONS_KEY, benchSubscriptions(args.subscribers));
}

async function scenarios(env: Env, args: Args, label: string): Promise<Measured[]> {
  const out: Measured[] = [];
  const tag = (m: Measured) => {
    const row = { ...m, scenario: `${label} ${m.scenario}` };
    console.error(`  done: ${row.scenario} (${row.invocations} invocation(s), ${Math.round(row.wallMs)} ms)`);
    return row;
  };
  await reset(env, args);
  out.push(tag(await runUntilDone(env, args, 'first', DAY)));
  out.push(tag(await runUntilDone(env, args, 'rerun', DAY)));
  out.push(tag(await runUntilDone(env, args, 'steady', addDays(DAY, 1))));
  // 50 subrequests (Workers Free) takes about a thousand invocations: measured on memory only.
  for (const budget of label === 'memory' || args.withFree ? [50, 1000, 10_000] : [1000, 10_000]) {
    await reset(env, args);
    out.push(tag(await runUntilDone(env, args, `first@${budget}`, DAY, budget)));
    out.push(tag(await runUntilDone(env, args, `steady@${budget}`, addDays(DAY, 1), budget)));
  }
  return out;
}

function table(rows: Measured[]): string {
  const head = '| scenario | invocations | wall ms | CPU ms (max/inv.) | store requests | max subreq./inv. | sends (HTTP) | reminders |';
  const sep = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    head,
    sep,
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.invocations} | ${fmt(r.wallMs)} | ${fmt(r.cpuMs)} (${fmt(r.maxInvocationCpuMs)}) | ${fmt(r.storeRequests)} | ${fmt(r.maxInvocationSubrequests)} | ${fmt(r.sends)} (${fmt(r.sendRequests)}) | ${fmt(r.items)} |`,
    ),
  ].join('\n');
}

// ---------- the bridge child: redis + Upstash bridge in their own process ----------

async function bridgeChild(redisMs: number): Promise<void> {
  const { startRedisServer, getRedis } = await import('../test/support/redis-server');
  const { startUpstashBridge } = await import('../test/support/upstash-bridge');
  // A private redis-server when possible, so nothing touches a shared one; else the shared one.
  const redis = (await startRedisServer()) ?? (await getRedis());
  if (!redis) {
    process.send!({ error: 'no redis-server available' });
    return;
  }
  const bridge = await startUpstashBridge({ redis, token: TOKEN });
  if (redisMs > 0) bridge.setDelay(redisMs);
  let counted = 0;
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'count') {
      // The bridge records every request with its body; keep the count and drop the records.
      counted += bridge.requests.length;
      bridge.requests.length = 0;
      process.send!({ type: 'count', count: counted });
    }
    if (msg.type === 'close') {
      await bridge.close();
      await redis.stop();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', url: bridge.url, private: redis.port !== 6379 });
}

function ask(child: ChildProcess, type: string): Promise<{ count: number }> {
  return new Promise((resolve) => {
    const on = (msg: { type: string; count: number }) => {
      if (msg.type !== type) return;
      child.off('message', on);
      resolve(msg);
    };
    child.on('message', on);
    child.send({ type });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`bench: ${args.subscribers} subscribers x ${args.tasks} open tasks, send latency ${args.sendMs} ms, redis latency ${args.redisMs} ms, node ${process.version}`);

  const memory = meteredStore(new MemoryStore());
  const rows = args.upstashOnly ? [] : await scenarios({ store: memory.store, requests: async () => memory.calls() }, args, 'memory');

  if (!args.memoryOnly) {
    const child = fork(fileURLToPath(import.meta.url), ['--bridge-child', '--redis-ms', String(args.redisMs)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ url?: string; error?: string; private?: boolean }>((resolve) => child.once('message', resolve));
    if (!ready.url) {
      console.log(`upstash: skipped (${ready.error})`);
      child.kill();
    } else {
      const store = new UpstashStore({ url: ready.url, token: TOKEN, retry: false, timeoutMs: 30_000 });
      if (!ready.private) throw new Error('refusing to run the Upstash bench on a shared redis: install redis-server');
      rows.push(...(await scenarios({ store, requests: async () => (await ask(child, 'count')).count }, args, 'upstash')));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    }
  }
  console.log(table(rows));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--bridge-child')) {
    const i = process.argv.indexOf('--redis-ms');
    void bridgeChild(i >= 0 ? Number(process.argv[i + 1]) : 0);
  } else {
    main().catch((e) => {
      console.error(e);
      process.exit(1);
    });
  }
}
