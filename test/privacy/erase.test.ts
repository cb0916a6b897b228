/**
 * /xoadulieu and the eraser registry. The strong test (./erase-everything.ts) uses every feature
 * a person can reach, erases, and reads every key and value: nothing may name the person. It runs
 * here on the in-memory store and in ./erase-upstash.test.ts on UpstashStore against real Redis.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import { eraseUserData, type UserDataEraser } from '../../src/privacy/erase';
import { coreErasers, rateLimitEraser } from '../../src/privacy/erasers';
import { makeTestApp } from '../support/runtime';
import { NOW, useEverythingThenErase, useTelegramThenErase } from './erase-everything';
import type { Inbound, Reply } from '../../src/core/types';

describe('/xoadulieu removes every key of the user', () => {
  it('in the in-memory store (and in Upstash: test/privacy/erase-upstash.test.ts)', async () => {
    await useEverythingThenErase(new MemoryStore({ now: () => NOW().getTime() }));
  });

  it('on Telegram too: the weekly briefing, alerts, a 👎 and a conversation with a person', async () => {
    await useTelegramThenErase(new MemoryStore({ now: () => NOW().getTime() }));
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
