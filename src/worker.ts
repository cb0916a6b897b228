/**
 * @module worker
 * The Cloudflare Workers entry: `fetch` serves the app, `scheduled` runs the daily jobs.
 * The runtime is built once per isolate from its bindings and reused across requests. Reading
 * PDFs and drawing charts is done by two companion Workers (src/media-worker), reached through
 * the PDF_READER and CHART_RENDERER service bindings.
 */
import { createApp, createRuntime, runScheduled, type Runtime } from './app';
import { ConfigError, loadConfig, requireSharedStore, type RawEnv } from './config';
import type { Hono } from 'hono';
import { HANDOFF_OVERDUE_CRON, handoffTickWanted, jobsForCron } from './jobs/schedule';
import { cloudflareClientAddress } from './channels/web/address';
import { CHART_RENDERER_BINDING, mediaPdfReader, mediaPngRenderer, PDF_READER_BINDING, serviceBinding } from './media-worker/client';

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
    const config = loadConfig(env);
    requireSharedStore(config);
    // PDFs and charts go to the companion Workers (src/media-worker) over their service bindings:
    // PDF.js and resvg would take this bundle past its 1 MB gzipped target. Each is optional:
    // without one, only its feature is missing (PDFs refused, or charts sent as text).
    const pdfReader = serviceBinding(env, PDF_READER_BINDING);
    const chartRenderer = serviceBinding(env, CHART_RENDERER_BINDING);
    const rt = createRuntime(config, {
      ...(pdfReader ? { readPdf: mediaPdfReader(pdfReader) } : {}),
      ...(chartRenderer ? { renderPng: mediaPngRenderer(chartRenderer) } : {}),
    });
    if (!pdfReader) rt.log.warn(`media: the ${PDF_READER_BINDING} service binding is missing; PDF uploads are refused`);
    if (!chartRenderer) rt.log.warn(`media: the ${CHART_RENDERER_BINDING} service binding is missing; charts are sent as text`);
    // Cloudflare writes CF-Connecting-IP itself, so here it is the client's address.
    cached = { env, rt, app: createApp(rt, { clientAddress: cloudflareClientAddress }) };
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
  /**
   * The daily trigger runs every job but the ticked ones; the 5-minute reminder ticks
   * (08:00-09:55) run only reminders, each continuing from where the last stopped within its
   * budget; the handoff ticks run only the overdue notice, in working hours (jobs/schedule). The
   * run is awaited, not handed to waitUntil: a cron invocation may run for minutes, waitUntil only 30 s.
   */
  async scheduled(controller: ScheduledControllerLike, env: RawEnv, _ctx: ExecutionContextLike): Promise<void> {
    const { rt } = boot(env);
    const at = new Date(controller.scheduledTime);
    if (controller.cron === HANDOFF_OVERDUE_CRON && !handoffTickWanted(rt.jobs, at, rt.handoffs.hours)) return;
    await runScheduled(rt, at, jobsForCron(controller.cron));
  },
};
