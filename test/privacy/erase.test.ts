/**
 * /xoadulieu and the eraser registry. The strong test uses every feature a person can reach
 * through the app (chat turns, an invite redeemed, analytics with feedback, weekly stats), then
 * deletes, then reads every key and every value in the store: nothing may name the person. It
 * runs on the in-memory store and on UpstashStore against a private, throwaway redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import { UpstashStore } from '../../src/store/upstash';
import type { Store } from '../../src/store/store';
import { attachFeedback, readDay } from '../../src/analytics/questions';
import { eraseUserData, type UserDataEraser } from '../../src/privacy/erase';
import { coreErasers, rateLimitEraser } from '../../src/privacy/erasers';
import { makeTestApp, postJson } from '../support/runtime';
import { startRedisServer, type RedisEndpoint } from '../support/redis-server';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import type { Inbound, Reply } from '../../src/core/types';

const TOKEN = 'admin-token-0123456789';
const NOW = () => new Date('2026-11-21T08:00:00+07:00');
/** What may remain after an erasure: nothing keyed or valued by person. */
// rl:addr: counts the client address for a minute, tied to no session.
const UNLINKED_PREFIXES = ['analytics:', 'invite:', 'invite-code:', 'invite-claim:', 'audit:admin', 'rl:addr:'];

interface ChatBody {
  reply: string;
  intent: string;
  buttons: Array<Array<{ label: string; action: string }>>;
}

/** Every key's value as text, whatever its type (the Store has no TYPE: try each reader). */
async function valueOf(store: Store, key: string): Promise<string> {
  const readers = [
    () => store.get(key),
    () => store.listRange(key, 0, -1),
    () => store.setMembers(key),
    () => store.hashGetAll(key),
    () => store.zRangeByScore(key, -Infinity, Infinity),
  ];
  for (const read of readers) {
    try {
      return JSON.stringify(await read());
    } catch {
      // WRONGTYPE: try the next kind
    }
  }
  throw new Error(`unreadable key ${key}`);
}

async function useEverythingThenErase(store: Store): Promise<void> {
  const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store, now: NOW, log: createLogger('error', () => {}) });
  const app = createApp(rt);
  // The web session the server issues with the first answer: the person's id from then on.
  let session: string | undefined;
  const chat = async (message: string): Promise<ChatBody> => {
    const res = await app.request('/api/chat', postJson({ message, sessionId: session }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatBody & { sessionId: string };
    session ??= body.sessionId;
    expect(body.sessionId).toBe(session);
    return body;
  };

  const issued = await app.request('/admin/invites', postJson({ role: 'official', units: ['so-noi-vu'] }, { authorization: `Bearer ${TOKEN}` }));
  const { invites } = (await issued.json()) as { invites: Array<{ code: string }> };

  await chat('/start');
  const userId = session!;
  await chat('Chỉ thị 22-CT/TU ban hành ngày nào?');
  expect((await chat(`/xacthuc ${invites[0]!.code}`)).intent).toBe('verify');
  expect((await chat('/toi')).reply).toContain('cán bộ, công chức');
  await chat('mục tiêu số hoá hồ sơ cấp xã');
  expect((await chat('/thongke')).reply).toContain('Thống kê 7 ngày');
  // Feedback on a recorded question (what a channel's 👍 does).
  const [question] = (await readDay(store, '2026-11-21')).questions;
  expect(await attachFeedback(store, question!.id, 'up')).toBe(true);

  const mine = async () => (await store.keysWithPrefix('')).filter((k) => k.includes(userId));
  expect((await mine()).map((k) => k.split(':')[0]).sort()).toEqual(['conv', 'rl', 'role', 'web']);

  const prompt = await chat('/xoadulieu');
  expect(prompt.intent).toBe('erase');
  expect(prompt.buttons.flat().map((b) => b.action)).toEqual(['/xoadulieu xacnhan', '/xoadulieu huy']);
  expect(await rt.roles.roleOf('web', userId)).toBe('official'); // nothing deleted before the confirmation

  const done = await chat('/xoadulieu xacnhan');
  expect(done.reply).toMatch(/^Đã xoá dữ liệu của bạn\./);

  const keys = await store.keysWithPrefix('');
  for (const key of keys) {
    expect(key).not.toContain(userId);
    expect(await valueOf(store, key)).not.toContain(userId);
    expect(UNLINKED_PREFIXES.some((p) => key.startsWith(p)), `unexpected key left: ${key}`).toBe(true);
  }
  expect(await rt.roles.roleOf('web', userId)).toBe('citizen');
  // Unlinked statistics stay: the questions are still counted.
  expect((await readDay(store, '2026-11-21')).questions.length).toBeGreaterThanOrEqual(2);
}

describe('/xoadulieu removes every key of the user', () => {
  it('in the in-memory store', async () => {
    await useEverythingThenErase(new MemoryStore({ now: () => NOW().getTime() }));
  });

  describe('in Upstash (REST bridge to a private redis-server)', () => {
    let redis: RedisEndpoint | null = null;
    let bridge: UpstashBridge | undefined;

    beforeAll(async () => {
      redis = await startRedisServer();
      if (redis) bridge = await startUpstashBridge({ redis, token: TOKEN });
      else console.warn('\n!!! Upstash erasure test SKIPPED: no redis-server binary to start a private Redis. !!!\n');
    });

    afterAll(async () => {
      await bridge?.close();
      await redis?.stop();
    });

    it('in UpstashStore', async (ctx) => {
      if (!bridge) return ctx.skip();
      const store = new UpstashStore({ url: bridge.url, token: TOKEN, retry: false });
      await useEverythingThenErase(store);
    });
  });
});

describe('/xoadulieu', () => {
  const person = (text: string, extra: Partial<Inbound> = {}): Inbound => ({ channel: 'telegram', chatId: '777', userId: '777', text, locale: 'vi', ...extra });
  const textOf = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');

  it('asks first, says what goes and what stays, and deletes nothing until confirmed', async () => {
    const t = makeTestApp();
    await t.rt.assistant.handle(person('nghị quyết 05'));
    const before = await t.store.keysWithPrefix('');
    const prompt = await t.rt.assistant.handle(person('/xoadulieu'));
    expect(textOf(prompt)).toContain('lịch sử trò chuyện');
    expect(textOf(prompt)).toContain('90 ngày');
    expect(await t.store.keysWithPrefix('')).toEqual(before);
  });

  it('keeps everything when cancelled', async () => {
    const t = makeTestApp();
    await t.rt.assistant.handle(person('nghị quyết 05'));
    const cancelled = await t.rt.assistant.handle(person('/xoadulieu huỷ'));
    expect(textOf(cancelled)).toContain('Đã huỷ');
    expect(await t.store.keysWithPrefix('conv:telegram:777')).toHaveLength(1);
  });

  it('accepts the confirmation typed with diacritics', async () => {
    const t = makeTestApp();
    await t.rt.assistant.handle(person('nghị quyết 05'));
    expect(textOf(await t.rt.assistant.handle(person('/xoadulieu xác nhận')))).toContain('Đã xoá');
    expect(await t.store.keysWithPrefix('conv:')).toEqual([]);
  });

  it('refuses in a group, where the chat memory belongs to everyone', async () => {
    const t = makeTestApp();
    await t.rt.assistant.handle(person('nghị quyết 05', { chatId: '-100900', isGroup: true }));
    const reply = await t.rt.assistant.handle(person('/xoadulieu xacnhan', { chatId: '-100900', isGroup: true }));
    expect(textOf(reply)).toContain('nhắn riêng');
    expect(await t.store.keysWithPrefix('conv:telegram:-100900')).toHaveLength(1);
  });

  it('leaves other people alone', async () => {
    const t = makeTestApp();
    await t.rt.assistant.handle(person('nghị quyết 05', { userId: '77', chatId: '77' }));
    await t.rt.assistant.handle(person('nghị quyết 05'));
    await t.rt.assistant.handle(person('/xoadulieu xacnhan'));
    expect((await t.store.keysWithPrefix('')).filter((k) => k.includes(':77'))).toEqual(
      expect.arrayContaining(['conv:telegram:77', expect.stringMatching(/^rl:telegram:77:\d+$/)]),
    );
  });
});

describe('eraseUserData', () => {
  const who = { channel: 'zalo' as const, userId: 'ab', chatId: 'ab' };

  it('runs every eraser even when one fails, and names the failed one', async () => {
    const store = new MemoryStore();
    await store.set('conv:zalo:ab', 'x');
    const broken: UserDataEraser = { name: 'subscriptions', erase: async () => Promise.reject(new Error('down')) };
    const result = await eraseUserData(store, who, [broken, ...coreErasers]);
    expect(result).toEqual({ removed: 1, byEraser: { conversation: 1, role: 0, 'rate-limit': 0, analytics: 0 }, failed: ['subscriptions'] });
    expect(await store.get('conv:zalo:ab')).toBeNull();
  });

  it('does not reach a user whose id merely starts with this one', async () => {
    const store = new MemoryStore();
    await store.incr('rl:zalo:ab:1', 1, 60);
    await store.incr('rl:zalo:abc:1', 1, 60);
    expect(await rateLimitEraser.erase(store, who)).toBe(1);
    expect(await store.keysWithPrefix('')).toEqual(['rl:zalo:abc:1']);
  });

  it('turns the failure into a polite "try again" in chat', async () => {
    const t = makeTestApp();
    t.store.keysWithPrefix = async () => {
      throw new Error('scan failed');
    };
    const reply = await t.rt.assistant.handle({ channel: 'web', chatId: 'web-x-0001', userId: 'web-x-0001', text: '/xoadulieu xacnhan', locale: 'vi' });
    expect(reply.blocks[0]).toMatchObject({ text: expect.stringContaining('/xoadulieu xacnhan lại') });
  });
});
