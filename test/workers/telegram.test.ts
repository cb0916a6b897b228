/**
 * The Telegram channel inside workerd: the sub-app with a real MemoryStore and the runtime's
 * assistant, sending through grammY's web build to the loopback fake Bot API that the global
 * setup started (env.FAKE_TELEGRAM_URL). The background work runs on the Workers
 * ExecutionContext, which the test waits on.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { silentLogger } from '../../src/log';
import { telegramChannel } from '../../src/channels/telegram/webhook';
import { Assistant } from '../../src/core/assistant';
import type { Handler } from '../../src/core/handler';

const SECRET = 'workerd-secret_42';
const fakeUrl = (env as unknown as Record<string, string>).FAKE_TELEGRAM_URL!;

interface Call {
  token: string;
  method: string;
  params: Record<string, unknown>;
}

/** The sub-app as app.ts mounts it; `handler` replaces the assistant's handlers (a slow model). */
function mount(token: string, handler?: Handler) {
  const store = new MemoryStore();
  const rt = createRuntime(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fakeUrl }), { store, log: silentLogger });
  const assistant = handler
    ? new Assistant({ handlers: [handler], fallback: handler.id, texts: rt.texts, log: rt.log, now: rt.now, roles: rt.roles, conversation: rt.conversation })
    : rt.assistant;
  const app = new Hono();
  app.route(
    '/webhooks/telegram',
    telegramChannel({ assistant, store, texts: rt.texts, log: rt.log, config: rt.config.telegram!, now: () => new Date(), historyTtlSeconds: rt.config.historyTtlSeconds }),
  );
  return app;
}

async function calls(token: string, method: string): Promise<Call[]> {
  const res = await fetch(`${fakeUrl}/__calls?token=${encodeURIComponent(token)}`);
  return ((await res.json()) as Call[]).filter((c) => c.method === method);
}

function post(app: Hono, update: unknown, secret: string, ctx: ExecutionContext): Promise<Response> {
  return Promise.resolve(
    app.request(
      '/webhooks/telegram',
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) },
      env,
      ctx,
    ),
  );
}

const update = (id: number, text: string) => ({
  update_id: id,
  message: { message_id: 3, date: 1_790_000_000, chat: { id: 99, type: 'private' }, from: { id: 99, is_bot: false, first_name: 'Lan', language_code: 'vi' }, text },
});

describe('the Telegram channel in workerd', () => {
  it('has the fake Bot API binding', () => {
    expect(fakeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('acknowledges an update, answers it in the background once, and drops its redelivery', async () => {
    const token = `31337:WORKERD-${crypto.randomUUID()}`;
    const app = mount(token);
    const first = createExecutionContext();
    expect((await post(app, update(1, '/help'), SECRET, first)).status).toBe(200);
    await waitOnExecutionContext(first);
    const again = createExecutionContext();
    expect((await post(app, update(1, '/help'), SECRET, again)).status).toBe(200);
    await waitOnExecutionContext(again);

    const sent = await calls(token, 'sendMessage');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params).toMatchObject({ chat_id: 99, parse_mode: 'HTML' });
    expect(String(sent[0]!.params.text)).toContain('/trogiup');
  });

  it('answers 200 while a slow model is still writing, and sends the answer when it is done', async () => {
    const token = `31339:WORKERD-${crypto.randomUUID()}`;
    let finish!: (text: string) => void;
    const answered = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const app = mount(token, {
      id: 'ask',
      async handle() {
        return { intent: 'ask', blocks: [{ type: 'text', text: await answered }], citations: [] };
      },
    });
    const ctx = createExecutionContext();
    expect((await post(app, update(3, 'câu hỏi khó'), SECRET, ctx)).status).toBe(200);
    expect(await calls(token, 'sendMessage')).toEqual([]);
    finish('Đã nghĩ xong.');
    await waitOnExecutionContext(ctx);
    expect((await calls(token, 'sendMessage')).map((c) => c.params.text)).toEqual(['Đã nghĩ xong.']);
  });

  it('resends as plain text when the fake Bot API refuses the HTML', async () => {
    const token = `31340:WORKERD-${crypto.randomUUID()}`;
    await fetch(`${fakeUrl}/__script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, method: 'sendMessage', error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag at byte offset 0" }),
    });
    const app = mount(token, {
      id: 'ask',
      async handle() {
        return { intent: 'ask', blocks: [{ type: 'heading', text: 'A & B' }], citations: [] };
      },
    });
    const ctx = createExecutionContext();
    await post(app, update(4, 'hỏi'), SECRET, ctx);
    await waitOnExecutionContext(ctx);
    const sent = (await calls(token, 'sendMessage')).map((c) => [c.params.parse_mode, c.params.text]);
    expect(sent).toEqual([
      ['HTML', '<b>A &amp; B</b>'],
      [undefined, 'A & B'],
    ]);
  });

  it('refuses a wrong secret with 401 and sends nothing', async () => {
    const token = `31338:WORKERD-${crypto.randomUUID()}`;
    const app = mount(token);
    const ctx = createExecutionContext();
    expect((await post(app, update(2, '/help'), 'not-the-secret', ctx)).status).toBe(401);
    await waitOnExecutionContext(ctx);
    expect(await calls(token, 'sendMessage')).toEqual([]);
  });
});
