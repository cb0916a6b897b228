/**
 * The Zalo channel inside workerd: the webhook answers at once, the answer goes out through
 * ctx.waitUntil to the loopback fake of the Bot API (started in Node by the global setup and
 * reached through env.FAKE_ZALO_URL), and the client's fetch, timeout and errors work on Workers.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createRuntime, type Runtime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import { zaloChannel, ZALO_SECRET_HEADER } from '../../src/channels/zalo/webhook';
import { ZaloApiError, ZaloClient, ZaloTransportError } from '../../src/channels/zalo/client';
import { Assistant } from '../../src/core/assistant';

/** Same value as FAKE_ZALO_TOKEN in test/support/fake-zalo.ts (that module needs node:http, so it is not imported here). */
const TOKEN = '1234567890:fake-zalo-bot-token';
const SECRET = 'workerd-zalo-secret';
const NOW = new Date('2026-11-21T08:00:00+07:00');
const FAKE = (env as unknown as { FAKE_ZALO_URL: string }).FAKE_ZALO_URL;

interface Call {
  method: string;
  tokenOk: boolean;
  params: Record<string, unknown>;
  status: number;
}

async function calls(): Promise<Call[]> {
  return (await fetch(`${FAKE}/__calls`)).json<Call[]>();
}
async function script(s: object): Promise<void> {
  await fetch(`${FAKE}/__script`, { method: 'POST', body: JSON.stringify(s) });
}
async function sentTo(chatId: string): Promise<string[]> {
  return (await calls()).filter((c) => c.method === 'sendMessage' && c.params.chat_id === chatId && c.status === 200).map((c) => String(c.params.text));
}

function harness(makeAssistant?: (rt: Runtime) => Assistant) {
  const logs: string[] = [];
  const store = new MemoryStore({ now: () => NOW.getTime() });
  const config = loadConfig({ ZALO_BOT_TOKEN: TOKEN, ZALO_WEBHOOK_SECRET: SECRET, ZALO_API_BASE: FAKE });
  const rt = createRuntime(config, { store, now: () => NOW, log: createLogger('debug', (l) => logs.push(l)) });
  const app = new Hono();
  app.route(
    '/webhooks/zalo',
    zaloChannel({ assistant: makeAssistant?.(rt) ?? rt.assistant, store, texts: rt.texts, log: rt.log, config: config.zalo!, now: () => NOW }),
  );
  /** POSTs one event and waits for the background work, as workerd would before evicting. */
  const post = async (body: unknown, secret = SECRET) => {
    const ctx = createExecutionContext();
    const res = await app.request(
      '/webhooks/zalo',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ZALO_SECRET_HEADER]: secret },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
  return { rt, logs, post };
}

let seq = 0;
function event(text: string | undefined, chatId: string, eventName = 'message.text.received') {
  seq += 1;
  return {
    event_name: eventName,
    message: {
      message_id: `w${Date.now().toString(16)}${seq}`.padEnd(20, '0'),
      date: NOW.getTime(),
      from: { id: chatId, display_name: 'Người dân', is_bot: false },
      chat: { id: chatId, chat_type: 'PRIVATE' },
      ...(text === undefined ? {} : { text }),
    },
  };
}

beforeEach(async () => {
  await fetch(`${FAKE}/__reset`, { method: 'POST' });
});

describe('the Zalo channel in workerd', () => {
  it('answers a text question through waitUntil, at once, so without "typing…" first', async () => {
    const t = harness();
    const res = await t.post(event('chi thi 22-CT/TU ban hanh ngay nao', 'w-ask'));
    expect(res.status).toBe(200);
    const mine = (await calls()).filter((c) => c.params.chat_id === 'w-ask');
    expect(mine.map((c) => c.method)).toEqual(['sendMessage']);
    expect(mine.every((c) => c.tokenOk)).toBe(true);
    expect(String(mine[0]!.params.text)).toMatch(/\n\nNguồn:\n\[1\] /);
  });

  it('refuses a wrong secret with 403 and calls nothing', async () => {
    const t = harness();
    const res = await t.post(event('xin chao', 'w-secret'), 'wrong-secret-value');
    expect(res.status).toBe(403);
    expect(await calls()).toEqual([]);
  });

  it('answers a redelivered event once', async () => {
    const t = harness();
    const e = event('tro giup', 'w-dup');
    expect((await t.post(e)).status).toBe(200);
    expect(await (await t.post(e)).json()).toMatchObject({ duplicate: true });
    expect(await sentTo('w-dup')).toHaveLength(1);
  });

  it('answers a sticker politely that it reads text', async () => {
    const t = harness();
    await t.post({ ...event(undefined, 'w-sticker', 'message.sticker.received') });
    expect(await sentTo('w-sticker')).toEqual([t.rt.texts.get('vi', 'zalo-text-only')]);
  });

  it('answers a numeric chat id too large for a double to that exact id', async () => {
    const t = harness();
    const raw =
      '{"event_name":"message.text.received","message":{"message_id":7312950218735610399,"date":1763700000000,' +
      '"from":{"id":8446421582866817655,"is_bot":false},"chat":{"id":8446421582866817655,"chat_type":"PRIVATE"},"text":"tro giup"}}';
    expect((await t.post(raw)).status).toBe(200);
    expect((await calls()).filter((c) => c.method === 'sendMessage').map((c) => c.params.chat_id)).toEqual(['8446421582866817655']);
  });

  it('answers in a group only when addressed, with the mention taken out', async () => {
    const t = harness();
    const group = (text: string) => {
      const e = event(text, 'w-member');
      return { ...e, message: { ...e.message, chat: { id: 'w-group', chat_type: 'GROUP' } } };
    };
    await t.post(group('tro giup'));
    expect(await sentTo('w-group')).toEqual([]);
    await t.post(group('@Bot Trợ lý CCHC tro giup'));
    expect(await sentTo('w-group')).toEqual([t.rt.texts.get('vi', 'help')]);
  });

  it('accepts an unsupported event without a message (a protected sender) and sends nothing', async () => {
    const t = harness();
    expect((await t.post({ event_name: 'message.unsupported.received' })).status).toBe(200);
    expect(await calls()).toEqual([]);
  });

  it('splits a long Vietnamese answer into parts the API accepts', async () => {
    const long = Array.from({ length: 10 }, (_, i) => `${i + 1}. ${'Sở Nội vụ đôn đốc các cơ quan thực hiện cải cách hành chính đúng hạn. '.repeat(5).trim()}`).join('\n\n');
    const t = harness((rt) =>
      new Assistant({
        handlers: [{ id: 'fixed', handle: async () => ({ intent: 'fixed', blocks: [{ type: 'text', text: long }], citations: [] }) }],
        fallback: 'fixed',
        texts: rt.texts,
        log: rt.log,
        now: rt.now,
        roles: rt.roles,
        conversation: rt.conversation,
      }),
    );
    await t.post(event('dai', 'w-long'));
    const parts = await sentTo('w-long');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join('\n\n')).toBe(long);
  });

  it('logs an API error from Zalo with its code when the answer cannot be sent', async () => {
    await script({ method: 'sendMessage', status: 200, body: { ok: false, error_code: 429, description: 'Quota exceeded' } });
    const t = harness();
    expect((await t.post(event('tro giup', 'w-quota'))).status).toBe(200);
    const line = t.logs.find((l) => l.includes('zalo answer failed'));
    expect(JSON.parse(line!)).toMatchObject({ errorCode: 429 });
  });

  it('runs the client on Workers: typed API errors and a timeout', async () => {
    const zalo = new ZaloClient({ token: TOKEN, apiBase: FAKE, timeoutMs: 50 });
    await script({ method: 'getMe', status: 401 });
    await expect(zalo.getMe()).rejects.toBeInstanceOf(ZaloApiError);
    await script({ method: 'getMe', hang: true });
    const e = await zalo.getMe().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ZaloTransportError);
    expect(e).toMatchObject({ kind: 'timeout' });
    await expect(zalo.getMe()).resolves.toMatchObject({ account_name: 'Bot Trợ lý CCHC' });
  });
});
