/**
 * POST /webhooks/zalo end to end on Node: the real runtime and assistant, the Zalo sub-app, and
 * the loopback fake of the Bot API receiving the answers. Background work is drained through the
 * tracker that stands in for waitUntil.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Assistant } from '../../src/core/assistant';
import { assistantWith } from '../support/runtime';
import type { Handler } from '../../src/core/handler';
import { ZALO_SECRET_HEADER } from '../../src/channels/zalo/webhook';
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
  return (rt) => assistantWith(rt, [handler]);
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

  it('answers a group message addressed to it in the group chat, not to the sender', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('@Bot Trợ lý CCHC tro giup', { fromId: 'member-1', chatId: 'group-1', group: true }));
    await t.background.drain();
    expect(sentTo(fake, 'group-1')).toEqual([t.rt.texts.get('vi', 'help')]);
    expect(sentTo(fake, 'member-1')).toEqual([]);
  });

  it('leaves group messages not addressed to it alone, and asks getMe for its name once', async () => {
    const t = makeZaloHarness(fake);
    const asked = vi.spyOn(t.rt.assistant, 'handle');
    await t.post(textEvent('tro giup', { fromId: 'member-2', chatId: 'group-2', group: true }));
    await t.post(textEvent('nhờ Bot Trợ lý CCHC trả lời giúp', { fromId: 'member-2', chatId: 'group-2', group: true }));
    await t.post(textEvent('hỏi @Bot Trợ lý CCHCx cái này', { fromId: 'member-2', chatId: 'group-2', group: true }));
    await t.background.drain();
    expect(asked).not.toHaveBeenCalled();
    expect(fake.calls('sendMessage')).toEqual([]);
    expect(fake.calls('getMe')).toHaveLength(1);
  });

  it.each([
    ['"@Bot icheck /start" (the reported message)', '@Bot icheck /start', '/start'],
    ['a mention in the middle of the text', 'Cho hỏi @bot ICHECK thủ tục cấp hộ chiếu', 'Cho hỏi thủ tục cấp hộ chiếu'],
    ['a mention followed by a comma', '@Bot icheck, tro giup', 'tro giup'],
    ['the name without "@" at the start', 'Bot icheck ơi tro giup', 'ơi tro giup'],
    ['a bare mention (asks for help)', '@Bot icheck', '/help'],
  ])('takes the mention out of %s before the assistant reads it', async (_name, text, asks) => {
    fake.script({ method: 'getMe', body: { ok: true, result: { id: '1234567890', account_name: 'Bot icheck', account_type: 'BASIC', can_join_groups: true } } });
    const t = makeZaloHarness(fake);
    const asked = vi.spyOn(t.rt.assistant, 'handle');
    await t.post(textEvent(text, { fromId: 'member-3', chatId: 'group-3', group: true }));
    await t.background.drain();
    expect(asked).toHaveBeenCalledTimes(1);
    expect(asked.mock.calls[0]![0]).toMatchObject({ chatId: 'group-3', userId: 'member-3', text: asks, isGroup: true });
    expect(sentTo(fake, 'group-3')).toHaveLength(1);
  });

  it('still answers a group command when getMe fails, and asks getMe again for the next mention', async () => {
    fake.script({ method: 'getMe', status: 500 });
    const t = makeZaloHarness(fake);
    await t.post(textEvent('@Bot Trợ lý CCHC tro giup', { fromId: 'member-4', chatId: 'group-4', group: true }));
    await t.post(textEvent('/help', { fromId: 'member-4', chatId: 'group-4', group: true }));
    await t.background.drain();
    expect(sentTo(fake, 'group-4')).toEqual([t.rt.texts.get('vi', 'help')]);
    expect(t.logs.some((l) => l.includes('zalo getMe failed'))).toBe(true);

    await t.post(textEvent('@Bot Trợ lý CCHC tro giup', { fromId: 'member-4', chatId: 'group-4', group: true }));
    await t.background.drain();
    expect(sentTo(fake, 'group-4')).toHaveLength(2);
    expect(fake.calls('getMe')).toHaveLength(2);
  });

  it('sends nothing to a group for a sticker, image or unsupported message', async () => {
    const t = makeZaloHarness(fake);
    for (const [eventName, fields] of [
      ['message.sticker.received', { sticker: 'abc123', url: 'https://zalo.example/s.png' }],
      ['message.image.received', { photo_url: 'https://zalo.example/p.jpg', message_type: 'CHAT_PHOTO' }],
      ['message.unsupported.received', {}],
    ] as const) {
      const { text: _text, ...message } = textEvent('', { fromId: 'member-5', chatId: 'group-5', group: true }).message;
      expect((await t.post({ event_name: eventName, message: { ...message, ...fields } })).status).toBe(200);
    }
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
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
    ['a non-JSON body', '{"event_name":"message.text.received","message":{"text":"CCCD 012345678901', /JSON/, {}],
    ['a JSON array', '[{"event_name":"message.text.received"}]', /body/, {}],
    ['an object without event_name', { message: { message_id: 'm-no-name', text: 'bí mật của dân' } }, /event_name/, { messageId: 'm-no-name' }],
    ['an event_name that is not a string', { event_name: 42, message: { message_id: 'm-num-name', text: 'bí mật của dân' } }, /event_name/, { messageId: 'm-num-name' }],
  ])('refuses %s (not an event at all) with 400 and a reason, logged at warn without the content', async (_name, body, reason, ids) => {
    const t = makeZaloHarness(fake);
    const res = await t.post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
    await t.background.drain();
    expect(fake.calls()).toEqual([]);
    const lines = t.logs.filter((l) => l.includes('zalo webhook rejected')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', reason: expect.stringMatching(reason), ...ids });
    const logged = t.logs.join('\n');
    expect(logged).not.toContain('bí mật');
    expect(logged).not.toContain('012345678901');
    expect(logged).not.toContain('CCCD');
  });

  it.each([
    ['an event without a message', { event_name: 'message.text.received' }, undefined],
    ['a message whose fields have unexpected types', { event_name: 'message.text.received', message: { message_id: { x: 1 }, date: 'yesterday', chat: 'c', text: 7 } }, undefined],
    ['a text without message_id, date or chat_type (a private chat: chat id = sender id)', { event_name: 'message.text.received', message: { from: { id: 'p-1' }, chat: { id: 'p-1' }, text: 'tro giup' } }, 'p-1'],
    ['a text without chat_type in a chat that is not the sender\'s (taken as a group: not addressed)', { event_name: 'message.text.received', message: { message_id: 'm-g', from: { id: 'p-2' }, chat: { id: 'g-2' }, text: 'tro giup' } }, undefined],
  ])('accepts %s with 200 and handles it as well as it can', async (_name, body, answeredChat) => {
    const t = makeZaloHarness(fake);
    const res = await t.post(body);
    expect(res.status).toBe(200);
    await t.background.drain();
    if (answeredChat) expect(sentTo(fake, answeredChat)).toEqual([t.rt.texts.get('vi', 'help')]);
    else expect(fake.calls('sendMessage')).toEqual([]);
    expect(t.logs.some((l) => l.includes('zalo webhook rejected'))).toBe(false);
  });

  it('answers an event with a 20-digit numeric chat id to that exact chat id', async () => {
    const t = makeZaloHarness(fake);
    const raw = '{"event_name":"message.text.received","message":{"message_id":12345678901234567890,"date":1763700000000,' +
      '"from":{"id":98765432109876543210,"is_bot":false},"chat":{"id":98765432109876543210,"chat_type":"PRIVATE"},"text":"tro giup"}}';
    expect((await t.post(raw)).status).toBe(200);
    await t.background.drain();
    expect(fake.calls('sendMessage').map((c) => c.params.chat_id)).toEqual(['98765432109876543210']);
    // Redelivered: the claim is on the message id with all its digits, so it is answered once.
    expect(await (await t.post(raw)).json()).toMatchObject({ duplicate: true });
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

  it('tells a sender past the rate limit once per minute, then stays quiet', async () => {
    const t = makeZaloHarness(fake, { env: { RATE_LIMIT_PER_MINUTE: '1' } });
    for (let i = 0; i < 4; i++) await t.post(textEvent('tro giup', { fromId: 'user-fast-typer' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-fast-typer')).toEqual([t.rt.texts.get('vi', 'help'), t.rt.texts.get('vi', 'rate-limited')]);
  });

  it('tells the sender a message over 2000 characters is too long', async () => {
    const t = makeZaloHarness(fake);
    await t.post(textEvent('a'.repeat(2001), { fromId: 'user-too-long' }));
    await t.background.drain();
    expect(sentTo(fake, 'user-too-long')).toEqual([t.rt.texts.get('vi', 'error-too-long', { max: 2000 })]);
  });
});
