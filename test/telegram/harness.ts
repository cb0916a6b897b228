/**
 * Wiring for the Telegram tests: the real runtime (in-memory store, a clock the test moves and
 * whose timers fire only when it moves, recorded logs) with the Telegram sub-app mounted at /webhooks/telegram the way app.ts mounts
 * it, talking to the loopback fake Bot API. Each harness gets its own bot token, so one fake
 * serves a whole file and each test reads only its own calls.
 */
import { Hono } from 'hono';
import { createRuntime, type Runtime } from '../../src/app';
import { loadConfig, type RawEnv } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import { BackgroundTracker } from '../../src/background';
import type { Assistant } from '../../src/core/assistant';
import { telegramChannel } from '../../src/channels/telegram/webhook';
import type { Schedule } from '../../src/channels/typing';
import type { PngRenderer } from '../../src/media/png';
import type { FakeTelegram, RecordedCall } from '../support/fake-telegram';

export const SECRET = 'test-secret_0123456789';
let bots = 0;

export interface Harness {
  token: string;
  rt: Runtime;
  store: MemoryStore;
  logs: string[];
  background: BackgroundTracker;
  /** Waits the 429s asked for would have cost, in ms (nothing actually waits). */
  sleeps: number[];
  /** Moving the clock fires the channel's timers ("typing…") that fall due, in order. */
  clock: { now: number; advance(ms: number): void };
  post(update: unknown, secret?: string | null): Promise<Response>;
  calls(method?: string): RecordedCall[];
}

export interface HarnessOptions {
  env?: RawEnv;
  /** Replaces the runtime's assistant (a slow or streaming one). */
  assistant?: (rt: Runtime) => Assistant;
  streamEditIntervalMs?: number;
  streamDraftIntervalMs?: number;
  /** Delay before "typing…" (the channel's default 400 ms when absent). */
  typingDelayMs?: number;
  botUsername?: string;
  webhookSecret?: string | null;
  /** Draws charts for sendPhoto (absent: replies go as text alone). */
  renderPng?: PngRenderer;
}

export function telegramHarness(fake: FakeTelegram, opts: HarnessOptions = {}): Harness {
  const token = `${100000 + ++bots}:TEST-${Math.random().toString(36).slice(2)}`;
  const env: RawEnv = {
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_API_BASE: fake.url,
    ...(opts.webhookSecret === null ? {} : { TELEGRAM_WEBHOOK_SECRET: opts.webhookSecret ?? SECRET }),
    ...opts.env,
  };
  const timers: Array<{ at: number; fn: () => void }> = [];
  const clock = {
    now: Date.parse('2026-11-21T08:00:00+07:00'),
    advance(ms: number) {
      const until = clock.now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        clock.now = due.at;
        due.fn();
      }
      clock.now = until;
    },
  };
  const schedule: Schedule = (fn, ms) => {
    const timer = { at: clock.now + ms, fn };
    timers.push(timer);
    return () => {
      const i = timers.indexOf(timer);
      if (i >= 0) timers.splice(i, 1);
    };
  };
  const now = () => new Date(clock.now);
  const logs: string[] = [];
  const store = new MemoryStore({ now: () => clock.now });
  const rt = createRuntime(loadConfig(env), { store, now, log: createLogger('debug', (l) => logs.push(l)) });
  const sleeps: number[] = [];
  const app = new Hono();
  app.route(
    '/webhooks/telegram',
    telegramChannel({
      assistant: opts.assistant?.(rt) ?? rt.assistant,
      store,
      texts: rt.texts,
      log: rt.log,
      config: rt.config.telegram!,
      now,
      historyTtlSeconds: rt.config.historyTtlSeconds,
      streamEditIntervalMs: opts.streamEditIntervalMs,
      streamDraftIntervalMs: opts.streamDraftIntervalMs,
      typingDelayMs: opts.typingDelayMs,
      botUsername: opts.botUsername,
      renderPng: opts.renderPng,
      schedule,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }),
  );
  const background = new BackgroundTracker();
  return {
    token,
    rt,
    store,
    logs,
    background,
    sleeps,
    clock,
    post: async (update, secret = SECRET) =>
      app.request(
        '/webhooks/telegram',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
          body: typeof update === 'string' ? update : JSON.stringify(update),
        },
        {},
        background.context,
      ),
    calls: (method) => (method ? fake.callsOf(method, token) : fake.calls(token)),
  };
}

let updateIds = 5000;

export interface MessageOptions {
  chatId?: number;
  userId?: number;
  chatType?: 'private' | 'group' | 'supergroup';
  lang?: string;
  updateId?: number;
  messageId?: number;
}

export function textUpdate(text: string | undefined, o: MessageOptions = {}): Record<string, unknown> {
  const userId = o.userId ?? 42;
  const chatType = o.chatType ?? 'private';
  return {
    update_id: o.updateId ?? ++updateIds,
    message: {
      message_id: o.messageId ?? 10,
      date: 1_790_000_000,
      chat: { id: o.chatId ?? (chatType === 'private' ? userId : -100123), type: chatType },
      from: { id: userId, is_bot: false, first_name: 'Lan', language_code: o.lang ?? 'vi' },
      ...(text === undefined ? { sticker: { file_id: 'x' } } : { text }),
    },
  };
}

export function callbackUpdate(
  data: string,
  message: { message_id: number; chatId: number; chatType?: string; reply_markup?: unknown },
  o: { userId?: number; lang?: string; updateId?: number } = {},
): Record<string, unknown> {
  return {
    update_id: o.updateId ?? ++updateIds,
    callback_query: {
      id: `cb${updateIds}`,
      chat_instance: 'ci',
      from: { id: o.userId ?? 42, is_bot: false, first_name: 'Lan', language_code: o.lang ?? 'vi' },
      data,
      message: {
        message_id: message.message_id,
        date: 1_790_000_000,
        chat: { id: message.chatId, type: message.chatType ?? 'private' },
        text: 'an earlier answer',
        ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
      },
    },
  };
}

/** A promise the test resolves when it wants: the model "answers" only then. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
