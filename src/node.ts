/**
 * @module node
 * The Node entry: the local embedded default and self-hosting. Serves the same Hono app with
 * @hono/node-server, keeps webhook background work on a tracker (drained on shutdown), and
 * runs the daily jobs on a timer at the same hour as the Workers cron (and the handoff ticks).
 */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { fileURLToPath } from 'node:url';
import { createApp, createRuntime, runScheduled, type Runtime, type RuntimeOverrides } from './app';
import { ConfigError, describeServices, loadConfig, type RawEnv } from './config';
import { BackgroundTracker } from './background';
import { DAILY_RUN_HOUR_UTC, msUntilNextDaily } from './jobs/runner';
import { HANDOFF_OVERDUE_EVERY_MINUTES, handoffTickWanted, msUntilNextTick, nodeDailyJobs } from './jobs/schedule';
import { HANDOFF_OVERDUE_JOB_ID } from './jobs/handoff-overdue';
import { createStore } from './store/index';
import { nodeSend } from './store/node-send';
import { RedisStore } from './store/redis';
import { createLogger } from './log';
import { pngRenderer } from './media/png';
import { nodePng } from './media/png-node';
import { extractPdf } from './knowledge/extract/pdf';
import { forwardedClientAddress, type ClientAddressOf } from './channels/web/address';

export interface NodeServer {
  url: string;
  runtime: Runtime;
  background: BackgroundTracker;
  close(): Promise<void>;
}

interface StartOptions extends RuntimeOverrides {
  env?: RawEnv;
  /** Overrides PORT; 0 picks a free port (tests). */
  port?: number;
  hostname?: string;
  /** Run the daily jobs on a timer (off in tests). */
  schedule?: boolean;
}

export async function startNodeServer(opts: StartOptions = {}): Promise<NodeServer> {
  const config = loadConfig(opts.env ?? process.env);
  const log = opts.log ?? createLogger(config.logLevel);
  // REDIS_URL: Redis or Valkey over TCP, built here because the Worker cannot open sockets (so
  // createStore, which the Worker shares, never imports it). Closed with the server.
  const redisStore = !opts.store && config.redis ? new RedisStore({ ...config.redis, log }) : undefined;
  if (redisStore && !(await redisStore.ready())) log.warn('redis store: not reachable at start-up; answering 503 until it is');
  // Upstash through our HTTP/1.1 sender on kept-alive sockets: a fraction of Node's fetch in CPU (store/node-send).
  const store = opts.store ?? redisStore ?? createStore({ upstash: config.upstash && { ...config.upstash, send: nodeSend(), batching: 'event-loop-turn' } });
  // Both heavy readers run in process on Node (on Workers they are the PDF reader and chart renderer Workers).
  const runtime = createRuntime(config, { renderPng: pngRenderer(nodePng), readPdf: extractPdf, ...opts, store, log });
  const app = createApp(runtime, { clientAddress: nodeClientAddress(config.trustProxy) });
  const background = new BackgroundTracker();
  const port = opts.port ?? config.port;
  const hostname = opts.hostname ?? config.host;

  const server: ServerType = await new Promise((resolve, reject) => {
    // The server's bindings (the Node request) are the app's env: getConnInfo reads the socket from them.
    const s = serve({ fetch: (req, bindings) => app.fetch(req, bindings, background.context), port, hostname }, () => resolve(s));
    s.once('error', (error) => {
      void redisStore?.close(); // its reconnecting socket would keep the process alive
      reject(error);
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const scheduleNext = () => {
    timer = setTimeout(() => {
      background.track(runScheduled(runtime, new Date(), nodeDailyJobs));
      scheduleNext();
    }, msUntilNextDaily(new Date(), DAILY_RUN_HOUR_UTC));
    timer.unref?.();
  };
  // The handoff ticks (jobs/schedule): the overdue notice, only when staff are at work.
  let tickTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleTick = () => {
    tickTimer = setTimeout(() => {
      const at = new Date();
      if (handoffTickWanted(runtime.jobs, at, runtime.handoffs.hours)) {
        background.track(runScheduled(runtime, at, (job) => job.id === HANDOFF_OVERDUE_JOB_ID));
      }
      scheduleTick();
    }, msUntilNextTick(new Date(), HANDOFF_OVERDUE_EVERY_MINUTES));
    tickTimer.unref?.();
  };
  if (opts.schedule) {
    scheduleNext();
    scheduleTick();
  }

  return {
    url: `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${actualPort}`,
    runtime,
    background,
    async close() {
      if (timer) clearTimeout(timer);
      if (tickTimer) clearTimeout(tickTimer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background.drain();
      await redisStore?.close();
    },
  };
}

/**
 * The socket's peer, or with TRUST_PROXY the client the trusted proxies forwarded for. Never
 * CF-Connecting-IP: no Cloudflare sits in front of Node to overwrite it, so any client could send it.
 */
function nodeClientAddress(trustProxy: number): ClientAddressOf {
  return (c) => {
    let socket: string | undefined;
    try {
      socket = getConnInfo(c).remote.address;
    } catch {
      socket = undefined; // not served by @hono/node-server (an in-process request)
    }
    return forwardedClientAddress(socket, { forwardedFor: c.req.header('x-forwarded-for'), realIp: c.req.header('x-real-ip') }, trustProxy);
  };
}

async function main(): Promise<void> {
  try {
    const server = await startNodeServer({ schedule: true });
    server.runtime.log.info('trợ lý CCHC is listening', { url: server.url, ...describeServices(server.runtime.config) });
    console.log(`\n  Web chat: ${server.url.replace('127.0.0.1', 'localhost')}\n`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
