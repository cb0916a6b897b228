/**
 * @module scripts/load
 * `npm run load`: the Node server (startNodeServer, in its own process) with the Upstash store
 * on a real redis-server (through the REST bridge), or with `--store redis` the TCP store
 * (REDIS_URL) on the same redis-server, and the loopback fake Bot API, fed distinct
 * Telegram updates at rising rates, about a minute each. Like Telegram, the feeder keeps at most
 * `--concurrency` deliveries open at once (Telegram's max_connections is 40 by default, 100 at
 * most) and delivers again, after the step, every update that was not acknowledged with a 200.
 *
 * Per step it reports updates acknowledged per second, p50/p99 time to the 200, errors, answers
 * per second at the fake, how long the backlog took to drain, the server's memory, and proof of
 * exactly once: every update's chat must hold exactly one answer message at the fake. The steps
 * stop at the first rate the server cannot keep up with (acknowledged < 95% of offered, or
 * answers not drained within a minute), since beyond it queues only grow.
 *
 * Processes: this one (the feeder), the server(s), the fake Bot API, the bridge, redis-server; all
 * share the machine's cores, and their CPU use per step is printed so the reader can see where
 * the cores went. `--servers N` runs N server processes behind the feeder, which spreads
 * deliveries over them in turn as a load balancer would (with Redis all state is in Redis, so
 * any process may get any update or redelivery; the memory store keeps state per process, so it
 * always runs one). One is the default: on this 2-core machine the feeder, the fake, the bridge
 * and Redis already take most of a core, and a second server process measured slower, not faster.
 *
 * Usage: npm run load -- [--quick] [--rates 100,200,300] [--seconds 60] [--concurrency 100] [--store upstash|redis|memory] [--servers N]
 *   --store upstash (the default): Upstash REST through the bridge, as on Workers and Upstash.
 *   --store redis: the TCP store (REDIS_URL), as self-hosted; no bridge.
 *   --store memory: the same run without Redis, to see what the core alone sustains.
 *   --quick: rates 50,100,200 for 10 s each.
 *   --servers N: server processes (default 1; Redis stores only).
 */
import { runMain } from './lib/run-main';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { bridgeRequests, startServerProcess, startWorld, processCpuSeconds, type ServerProcess, type ServerStats, type World } from './bench/world';
import { answerCounts, CHAT_BASE, messageFor, telegramHeaders, telegramUpdate, TELEGRAM_SECRET, TELEGRAM_TOKEN } from './bench/traffic';
import { mib, ms, pass, summarize, type Summary } from './bench/stats';

/** The issue's target on this machine: updates acknowledged per second with real Redis. */
export const TARGET_ACKS_PER_SECOND = 500;
const DRAIN_TIMEOUT_MS = 60_000;
const REDELIVERY_ROUNDS = 5;

interface Args {
  rates: number[];
  seconds: number;
  concurrency: number;
  quick: boolean;
  /** 'upstash' (the target's setting), 'redis' (TCP, self-hosted) or 'memory' (the core alone, for comparison). */
  store: StoreKind;
  servers: number;
}

type StoreKind = 'upstash' | 'redis' | 'memory';
const STORES: readonly StoreKind[] = ['upstash', 'redis', 'memory'];

/** How the report names each store's setting. */
const STORE_SETTING: Record<StoreKind, string> = {
  upstash: 'the Upstash store on redis-server through the REST bridge',
  redis: 'the Redis store (REDIS_URL, TCP) on redis-server',
  memory: 'the memory store',
};

function parseArgs(argv: string[]): Args {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const store = (value('--store') ?? 'upstash') as StoreKind;
  if (!STORES.includes(store)) throw new Error(`--store must be one of ${STORES.join(', ')}`);
  return {
    quick,
    rates: (value('--rates') ?? (quick ? '50,100,200' : '50,100,200,300,400,500,600')).split(',').map(Number).filter((n) => n > 0),
    seconds: Number(value('--seconds') ?? (quick ? 10 : 60)),
    concurrency: Number(value('--concurrency') ?? 100),
    store,
    servers: store === 'memory' ? 1 : Math.max(1, Number(value('--servers') ?? 1) || 1),
  };
}

interface Delivery {
  status: number;
  ms: number;
}

/** Delivers webhook POSTs the way Telegram does: over a bounded pool of kept-alive connections. */
class Deliverer {
  private readonly agent: http.Agent;
  private readonly urls: URL[];
  private turn = 0;
  inFlight = 0;

  constructor(urls: string[], readonly concurrency: number) {
    this.urls = urls.map((url) => new URL('/webhooks/telegram', url));
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /** Each delivery goes to the next server in turn. */
  deliver(body: string): Promise<Delivery> {
    this.inFlight++;
    const t0 = performance.now();
    const url = this.urls[this.turn++ % this.urls.length]!;
    return new Promise<Delivery>((resolve) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent: this.agent,
          headers: { ...telegramHeaders, 'content-length': Buffer.byteLength(body) },
          timeout: 60_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
      req.end(body);
    }).finally(() => this.inFlight--);
  }

  close(): void {
    this.agent.destroy();
  }
}

interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  acked: number;
  ackedPerSecond: number;
  ackMs: Summary;
  errors: Record<string, number>;
  /** Answers that reached the fake while the step ran, per second. */
  answersPerSecond: number;
  /** From the end of the step until every acknowledged update was answered and nothing was pending. */
  drainMs: number;
  drained: boolean;
  redelivered: number;
  lost: number;
  duplicates: number;
  serverRssBytes: number;
  serverHeapBytes: number;
  serverErrorsLogged: number;
  cpu: Record<string, number>;
  /** Server CPU ms per answered update over the step and its drain. */
  serverCpuMsPerUpdate: number;
  /** Upstash REST requests (none with the TCP store) and Redis commands per update, with a Redis store. */
  store?: { requests?: number; commands: number };
  kept: boolean;
}

interface Processes {
  store: StoreKind;
  servers: ServerProcess[];
  telegram: World;
  redis?: World;
  redisPid?: number;
}

function cpuNow(p: Processes): Record<string, number | undefined> {
  return {
    server: sumDefined(p.servers.map((s) => processCpuSeconds(s.pid))),
    'fake Bot API': processCpuSeconds(p.telegram.pid),
    // The world process that runs the bridge; with the TCP store it only owns redis-server.
    [p.store === 'upstash' ? 'Upstash bridge' : 'Redis owner']: processCpuSeconds(p.redis?.pid),
    'redis-server': processCpuSeconds(p.redisPid),
    feeder: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sumDefined(values: Array<number | undefined>): number | undefined {
  return values.some((v) => v === undefined) ? undefined : values.reduce((a: number, v) => a + v!, 0);
}

/** The servers' stats added up: pending work, memory, errors logged. */
async function serverStats(p: Processes): Promise<{ background: number; memory: { rss: number; heapUsed: number }; logs: { error: number } }> {
  const all = await Promise.all(p.servers.map((s) => s.stats()));
  return {
    background: all.reduce((a, s) => a + s.background, 0),
    memory: { rss: all.reduce((a, s) => a + s.memory.rss, 0), heapUsed: all.reduce((a, s) => a + s.memory.heapUsed, 0) },
    logs: { error: all.reduce((a, s) => a + (s.logs.error ?? 0), 0) },
  };
}

async function runStep(p: Processes, deliverer: Deliverer, rate: number, seconds: number, firstId: number): Promise<StepResult> {
  const total = Math.round(rate * seconds);
  const outcomes: Array<Delivery | undefined> = new Array(total);
  const ackTimes: number[] = [];
  const before = await p.telegram.harvest();
  const bridgeBefore = p.redis ? (await p.redis.harvest()).bridge : undefined;
  const commandsBefore = p.store === 'redis' ? await p.redis!.call<number>('redisCommands') : undefined;
  const answeredBefore = Object.values(before.telegram.answers).reduce((a, b) => a + b, 0);
  const cpu0 = cpuNow(p);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  let lastAckAt = started;

  // Open loop: update i is due at i / rate seconds; it waits only for a free connection.
  while (sent < total) {
    const due = started + (sent / rate) * 1000;
    const now = performance.now();
    if (now < due) {
      await sleep(Math.min(5, due - now));
      continue;
    }
    if (deliverer.inFlight >= deliverer.concurrency) {
      await sleep(1);
      continue;
    }
    const i = sent++;
    const id = firstId + i;
    const body = JSON.stringify(telegramUpdate(id, CHAT_BASE + id, messageFor(id)));
    pending.push(
      deliverer.deliver(body).then((d) => {
        outcomes[i] = d;
        if (d.status === 200) {
          ackTimes.push(d.ms);
          lastAckAt = performance.now();
        }
      }),
    );
  }
  await Promise.all(pending);
  const elapsedS = (lastAckAt - started) / 1000;
  const mid = await p.telegram.harvest();
  const answeredDuring = Object.values(mid.telegram.answers).reduce((a, b) => a + b, 0) - answeredBefore;
  const stepEnd = performance.now();

  // Telegram delivers again what was not acknowledged.
  let redelivered = 0;
  for (let round = 0; round < REDELIVERY_ROUNDS; round++) {
    const missing = outcomes.map((o, i) => (o?.status === 200 ? -1 : i)).filter((i) => i >= 0);
    if (!missing.length) break;
    await sleep(1000 * 2 ** round);
    await Promise.all(
      missing.map(async (i) => {
        const id = firstId + i;
        redelivered++;
        outcomes[i] = await deliverer.deliver(JSON.stringify(telegramUpdate(id, CHAT_BASE + id, messageFor(id))));
      }),
    );
  }

  // Drain: wait until every update has its answer and the server has nothing pending.
  let drained = false;
  let tally = mid.telegram;
  while (performance.now() - stepEnd < DRAIN_TIMEOUT_MS) {
    tally = (await p.telegram.harvest()).telegram;
    const stats = await serverStats(p);
    if (answerCounts(tally.answers, firstId, total).lost === 0 && stats.background === 0) {
      drained = true;
      break;
    }
    await sleep(250);
  }
  const drainMs = performance.now() - stepEnd;
  await sleep(500); // late duplicates, if any, would arrive now
  tally = (await p.telegram.harvest()).telegram;
  const stats = await serverStats(p);
  const bridgeAfter = p.redis ? (await p.redis.harvest()).bridge : undefined;
  const commandsAfter = p.store === 'redis' ? await p.redis!.call<number>('redisCommands') : undefined;
  const cpu1 = cpuNow(p);

  const errors: Record<string, number> = {};
  for (const o of outcomes) if (o && o.status !== 200) errors[String(o.status || 'connection')] = (errors[String(o.status || 'connection')] ?? 0) + 1;
  const { lost, duplicates } = answerCounts(tally.answers, firstId, total);
  const cpu: Record<string, number> = {};
  const wall = (performance.now() - started) / 1000;
  for (const [k, v] of Object.entries(cpu1)) {
    const v0 = cpu0[k];
    if (v !== undefined && v0 !== undefined) cpu[k] = (v - v0) / wall;
  }
  const serverCpuS = (cpu1.server ?? NaN) - (cpu0.server ?? NaN);
  const acked = ackTimes.length;
  const ackedPerSecond = acked / Math.max(elapsedS, seconds);
  return {
    rate,
    seconds,
    sent: total,
    acked,
    ackedPerSecond,
    ackMs: summarize(ackTimes),
    errors,
    answersPerSecond: answeredDuring / Math.max(elapsedS, seconds),
    drainMs,
    drained,
    redelivered,
    lost,
    duplicates,
    serverRssBytes: stats.memory.rss,
    serverHeapBytes: stats.memory.heapUsed,
    serverErrorsLogged: stats.logs.error,
    cpu,
    serverCpuMsPerUpdate: (serverCpuS * 1000) / Math.max(1, total - lost),
    store:
      commandsBefore !== undefined && commandsAfter !== undefined
        ? { commands: (commandsAfter - commandsBefore) / total }
        : p.store === 'upstash' && bridgeBefore && bridgeAfter
        ? {
            requests: (bridgeRequests(bridgeAfter) - bridgeRequests(bridgeBefore)) / total,
            commands: ((bridgeAfter.commands ?? 0) - (bridgeBefore.commands ?? 0)) / total,
          }
        : undefined,
    kept: ackedPerSecond >= 0.95 * rate && drained && drainMs < DRAIN_TIMEOUT_MS,
  };
}

/** The servers' warnings and errors by message, with the first few in full, for the report. */
function loggedLines(stats: ServerStats[]): string {
  const byMessage = new Map<string, number>();
  for (const s of stats) for (const [m, n] of Object.entries(s.byMessage)) byMessage.set(m, (byMessage.get(m) ?? 0) + n);
  if (!byMessage.size) return 'no warnings or errors.';
  const samples = stats.flatMap((s) => s.samples).slice(0, 5);
  return `${[...byMessage].map(([m, n]) => `${n}× ${m}`).join('; ')}. First of them: ${samples.map((l) => `\`${l}\``).join(', ')}.`;
}

function capacityNote(results: StepResult[]): string {
  const costs = results.map((r) => r.serverCpuMsPerUpdate).filter(Number.isFinite);
  if (!costs.length) return 'no step measured';
  const best = Math.min(...costs);
  return `here ${ms(best)} ms at best, so about ${(1000 / best).toFixed(0)} updates/s per core`;
}

function row(s: StepResult): string {
  const errors = Object.entries(s.errors).map(([k, v]) => `${v}× ${k}`).join(', ') || '0';
  const cpu = Object.entries(s.cpu).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ');
  return (
    `| ${s.rate}/s × ${s.seconds} s | ${s.ackedPerSecond.toFixed(0)}/s | ${ms(s.ackMs.p50)} ms | ${ms(s.ackMs.p99)} ms | ${errors} | ` +
    `${s.answersPerSecond.toFixed(0)}/s | ${s.drained ? `${(s.drainMs / 1000).toFixed(1)} s` : `not drained in ${DRAIN_TIMEOUT_MS / 1000} s`} | ` +
    `${s.sent - s.lost}/${s.sent} answered, ${s.lost} lost, ${s.duplicates} dup | ${mib(s.serverRssBytes)} | ${cpu} | ${ms(s.serverCpuMsPerUpdate)} ms | ${s.store ? `${s.store.requests?.toFixed(2) ?? '–'} (${s.store.commands.toFixed(1)})` : '–'} |`
  );
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const say = (s: string) => process.stderr.write(`load: ${s}\n`);
  const loadBefore = loadavg().map((x) => x.toFixed(1)).join(' / ');
  say(`starting ${args.store === 'upstash' ? 'redis-server + Upstash bridge, ' : args.store === 'redis' ? 'redis-server, ' : ''}fake Bot API, server`);
  // Harvested every second, so the bridge's request log never grows over a long run.
  const redis =
    args.store === 'memory' ? undefined : await startWorld({ redis: { bridge: args.store === 'upstash' }, harvest: 'reset', harvestEveryMs: 1000 });
  const telegram = await startWorld({ telegram: true, harvest: 'reset', harvestEveryMs: 500 });
  const env = {
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_BASE: telegram.urls.telegram,
    ...(args.store === 'upstash' ? { UPSTASH_REDIS_REST_URL: redis!.urls.upstash, UPSTASH_REDIS_REST_TOKEN: redis!.urls.upstashToken } : {}),
    ...(args.store === 'redis' ? { REDIS_URL: redis!.urls.redis } : {}),
  };
  const servers = await Promise.all(Array.from({ length: args.servers }, () => startServerProcess(env)));
  const redisPid = redis ? (await redis.call<{ redis?: number }>('pids')).redis : undefined;
  const p: Processes = { store: args.store, servers, telegram, redis, redisPid };
  const deliverer = new Deliverer(servers.map((s) => s.url), args.concurrency);
  const results: StepResult[] = [];
  let logged = '';
  try {
    // A short warm-up, so the first step does not pay for JIT compilation.
    say('warm-up: 500 updates at 50/s');
    await runStep(p, deliverer, 50, 10, 1);
    let nextId = 10_000;
    for (const rate of args.rates) {
      say(`step: ${rate} updates/s for ${args.seconds} s`);
      const r = await runStep(p, deliverer, rate, args.seconds, nextId);
      nextId += r.sent + 1000;
      results.push(r);
      say(`  acked ${r.ackedPerSecond.toFixed(0)}/s, p99 ${ms(r.ackMs.p99)} ms, answered ${r.sent - r.lost}/${r.sent}, ${r.duplicates} dup, drain ${(r.drainMs / 1000).toFixed(1)} s`);
      if (!r.kept) {
        say('  the server did not keep up with this rate; stopping here');
        break;
      }
    }
  } finally {
    deliverer.close();
    const stats = await Promise.all(servers.map((s) => s.stats())).catch(() => undefined);
    await Promise.all(servers.map((s) => s.close()));
    await telegram.close();
    await redis?.close();
    const crashes = stats?.reduce((a, s) => a + s.crashes, 0) ?? 0;
    if (crashes) say(`the servers reported ${crashes} uncaught exception(s)`);
    logged = loggedLines(stats ?? []);
  }

  const best = results.filter((r) => r.kept).reduce((a, r) => Math.max(a, r.ackedPerSecond), 0);
  const lost = results.reduce((a, r) => a + r.lost, 0);
  const dup = results.reduce((a, r) => a + r.duplicates, 0);
  const keptRates = results.filter((r) => r.kept);
  const checks: Array<[string, boolean]> = [
    [
      `≥ ${TARGET_ACKS_PER_SECOND} updates/s acknowledged and answered ${args.store === 'memory' ? 'with the memory store (the target is with real Redis)' : `with real Redis (${args.store} store)`} (highest rate kept up with: ${best.toFixed(0)}/s)`,
      best >= TARGET_ACKS_PER_SECOND,
    ],
    [`0 lost answers (${lost} over all steps)`, lost === 0],
    [`0 duplicate answers (${dup} over all steps)`, dup === 0],
  ];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `## Load\n\n\`npm run load${argv.length ? ' -- ' + argv.join(' ') : ''}\` on ${cpus().length} × ${cpu}, Node ${process.version}; ` +
      `load average ${loadBefore} at the start (shared machine). ${args.servers} Node server process${args.servers > 1 ? 'es (deliveries spread over them in turn)' : ''} (startNodeServer) with ${STORE_SETTING[args.store]}, ` +
      `fake Bot API, up to ${args.concurrency} deliveries open at once, distinct updates (one chat each), answered without a model.\n\n` +
      `| offered | acknowledged | 200 p50 | 200 p99 | errors | answers during step | drain after step | exactly once | server RSS | CPU (share of one core) | server CPU / update | Upstash requests (Redis commands) / update |\n` +
      `|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|\n` +
      results.map(row).join('\n') +
      `\n\nLogged by the server over the whole run (warm-up included): ${logged}` +
      `\n\nRates kept up with: ${keptRates.map((r) => `${r.rate}/s`).join(', ') || 'none'}. ` +
      `A step is kept up with when at least 95% of the offered rate was acknowledged and every answer was out within ${DRAIN_TIMEOUT_MS / 1000} s of its end. ` +
      `Server CPU / update is its CPU over the step and the drain divided by the updates answered. ` +
      (args.store === 'upstash' ? `It falls as the rate rises: the Redis commands of updates handled in the same turn of the event loop share one REST request. ` : '') +
      (args.store === 'redis'
        ? `The TCP store sends the commands of one turn of the event loop in one write. It makes no REST requests: the last column is what redis-server counted, ` +
          `commands run inside the Lua scripts included (listPush runs 3, incr with a TTL 2), so it is higher than the Upstash figure for the same work. `
        : '') +
      `1000 divided by it is what one dedicated core answers per second at that rate (${capacityNote(results)}).\n\n` +
      `Targets:\n${checks.map(([l, ok]) => `- ${pass(ok)}: ${l}`).join('\n')}`,
  );
  return checks.every(([, ok]) => ok) ? 0 : 1;
}

runMain(import.meta.url, main);
