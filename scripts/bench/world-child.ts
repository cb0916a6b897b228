/**
 * @module scripts/bench/world-child
 * The outside world of a bench, load or chaos run, in its own process so its CPU is never
 * counted as the app's: the loopback fakes of the Telegram Bot API, the Zalo Bot API and an
 * OpenAI-compatible model, a real redis-server behind the Upstash REST bridge (with a stable
 * front URL, so Redis and the bridge can be restarted under a running app) or alone for the TCP
 * store, and a driver that
 * plays Telegram delivering one update and waiting for its answer. The parent drives it over
 * IPC (see ./world.ts): { id, method, args } in, { id, result | error } out.
 *
 * Answers are tallied at the fakes: a successful sendMessage to a chat counts as one answer
 * message for that chat. In 'reset' mode the fakes' call logs are emptied after each harvest,
 * so a run of hundreds of thousands of updates keeps flat memory; 'keep' mode leaves them (a
 * model's streamed answer edits a message the Telegram fake must still remember).
 */
import { serveParentCalls } from './child-rpc';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeTelegram, type FakeTelegram, type ScriptedFailure } from '../../test/support/fake-telegram';
import { startFakeZalo, type FakeZalo, type ZaloScript } from '../../test/support/fake-zalo';
import { startFakeOpenAI, type FakeOpenAI, type Script } from '../../test/support/fake-openai';
import { startUpstashBridge, type UpstashBridge, type DownMode } from '../../test/support/upstash-bridge';
import { startRedisProcess, type RedisProcess } from './redis-process';
import { RespClient } from '../../test/support/redis-resp';
import { BRIDGE_TOKEN } from './traffic';

export interface WorldOptions {
  telegram?: boolean;
  zalo?: boolean;
  openai?: boolean;
  /**
   * A real Redis behind the Upstash bridge. durable: it keeps its data across a kill and restart.
   * restartable: the app is given a front URL that stays put while Redis and the bridge restart
   * (one more loopback hop, so only the chaos drills ask for it). bridge: false for the app's
   * TCP store (REDIS_URL), which talks to redis-server itself: no bridge is started.
   */
  redis?: { durable?: boolean; restartable?: boolean; bridge?: boolean };
  /** 'reset' empties the fakes' logs after each harvest (long runs); 'keep' leaves them. */
  harvest?: 'reset' | 'keep';
  /** How often answers are harvested in the background (ms); 0 only on request. */
  harvestEveryMs?: number;
  /** Texts that mean "sorry, something failed": such messages are tallied as apologies. */
  apologies?: string[];
}

export interface WorldUrls {
  telegram?: string;
  zalo?: string;
  zaloToken?: string;
  openai?: string;
  /** The Upstash REST URL (with redis.restartable, a front that forwards to the current bridge). */
  upstash?: string;
  upstashToken?: string;
  /** REDIS_URL of the same redis-server, for the TCP store (it restarts on the same port). */
  redis?: string;
}

/** What a fake saw, per chat: answer messages delivered, and failed attempts. */
export interface Tally {
  /** chat id -> successful sendMessage calls. */
  answers: Record<string, number>;
  /** chat id -> sendMessage calls the fake refused (scripted 429/5xx, bad HTML, ...). */
  refused: Record<string, number>;
  /** method -> calls. */
  methods: Record<string, number>;
  /** chat id -> answer messages that were apologies (counted in answers too). */
  apologies: Record<string, number>;
  /** chat id -> when its first answer message reached the fake (epoch ms; only in 'keep' mode). */
  firstAnswerAt: Record<string, number>;
}

function emptyTally(): Tally {
  return { answers: {}, refused: {}, methods: {}, apologies: {}, firstAnswerAt: {} };
}

/** Telegram notices go out HTML-escaped; the first words of an apology are enough to know it. */
function isApology(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const plain = text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return (options.apologies ?? []).some((a) => plain.startsWith(a.slice(0, 40)));
}

const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

/** Bridge requests by "path status", plus "commands": Redis commands carried (a /pipeline carries several). */
function countBridgeRequests(requests: Array<{ path: string; status: number; body: unknown }>): void {
  for (const r of requests) {
    bump(bridgeCounts, `${r.path} ${r.status}`);
    bridgeCounts.commands = (bridgeCounts.commands ?? 0) + (r.path === '/pipeline' && Array.isArray(r.body) ? r.body.length : 1);
  }
}

// ---------------------------------------------------------------------------------------------

let options: WorldOptions = {};
let telegram: FakeTelegram | undefined;
let zalo: FakeZalo | undefined;
let openai: FakeOpenAI | undefined;
let redis: RedisProcess | undefined;
let bridge: UpstashBridge | undefined;
let front: http.Server | undefined;
const tg = emptyTally();
const za = emptyTally();
const bridgeCounts: Record<string, number> = {};
let harvestTimer: NodeJS.Timeout | undefined;
/** In 'keep' mode: how many of each fake's calls were already tallied. */
let tgSeen = 0;
let zaSeen = 0;

/** Tallies a fake's calls: every method, and each sendMessage as an answer (an apology or not) or a refusal. */
function tallyCalls<C extends { method: string; params: Record<string, unknown> }>(calls: C[], tally: Tally, answered: (c: C) => boolean): void {
  for (const c of calls) {
    bump(tally.methods, c.method);
    if (c.method !== 'sendMessage') continue;
    const chat = String(c.params.chat_id);
    if (answered(c)) {
      bump(tally.answers, chat);
      if (isApology(c.params.text)) bump(tally.apologies, chat);
      if (options.harvest === 'keep') tally.firstAnswerAt[chat] ??= Date.now();
    } else bump(tally.refused, chat);
  }
}

function harvest(): void {
  if (telegram) {
    const calls = telegram.calls();
    if (options.harvest !== 'keep') telegram.reset();
    tallyCalls(options.harvest === 'keep' ? calls.slice(tgSeen) : calls, tg, (c) => c.error === undefined && c.result !== undefined);
    if (options.harvest === 'keep') tgSeen = calls.length;
  }
  if (zalo) {
    const calls = zalo.calls();
    if (options.harvest !== 'keep') zalo.reset();
    tallyCalls(options.harvest === 'keep' ? calls.slice(zaSeen) : calls, za, (c) => c.status === 200);
    if (options.harvest === 'keep') zaSeen = calls.length;
  }
  if (bridge) {
    countBridgeRequests(bridge.requests.splice(0));
  }
}
/** Harvests on every turn of the event loop until the chat has an answer (or time runs out). */
function waitAnswered(chat: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const poll = () => {
      harvest();
      if ((tg.answers[chat] ?? 0) > 0) return resolve(true);
      if (Date.now() > deadline) return resolve(false);
      setImmediate(poll);
    };
    poll();
  });
}

// ---------- the Upstash front: a stable URL in front of whichever bridge is current ----------

const frontAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
/** false: forward; 'reset': drop connections unread; 'drop-replies': forward, then drop the connection instead of replying. */
type FrontMode = false | 'reset' | 'drop-replies';
let frontMode: FrontMode = false;
/** In 'drop-replies' mode, the share of replies lost (1: all). */
let dropFraction = 1;
let repliesDropped = 0;

async function startFront(): Promise<string> {
  front = http.createServer((req, res) => {
    if (frontMode === 'reset' || !bridge) {
      req.socket.destroy();
      return;
    }
    const target = new URL(bridge.url);
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: frontAgent },
      (upRes) => {
        if (frontMode === 'drop-replies' && Math.random() < dropFraction) {
          repliesDropped++;
          // Redis has done the command; the client never learns it.
          upRes.resume();
          upRes.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Bad Gateway: upstream unavailable' }));
    });
    req.pipe(up);
  });
  front.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => front!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
}

async function connectBridge(): Promise<void> {
  const old = bridge;
  bridge = await startUpstashBridge({ redis: { host: redis!.host, port: redis!.port }, token: BRIDGE_TOKEN });
  if (old) {
    countBridgeRequests(old.requests.splice(0));
    await old.close().catch(() => {});
  }
}

// ---------- the Telegram side of a webhook delivery ----------

const driverAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: driverAgent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------- RPC ----------

const methods: Record<string, (...args: any[]) => unknown> = {
  async init(opts: WorldOptions): Promise<WorldUrls> {
    options = opts;
    const urls: WorldUrls = {};
    if (opts.telegram) urls.telegram = (telegram = await startFakeTelegram()).url;
    if (opts.zalo) {
      zalo = await startFakeZalo();
      urls.zalo = zalo.url;
      urls.zaloToken = zalo.token;
    }
    if (opts.openai) urls.openai = (openai = await startFakeOpenAI()).url;
    if (opts.redis) {
      redis = await startRedisProcess({ durable: opts.redis.durable });
      urls.redis = `redis://${redis.host}:${redis.port}/0`;
      if (opts.redis.bridge !== false) {
        await connectBridge();
        urls.upstash = opts.redis.restartable ? await startFront() : bridge!.url;
        urls.upstashToken = BRIDGE_TOKEN;
      }
    }
    if (opts.harvestEveryMs) harvestTimer = setInterval(harvest, opts.harvestEveryMs);
    return urls;
  },
  harvest(): { telegram: Tally; zalo: Tally; bridge: Record<string, number> } {
    harvest();
    return { telegram: tg, zalo: za, bridge: bridgeCounts };
  },
  /** Plays Telegram: delivers one update, then waits until its chat got an answer. */
  async deliver(url: string, headers: Record<string, string>, body: string, chat: string, timeoutMs = 30_000) {
    const t0 = performance.now();
    const status = await post(url, headers, body);
    const ackMs = performance.now() - t0;
    const answered = status === 200 ? await waitAnswered(chat, timeoutMs) : false;
    return { status, ackMs, answered, answeredMs: performance.now() - t0 };
  },
  /** Plays Telegram delivering an update without waiting for an answer (a redelivery gets none). */
  async post(url: string, headers: Record<string, string>, body: string) {
    const t0 = performance.now();
    const status = await post(url, headers, body);
    return { status, ackMs: performance.now() - t0 };
  },
  ping: () => 'pong',
  scriptTelegram: (f: ScriptedFailure) => telegram!.script(f),
  /** Ends scripted Telegram failures (the fake's reset also forgets its calls: tally them first). */
  clearTelegramScripts() {
    harvest();
    telegram!.reset();
    tgSeen = 0;
  },
  /** Ends scripted Zalo failures (and releases hanging calls). */
  clearZaloScripts() {
    harvest();
    zalo!.reset();
    zaSeen = 0;
  },
  scriptZalo: (s: ZaloScript) => zalo!.script(s),
  scriptOpenAI: (...s: Script[]) => openai!.script(...s),
  resetOpenAI: () => openai!.reset(),
  openaiCalls: () => openai!.calls().map((c) => ({ endpoint: c.endpoint, status: c.status })),
  /** Redis stops: the process is killed; the bridge in front of it answers errors from then on. */
  async killRedis() {
    await redis!.kill();
  },
  /** Redis comes back on the same port (with its data when durable); a fresh bridge connects to it. */
  async startRedis() {
    await redis!.start();
    if (options.redis?.bridge !== false) await connectBridge();
  },
  /** Commands redis-server has run since it started (INFO stats), for commands per update. */
  async redisCommands(): Promise<number> {
    const client = await RespClient.connect(redis!.host, redis!.port);
    try {
      const info = String(await client.send(['INFO', 'stats']));
      return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
    } finally {
      await client.close();
    }
  },
  /** The Upstash endpoint itself misbehaves: 502s, dropped connections, or slow answers. */
  setUpstashDown(mode: DownMode) {
    frontMode = mode === 'reset' ? 'reset' : false;
    bridge!.setDown(mode === 'reset' ? false : mode);
  },
  /**
   * Commands reach Redis and are done, but this share of the replies (0 turns it off) is lost on
   * the way back (needs redis.restartable). Returns how many replies were dropped so far.
   */
  setUpstashDropReplies(fraction: number) {
    frontMode = fraction > 0 ? 'drop-replies' : false;
    dropFraction = fraction;
    return repliesDropped;
  },
  setUpstashDelay(ms: number) {
    bridge!.setDelay(ms);
  },
  memory: () => process.memoryUsage(),
  pids: () => ({ world: process.pid, redis: redis?.pid() }),
  async close() {
    if (harvestTimer) clearInterval(harvestTimer);
    await Promise.allSettled([telegram?.close(), zalo?.close(), openai?.close(), bridge?.close()]);
    if (front) {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front!.close(() => resolve()));
    }
    await redis?.close();
    frontAgent.destroy();
    driverAgent.destroy();
  },
};

serveParentCalls(methods);
// The parent went away (finished, or killed): stop what this process started, redis-server included.
let closing = false;
const shutDown = () => {
  if (closing) return;
  closing = true;
  void Promise.resolve(methods.close!())
    .catch(() => {})
    .finally(() => process.exit(0));
};
process.on('disconnect', shutDown);
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
