/**
 * A small composition for the Zalo tests: the real runtime (createRuntime) with an in-memory
 * store, a fixed clock and a recording logger, the Zalo sub-app mounted at /webhooks/zalo on a
 * Hono app, the Bot API pointed at a loopback fake, and a background tracker standing in for
 * waitUntil. It mirrors what src/app.ts will wire, without depending on that wiring.
 */
import { Hono } from 'hono';
import { createRuntime, type Runtime } from '../../src/app';
import { loadConfig, type RawEnv } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import { BackgroundTracker } from '../../src/background';
import { zaloChannel, ZALO_SECRET_HEADER } from '../../src/channels/zalo/webhook';
import type { Assistant } from '../../src/core/assistant';
import type { Store } from '../../src/store/store';
import type { FakeZalo } from '../support/fake-zalo';

export const SECRET = 'zalo-webhook-secret-for-tests';
export const NOW = new Date('2026-11-21T08:00:00+07:00');

export interface ZaloHarness {
  rt: Runtime;
  store: MemoryStore;
  logs: string[];
  background: BackgroundTracker;
  /** POSTs a body (an object is sent as JSON) to /webhooks/zalo with the secret header unless given. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export function makeZaloHarness(
  fake: FakeZalo,
  opts: { env?: RawEnv; assistant?: (rt: Runtime) => Assistant; store?: (s: MemoryStore) => Store; typingDelayMs?: number } = {},
): ZaloHarness {
  const logs: string[] = [];
  const store = new MemoryStore({ now: () => NOW.getTime() });
  const env: RawEnv = {
    ZALO_BOT_TOKEN: fake.token,
    ZALO_WEBHOOK_SECRET: SECRET,
    ZALO_API_BASE: fake.url,
    ...opts.env,
  };
  const config = loadConfig(env);
  const rt = createRuntime(config, { store, now: () => NOW, log: createLogger('debug', (l) => logs.push(l)) });
  const app = new Hono();
  app.route(
    '/webhooks/zalo',
    zaloChannel({
      assistant: opts.assistant?.(rt) ?? rt.assistant,
      store: opts.store?.(store) ?? store,
      texts: rt.texts,
      log: rt.log,
      config: config.zalo!,
      now: () => NOW,
      timeoutMs: 2_000,
      typingDelayMs: opts.typingDelayMs,
    }),
  );
  const background = new BackgroundTracker();
  return {
    rt,
    store,
    logs,
    background,
    post: async (body, headers = { [ZALO_SECRET_HEADER]: SECRET }) =>
      app.request(
        '/webhooks/zalo',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        },
        env,
        background.context,
      ),
  };
}

let seq = 0;
/** A fresh 20-hex message id, as Zalo sends them. */
export function messageId(): string {
  seq += 1;
  return `${Date.now().toString(16)}${seq.toString(16)}`.padStart(20, '0').slice(-20);
}

/** A webhook event in the bare form live traffic uses. */
export function textEvent(text: string, over: { chatId?: string; fromId?: string; group?: boolean; id?: string; isBot?: boolean } = {}) {
  const fromId = over.fromId ?? 'a1b2c3d4e5f6a7b8c9d0';
  return {
    event_name: 'message.text.received',
    message: {
      message_id: over.id ?? messageId(),
      date: NOW.getTime() - 1500,
      from: { id: fromId, display_name: 'Người dân', is_bot: over.isBot ?? false },
      chat: { id: over.chatId ?? fromId, chat_type: over.group ? 'GROUP' : 'PRIVATE' },
      text,
    },
  };
}

/** The texts the fake was asked to send to one chat, in order. */
export function sentTo(fake: FakeZalo, chatId: string): string[] {
  return fake
    .calls('sendMessage')
    .filter((c) => c.params.chat_id === chatId && c.status === 200)
    .map((c) => String(c.params.text));
}
