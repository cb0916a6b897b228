/**
 * Four test projects: `node` (unit, contract and HTTP tests on Node), `redis` (the stores against
 * a real redis-server), `workers` (the same app inside workerd through
 * @cloudflare/vitest-pool-workers) and `browser` (the web chat in Debian's headless Chromium).
 * `npm test` runs them all. A project whose machine prerequisite is missing (see
 * test/support/prerequisites.ts) is left out on a developer machine, named in one closing line;
 * under CI=true the run fails instead.
 */
import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/node';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { describeMissing, missingPrerequisites, skippedLine } from './test/support/prerequisites';
import type { CompanionWorker } from './scripts/lib/companion-workers';

/** Files that need a real Redis: they run in the `redis` project, never in `node`. */
const REDIS_TESTS = ['test/store/upstash.test.ts', 'test/store/redis.test.ts', 'test/tasks/upstash.test.ts', 'test/privacy/erase-upstash.test.ts', 'test/handoff/redis.test.ts', 'test/knowledge/live-redis.test.ts'];

const missing = missingPrerequisites();
if (missing.length > 0 && process.env.CI === 'true') {
  throw new Error(`CI=true: test prerequisites are missing for the projects ${describeMissing(missing)}.`);
}
const skipped = new Set(missing.map((m) => m.project));

/** Prints the skipped projects last, after vitest's own summary, so nobody mistakes the run for complete. */
const skippedReporter: Reporter = {
  onTestRunEnd() {
    if (missing.length > 0) process.stdout.write(`\n${skippedLine(missing)}\n`);
  },
};

const projects = [
  {
    test: {
      name: 'node',
      include: ['test/**/*.test.ts'],
      exclude: ['test/workers/**', 'test/browser/**', 'node_modules/**', ...REDIS_TESTS],
      environment: 'node' as const,
    },
  },
  {
    test: {
      name: 'redis',
      include: REDIS_TESTS,
      environment: 'node' as const,
    },
  },
  {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        // Loopback fakes started by the global setup, reachable from inside workerd.
        // ALLOW_MEMORY_STORE as `npm run dev` sets it: these tests run on per-isolate memory
        // (test/workers/app.test.ts checks that a Worker without it refuses to start).
        // The companion Workers (the PDF reader, the chart renderer), built by the global setup
        // with the names, dates and flags of their own wrangler.toml, answer the PDF_READER and
        // CHART_RENDERER service bindings (wrangler.toml) as they do once deployed.
        miniflare: {
          bindings: { ...inject('fakeBindings'), ALLOW_MEMORY_STORE: '1' },
          workers: inject('companionWorkers') as CompanionWorker[],
        },
      })),
    ],
    test: {
      name: 'workers',
      include: ['test/workers/**/*.test.ts'],
      globalSetup: ['test/workers/global-setup.ts'],
    },
  },
  {
    test: {
      name: 'browser',
      include: ['test/browser/**/*.test.ts'],
      environment: 'node' as const,
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  },
].filter((p) => !skipped.has(p.test.name));

export default defineConfig({
  test: {
    reporters: ['default', skippedReporter],
    projects,
  },
});
