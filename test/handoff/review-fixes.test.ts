/**
 * Handoff failure modes found in review: a store write failing right after a claim (open, close)
 * leaves nothing stuck and a retry recovers; erasure still finds a chat's handoffs that stayed
 * active past the first retention period; a group chat never holds a handoff; and a citizen
 * message racing a close is answered, not swallowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { handoffKeys } from '../../src/handoff/service';
import { handoffEraser } from '../../src/handoff/erase';
import { createApp, createRuntime, type Runtime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { postJson } from '../support/runtime';
import { startFakeTelegram, FAKE_BOT_USERNAME, type FakeTelegram } from '../support/fake-telegram';
import { SECRET as TELEGRAM_SECRET, textUpdate } from '../telegram/harness';
import { service } from './contract';
import { handoffApp, MONDAY_9 } from './support';

const DAY = 86_400_000;

/** A store whose next call of `method` (once armed) throws, as a network store may. */
function failingOnce(inner: Store): { store: Store; arm(method: keyof Store): void } {
  let armed: keyof Store | undefined;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === armed) {
          armed = undefined;
          return Promise.reject(new Error(`store unavailable (${String(prop)})`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, arm: (method) => (armed = method) };
}

describe('a store write failing after a claim', () => {
  it('open: the retried request opens a handoff the console and the overdue job can see', async () => {
    const f = failingOnce(new MemoryStore());
    const { handoffs } = service(f.store);
    f.arm('setAdd');
    await expect(handoffs.open({ channel: 'telegram', chatId: '777', locale: 'vi', reason: 'asked' })).rejects.toThrow(/store unavailable/);
    const retried = await handoffs.open({ channel: 'telegram', chatId: '777', locale: 'vi', reason: 'asked' });
    expect(retried.created).toBe(true);
    expect((await handoffs.list('open')).map((h) => h.id)).toEqual([retried.handoff.id]);
    expect(await f.store.setMembers(handoffKeys.byChat('telegram', '777'))).toContain(retried.handoff.id);
    expect((await handoffs.activeFor('telegram', '777'))?.id).toBe(retried.handoff.id);
  });

  for (const method of ['setAdd', 'hashSet'] as const) {
    it(`close: after ${method} failed, a retried close finishes it and frees the chat`, async () => {
      const f = failingOnce(new MemoryStore());
      const { handoffs } = service(f.store);
      const { handoff } = await handoffs.open({ channel: 'telegram', chatId: '778', locale: 'vi', reason: 'asked' });
      f.arm(method);
      await expect(handoffs.close(handoff.id, 'lan')).rejects.toThrow(/store unavailable/);
      expect(await handoffs.close(handoff.id, 'lan')).toMatchObject({ ok: true, handoff: { status: 'closed', closedBy: 'lan' } });
      expect(await handoffs.activeFor('telegram', '778')).toBeUndefined();
      expect((await handoffs.list('open')).map((h) => h.id)).toEqual([]);
      expect((await handoffs.open({ channel: 'telegram', chatId: '778', locale: 'vi', reason: 'asked' })).created).toBe(true);
    });
  }
});

describe('/xoadulieu after a long conversation', () => {
  it('finds a handoff still active past the first retention period (day 0 open, day 20 message, day 35 erase)', async () => {
    const clock = { now: MONDAY_9 };
    const store = new MemoryStore({ now: () => clock.now });
    const { handoffs } = service(store, () => new Date(clock.now)); // retention: 30 days
    const { handoff } = await handoffs.open({ channel: 'zalo', chatId: 'z-35', locale: 'vi', reason: 'asked' });
    clock.now += 20 * DAY;
    const record = await handoffs.activeFor('zalo', 'z-35');
    expect(record?.id).toBe(handoff.id);
    await handoffs.citizenSaid(record!, 'Tôi vẫn đang chờ hồ sơ');
    clock.now += 15 * DAY;
    expect((await store.keysWithPrefix(`handoff:h:${handoff.id}`)).length).toBeGreaterThan(0);
    await handoffEraser.erase(store, { channel: 'zalo', chatId: 'z-35', userId: 'z-35' });
    expect(await store.keysWithPrefix('handoff:h:')).toEqual([]);
  });
});

describe('a Telegram group', () => {
  let telegram: FakeTelegram;
  beforeAll(async () => {
    telegram = await startFakeTelegram();
  });
  afterAll(() => telegram.close());

  it('cannot open a handoff (/canbo@bot), is told so politely, and its messages are never diverted', async () => {
    const token = `${830001}:HANDOFF-GROUP`;
    const app = handoffApp({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET, TELEGRAM_API_BASE: telegram.url });
    const GROUP = -100777;
    const say = async (text: string) => {
      const res = await app.request('/webhooks/telegram', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body: JSON.stringify(textUpdate(text, { userId: 4343, chatType: 'group', chatId: GROUP })),
      });
      expect(res.status).toBe(200);
      await app.background.drain();
    };
    const sent = () => telegram.callsOf('sendMessage', token).filter((c) => String(c.params.chat_id) === String(GROUP) && !c.error).map((c) => String(c.params.text));

    await say(`/canbo@${FAKE_BOT_USERNAME}`);
    expect(await app.rt.handoffs.list()).toEqual([]);
    expect(await app.rt.handoffs.activeFor('telegram', String(GROUP))).toBeUndefined();
    expect(sent()).toHaveLength(1);
    expect(sent()[0]).toContain('nhóm chat');

    // A group handoff left from before: the group's messages still go to the assistant.
    await app.rt.handoffs.open({ channel: 'telegram', chatId: String(GROUP), locale: 'vi', reason: 'asked' });
    await say(`/help@${FAKE_BOT_USERNAME}`);
    expect(sent()).toHaveLength(2);
  });
});

describe('a citizen message racing a close', () => {
  it('tells the citizen the conversation ended instead of staying silent', async () => {
    const clock = { now: MONDAY_9 };
    let rt: Runtime | undefined;
    let race: string | undefined; // the handoff to close just before the citizen's line is kept
    const inner = new MemoryStore({ now: () => clock.now });
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop !== 'listPush') return (value as (...a: unknown[]) => unknown).bind(target);
        return async (key: string, ...rest: unknown[]) => {
          const id = race;
          if (id && key === handoffKeys.messages(id) && JSON.stringify(rest[0]).includes('citizen')) {
            race = undefined;
            expect(await rt!.handoffs.close(id, 'lan')).toMatchObject({ ok: true });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, [key, ...rest]);
        };
      },
    });
    rt = createRuntime(loadConfig({}), { store, now: () => new Date(clock.now), log: createLogger('error') });
    const app = createApp(rt);
    let sessionId: string | undefined;
    const web = async (message: string) => {
      const res = await app.request('/api/chat', postJson({ message, ...(sessionId ? { sessionId } : {}) }), {});
      const body = (await res.json()) as { intent: string; reply: string; sessionId: string };
      sessionId = body.sessionId;
      return body;
    };
    expect((await web('gặp cán bộ')).intent).toBe('handoff');
    const [open] = await rt.handoffs.list('open');
    expect(open?.chatId).toBe(sessionId);

    race = open!.id;
    const answer = await web('Cho tôi hỏi thêm về hồ sơ');
    expect(race).toBeUndefined(); // the close did run between the interceptor and the message
    expect(answer.intent).toBe('handoff-ended');
    expect(answer.reply).toContain('Đã kết thúc cuộc trò chuyện với cán bộ');
  });
});
