/**
 * The KPI feature as the product composes it: the real runtime, app (body limit, error handler,
 * admin shell with /admin/metrics) and assistant, with a fixed, movable clock.
 */
import { createApp, createRuntime, type Runtime } from '../../src/app';
import { loadConfig, type RawEnv } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import type { KpiService } from '../../src/kpi/service';
import type { Assistant } from '../../src/core/assistant';
import type { Inbound, Outbound, Recipient, Reply, SendResult } from '../../src/core/types';
import type { Hono } from 'hono';

export const TOKEN = 'admin-token-0123456789';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface KpiTestApp {
  rt: Runtime;
  store: MemoryStore;
  kpi: KpiService;
  app: Hono;
  assistant: Assistant;
  logs: string[];
  clock: { now: Date };
  request(path: string, init?: RequestInit): Promise<Response>;
  ask(text: string, extra?: Partial<Inbound>): Promise<Reply>;
}

export function makeKpiApp(env: RawEnv = {}, start = new Date('2026-11-21T08:00:00+07:00')): KpiTestApp {
  const clock = { now: start };
  const now = () => clock.now;
  const fullEnv: RawEnv = { ADMIN_TOKEN: TOKEN, OFFICIAL_ALLOWLIST: 'telegram:official-1,zalo:official-2', ...env };
  const logs: string[] = [];
  const store = new MemoryStore({ now: () => now().getTime() });
  const rt = createRuntime(loadConfig(fullEnv), { store, now, log: createLogger('debug', (l) => logs.push(l)) });
  // The product's own KPI service, app and assistant, as users and operators reach them.
  const kpi = rt.kpi;
  const app = createApp(rt);
  const assistant = rt.assistant;
  return {
    rt,
    store,
    kpi,
    app,
    assistant,
    logs,
    clock,
    request: async (path, init) => app.request(path, init, fullEnv),
    ask: (text, extra = {}) =>
      assistant.handle({ channel: 'telegram', chatId: 'chat-1', userId: 'citizen-1', text, locale: 'vi', ...extra }),
  };
}

export const asOfficial: Partial<Inbound> = { userId: 'official-1', chatId: 'official-chat' };

/** The text of a reply, blocks joined, for assertions. */
export function replyText(reply: Reply): string {
  return reply.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');
}

/** An Outbound that records what it was asked to send and answers from a script. */
export class RecordingOutbound implements Outbound {
  readonly sent: Array<{ to: Recipient; reply: Reply }> = [];
  private readonly script: SendResult[] = [];

  /** The next sends answer with these results, in order; then every send succeeds. */
  failNext(...results: SendResult[]): void {
    this.script.push(...results);
  }

  async send(to: Recipient, reply: Reply): Promise<SendResult> {
    this.sent.push({ to, reply });
    return this.script.shift() ?? { ok: true };
  }
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = AUTH): [string, RequestInit] {
  return [path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }];
}

export function postCsv(path: string, csv: string, headers: Record<string, string> = AUTH): [string, RequestInit] {
  return [path, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body: csv }];
}

/** Everything the store holds for KPI values and the audit log: compared before and after. */
export async function snapshot(store: MemoryStore): Promise<Record<string, unknown>> {
  const keys = (await store.keysWithPrefix('kpi:')).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = await store.hashGetAll(k).catch(() => null);
  out['audit'] = await store.zRangeByScore('audit:admin', -Infinity, Infinity);
  return out;
}
