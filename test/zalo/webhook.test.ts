/**
 * POST /webhooks/zalo end to end on Node: the real runtime and assistant, the Zalo sub-app, and
 * the loopback fake of the Bot API receiving the answers. Background work is drained through the
 * tracker that stands in for waitUntil.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/core/assistant';
import { Conversation } from '../../src/core/conversation';
import { RoleDirectory } from '../../src/core/roles';
import type { Handler } from '../../src/core/handler';
import { ZALO_SECRET_HEADER } from '../../src/channels/zalo';
import type { Runtime } from '../../src/app';
import type { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { SECRET, makeZaloHarness, messageId, sentTo, textEvent } from './harness';

let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

/** An assistant whose only handler answers with `text`, for shaping the reply a test needs. */
function assistantAnswering(text: string): (rt: Runtime) => Assistant {
  const handler: Handler = {
    id: 'fixed',
    async handle() {
      return { intent: 'fixed', blocks: [{ type: 'text', text }], citations: [], found: true };
    },
  };
  return (rt) =>
    new Assistant({
      handlers: [handler],
      fallback: 'fixed',
      services: rt.services,
      roles: new RoleDirectory(rt.store),
      conversation: new Conversation(rt.store, 3600),
    });
}

describe('POST /webhooks/zalo', () => {
  it('answers a text question in the background with its numbered sources, after showing typing', async () => {
    const t = makeZaloHarness(fake, { typingDelayMs: 0 });
    const res = await t.post(textEvent('Chỉ thị 22-CT/TU ban hành ngày nào?', { fromId: 'user-ask' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Success' });
    await t.background.drain();

    const calls = fake.calls().filter((c) => c.params.chat_id === 'user-ask');
    expect(calls[0]).toMatchObject({ method: 'sendChatAction', params: { action: 'typing' } });
    const texts = sentTo(fake, 'user-ask');
    expect(texts).toHaveLength(1);
    // The words depend on the knowledge files; the shape does not: quoted passages, then numbered sources.
    expect(texts[0]).toMatch(/\[1\]/);
    expect(texts[0]).toMatch(/\n\nNguồn:\n\[1\] .+, \d{1,2}\/\d{1,2}\/\d{4}/);
    expect(texts[0]).not.toMatch(/<\/?[a-z]+>/);
  });

  it('shows no typing for an answer that is out at once (before the typing delay)', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('Chỉ thị 22-CT/TU ban hành ngày nào?', { fromId: 'user-quick' }));
    await t.background.drain();
    expect(fake.calls().filter((c) => c.params.chat_id === 'user-quick').map((c) => c.method)).toEqual(['sendMessage']);
  });

  it('acknowledges at once, before the answer is sent', async () => {
    fake.script({ method: 'sendChatAction', hang: true });
    const t = makeZaloHarness(fake, { typingDelayMs: 0 });
    const res = await t.post(textEvent('xin chao', { fromId: 'user-fast' }));
    expect(res.status).toBe(200);
    expect(t.background.size).toBe(1);
    expect(sentTo(fake, 'user-fast')).toEqual([]);
    fake.reset(); // drops the hanging call: the typing fails, the answer still goes out
    await t.background.drain();
    expect(sentTo(fake, 'user-fast')).toHaveLength(1);
  });

  it('accepts the wrapped { ok: true, result } form the docs show', async () => {
    const t = makeZaloHarness(fake);
    const res = await t.post({ ok: true, result: textEvent('tro giup', { fromId: 'user-wrapped' }) });
    expect(res.status).toBe(200);
    await t.background.drain();
    expect(sentTo(fake, 'user-wrapped')).toHaveLength(1);
  });

  it('routes the typed-word form of a command, since Zalo has no command menu', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('tro giup', { fromId: 'user-words' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-words')[0]).toBe(t.rt.texts.get('vi', 'help'));
  });

  it.each([
    ['a missing secret header', {}],
    ['a wrong secret', { [ZALO_SECRET_HEADER]: 'not-the-secret' }],
    ['a secret that only starts right', { [ZALO_SECRET_HEADER]: SECRET.slice(0, -1) }],
  ])('refuses %s with 403 and sends nothing', async (_name, headers) => {
    const t = makeZaloHarness(fake);
    const res = await t.post(textEvent('xin chao'), headers);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('X-Bot-Api-Secret-Token');
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
  });

  it('will not start the channel without ZALO_WEBHOOK_SECRET', () => {
    expect(() => makeZaloHarness(fake, { env: { ZALO_WEBHOOK_SECRET: '' } })).toThrow(/ZALO_WEBHOOK_SECRET: required/);
    expect(fake.calls()).toEqual([]);
  });

  it('drops a redelivered event: the same message id is answered once', async () => {
    const t = makeZaloHarness(fake);
    const event = textEvent('xin chao', { fromId: 'user-dup' });
    const first = await t.post(event);
    const second = await t.post(event);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ message: 'Success', duplicate: true });
    await t.background.drain();
    expect(sentTo(fake, 'user-dup')).toHaveLength(1);
    expect(t.logs.some((l) => l.includes('duplicate dropped'))).toBe(true);
  });

  it('answers two different messages with the same text twice', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('tro giup', { fromId: 'user-twice' }));
    await t.post(textEvent('tro giup', { fromId: 'user-twice' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-twice')).toHaveLength(2);
  });

  it.each([
    ['an image (docs fields)', 'message.image.received', { photo: 'https://zalo.example/p.jpg', caption: 'giấy tờ' }],
    ['an image (live fields)', 'message.image.received', { photo_url: 'https://zalo.example/p.jpg', message_type: 'CHAT_PHOTO' }],
    ['a sticker', 'message.sticker.received', { sticker: 'abc123', url: 'https://zalo.example/s.png' }],
    ['a voice message', 'message.voice.received', { voice_url: 'https://zalo.example/v.aac' }],
    ['an unsupported message', 'message.unsupported.received', {}],
  ])('answers %s politely that it reads text, without asking the assistant', async (_name, eventName, fields) => {
    const t = makeZaloHarness(fake);
    const chatId = `user-${eventName}`;
    const base = textEvent('', { fromId: chatId });
    const { text: _text, ...message } = base.message;
    const res = await t.post({ event_name: eventName, message: { ...message, ...fields } });
    expect(res.status).toBe(200);
    await t.background.drain();
    expect(sentTo(fake, chatId)).toEqual([t.rt.texts.get('vi', 'zalo-text-only')]);
    expect(fake.calls('sendChatAction')).toEqual([]);
    expect(await t.store.keysWithPrefix('conv:zalo:')).toEqual([]);
  });

  it('splits a long Vietnamese answer into messages of at most 2000 characters, in order', async () => {
    const paragraph = 'Ủy ban nhân dân các huyện, thị xã, thành phố chủ động rà soát, cắt giảm thủ tục hành chính, công khai hồ sơ trên Cổng Dịch vụ công. '.repeat(4).trim();
    const long = Array.from({ length: 14 }, (_, i) => `${i + 1}. ${paragraph}`).join('\n\n');
    expect(long.length).toBeGreaterThan(7000);
    const t = makeZaloHarness(fake, { assistant: assistantAnswering(long) });
    await t.post(textEvent('ke hoach cchc', { fromId: 'user-long' }));
    await t.background.drain();
    const parts = sentTo(fake, 'user-long');
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(fake.calls('sendMessage').every((c) => c.status === 200)).toBe(true);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p).toMatch(/^\d+\. Ủy ban/);
    }
    expect(parts.join('\n\n')).toBe(long);
  });

  it('shows buttons as numbered choices and turns a typed number into the button action', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('xin chao', { fromId: 'user-choice' }));
    await t.background.drain();
    const greeting = sentTo(fake, 'user-choice').at(-1)!;
    expect(greeting).toContain(`Gõ 1: ${t.rt.texts.get('vi', 'button-help')}`);

    await t.post(textEvent('1', { fromId: 'user-choice' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-choice').at(-1)).toBe(t.rt.texts.get('vi', 'help'));

    // The help reply has no buttons, so "1" is plain text again.
    expect(await t.store.get('zalo:choices:user-choice')).toBeNull();
  });

  it('answers a group message in the group chat, not to the sender', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('tro giup', { fromId: 'member-1', chatId: 'group-1', group: true }));
    await t.background.drain();
    expect(sentTo(fake, 'group-1')).toHaveLength(1);
    expect(sentTo(fake, 'member-1')).toEqual([]);
  });

  it('ignores messages from bots', async () => {
    const t = makeZaloHarness(fake);
    const res = await t.post(textEvent('xin chao', { fromId: 'other-bot', isBot: true }));
    expect(res.status).toBe(200);
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
  });

  it('still answers when showing typing fails', async () => {
    fake.script({ method: 'sendChatAction', status: 500 });
    const t = makeZaloHarness(fake, { typingDelayMs: 0 });
    await t.post(textEvent('tro giup', { fromId: 'user-typing' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-typing')).toHaveLength(1);
    expect(t.logs.some((l) => l.includes('zalo typing not shown'))).toBe(true);
  });

  it('logs a failed send with the API error code, without the token', async () => {
    fake.script({ method: 'sendMessage', status: 200, body: { ok: false, error_code: 429, description: 'Quota exceeded' } });
    const t = makeZaloHarness(fake);
    const res = await t.post(textEvent('tro giup', { fromId: 'user-quota' }));
    expect(res.status).toBe(200);
    await t.background.drain();
    const line = t.logs.find((l) => l.includes('zalo answer failed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', errorCode: 429, error: expect.stringContaining('Quota exceeded') });
    expect(t.logs.join('\n')).not.toContain(fake.token);
  });

  it('stops after the first failed part rather than sending the rest out of context', async () => {
    const long = Array.from({ length: 3 }, (_, i) => `${i + 1}. ${'Nội dung dài. '.repeat(120).trim()}`).join('\n\n');
    fake.script({ method: 'sendMessage', status: 500 });
    const t = makeZaloHarness(fake, { assistant: assistantAnswering(long) });
    await t.post(textEvent('dai', { fromId: 'user-partial' }));
    await t.background.drain();
    expect(fake.calls('sendMessage')).toHaveLength(1);
  });

  it.each([
    ['a non-JSON body', '{not json', /JSON/],
    ['an event without a message', { event_name: 'message.text.received' }, /message/],
    ['a chat without chat_type', { event_name: 'message.text.received', message: { ...textEvent('x').message, chat: { id: 'c' } } }, /chat\.chat_type/],
    ['a message without message_id', { event_name: 'message.text.received', message: { ...textEvent('x').message, message_id: undefined } }, /message_id/],
  ])('refuses %s with 400 and a reason', async (_name, body, reason) => {
    const t = makeZaloHarness(fake);
    const res = await t.post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
  });

  it('acknowledges an empty probe and an event that is not a message without answering', async () => {
    const t = makeZaloHarness(fake);
    expect((await t.post('')).status).toBe(200);
    expect((await t.post({ event_name: 'bot.added_to_group', group: { id: 'g' } })).status).toBe(200);
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
  });

  it('answers 503 when the event cannot be claimed, so Zalo may deliver it again', async () => {
    const broken = (s: MemoryStore): Store =>
      new Proxy(s, {
        get(target, prop, receiver) {
          if (prop === 'claim') return async () => Promise.reject(new Error('store down'));
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    const t = makeZaloHarness(fake, { store: broken });
    const res = await t.post(textEvent('xin chao', { id: messageId() }));
    expect(res.status).toBe(503);
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
  });

  it('tells the sender a message over 2000 characters is too long', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('a'.repeat(2001), { fromId: 'user-too-long' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-too-long')).toEqual([t.rt.texts.get('vi', 'error-too-long', { max: 2000 })]);
  });
});
