/**
 * @module scripts/bench/update-cost
 * CPU time of one Telegram update through the whole path in Node, with no model: the webhook
 * request on the real Node server (HTTP parse, secret check, validation, the claim, the 200),
 * then the background work (rate limit, role, routing, search or procedure lookup, rendering,
 * conversation and analytics writes) and the sends (typing, the answer) to the loopback fake
 * Bot API.
 *
 * The server runs in this process and nothing else does: the fake Bot API, the party that
 * delivers the webhook, and (for the Upstash store) the REST bridge and redis-server live in
 * another process (./world-child.ts). Updates go one at a time; for each, this process's
 * process.cpuUsage() is read before asking the world to deliver it and after the answer has
 * reached the fake and the background work has drained. The only foreign cost in that window
 * is one IPC round trip, measured separately and reported (not subtracted).
 */
import { startNodeServer } from '../../src/node';
import type { RawEnv } from '../../src/config';
import { bridgeRequests, startWorld } from './world';
import { countingLogger } from './counting-log';
import { answerCounts, CHAT_BASE, messageFor, telegramHeaders, telegramUpdate, TELEGRAM_SECRET, TELEGRAM_TOKEN } from './traffic';
import { median, summarize, type Summary } from './stats';

export interface UpdateCostOptions {
  store: 'memory' | 'upstash';
  updates: number;
  warmup: number;
}

export interface UpdateCostResult {
  store: 'memory' | 'upstash';
  updates: number;
  /** CPU ms per update (user + system) of the server process. */
  cpu: Summary;
  /** Wall ms from delivery to the answer at the fake. */
  wall: Summary;
  /** Wall ms from delivery to the 200 (seen by the party delivering). */
  ack: Summary;
  /**
   * CPU ms of a redelivered update (the same update_id again): the webhook, the claim that finds
   * it taken, and the 200, with nothing answered. What acknowledging alone costs.
   */
  redeliveryCpu: Summary;
  /** Redeliveries that were answered again (must be 0). */
  redeliveriesAnswered: number;
  /** CPU ms of one bench IPC round trip (included in every cpu figure). */
  ipcCpuMs: number;
  answered: number;
  /** Chats that got more than one answer message. */
  duplicates: number;
  non200: number;
  /** Upstash REST requests per update (0 for the memory store). */
  storeRequestsPerUpdate: number;
  /** Redis commands per update those requests carried (a /pipeline request carries several). */
  storeCommandsPerUpdate: number;
  errorsLogged: number;
  errorSamples: string[];
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

export async function measureNodeUpdateCost(opts: UpdateCostOptions): Promise<UpdateCostResult> {
  const world = await startWorld({ telegram: true, redis: opts.store === 'upstash' ? {} : undefined, harvest: 'reset' });
  const env: RawEnv = {
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_BASE: world.urls.telegram,
    ...(opts.store === 'upstash' ? { UPSTASH_REDIS_REST_URL: world.urls.upstash, UPSTASH_REDIS_REST_TOKEN: world.urls.upstashToken } : {}),
  };
  const logger = countingLogger();
  // The text path: a /kpi chart costs 20-50 ms of CPU to draw, measured apart by `npm run bench:charts`.
  const server = await startNodeServer({ env, port: 0, hostname: '127.0.0.1', log: logger.log, renderPng: undefined });
  try {
    const ipc: number[] = [];
    for (let i = 0; i < 300; i++) {
      const c0 = process.cpuUsage();
      await world.call('ping');
      ipc.push(cpuMs(process.cpuUsage(c0)));
    }

    const cpu: number[] = [];
    const wall: number[] = [];
    const ack: number[] = [];
    let non200 = 0;
    const total = opts.warmup + opts.updates;
    const url = `${server.url}/webhooks/telegram`;
    let measuredFrom = 0;
    let commandsFrom = 0;
    for (let i = 0; i < total; i++) {
      if (i === opts.warmup) {
        // Store requests are counted from here, so the warm-up's are left out.
        const counts = (await world.harvest()).bridge;
        measuredFrom = bridgeRequests(counts);
        commandsFrom = counts.commands ?? 0;
      }
      const chat = CHAT_BASE + i;
      const body = JSON.stringify(telegramUpdate(i + 1, chat, messageFor(i)));
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const r = await world.call<{ status: number; ackMs: number }>('deliver', url, telegramHeaders, body, String(chat));
      await server.background.drain();
      const c = cpuMs(process.cpuUsage(c0));
      const w = performance.now() - w0;
      if (r.status !== 200) non200++;
      if (i >= opts.warmup) {
        cpu.push(c);
        wall.push(w);
        ack.push(r.ackMs);
      }
    }
    // Redeliveries of updates already answered: acknowledged, dropped, never answered again.
    const redelivery: number[] = [];
    const redelivered = Math.min(opts.updates, 300);
    for (let i = opts.warmup; i < opts.warmup + redelivered; i++) {
      const body = JSON.stringify(telegramUpdate(i + 1, CHAT_BASE + i, messageFor(i)));
      const c0 = process.cpuUsage();
      const r = await world.call<{ status: number }>('post', url, telegramHeaders, body);
      await server.background.drain();
      redelivery.push(cpuMs(process.cpuUsage(c0)));
      if (r.status !== 200) non200++;
    }
    const seen = await world.harvest();
    const { answered, duplicates } = answerCounts(seen.telegram.answers, opts.warmup, opts.updates);
    // Each redelivery makes one request of one command (its claim).
    const storeRequests = bridgeRequests(seen.bridge) - measuredFrom - (opts.store === 'upstash' ? redelivered : 0);
    const storeCommands = (seen.bridge.commands ?? 0) - commandsFrom - (opts.store === 'upstash' ? redelivered : 0);
    const redeliveriesAnswered = answerCounts(seen.telegram.answers, opts.warmup, redelivered).duplicates;
    return {
      store: opts.store,
      updates: opts.updates,
      cpu: summarize(cpu),
      wall: summarize(wall),
      ack: summarize(ack),
      redeliveryCpu: summarize(redelivery),
      redeliveriesAnswered,
      ipcCpuMs: median(ipc),
      answered,
      duplicates,
      non200,
      storeRequestsPerUpdate: storeRequests / opts.updates,
      storeCommandsPerUpdate: storeCommands / opts.updates,
      errorsLogged: logger.counts.error,
      errorSamples: logger.samples.slice(0, 5),
    };
  } finally {
    await server.close();
    await world.close();
  }
}


