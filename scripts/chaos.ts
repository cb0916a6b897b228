/**
 * @module scripts/chaos
 * `npm run chaos`: fault drills against the Node server running in its own process, each
 * printing what was done when, what every update got (an answer, an apology, nothing, or more
 * than one, counted at the fake Bot API), what the server logged, and what was lost and why:
 *
 *   redis-outage         redis-server killed mid-run, started again on the same port
 *   upstash-unreachable  the Upstash REST endpoint drops every connection for a while
 *   upstash-lost-replies Upstash does every command but the replies are lost for a while
 *   model                the model answers 500, then hangs, then recovers
 *   telegram-429         the Bot API answers 429 with retry_after for a while
 *   zalo-5xx             the Zalo Bot API answers 502 for a while
 *
 * In every drill the server is never restarted: it must keep answering /healthz throughout
 * and answer normally once the fault is gone.
 *
 * Usage: npm run chaos -- [--quick] [--only redis-outage,model] [--store upstash|redis]
 *   about 4 minutes; --quick shortens every phase (about 2 minutes).
 *   --store redis: the server uses the TCP store (REDIS_URL) on the same redis-server instead of
 *   Upstash through the REST bridge; the two upstash-* drills, which break the REST endpoint, do
 *   not apply to it.
 */
import { runMain } from './lib/run-main';
import { cpus, loadavg } from 'node:os';
import type { DrillResult, DrillStore } from './chaos/harness';
import { redisOutage, upstashLostReplies, upstashUnreachable } from './chaos/redis';
import { modelFailsAndHangs } from './chaos/model';
import { telegram429, zalo5xx } from './chaos/platform-apis';
import { pass } from './bench/stats';

const DRILLS: Record<string, (quick: boolean, store: DrillStore) => Promise<DrillResult>> = {
  'redis-outage': redisOutage,
  'upstash-unreachable': upstashUnreachable,
  'upstash-lost-replies': upstashLostReplies,
  model: modelFailsAndHangs,
  'telegram-429': telegram429,
  'zalo-5xx': zalo5xx,
};

function section(r: DrillResult): string {
  return (
    `### ${r.title} (\`${r.name}\`)\n\n` +
    r.timeline.map((t) => `- ${t}`).join('\n') +
    '\n\n' +
    r.lines.join('\n\n') +
    '\n\n' +
    r.checks.map(([label, ok]) => `- ${pass(ok)}: ${label}`).join('\n')
  );
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const s = argv.indexOf('--store');
  const store = (s >= 0 ? argv[s + 1] : 'upstash') as DrillStore;
  if (store !== 'upstash' && store !== 'redis') {
    console.error('--store must be upstash or redis');
    return 2;
  }
  const applies = (name: string) => store === 'upstash' || !name.startsWith('upstash-');
  const i = argv.indexOf('--only');
  const names = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : Object.keys(DRILLS).filter(applies);
  const unknown = names.filter((n) => !DRILLS[n]);
  if (unknown.length) {
    console.error(`unknown drill(s): ${unknown.join(', ')}; known: ${Object.keys(DRILLS).join(', ')}`);
    return 2;
  }
  const notApplicable = names.filter((n) => !applies(n));
  if (notApplicable.length) {
    console.error(`${notApplicable.join(', ')}: drill(s) of the Upstash REST endpoint, which --store redis does not use`);
    return 2;
  }
  const started = Date.now();
  const load = loadavg().map((x) => x.toFixed(1)).join(' / ');
  const results: DrillResult[] = [];
  for (const name of names) {
    process.stderr.write(`chaos: ${name}\n`);
    results.push(await DRILLS[name]!(quick, store));
  }
  const ok = results.every((r) => r.checks.every(([, pass]) => pass));
  console.log(
    `## Chaos drills\n\n\`npm run chaos${argv.length ? ' -- ' + argv.join(' ') : ''}\` on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `Node ${process.version}; load average ${load} at the start. Each drill starts its own server process (startNodeServer, ` +
      `${store === 'redis' ? 'Redis store over TCP (REDIS_URL) on redis-server' : 'Upstash store on redis-server through the REST bridge'}, ` +
      `loopback fake Bot APIs) and never restarts it.\n\n` +
      results.map(section).join('\n\n') +
      `\n\n${ok ? 'All drills held.' : 'Some checks FAILED: see above.'} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  return ok ? 0 : 1;
}

runMain(import.meta.url, main);
