/**
 * @module scripts/chaos/harness
 * What every chaos drill shares: the app's Node server in its own process (never restarted
 * during a drill), the outside world it talks to, a deliverer that behaves like the platform
 * (Telegram keeps an update until it is acknowledged with a 200 and tries again with growing
 * pauses; Zalo's policy is not documented, so it is given the few quick retries one SDK
 * describes), a /healthz probe, a timeline, the run itself (traffic with faults at set times),
 * and the final count at the fake Bot API of what every update got: one answer, an apology,
 * nothing (lost) or more than one (duplicate).
 */
import http from 'node:http';
import bundle from '../../src/generated/bundle.json';
import { Texts, type TextTable } from '../../src/core/texts';
import type { RawEnv } from '../../src/config';
import { startServerProcess, startWorld, type ServerProcess, type ServerStats, type Tally, type World, type WorldOptions } from '../bench/world';
import { CHAT_BASE, TELEGRAM_SECRET, TELEGRAM_TOKEN, ZALO_SECRET, messageFor, telegramHeaders, telegramUpdate, zaloEvent, zaloHeaders } from '../bench/traffic';
import { ms, summarize } from '../bench/stats';

const texts = new Texts((bundle as unknown as { prompts: TextTable }).prompts);
/** What the app says when answering failed; the fakes count these as apologies. */
export const APOLOGIES = [texts.get('vi', 'error-apology'), texts.get('en', 'error-apology')];

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Delivered {
  id: number;
  chat: string;
  sentAt: number;
  /** Every HTTP status the platform got back (0: no connection or no answer in time). */
  statuses: number[];
  ackedAt?: number;
  /** Wall ms of each attempt. */
  attemptMs: number[];
}

export interface DrillContext {
  world: World;
  server: ServerProcess;
  started: number;
  mark(what: string): void;
  timeline: string[];
}

/** Delivers like a platform: retries non-200 answers with growing pauses until acknowledged. */
export class Platform {
  /** Telegram opens at most max_connections (40 unless set) to a webhook at once. */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
  readonly delivered: Delivered[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly kind: 'telegram' | 'zalo',
    /** Pauses between attempts (ms); the last one repeats until the deadline. */
    private readonly backoff: number[],
    private readonly maxAttempts: number,
    /** The text update `id` carries (the bench mix unless given). */
    private readonly textOf: (id: number) => string = messageFor,
  ) {}

  /** Starts delivering update `id` (it retries on its own); returns at once. */
  send(id: number): void {
    const chat = String(CHAT_BASE + id);
    const body =
      this.kind === 'telegram'
        ? JSON.stringify(telegramUpdate(id, CHAT_BASE + id, this.textOf(id)))
        : JSON.stringify(zaloEvent(`zmsg${id}`, chat, this.textOf(id)));
    const d: Delivered = { id, chat, sentAt: Date.now(), statuses: [], attemptMs: [] };
    this.delivered.push(d);
    this.pending.push(this.deliver(d, body));
  }

  private async deliver(d: Delivered, body: string): Promise<void> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const t0 = performance.now();
      const status = await this.post(body);
      d.attemptMs.push(performance.now() - t0);
      d.statuses.push(status);
      if (status === 200) {
        d.ackedAt = Date.now();
        return;
      }
      await sleep(this.backoff[Math.min(attempt, this.backoff.length - 1)]!);
    }
  }

  private post(body: string): Promise<number> {
    const u = new URL(this.kind === 'telegram' ? '/webhooks/telegram' : '/webhooks/zalo', this.url);
    const headers = this.kind === 'telegram' ? telegramHeaders : zaloHeaders;
    return new Promise((resolve) => {
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: this.agent, timeout: 30_000, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(0));
      req.end(body);
    });
  }

  /** Sends `rate` updates a second for `seconds`, ids from `firstId`; resolves when all are sent. */
  async traffic(rate: number, seconds: number, firstId: number, stop?: () => boolean): Promise<number> {
    const started = Date.now();
    let sent = 0;
    while (sent < rate * seconds && !stop?.()) {
      const due = started + (sent / rate) * 1000;
      if (Date.now() < due) {
        await sleep(Math.min(20, due - Date.now()));
        continue;
      }
      this.send(firstId + sent++);
    }
    return firstId + sent;
  }

  /** Resolves when every delivery was acknowledged or gave up. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * GET /healthz every half second: 200, 503 (store unreachable: an answer), -1 when the answer took
 * over 5 s (the server is busy, e.g. with a flood of redeliveries, but serving), 0 when it never
 * came (connection refused or reset, or nothing within 30 s: the server is not serving).
 */
export class HealthProbe {
  readonly statuses: Array<{ at: number; status: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly url: string) {}

  start(): void {
    const probe = async () => {
      const at = Date.now();
      let status = 0;
      try {
        const res = await fetch(new URL('/healthz', this.url), { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        status = Date.now() - at > 5000 ? -1 : res.status;
      } catch {
        status = 0;
      }
      this.statuses.push({ at, status });
    };
    this.timer = setInterval(() => {
      const p = probe().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, 500);
  }

  /** Stops probing and waits for the probes still out. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  summary(): string {
    const name = (s: number) => (s === 0 ? 'no answer' : s === -1 ? 'slower than 5 s' : String(s));
    const counts: Record<string, number> = {};
    for (const s of this.statuses) counts[name(s.status)] = (counts[name(s.status)] ?? 0) + 1;
    return Object.entries(counts)
      .map(([k, v]) => `${v}× ${k}`)
      .join(', ');
  }

  /** True when the server answered every probe (a 503 is an answer: it is saying the store is out). */
  alwaysAnswered(): boolean {
    return this.statuses.every((s) => s.status !== 0);
  }
}

export interface Outcome {
  sent: number;
  acked: number;
  /** Updates acknowledged at the first attempt. */
  firstTry: number;
  redeliveries: number;
  statuses: Record<string, number>;
  answeredOnce: number;
  apologies: number;
  lost: Delivered[];
  duplicates: Delivered[];
  /** Wall ms from first delivery to the first answer message, for answered updates. */
  answerMs: ReturnType<typeof summarize>;
  /** Wall ms of every webhook attempt (to its status). */
  attemptMs: ReturnType<typeof summarize>;
}

/** What each delivered update got at the fake. */
export function outcome(delivered: Delivered[], tally: Tally): Outcome {
  const statuses: Record<string, number> = {};
  let redeliveries = 0;
  let firstTry = 0;
  let answeredOnce = 0;
  let apologies = 0;
  const lost: Delivered[] = [];
  const duplicates: Delivered[] = [];
  const answerMs: number[] = [];
  for (const d of delivered) {
    for (const s of d.statuses) statuses[String(s || 'no answer')] = (statuses[String(s || 'no answer')] ?? 0) + 1;
    redeliveries += d.statuses.length - 1;
    if (d.statuses[0] === 200) firstTry++;
    const n = tally.answers[d.chat] ?? 0;
    if (n === 0) lost.push(d);
    else if (n > 1) duplicates.push(d);
    else answeredOnce++;
    if (tally.apologies[d.chat]) apologies++;
    const at = tally.firstAnswerAt[d.chat];
    if (at !== undefined) answerMs.push(at - d.sentAt);
  }
  return {
    sent: delivered.length,
    acked: delivered.filter((d) => d.ackedAt !== undefined).length,
    firstTry,
    redeliveries,
    statuses,
    answeredOnce,
    apologies,
    lost,
    duplicates,
    answerMs: summarize(answerMs),
    attemptMs: summarize(delivered.flatMap((d) => d.attemptMs)),
  };
}

export interface DrillResult {
  name: string;
  title: string;
  timeline: string[];
  lines: string[];
  /** Checks that must hold: label and whether it held. */
  checks: Array<[string, boolean]>;
}

/** The server's store in a drill: Upstash REST through the bridge, or REDIS_URL over TCP to the same redis-server. */
export type DrillStore = 'upstash' | 'redis';

export interface Setup {
  world: WorldOptions;
  env?: RawEnv;
  /** 'upstash' unless given; 'redis' starts no bridge (nor its REST front) and sets REDIS_URL. */
  store?: DrillStore;
}

/** Starts the world and the server for a drill, runs it, and always tears both down. */
export async function withDrill(setup: Setup, body: (ctx: DrillContext) => Promise<DrillResult>): Promise<DrillResult> {
  const tcp = setup.store === 'redis';
  const redis = setup.world.redis && { ...setup.world.redis, bridge: !tcp, restartable: !tcp && setup.world.redis.restartable };
  const world = await startWorld({ harvest: 'keep', harvestEveryMs: 100, apologies: APOLOGIES, ...setup.world, redis });
  const env: RawEnv = {
    ...(world.urls.telegram ? { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET, TELEGRAM_API_BASE: world.urls.telegram } : {}),
    ...(world.urls.zalo ? { ZALO_BOT_TOKEN: world.urls.zaloToken, ZALO_WEBHOOK_SECRET: ZALO_SECRET, ZALO_API_BASE: world.urls.zalo } : {}),
    ...(world.urls.upstash ? { UPSTASH_REDIS_REST_URL: world.urls.upstash, UPSTASH_REDIS_REST_TOKEN: world.urls.upstashToken } : {}),
    ...(tcp && world.urls.redis ? { REDIS_URL: world.urls.redis } : {}),
    ...(world.urls.openai ? { OPENAI_BASE_URL: `${world.urls.openai}/v1` } : {}),
    ...setup.env,
  };
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess(env);
    const started = Date.now();
    const timeline: string[] = [];
    const ctx: DrillContext = {
      world,
      server,
      started,
      timeline,
      mark: (what) => {
        const line = `t=${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`;
        timeline.push(line);
        process.stderr.write(`chaos:   ${line}\n`);
      },
    };
    return await body(ctx);
  } finally {
    await server?.close();
    await world.close();
  }
}

/** Lines every drill reports: the server's pid and crashes, and what it logged as warnings and errors. */
export function serverLines(stats: ServerStats, pidAtStart: number): { lines: string[]; checks: Array<[string, boolean]> } {
  const logged = Object.entries(stats.byMessage)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, v]) => `${v}× ${k}`)
    .join('; ');
  return {
    lines: [`Server logged: ${logged || 'no warnings or errors'}.`],
    checks: [
      [`the server process kept running without a restart (pid ${pidAtStart} → ${stats.pid}) and had ${stats.crashes} uncaught exceptions`, stats.pid === pidAtStart && stats.crashes === 0],
    ],
  };
}

export function describeOutcome(o: Outcome): string[] {
  const statuses = Object.entries(o.statuses).map(([k, v]) => `${v}× ${k}`).join(', ');
  return [
    `Updates: ${o.sent} sent, ${o.acked} acknowledged (${o.firstTry} at the first attempt, ${o.redeliveries} redeliveries); webhook answers: ${statuses}; ` +
      `time to each webhook answer p50 ${ms(o.attemptMs.p50)} ms, p99 ${ms(o.attemptMs.p99)} ms, max ${ms(o.attemptMs.max)} ms.`,
    `At the fake: ${o.answeredOnce} answered exactly once (${o.apologies} of them with an apology), ${o.lost.length} without any answer, ${o.duplicates.length} answered more than once.`,
    `Time from first delivery to the answer: p50 ${ms(o.answerMs.p50)} ms, p99 ${ms(o.answerMs.p99)} ms, max ${ms(o.answerMs.max)} ms.`,
  ];
}

export function idsOf(ds: Delivered[]): string {
  if (!ds.length) return 'none';
  const shown = ds.slice(0, 12).map((d) => d.id).join(', ');
  return ds.length > 12 ? `${shown}, … (${ds.length})` : shown;
}

export async function tallyOf(world: World, kind: 'telegram' | 'zalo'): Promise<Tally> {
  const h = await world.harvest();
  return kind === 'telegram' ? h.telegram : h.zalo;
}

/**
 * Waits until every acknowledged update has an answer and the server has nothing pending, or
 * until nothing has changed for 15 s with nothing pending (what is missing then will not come),
 * or until timeoutMs.
 */
export async function waitForAnswers(ctx: DrillContext, platform: Platform, kind: 'telegram' | 'zalo', timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await platform.settled();
  let answered = -1;
  let changedAt = Date.now();
  while (Date.now() < deadline) {
    const tally = await tallyOf(ctx.world, kind);
    const stats = await ctx.server.stats();
    const now = platform.delivered.filter((d) => (tally.answers[d.chat] ?? 0) > 0).length;
    if (now !== answered) {
      answered = now;
      changedAt = Date.now();
    }
    const acked = platform.delivered.filter((d) => d.ackedAt !== undefined);
    if (stats.background === 0 && acked.every((d) => (tally.answers[d.chat] ?? 0) > 0)) return;
    if (stats.background === 0 && Date.now() - changedAt > 15_000) return;
    await sleep(250);
  }
}

/** Splits deliveries by when they were first sent: before `from`, between `from` and `to`, after `to`. */
export function byPhase(delivered: Delivered[], tally: Tally, from: number, to: number): { before: Outcome; during: Outcome; after: Outcome } {
  return {
    before: outcome(delivered.filter((d) => d.sentAt < from), tally),
    during: outcome(delivered.filter((d) => d.sentAt >= from && d.sentAt < to), tally),
    after: outcome(delivered.filter((d) => d.sentAt >= to), tally),
  };
}

/** One line about a phase's updates. */
export function phaseLine(label: string, o: Outcome): string {
  return (
    `${label}: ${o.sent} updates, ${o.answeredOnce} answered once (${o.apologies} apologies), ${o.lost.length} without an answer` +
    `${o.lost.length ? ` (${idsOf(o.lost)})` : ''}, ${o.duplicates.length} duplicated; answer p50 ${ms(o.answerMs.p50)} ms, max ${ms(o.answerMs.max)} ms.`
  );
}

/** A change to the world during a drill's traffic. */
export interface FaultStep {
  /** Seconds of traffic before the change. */
  wait: number;
  /** Makes the change; returns its timeline line. */
  apply(ctx: DrillContext): Promise<string>;
}

/** A step that makes these calls to the world in order; `line` goes on the timeline. */
export function worldStep(wait: number, line: string, ...calls: Array<[method: string, ...args: unknown[]]>): FaultStep {
  return {
    wait,
    apply: async (ctx) => {
      for (const [method, ...args] of calls) await ctx.world.call(method, ...args);
      return line;
    },
  };
}

export interface TrafficPlan {
  kind: 'telegram' | 'zalo';
  /** How the platform redelivers (see Platform). */
  backoff: number[];
  maxAttempts: number;
  textOf?: (id: number) => string;
  rate: number;
  /** What is sent, for the timeline (`${rate} ${what}/s for … s`), and an optional note after it. */
  what: string;
  note?: string;
  steps: FaultStep[];
  /** Seconds of traffic after the last step. */
  tail: number;
  answerTimeoutMs: number;
  /** Timeline line once the traffic ends. */
  endMark?: string;
  /** Timeline line once the answers are in (none unless given). */
  doneMark?: string;
}

export interface TrafficRun {
  platform: Platform;
  probe: HealthProbe;
  /** When each step began (ms), in order. */
  stepAt: number[];
  tally: Tally;
  all: Outcome;
  server: ReturnType<typeof serverLines>;
}

/**
 * The run every drill makes: traffic through a redelivering platform under a /healthz probe, the
 * fault steps at their times, then the wait for the answers and what every update got.
 */
export async function runTraffic(ctx: DrillContext, plan: TrafficPlan): Promise<TrafficRun> {
  const pid = (await ctx.server.stats()).pid;
  const platform = new Platform(ctx.server.url, plan.kind, plan.backoff, plan.maxAttempts, plan.textOf);
  const probe = new HealthProbe(ctx.server.url);
  probe.start();
  const seconds = plan.steps.reduce((s, step) => s + step.wait, 0) + plan.tail;
  ctx.mark(`traffic starts: ${plan.rate} ${plan.what}/s for ${seconds} s${plan.note ? ` ${plan.note}` : ''}`);
  const traffic = platform.traffic(plan.rate, seconds, 1);
  const stepAt: number[] = [];
  for (const step of plan.steps) {
    await sleep(step.wait * 1000);
    stepAt.push(Date.now());
    ctx.mark(await step.apply(ctx));
  }
  await traffic;
  ctx.mark(plan.endMark ?? 'traffic ends; waiting for the answers');
  await waitForAnswers(ctx, platform, plan.kind, plan.answerTimeoutMs);
  await probe.stop();
  if (plan.doneMark) ctx.mark(plan.doneMark);

  const tally = await tallyOf(ctx.world, plan.kind);
  const stats = await ctx.server.stats();
  return { platform, probe, stepAt, tally, all: outcome(platform.delivered, tally), server: serverLines(stats, pid) };
}
