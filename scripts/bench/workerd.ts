/**
 * @module scripts/bench/workerd
 * The app inside workerd, the runtime Cloudflare Workers run: builds the Worker exactly as a
 * deploy would (`wrangler deploy --dry-run --outdir`), measures the bundle, and runs it under
 * Miniflare (the copy wrangler itself ships, so the workerd is the one `wrangler dev` uses) with
 * bindings pointing at the loopback fakes, and with its companion Workers (the PDF reader and
 * the chart renderer, built the same way) behind its PDF_READER and CHART_RENDERER service
 * bindings, so a /kpi update draws its chart as once deployed. Workers freeze their clocks
 * while code runs, so everything here is wall time seen from outside: per update, from delivery
 * to the answer at the fake Bot API; at start, from launch to ready and the first request.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld } from './world';
import { answerCounts, CHAT_BASE, messageFor, telegramHeaders, telegramUpdate, TELEGRAM_SECRET, TELEGRAM_TOKEN } from './traffic';
import { median, summarize, type Summary } from './stats';
import { buildCompanions, type CompanionWorker } from '../lib/companion-workers';
import { bundleBytes } from '../lib/bundle-bytes';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

interface MiniflareLike {
  ready: Promise<URL>;
  dispatchFetch(url: string, init?: RequestInit): Promise<{ status: number; text(): Promise<string> }>;
  dispose(): Promise<void>;
}
type MiniflareCtor = new (opts: Record<string, unknown>) => MiniflareLike;

/** Disposes of Miniflare without hanging on a workerd that never started. */
async function dispose(mf: MiniflareLike): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([mf.dispose().catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
}

/** The Miniflare wrangler depends on (the top-level one may be a different major). */
function loadMiniflare(): MiniflareCtor {
  const fromWrangler = createRequire(require.resolve('wrangler/package.json'));
  return (fromWrangler('miniflare') as { Miniflare: MiniflareCtor }).Miniflare;
}

export interface BuiltWorker {
  dir: string;
  script: string;
  rawBytes: number;
  gzipBytes: number;
  /** The companion Workers, built the first time the Worker is started in Miniflare. */
  companions(): CompanionWorker[];
  remove(): void;
}

/**
 * `wrangler deploy --dry-run` into a temporary folder: the bundle a deploy would upload, of
 * wrangler.toml's entry or of `entry` (a path from the repository's root).
 */
export function buildWorker(entry?: string): BuiltWorker {
  const dir = mkdtempSync(join(tmpdir(), 'cchc-worker-'));
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', dir, ...(entry ? [entry] : [])], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  const { raw: rawBytes, gzip: gzipBytes } = bundleBytes(dir);
  let companions: ReturnType<typeof buildCompanions> | undefined;
  return {
    dir,
    script: join(dir, 'worker.js'),
    rawBytes,
    gzipBytes,
    companions: () => (companions ??= buildCompanions()).workers,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      companions?.remove();
    },
  };
}

function compat(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? '2026-05-01';
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/** wrangler.toml's [[services]]: binding name to the Worker it names. */
function serviceBindings(): Record<string, string> {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of toml.matchAll(/^\[\[services\]\]\s*\nbinding\s*=\s*"([^"]+)"\s*\nservice\s*=\s*"([^"]+)"/gm)) out[m[1]!] = m[2]!;
  return out;
}

/** The Worker first (dispatchFetch reaches it), then its companions behind its service bindings. */
function startMiniflare(worker: BuiltWorker, bindings: Record<string, string>): MiniflareLike {
  const Miniflare = loadMiniflare();
  const services = serviceBindings();
  const companions = worker.companions();
  const missing = Object.values(services).filter((name) => !companions.some((c) => c.name === name));
  if (missing.length > 0) throw new Error(`wrangler.toml binds ${missing.join(', ')}, which no companion config builds`);
  return new Miniflare({
    workers: [
      {
        name: 'tro-ly-cchc',
        modules: true,
        scriptPath: worker.script,
        modulesRoot: worker.dir,
        ...compat(),
        // As wrangler bundles it: a .wasm is a module of its own.
        modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
        bindings: { LOG_LEVEL: 'error', ...bindings },
        serviceBindings: services,
      },
      ...companions,
    ],
  });
}

export interface WorkerdUpdateCost {
  store: 'memory' | 'upstash';
  updates: number;
  /** Wall ms from delivery to the answer at the fake. */
  answered: Summary;
  /** Wall ms from delivery to the 200. */
  ack: Summary;
  answeredCount: number;
  duplicates: number;
  non200: number;
  /** Charts sent (sendPhoto calls, warm-up included): the /kpi updates' charts, drawn by the chart renderer Worker. */
  photos: number;
}

/** Updates one at a time into the Worker on workerd, each timed until its answer reaches the fake. */
export async function measureWorkerdUpdateCost(worker: BuiltWorker, opts: { store: 'memory' | 'upstash'; updates: number; warmup: number }): Promise<WorkerdUpdateCost> {
  const world = await startWorld({ telegram: true, redis: opts.store === 'upstash' ? {} : undefined, harvest: 'reset' });
  const mf = startMiniflare(worker, {
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_BASE: world.urls.telegram!,
    ...(opts.store === 'upstash' ? { UPSTASH_REDIS_REST_URL: world.urls.upstash!, UPSTASH_REDIS_REST_TOKEN: world.urls.upstashToken! } : { ALLOW_MEMORY_STORE: '1' }),
  });
  try {
    const url = new URL('/webhooks/telegram', await mf.ready).toString();
    const answered: number[] = [];
    const ack: number[] = [];
    let non200 = 0;
    const total = opts.warmup + opts.updates;
    for (let i = 0; i < total; i++) {
      const chat = CHAT_BASE + i;
      const body = JSON.stringify(telegramUpdate(i + 1, chat, messageFor(i)));
      const r = await world.call<{ status: number; ackMs: number; answeredMs: number }>('deliver', url, telegramHeaders, body, String(chat));
      if (r.status !== 200) non200++;
      if (i >= opts.warmup) {
        answered.push(r.answeredMs);
        ack.push(r.ackMs);
      }
    }
    const seen = await world.harvest();
    const { answered: answeredCount, duplicates } = answerCounts(seen.telegram.answers, opts.warmup, opts.updates);
    const photos = seen.telegram.methods.sendPhoto ?? 0;
    return { store: opts.store, updates: opts.updates, answered: summarize(answered), ack: summarize(ack), answeredCount, duplicates, non200, photos };
  } finally {
    await Promise.all([dispose(mf), world.close()]);
  }
}

export interface WorkerdColdStart {
  runs: number;
  /** Launch of workerd with the Worker until it accepts requests (module evaluation included). */
  readyMs: number;
  /** The first request: the runtime is built and the search index loaded. */
  firstRequestMs: number;
  /** The same request again, warm. */
  warmRequestMs: number;
}

export async function measureWorkerdColdStart(worker: BuiltWorker, runs: number): Promise<WorkerdColdStart> {
  const ready: number[] = [];
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const mf = startMiniflare(worker, { ALLOW_MEMORY_STORE: '1' });
    try {
      const base = await mf.ready;
      const t1 = performance.now();
      const r1 = await mf.dispatchFetch(new URL('/healthz', base).toString());
      await r1.text();
      const t2 = performance.now();
      const r2 = await mf.dispatchFetch(new URL('/healthz', base).toString());
      await r2.text();
      const t3 = performance.now();
      if (r1.status !== 200 || r2.status !== 200) throw new Error(`/healthz answered ${r1.status}, ${r2.status} in workerd`);
      ready.push(t1 - t0);
      first.push(t2 - t1);
      warm.push(t3 - t2);
    } finally {
      await dispose(mf);
    }
  }
  return { runs, readyMs: median(ready), firstRequestMs: median(first), warmRequestMs: median(warm) };
}
