/**
 * Test helpers that build the real runtime and app with an in-memory store, a fixed clock
 * and a logger that records lines, so tests can assert on what was logged.
 */
import type { Hono } from 'hono';
import { createApp, createRuntime, type Runtime } from '../../src/app';
import { Assistant } from '../../src/core/assistant';
import type { Handler } from '../../src/core/handler';
import { loadConfig, type RawEnv } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import { BackgroundTracker } from '../../src/background';
import { extractPdf } from '../../src/knowledge/extract/pdf';

export interface TestApp {
  rt: Runtime;
  /** The composed app itself (e.g. to list its routes). */
  app: Hono;
  store: MemoryStore;
  logs: string[];
  background: BackgroundTracker;
  request(path: string, init?: RequestInit): Promise<Response>;
}

export function makeTestApp(env: RawEnv = {}, now = () => new Date('2026-11-21T08:00:00+07:00')): TestApp {
  const logs: string[] = [];
  const store = new MemoryStore({ now: () => now().getTime() });
  // PDFs read in process, as the Node entry reads them.
  const rt = createRuntime(loadConfig(env), { store, now, log: createLogger('debug', (l) => logs.push(l)), readPdf: extractPdf });
  const app = createApp(rt);
  const background = new BackgroundTracker();
  return {
    rt,
    app,
    store,
    logs,
    background,
    request: async (path, init) => app.request(path, init, env, background.context),
  };
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * An assistant with only the given handlers (the last one answers free text unless `fallback`
 * names another), on the runtime's texts, clock, roles and conversation memory.
 */
export function assistantWith(rt: Runtime, handlers: Handler[], fallback = handlers[handlers.length - 1]!.id): Assistant {
  return new Assistant({ texts: rt.texts, log: rt.log, now: rt.now, handlers, fallback, roles: rt.roles, conversation: rt.conversation });
}
