/**
 * The handoff in the chat apps, through the composed app and the loopback fake Bot APIs: a
 * citizen asks on Telegram or Zalo, the operator replies through the admin API and the fake
 * receives exactly that reply in that chat, the bot stays quiet meanwhile, a reply to a chat
 * that blocked the bot is reported to the operator and kept, and closing resumes the bot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { SECRET as TELEGRAM_SECRET, textUpdate } from '../telegram/harness';
import { SECRET as ZALO_SECRET, sentTo, textEvent } from '../zalo/harness';
import { ZALO_SECRET_HEADER } from '../../src/channels/zalo/adapter';
import { handoffApp, handoffsOfChat, listHandoffs, type HandoffApp } from './support';

let telegram: FakeTelegram;
let zalo: FakeZalo;
beforeAll(async () => {
  [telegram, zalo] = await Promise.all([startFakeTelegram(), startFakeZalo()]);
});
afterAll(async () => {
  await Promise.all([telegram.close(), zalo.close()]);
});

let bots = 0;

function telegramApp(): { app: HandoffApp; token: string; say(text: string, chatId?: number): Promise<void>; sent(chatId?: number): string[] } {
  const token = `${700000 + ++bots}:HANDOFF-${Math.random().toString(36).slice(2)}`;
  const app = handoffApp({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET, TELEGRAM_API_BASE: telegram.url });
  return {
    app,
    token,
    async say(text, chatId = 4242) {
      const res = await app.request('/webhooks/telegram', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body: JSON.stringify(textUpdate(text, { userId: chatId })),
      });
      expect(res.status).toBe(200);
      await app.background.drain();
    },
    sent: (chatId = 4242) => telegram.callsOf('sendMessage', token).filter((c) => String(c.params.chat_id) === String(chatId) && !c.error).map((c) => String(c.params.text)),
  };
}

describe('on Telegram', () => {
  it('asks, stays quiet, delivers exactly the operator reply in that chat, and resumes on "kết thúc"', async () => {
    const t = telegramApp();
    await t.say('/canbo');
    expect(t.sent()).toHaveLength(1);
    expect(t.sent()[0]).toContain('trong cuộc trò chuyện này');
    const [handoff] = await listHandoffs(t.app, 'open');
    expect(handoff).toMatchObject({ channel: 'telegram' });
    expect(await handoffsOfChat(t.app, '4242', 'open')).toEqual([handoff]);

    await t.say('Tôi muốn hỏi về hồ sơ đất đai, CCCD 079123456789');
    await t.say('/help');
    expect(t.sent()).toHaveLength(1); // quiet: nothing more was sent
    const transcript = JSON.stringify((await t.app.admin('GET', `/handoffs/${handoff!.id}`)).body.messages);
    expect(transcript).toContain('[số CCCD]');
    expect(transcript).not.toContain('079123456789');

    const text = 'Chào chị, hồ sơ đất đai nộp tại bộ phận một cửa cấp xã.';
    const reply = await t.app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text } });
    expect(reply.status).toBe(200);
    const sent = telegram.callsOf('sendMessage', t.token).slice(-1)[0]!;
    expect(String(sent.params.chat_id)).toBe('4242');
    expect(String(sent.params.text)).toContain(text);
    // No one else got it.
    expect(telegram.callsOf('sendMessage', t.token).filter((c) => String(c.params.text).includes(text))).toHaveLength(1);

    await t.say('kết thúc');
    expect(t.sent().at(-1)).toContain('Đã kết thúc');
    await t.say('/help');
    expect(t.sent()).toHaveLength(4); // the promise, the reply, the end, and help again
    expect(await listHandoffs(t.app, 'closed')).toMatchObject([{ id: handoff!.id, closedBy: 'citizen' }]);
  });

  it('reports a reply to a chat that blocked the bot to the operator, and keeps it', async () => {
    const t = telegramApp();
    await t.say('gặp cán bộ', 5151);
    const [handoff] = await listHandoffs(t.app, 'open');
    telegram.script({ method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was blocked by the user', token: t.token });
    const reply = await t.app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text: 'Chào anh, anh còn cần hỗ trợ không?' } });
    expect(reply.status).toBe(502);
    expect(reply.body).toMatchObject({ delivered: false, permanent: true });
    expect(reply.body.error).toContain('chặn');
    expect(JSON.stringify(reply.body)).not.toContain(t.token);
    const shown = await t.app.admin('GET', `/handoffs/${handoff!.id}`);
    expect(shown.body.messages).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'operator', text: 'Chào anh, anh còn cần hỗ trợ không?', undelivered: true })]));
    // Not a first reply: the waiting time keeps running.
    expect(shown.body.handoff).toMatchObject({ firstReplyAt: null });
  });

  it('tells the citizen when staff close the conversation', async () => {
    const t = telegramApp();
    await t.say('gặp cán bộ', 6161);
    const [handoff] = await listHandoffs(t.app, 'open');
    expect((await t.app.admin('POST', `/handoffs/${handoff!.id}/close`, { actor: 'lan' })).status).toBe(200);
    expect(t.sent(6161).at(-1)).toContain('Cán bộ đã kết thúc cuộc trò chuyện');
  });
});

describe('on Zalo', () => {
  it('asks with "can bo", stays quiet, receives exactly the reply, and resumes after staff close', async () => {
    const app = handoffApp({ ZALO_BOT_TOKEN: zalo.token, ZALO_WEBHOOK_SECRET: ZALO_SECRET, ZALO_API_BASE: zalo.url });
    const chatId = `zalo-handoff-${++bots}`;
    const say = async (text: string) => {
      const res = await app.request('/webhooks/zalo', {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ZALO_SECRET_HEADER]: ZALO_SECRET },
        body: JSON.stringify(textEvent(text, { fromId: chatId })),
      });
      expect(res.status).toBe(200);
      await app.background.drain();
    };
    await say('can bo');
    expect(sentTo(zalo, chatId)).toHaveLength(1);
    await say('cho hỏi thủ tục đăng ký kết hôn');
    expect(sentTo(zalo, chatId)).toHaveLength(1);
    const [handoff] = await listHandoffs(app, 'open');
    const text = 'Chào anh, đăng ký kết hôn làm tại UBND cấp xã.';
    expect((await app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'minh', body: { text } })).status).toBe(200);
    expect(sentTo(zalo, chatId).at(-1)).toContain(text);
    expect((await app.admin('POST', `/handoffs/${handoff!.id}/close`, { actor: 'minh' })).status).toBe(200);
    expect(sentTo(zalo, chatId).at(-1)).toContain('Cán bộ đã kết thúc');
    await say('tro giup');
    expect(sentTo(zalo, chatId)).toHaveLength(4);
  });
});
