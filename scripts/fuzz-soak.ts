/**
 * @module scripts/fuzz-soak
 * `npm run fuzz:soak`: 100,000 random and hostile requests (the generators of test/fuzz) over
 * real HTTP to the Node server (startNodeServer, memory store), spread over every route of the
 * app, plus malformed HTTP written straight to the socket. It checks that nothing answers 5xx,
 * that nothing escapes as an uncaught exception, and that the heap stays flat: after a garbage
 * collection at every checkpoint, heap in use must not keep climbing once the first 20,000
 * requests have warmed things up.
 *
 * The server runs in this process (its heap is what is measured); the fake Bot APIs that
 * accepted updates are answered through, and by default the store (Upstash on redis-server,
 * through the REST bridge), run in another one. So what the app is meant to keep (claims,
 * conversations, statistics, audit) lives outside the measured heap, and a heap that grows is a
 * leak. `--store memory` runs the embedded default instead: then kept data grows the heap by
 * design, and the store's key count is printed next to it. Generated ids, chats and web sessions
 * come from small pools, so even that data reaches its bound early.
 *
 * Usage: node --expose-gc --import tsx scripts/fuzz-soak.ts [--requests 100000] [--seed 42] [--store memory]
 */
import { runMain } from './lib/run-main';
import http from 'node:http';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import fc from 'fast-check';
import { createApp } from '../src/app';
import { startNodeServer } from '../src/node';
import { requestFor, type FuzzRequest, type RouteSpec, type Secrets } from '../test/fuzz/arbitraries';
import { startWorld } from './bench/world';
import { countingLogger } from './bench/counting-log';
import { mib, pass } from './bench/stats';

const secrets: Secrets = {
  telegramSecret: 'soak-telegram-secret_0123456789',
  zaloSecret: 'soak-zalo-secret-0123456789',
  adminToken: 'soak-admin-token-0123456789abcdef',
};
const CONCURRENCY = 16;
const CHECKPOINT_EVERY = 10_000;
const BATCH = 250;
/** Heap in use may end at most this much above the 20k checkpoint (GC noise, JIT code, caches). */
const FLAT_TOLERANCE_BYTES = 8 * 1024 * 1024;

/** Requests that are not HTTP, or broken HTTP, written straight to a socket. */
const RAW: string[] = [
  'GARBAGE\r\n\r\n',
  'POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a"',
  'POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /webhooks/zalo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
  'GET /%%%% HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET /admin/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'A'.repeat(20_000)}\r\n\r\n`,
  'POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
];

interface Checkpoint {
  requests: number;
  heapUsed: number;
  external: number;
  rss: number;
  storeKeys: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Least squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

/**
 * Sends one request; a connection error is retried once on a fresh connection, since a kept-alive
 * socket the server has just closed (after an early 401 or 413) fails through no fault of the request.
 */
async function send(agent: http.Agent, base: URL, req: FuzzRequest): Promise<number> {
  return (await sendOnce(agent, base, req)) || sendOnce(false, base, req);
}

function sendOnce(agent: http.Agent | false, base: URL, req: FuzzRequest): Promise<number> {
  return new Promise((resolve) => {
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body);
    const r = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        agent,
        headers: { ...req.headers, ...(body ? { 'content-length': body.length } : {}) },
        timeout: 60_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', () => resolve(0));
    r.end(body);
  });
}

function sendRaw(base: URL, text: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    let reply = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      socket.end();
    });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0)));
    socket.on('error', () => {});
    socket.end(text);
  });
}

async function main(argv: string[]): Promise<number> {
  const total = option(argv, '--requests', 100_000);
  const seed = option(argv, '--seed', 42);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.error('run with node --expose-gc (npm run fuzz:soak does)');
    return 2;
  }
  let crashes = 0;
  const onCrash = (e: unknown) => {
    crashes++;
    console.error('fuzz-soak: uncaught', e);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const store = argv.includes('--store') && argv[argv.indexOf('--store') + 1] === 'memory' ? 'memory' : 'upstash';
  const world = await startWorld({ telegram: true, zalo: true, harvest: 'reset', harvestEveryMs: 1000, redis: store === 'upstash' ? {} : undefined });
  const logger = countingLogger();
  const server = await startNodeServer({
    env: {
      TELEGRAM_BOT_TOKEN: '6666666666:SOAK-telegram-token',
      TELEGRAM_WEBHOOK_SECRET: secrets.telegramSecret,
      TELEGRAM_API_BASE: world.urls.telegram,
      ZALO_BOT_TOKEN: world.urls.zaloToken,
      ZALO_WEBHOOK_SECRET: secrets.zaloSecret,
      ZALO_API_BASE: world.urls.zalo,
      ADMIN_TOKEN: secrets.adminToken,
      // One loopback address sends everything: lift the per-address limit so the chat keeps being exercised.
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100000',
      ...(store === 'upstash' ? { UPSTASH_REDIS_REST_URL: world.urls.upstash, UPSTASH_REDIS_REST_TOKEN: world.urls.upstashToken } : {}),
    },
    port: 0,
    hostname: '127.0.0.1',
    log: logger.log,
  });
  const base = new URL(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // The store's size, read through the one field the memory store keeps its keys in (a bench may peek).
  const storeKeys = () => (server.runtime.store as unknown as { data?: Map<string, unknown> }).data?.size ?? -1;
  const routes: RouteSpec[] = [];
  for (const r of createApp(server.runtime).routes) {
    if (r.method !== 'ALL' && !routes.some((x) => x.method === r.method && x.path === r.path)) routes.push({ method: r.method, path: r.path });
  }
  const arbs = routes.map((r) => requestFor(r, secrets, 'soak'));
  const statuses = new Map<string, number>();
  const fiveHundreds: string[] = [];
  const checkpoints: Checkpoint[] = [];
  const started = Date.now();
  const say = (s: string) => process.stderr.write(`fuzz-soak: ${s}\n`);
  say(`${total} requests over ${routes.length} routes, ${CONCURRENCY} at a time`);

  const checkpoint = async (requests: number) => {
    await server.background.drain();
    // Let sockets close and timers fire, then collect until the figure settles.
    await sleep(500);
    let heap = Infinity;
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
      heap = Math.min(heap, process.memoryUsage().heapUsed);
    }
    const m = { ...process.memoryUsage(), heapUsed: heap };
    checkpoints.push({ requests, heapUsed: m.heapUsed, external: m.external, rss: m.rss, storeKeys: store === 'memory' ? storeKeys() : -1, seconds: (Date.now() - started) / 1000 });
    say(`${requests}: heap ${mib(m.heapUsed)}, rss ${mib(m.rss)}, store keys ${storeKeys()}, 5xx ${fiveHundreds.length}`);
  };

  await checkpoint(0);
  let done = 0;
  let batchNo = 0;
  /** Sends one batch of generated requests to one route; the batch is garbage once it returns. */
  const runBatch = async (n: number) => {
    const route = batchNo % routes.length;
    const batch = fc.sample(arbs[route]!, { numRuns: n, seed: seed + batchNo });
    batchNo++;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const i = next++;
        const req = batch[i]!;
        const useRaw = (done + i) % 500 === 0;
        const status = useRaw ? await sendRaw(base, RAW[((done + i) / 500) % RAW.length]!) : await send(agent, base, req);
        const key = String(status || 'no status');
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (status >= 500 && fiveHundreds.length < 20) {
          fiveHundreds.push(`${status} ${req.method} ${req.path.slice(0, 120)} [${req.kind}]`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  while (done < total) {
    const n = Math.min(BATCH, total - done);
    await runBatch(n);
    const before = done;
    done += n;
    // Outside runBatch, so the generated bodies (some are megabytes) are not counted as the server's heap.
    if (Math.floor(done / CHECKPOINT_EVERY) > Math.floor(before / CHECKPOINT_EVERY)) await checkpoint(done);
  }
  if (checkpoints.at(-1)!.requests !== done) await checkpoint(done);
  agent.destroy();
  await server.close();
  await world.close();

  const warm = checkpoints.find((c) => c.requests >= 20_000) ?? checkpoints[1] ?? checkpoints[0]!;
  const last = checkpoints.at(-1)!;
  const growth = last.heapUsed - warm.heapUsed;
  // Growth per 10,000 requests after warm-up, by least squares over the checkpoints (GC leaves noise of some MiB).
  const after = checkpoints.filter((c) => c.requests >= warm.requests);
  const perTenK = after.length >= 2 ? slope(after.map((c) => [c.requests / 10_000, c.heapUsed])) : 0;
  const projected = perTenK * ((last.requests - warm.requests) / 10_000);
  const fiveXX = [...statuses].filter(([k]) => Number(k) >= 500).reduce((a, [, v]) => a + v, 0);
  const noStatus = statuses.get('no status') ?? 0;
  const checks: Array<[string, boolean]> = [
    [`no 5xx (${fiveXX})`, fiveXX === 0],
    [`no uncaught exception or unhandled rejection (${crashes})`, crashes === 0],
    [
      `heap flat: ${mib(last.heapUsed)} after ${last.requests.toLocaleString('en')} requests vs ${mib(warm.heapUsed)} after ${warm.requests.toLocaleString('en')} ` +
        `(${growth >= 0 ? '+' : ''}${mib(growth)}; trend ${perTenK >= 0 ? '+' : ''}${(perTenK / 1024).toFixed(0)} KiB per 10,000 requests, ${mib(projected)} over the run; tolerance ${mib(FLAT_TOLERANCE_BYTES)})`,
      projected <= FLAT_TOLERANCE_BYTES && growth <= FLAT_TOLERANCE_BYTES,
    ],
  ];
  console.log(
    `## Fuzz soak\n\n\`npm run fuzz:soak${argv.length ? ' -- ' + argv.join(' ') : ''}\` on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; ` +
      `load average ${loadavg()[0]!.toFixed(1)}; ${store === 'upstash' ? 'Upstash store on redis-server (another process)' : 'memory store (in the measured heap)'}; ${done.toLocaleString('en')} requests over HTTP to ${routes.length} routes (${routes.map((r) => `${r.method} ${r.path}`).join(', ')}), ` +
      `1 in 500 as malformed HTTP on a raw socket; seed ${seed}; ${((Date.now() - started) / 1000).toFixed(0)} s.\n\n` +
      `Statuses: ${[...statuses].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}× ${k}`).join(', ')}` +
      `${noStatus ? ' ("no status": the server closed a malformed request\'s connection without an answer)' : ''}.\n\n` +
      `| requests | heap used after GC | external | RSS | store keys |\n|---:|---:|---:|---:|---:|\n` +
      checkpoints.map((c) => `| ${c.requests.toLocaleString('en')} | ${mib(c.heapUsed)} | ${mib(c.external)} | ${mib(c.rss)} | ${c.storeKeys < 0 ? 'in Redis' : c.storeKeys} |`).join('\n') +
      `\n\nServer log: ${logger.counts.error} errors, ${logger.counts.warn} warnings (${[...logger.byMessage].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${v}× ${k}`).join('; ')}).` +
      (logger.samples.some((l) => l.startsWith('error')) ? `\n\nFirst errors logged:\n${logger.samples.filter((l) => l.startsWith('error')).slice(0, 5).map((l) => `- ${l}`).join('\n')}` : '') +
      (fiveHundreds.length ? `\n\nFirst 5xx:\n${fiveHundreds.map((f) => `- ${f}`).join('\n')}` : '') +
      `\n\nTargets:\n${checks.map(([l, ok]) => `- ${pass(ok)}: ${l}`).join('\n')}`,
  );
  return checks.every(([, ok]) => ok) ? 0 : 1;
}

runMain(import.meta.url, main);
