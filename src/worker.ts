/**
 * @module worker
 * The Cloudflare Workers entry: `fetch` serves the app, `scheduled` runs the daily jobs.
 * The runtime is built once per isolate from its bindings and reused across requests.
 */
import { createApp, createRuntime, runScheduled, type Runtime } from './app';
import { ConfigError, loadConfig, type RawEnv } from './config';
import type { Hono } from 'hono';

interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  props: unknown;
}
interface ScheduledControllerLike {
  scheduledTime: number;
  cron: string;
}

let cached: { env: RawEnv; rt: Runtime; app: Hono } | undefined;

function boot(env: RawEnv): { rt: Runtime; app: Hono } {
  if (cached?.env !== env) {
    const rt = createRuntime(loadConfig(env));
    cached = { env, rt, app: createApp(rt) };
  }
  return cached;
}

export default {
  async fetch(request: Request, env: RawEnv, ctx: ExecutionContextLike): Promise<Response> {
    try {
      return await boot(env).app.fetch(request, env, ctx);
    } catch (e) {
      if (e instanceof ConfigError) {
        // The message names variables, never their values.
        console.error(e.message);
        return Response.json({ error: 'service misconfigured', detail: e.message }, { status: 503 });
      }
      throw e;
    }
  },
  async scheduled(controller: ScheduledControllerLike, env: RawEnv, ctx: ExecutionContextLike): Promise<void> {
    const { rt } = boot(env);
    ctx.waitUntil(runScheduled(rt, new Date(controller.scheduledTime)));
  },
};
