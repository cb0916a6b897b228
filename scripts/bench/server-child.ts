/**
 * @module scripts/bench/server-child
 * The app's Node server in a process of its own, for the load run and the chaos drills: the
 * same startNodeServer as `npm start`, configured by the environment the parent sends, logging
 * into a counter instead of the console (see ./counting-log.ts). The parent asks it over IPC
 * for its URL, its pending background work, its memory and what it logged; the process is never
 * restarted during a run, so "recovers without a restart" can be checked by its pid.
 */
import { serveParentCalls } from './child-rpc';
import { startNodeServer, type NodeServer } from '../../src/node';
import type { RawEnv } from '../../src/config';
import { countingLogger } from './counting-log';

const logger = countingLogger(50);
let server: NodeServer | undefined;
let crashes = 0;

// A crash is what the drills look for: count it and say so, but keep serving to see what follows.
process.on('uncaughtException', (e) => {
  crashes++;
  console.error('server-child: uncaught exception', e);
});
process.on('unhandledRejection', (e) => {
  crashes++;
  console.error('server-child: unhandled rejection', e);
});

const methods: Record<string, (...args: any[]) => unknown> = {
  async init(env: RawEnv) {
    // The text path: /kpi charts (20-50 ms of CPU each) are measured apart by `npm run bench:charts`.
    server = await startNodeServer({ env, port: 0, hostname: '127.0.0.1', log: logger.log, renderPng: undefined });
    return { url: server.url, pid: process.pid };
  },
  stats() {
    return {
      pid: process.pid,
      background: server?.background.size ?? 0,
      memory: process.memoryUsage(),
      logs: { ...logger.counts },
      byMessage: Object.fromEntries(logger.byMessage),
      samples: logger.samples.slice(),
      crashes,
    };
  },
  resetLogs() {
    logger.reset();
  },
  async drain() {
    await server?.background.drain();
  },
  async close() {
    await server?.close();
  },
};

serveParentCalls(methods);
process.on('disconnect', () => process.exit(0));
