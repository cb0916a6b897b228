/**
 * @module node
 * The Node entry: the local embedded default and self-hosting. Serves the same Hono app with
 * @hono/node-server, keeps webhook background work on a tracker (drained on shutdown), and
 * runs the daily jobs on a timer at the same hour as the Workers cron.
 */
import { serve, type ServerType } from '@hono/node-server';
import { fileURLToPath } from 'node:url';
import { createApp, createRuntime, runScheduled, type Runtime, type RuntimeOverrides } from './app';
import { ConfigError, describeServices, loadConfig, type RawEnv } from './config';
import { BackgroundTracker } from './background';
import { DAILY_RUN_HOUR_UTC, msUntilNextDaily } from './jobs/index';
import { createStore } from './store/index';
import { nodeSend } from './store/node-send';

export interface NodeServer {
  url: string;
  runtime: Runtime;
  background: BackgroundTracker;
  close(): Promise<void>;
}

export interface StartOptions extends RuntimeOverrides {
  env?: RawEnv;
  /** Overrides PORT; 0 picks a free port (tests). */
  port?: number;
  hostname?: string;
  /** Run the daily jobs on a timer (off in tests). */
  schedule?: boolean;
}

export async function startNodeServer(opts: StartOptions = {}): Promise<NodeServer> {
  const config = loadConfig(opts.env ?? process.env);
  // Upstash over node:http: a kept-alive request costs a fraction of Node's fetch in CPU.
  const store = opts.store ?? createStore({ upstash: config.upstash && { ...config.upstash, send: nodeSend() } });
  const runtime = createRuntime(config, { ...opts, store });
  const app = createApp(runtime);
  const background = new BackgroundTracker();
  const port = opts.port ?? config.port;
  const hostname = opts.hostname ?? config.host;

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: (req) => app.fetch(req, opts.env ?? process.env, background.context), port, hostname }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const scheduleNext = () => {
    timer = setTimeout(() => {
      background.track(runScheduled(runtime, new Date()));
      scheduleNext();
    }, msUntilNextDaily(new Date(), DAILY_RUN_HOUR_UTC));
    timer.unref?.();
  };
  if (opts.schedule) scheduleNext();

  return {
    url: `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${actualPort}`,
    runtime,
    background,
    async close() {
      if (timer) clearTimeout(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background.drain();
    },
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
