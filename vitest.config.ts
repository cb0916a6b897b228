/**
 * Three test projects: `node` (unit, contract and HTTP tests on Node), `workers` (the same
 * app inside workerd through @cloudflare/vitest-pool-workers) and `browser` (the web chat in
 * Debian's headless Chromium). `npm test` runs them all.
 */
import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'test/browser/**', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            // Loopback fakes started by the global setup, reachable from inside workerd.
            // ALLOW_MEMORY_STORE as `npm run dev` sets it: these tests run on per-isolate memory
            // (test/workers/app.test.ts checks that a Worker without it refuses to start).
            miniflare: { bindings: { ...inject('fakeBindings'), ALLOW_MEMORY_STORE: '1' } },
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
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
