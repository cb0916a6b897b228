/**
 * @module scripts/bench/cold-start-child
 * Runs in a fresh Node process (see ./cold-start.ts): imports the app module named on the
 * command line, builds the runtime (which loads the search index) and serves the first request,
 * printing how long each step took as one JSON line.
 */
export {};

interface AppModule {
  createRuntime(config: unknown, overrides?: unknown): unknown;
  createApp(rt: unknown): { request(path: string): Promise<Response> | Response };
  loadConfig(env: Record<string, string>): unknown;
  silentLogger: unknown;
}

const path = process.argv[2];
if (!path) throw new Error('usage: cold-start-child <app module>');
const t0 = performance.now();
const mod = (await import(path)) as AppModule;
const t1 = performance.now();
const rt = mod.createRuntime(mod.loadConfig({}), { log: mod.silentLogger });
const t2 = performance.now();
const res = await mod.createApp(rt).request('/healthz');
await res.text();
const t3 = performance.now();
if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
console.log(JSON.stringify({ processUptimeMs: process.uptime() * 1000 - (t3 - t0), importMs: t1 - t0, runtimeMs: t2 - t1, firstRequestMs: t3 - t2 }));
