/**
 * The Telegram webhook end to end on Node: the sub-app, the runtime's assistant and the loopback
 * fake Bot API. Background work is drained explicitly; nothing waits for time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeTelegram, FAKE_BOT_USERNAME, parseTelegramHtml, type FakeTelegram } from '../support/fake-telegram';
import { telegramHarness, textUpdate, callbackUpdate, gate, SECRET, type Harness } from './harness';
import { Assistant } from '../../src/core/assistant';
import { createFeedbackHandler } from '../../handlers/feedback';
import { assistantWith as assistantWith_ } from '../support/runtime';
import type { Handler } from '../../src/core/handler';
import type { Runtime } from '../../src/app';
import type { Reply } from '../../src/core/types';
import { feedbackCounts } from '../../src/analytics/feedback';
import { readDay, recordQuestion } from '../../src/analytics/questions';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

function assistantWith(handler: Handler): (rt: Runtime) => Assistant {
  return (rt) => assistantWith_(rt, [handler]);
}

/** An assistant with only `handlers`, taking 👍/👎 as the runtime's does. */
function withVotes(rt: Runtime, handlers: Handler[]): Assistant {
  const votes = createFeedbackHandler({ texts: rt.texts, log: rt.log, now: rt.now, store: rt.store, historyTtlSeconds: rt.config.historyTtlSeconds });
  return new Assistant({ texts: rt.texts, log: rt.log, now: rt.now, handlers, fallback: handlers.at(-1)!.id, roles: rt.roles, conversation: rt.conversation, votes });
}

const replyHandler = (reply: Reply): Handler => ({ id: reply.intent, async handle() { return reply; } });

type Params = Record<string, unknown>;
const params = (h: Harness, method: string): Params[] => h.calls(method).map((c) => c.params);

describe('Telegram webhook: who may post', () => {
  it('refuses a wrong secret with 401 and does nothing', async () => {
    const h = telegramHarness(fake);
    const res = await h.post(textUpdate('xin chào'), 'wrong-secret');
    expect(res.status).toBe(401);
    await h.background.drain();
    expect(h.calls()).toEqual([]);
  });

  it('refuses a missing secret header with 401', async () => {
    const h = telegramHarness(fake);
    expect((await h.post(textUpdate('xin chào'), null)).status).toBe(401);
  });

  it('will not start the channel without a webhook secret', () => {
    expect(() => telegramHarness(fake, { webhookSecret: null })).toThrow(/TELEGRAM_WEBHOOK_SECRET: required/);
  });

  it.each([
    ['a non-JSON body', '{nope', /not JSON/],
    ['a body without update_id', { message: { text: 'hi' } }, /update_id/],
    ['a negative update_id', { update_id: -1 }, /update_id/],
    ['a message without a chat', { update_id: 1, message: { message_id: 1, text: 'hi' } }, /message\.chat/],
  ])('answers %s with 400 and a reason', async (_name, body, reason) => {
    const h = telegramHarness(fake);
    const res = await h.post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
  });

  it('logs a rejected body at warn with the reason and the update_id, never its content', async () => {
    const h = telegramHarness(fake);
    const body = { update_id: 4242, message: { message_id: 1, date: 1, from: { id: 5, is_bot: false }, text: 'hồ sơ của chị Lan 0912345678' } };
    expect((await h.post(body)).status).toBe(400);
    expect((await h.post('{"update_id": 77, "message": {"text": "bí mật"')).status).toBe(400);
    const warned = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'warn');
    expect(warned).toEqual([
      expect.objectContaining({ msg: expect.stringContaining('rejected'), reason: expect.stringContaining('message.chat'), updateId: 4242 }),
      expect.objectContaining({ msg: expect.stringContaining('rejected'), reason: expect.stringContaining('not JSON') }),
    ]);
    expect(warned[1]).not.toHaveProperty('updateId');
    const logged = h.logs.join('\n');
    for (const content of ['chị Lan', '0912345678', 'bí mật']) expect(logged).not.toContain(content);
  });

  it('answers 503 when the update cannot be claimed, so Telegram delivers it again later', async () => {
    const h = telegramHarness(fake);
    h.store.claim = async () => {
      throw new Error('store down');
    };
    const res = await h.post(textUpdate('/help'));
    expect(res.status).toBe(503);
    await h.background.drain();
    expect(h.calls()).toEqual([]);
  });

  it('acknowledges an update kind it does not handle without doing anything', async () => {
    const h = telegramHarness(fake);
    const res = await h.post({ update_id: 9, edited_message: { message_id: 1, chat: { id: 1, type: 'private' }, text: 'x' } });
    expect(res.status).toBe(200);
    await h.background.drain();
    expect(h.calls()).toEqual([]);
  });
});

describe('Telegram webhook: answering', () => {
  const sourced: Reply = {
    intent: 'ask',
    blocks: [
      { type: 'text', text: 'Theo các nguồn tôi có:' },
      { type: 'quote', text: 'Chỉ thị 22-CT/TU ban hành ngày 22/6/2022 & áp dụng <toàn tỉnh>.', cite: 1 },
    ],
    citations: [{ id: 'ct22', title: 'Chỉ thị 22-CT/TU', source: 'Tỉnh uỷ', date: '2022-06-22', url: 'https://example.gov.vn/ct22' }],
    found: true,
  };

  it('answers a question in HTML with numbered sources, 👍/👎 and no link preview', async () => {
    const h = telegramHarness(fake, { assistant: assistantWith(replyHandler(sourced)) });
    const res = await h.post(textUpdate('Chỉ thị 22-CT/TU ban hành ngày nào?', { userId: 7 }));
    expect(res.status).toBe(200);
    await h.background.drain();
    // Out at once, so no "typing…" first (Telegram advises it only for slow replies).
    expect(h.calls('sendChatAction')).toEqual([]);
    const [sent, ...more] = params(h, 'sendMessage');
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ chat_id: 7, parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    const text = sent!.text as string;
    expect(text).toBe(
      'Theo các nguồn tôi có:\n\n' +
        '<blockquote>Chỉ thị 22-CT/TU ban hành ngày 22/6/2022 &amp; áp dụng &lt;toàn tỉnh&gt;. [1]</blockquote>\n\n' +
        '<b>Nguồn</b>\n1. <a href="https://example.gov.vn/ct22">Chỉ thị 22-CT/TU</a> — Tỉnh uỷ, 22/6/2022',
    );
    const keyboard = (sent!.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }).inline_keyboard;
    expect(keyboard.at(-1)!.map((b) => b.callback_data)).toEqual(['fb:up', 'fb:down']);
    expect(sent).not.toHaveProperty('reply_parameters');
  });

  it('answers /start with the greeting, the privacy notice and a help button', async () => {
    const h = telegramHarness(fake);
    await h.post(textUpdate('/start'));
    await h.background.drain();
    const sent = params(h, 'sendMessage')[0]!;
    expect(sent.text).toContain('không phải cán bộ');
    expect(sent.text).toContain('30 ngày');
    expect(sent.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Xem các lệnh', callback_data: 'a:/help' }]] });
  });

  it('speaks English to a user whose Telegram is in English', async () => {
    const h = telegramHarness(fake);
    await h.post(textUpdate('/start', { lang: 'en-GB' }));
    await h.background.drain();
    expect(params(h, 'sendMessage')[0]!.text).toContain('not an official');
  });

  it('processes a redelivered update once', async () => {
    const h = telegramHarness(fake);
    const update = textUpdate('/help');
    expect((await h.post(update)).status).toBe(200);
    expect((await h.post(update)).status).toBe(200);
    await h.background.drain();
    expect((await h.post(update)).status).toBe(200);
    await h.background.drain();
    expect(h.calls('sendMessage')).toHaveLength(1);
    expect(h.logs.join('\n')).toContain('delivered again');
  });

  it('shows "typing…" when the answer takes longer than the typing delay, before the answer', async () => {
    const started = gate();
    const model = gate<Reply>();
    const slow: Handler = {
      id: 'slow',
      async handle() {
        started.open();
        return model.promise;
      },
    };
    const h = telegramHarness(fake, { assistant: assistantWith(slow), typingDelayMs: 400 });
    expect((await h.post(textUpdate('Chỉ thị 22-CT/TU ban hành ngày nào?', { userId: 8 }))).status).toBe(200);
    await started.promise;
    h.clock.advance(400); // the test's clock, not the wall's: the delay passes when the test says so
    await fake.firstCall('sendChatAction', h.token);
    model.open(sourced);
    await h.background.drain();
    const methods = h.calls().map((c) => c.method).filter((m) => m === 'sendChatAction' || m === 'sendMessage');
    expect(methods).toEqual(['sendChatAction', 'sendMessage']);
    expect(h.calls('sendChatAction')[0]?.params).toMatchObject({ chat_id: 8, action: 'typing' });
  });

  it('answers 200 before a slow model has answered, and sends the answer once it has', async () => {
    const model = gate<string>();
    let started = false;
    const h = telegramHarness(fake, {
      assistant: assistantWith({
        id: 'ask',
        async handle() {
          started = true;
          const text = await model.promise;
          return { intent: 'ask', blocks: [{ type: 'text', text }], citations: [], found: true };
        },
      }),
    });
    const res = await h.post(textUpdate('một câu hỏi khó'));
    expect(res.status).toBe(200);
    expect(h.background.size).toBe(1);
    expect(h.calls('sendMessage')).toEqual([]);
    model.open('Câu trả lời sau khi nghĩ lâu.');
    await h.background.drain();
    expect(started).toBe(true);
    expect(params(h, 'sendMessage').map((p) => p.text)).toEqual(['Câu trả lời sau khi nghĩ lâu.']);
  });

  it('tells a private chat it reads only text when sent a sticker', async () => {
    const h = telegramHarness(fake);
    await h.post(textUpdate(undefined));
    await h.background.drain();
    expect(params(h, 'sendMessage')[0]!.text).toContain('chỉ đọc được tin nhắn chữ');
  });

  it('refuses an over-long message politely (the core refuses it before any handler), without "typing…"', async () => {
    const h = telegramHarness(fake);
    await h.post(textUpdate('a'.repeat(2001)));
    await h.background.drain();
    expect(params(h, 'sendMessage').map((p) => p.text)).toEqual(['Tin nhắn quá dài (tối đa 2000 ký tự).']);
    expect(h.calls('sendChatAction')).toEqual([]);
  });
});

describe('Telegram webhook: long answers and failures', () => {
  const paragraph = (n: number) => `Đoạn ${n}: ` + 'cải cách hành chính & chuyển đổi số <đúng hạn> '.repeat(20).trim();
  const longReply: Reply = {
    intent: 'ask',
    blocks: Array.from({ length: 12 }, (_, i) => ({ type: 'text' as const, text: paragraph(i + 1) })),
    citations: [{ id: 'd1', title: 'Chỉ thị 22', source: 'Tỉnh uỷ', date: '2022-06-22', url: 'https://example.gov.vn/ct22?a=1&b=2' }],
    buttons: [[{ label: 'Hỏi tiếp', action: '/hoi thủ tục' }]],
    found: true,
  };

  it('splits a long answer on paragraph boundaries into valid parts, the buttons on the last', async () => {
    const h = telegramHarness(fake, { assistant: assistantWith(replyHandler(longReply)) });
    await h.post(textUpdate('hỏi dài'));
    await h.background.drain();
    const sent = params(h, 'sendMessage');
    expect(sent.length).toBeGreaterThan(1);
    for (const p of sent) {
      const text = p.text as string;
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(typeof parseTelegramHtml(text)).toBe('string');
      expect(text).toMatch(/^Đoạn \d+:/); // every part starts at a paragraph
    }
    expect(sent.slice(0, -1).every((p) => p.reply_markup === undefined)).toBe(true);
    expect(sent.at(-1)!.reply_markup).toBeDefined();
    const shown = sent.map((p) => parseTelegramHtml(p.text as string) as string).join('\n\n');
    for (let i = 1; i <= 12; i++) expect(shown).toContain(paragraph(i));
    expect(shown).toContain('Chỉ thị 22 — Tỉnh uỷ, 22/6/2022');
  });

  it('sends the answer as plain text when Telegram cannot parse the HTML', async () => {
    const h = telegramHarness(fake, { assistant: assistantWith(replyHandler({ ...longReply, blocks: longReply.blocks.slice(0, 1) })) });
    fake.script({ method: 'sendMessage', error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3" });
    await h.post(textUpdate('hỏi'));
    await h.background.drain();
    const [refused, plain, ...more] = params(h, 'sendMessage');
    expect(more).toEqual([]);
    expect(refused!.parse_mode).toBe('HTML');
    expect(plain).not.toHaveProperty('parse_mode');
    expect(plain!.text).toContain('cải cách hành chính & chuyển đổi số <đúng hạn>');
    expect(plain!.text).toContain('Chỉ thị 22 (https://example.gov.vn/ct22?a=1&b=2) — Tỉnh uỷ, 22/6/2022');
    expect(plain!.reply_markup).toBeDefined();
  });

  it('waits out a 429 retry_after and sends the answer once', async () => {
    const h = telegramHarness(fake);
    fake.script({ method: 'sendMessage', error_code: 429, description: 'Too Many Requests: retry after 3', retry_after: 3 });
    await h.post(textUpdate('/help'));
    await h.background.drain();
    expect(h.sleeps).toEqual([3000]);
    expect(h.calls('sendMessage')).toHaveLength(2);
    expect(fake.callsOf('sendMessage', h.token).length).toBe(2);
  });

  it('never repeats a send that failed for another reason, and apologises once', async () => {
    const h = telegramHarness(fake);
    fake.script({ method: 'sendMessage', error_code: 500, description: 'Internal Server Error' });
    await h.post(textUpdate('/help'));
    await h.background.drain();
    const texts = params(h, 'sendMessage').map((p) => p.text as string);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('Xin lỗi');
    expect(h.sleeps).toEqual([]);
  });

  it('catches a failure in the background, logs it without the text or the token, and apologises', async () => {
    const h = telegramHarness(fake, {
      assistant: () => ({ handle: async () => { throw new Error('model exploded'); } }) as unknown as Assistant,
    });
    const res = await h.post(textUpdate('câu hỏi riêng tư 0912345678'));
    expect(res.status).toBe(200);
    await h.background.drain();
    expect(params(h, 'sendMessage').map((p) => p.text)).toEqual([expect.stringContaining('Xin lỗi')]);
    const logged = h.logs.join('\n');
    expect(logged).toContain('telegram update failed');
    expect(logged).toContain('model exploded');
    expect(logged).not.toContain('câu hỏi riêng tư');
    expect(logged).not.toContain('0912345678');
    expect(logged).not.toContain(h.token.split(':')[1]!);
    expect(logged).not.toContain(SECRET);
  });

  it('gives one polite rate-limit notice per minute, then stays quiet', async () => {
    const h = telegramHarness(fake, { env: { RATE_LIMIT_PER_MINUTE: '1' } });
    for (const text of ['/help', '/help', '/help', '/help']) await h.post(textUpdate(text));
    await h.background.drain();
    const texts = params(h, 'sendMessage').map((p) => p.text as string);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('Bạn gửi nhanh quá');
  });
});

describe('Telegram webhook: buttons and feedback', () => {
  it('stores a 👍 against the question, thanks the user, removes the 👍/👎 row, and counts a second tap once', async () => {
    let questionId = '';
    const h = telegramHarness(fake, {
      assistant: (rt) => withVotes(rt, [{
        id: 'ask',
        async handle({ inbound }) {
          questionId = await recordQuestion(rt.store, { at: rt.now(), channel: 'telegram', intent: 'ask', found: true, latencyMs: 1, text: inbound.text, retentionDays: 30 });
          return { intent: 'ask', blocks: [{ type: 'text', text: 'Ngày 22/6/2022.' }], citations: [], found: true, buttons: [[{ label: 'Hỏi tiếp', action: '/hoi tiếp' }]], questionId } as Reply;
        },
      }]),
    });
    await h.post(textUpdate('Chỉ thị 22-CT/TU ban hành ngày nào?', { userId: 7 }));
    await h.background.drain();
    const markup = h.calls('sendMessage')[0]!.params.reply_markup;
    const sentId = lastSentMessageId(h);
    await h.post(callbackUpdate('fb:up', { message_id: sentId, chatId: 7, reply_markup: markup }, { userId: 7 }));
    await h.post(callbackUpdate('fb:down', { message_id: sentId, chatId: 7, reply_markup: markup }, { userId: 7 }));
    await h.background.drain();

    const answers = params(h, 'answerCallbackQuery').map((p) => p.text);
    expect(answers).toEqual(['Cảm ơn bạn đã góp ý!', 'Câu trả lời này đã được góp ý rồi.']);
    expect(await feedbackCounts(h.store, new Date(h.clock.now))).toEqual({ up: 1, down: 0 });
    expect((await readDay(h.store, '2026-11-21')).feedback).toEqual({ [questionId]: 'up' });
    const edits = params(h, 'editMessageReplyMarkup');
    expect(edits).toHaveLength(1);
    expect(edits[0]!.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Hỏi tiếp', callback_data: 'a:/hoi tiếp' }]] });
  });

  it('hands a 👍/👎 to the assistant as a vote on the tapped answer, and shows its reply as the toast', async () => {
    const h = telegramHarness(fake);
    const asked = vi.spyOn(h.rt.assistant, 'handle');
    await h.post(callbackUpdate('fb:down', { message_id: 321, chatId: 7 }, { userId: 7 }));
    await h.background.drain();
    expect(asked).toHaveBeenCalledTimes(1);
    expect(asked.mock.calls[0]![0]).toMatchObject({ channel: 'telegram', chatId: '7', userId: '7', vote: { value: 'down', messageRef: '321' } });
    expect(params(h, 'answerCallbackQuery').map((p) => p.text)).toEqual(['Cảm ơn bạn đã góp ý!']);
    expect(await feedbackCounts(h.store, new Date(h.clock.now))).toEqual({ up: 0, down: 1 });
    expect(h.calls('sendMessage')).toEqual([]);
  });

  it('runs a follow-up button, even one whose action is too long for callback_data', async () => {
    const longAction = 'Thủ tục đăng ký khai sinh cho trẻ em sinh ra ở nước ngoài cần những giấy tờ gì?';
    const seen: string[] = [];
    const h = telegramHarness(fake, {
      assistant: assistantWith({
        id: 'ask',
        async handle({ args }) {
          seen.push(args);
          return { intent: 'ask', blocks: [{ type: 'text', text: `Trả lời: ${args}` }], citations: [], buttons: [[{ label: 'Hỏi tiếp', action: longAction }]] };
        },
      }),
    });
    await h.post(textUpdate('câu đầu'));
    await h.background.drain();
    const data = (params(h, 'sendMessage')[0]!.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard[0]![0]!.callback_data;
    expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64);
    expect(data).toMatch(/^b:/);
    await h.post(callbackUpdate(data, { message_id: lastSentMessageId(h), chatId: 42 }));
    await h.background.drain();
    expect(seen).toEqual(['câu đầu', longAction]);
    expect(h.calls('answerCallbackQuery')).toHaveLength(1);
  });

  it('says a button has expired when its stored action is gone', async () => {
    const h = telegramHarness(fake);
    await h.post(callbackUpdate('b:unknownid', { message_id: 5, chatId: 42 }));
    await h.background.drain();
    expect(params(h, 'answerCallbackQuery')[0]!.text).toContain('hết hạn');
    expect(h.calls('sendMessage')).toEqual([]);
  });
});

describe('Telegram webhook: groups', () => {
  const group = { chatType: 'supergroup' as const, chatId: -100500 };

  it('stays silent on group chatter that does not address the bot', async () => {
    const h = telegramHarness(fake);
    await h.post(textUpdate('Chỉ thị 22-CT/TU ban hành ngày nào?', group));
    await h.post(textUpdate('/help@some_other_bot', group));
    await h.post(textUpdate(undefined, group));
    await h.background.drain();
    expect(h.calls('sendMessage')).toEqual([]);
    expect(h.calls('sendChatAction')).toEqual([]);
  });

  it('answers a mention, without the mention, as a reply to the asker; getMe is asked once', async () => {
    const seen: string[] = [];
    const h = telegramHarness(fake, {
      assistant: assistantWith({ id: 'ask', async handle({ args }) { seen.push(args); return { intent: 'ask', blocks: [{ type: 'text', text: 'ok' }], citations: [] }; } }),
    });
    await h.post(textUpdate(`@${FAKE_BOT_USERNAME} chỉ thị 22 ban hành ngày nào?`, { ...group, messageId: 77 }));
    await h.background.drain();
    await h.post(textUpdate(`Cho hỏi @${FAKE_BOT_USERNAME.toUpperCase()}, hạn nộp báo cáo?`, group));
    await h.background.drain();
    expect(seen).toEqual(['chỉ thị 22 ban hành ngày nào?', 'Cho hỏi, hạn nộp báo cáo?']);
    expect(params(h, 'sendMessage')[0]).toMatchObject({ chat_id: -100500, reply_parameters: { message_id: 77, allow_sending_without_reply: true } });
    expect(h.calls('getMe')).toHaveLength(1);
  });

  it('ignores a bare command it does not know (another bot\'s), but answers an unknown one addressed to it', async () => {
    const h = telegramHarness(fake, { botUsername: 'my_bot' });
    await h.post(textUpdate('/report', group));
    await h.post(textUpdate('/report spam ở đây', group));
    await h.background.drain();
    expect(h.calls('sendMessage')).toEqual([]);
    await h.post(textUpdate('/report@my_bot', group));
    await h.background.drain();
    expect(params(h, 'sendMessage').map((p) => p.text)).toEqual([expect.stringContaining('Tôi chưa biết lệnh này')]);
  });

  it('answers an anonymous admin, as the group it speaks for (its role is that chat\'s)', async () => {
    const seen: Array<{ userId: string; text: string }> = [];
    const h = telegramHarness(fake, {
      botUsername: 'my_bot',
      assistant: assistantWith({ id: 'kpi', async handle({ inbound }) { seen.push({ userId: inbound.userId, text: inbound.text }); return { intent: 'kpi', blocks: [{ type: 'text', text: 'ok' }], citations: [] }; } }),
    });
    const update = textUpdate('/kpi@my_bot', { ...group, messageId: 31 });
    const message = update.message as Record<string, unknown>;
    message.from = { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
    message.sender_chat = { id: group.chatId, title: 'Tổ CCHC', type: 'supergroup' };
    await h.post(update);
    await h.background.drain();
    expect(seen).toEqual([{ userId: String(group.chatId), text: '/kpi' }]);
    expect(params(h, 'sendMessage')[0]).toMatchObject({ chat_id: group.chatId, reply_parameters: { message_id: 31 } });
  });

  it('says nothing to service messages, in private chats and in groups', async () => {
    const h = telegramHarness(fake, { botUsername: 'my_bot' });
    for (const chat of [{}, group]) {
      for (const service of [{ write_access_allowed: { from_request: true } }, { pinned_message: { message_id: 3, date: 1, chat: { id: 1, type: 'private' }, text: 'x' } }, { new_chat_members: [{ id: 9, is_bot: false, first_name: 'A' }] }]) {
        const update = textUpdate(undefined, chat);
        const message = update.message as Record<string, unknown>;
        delete message.sticker;
        Object.assign(message, service);
        expect((await h.post(update)).status).toBe(200);
      }
    }
    await h.background.drain();
    expect(h.calls()).toEqual([]);
  });

  it('answers a bare command and a command addressed to it', async () => {
    const h = telegramHarness(fake, { botUsername: 'my_bot' });
    await h.post(textUpdate('/help', group));
    await h.post(textUpdate('/trogiup@my_bot', group));
    await h.background.drain();
    expect(h.calls('sendMessage')).toHaveLength(2);
    expect(h.calls('getMe')).toEqual([]);
  });
});

describe('Telegram webhook: streaming', () => {
  // Private chats stream with drafts (test/telegram/streaming.test.ts); groups edit a message.
  it('in a group, shows the answer as it is written, editing at most once per interval, the last edit adding sources', async () => {
    let h!: Harness;
    const model = gate();
    h = telegramHarness(fake, {
      botUsername: 'my_bot',
      streamEditIntervalMs: 1500,
      assistant: assistantWith({
        id: 'ask',
        async handle({ onPartial }) {
          let text = '';
          // 20 tokens, 400 ms apart on the test's clock: 8 s of writing.
          for (let i = 0; i < 20; i++) {
            text += `từ${i} `;
            onPartial?.(text);
            h.clock.advance(400);
          }
          await model.promise;
          return {
            intent: 'ask',
            blocks: [{ type: 'text', text: text.trim() }],
            citations: [{ id: 'd1', title: 'Chỉ thị 22', source: 'Tỉnh uỷ', date: '2022-06-22' }],
            found: true,
          };
        },
      }),
    });
    await h.post(textUpdate('@my_bot hỏi', { chatType: 'group', messageId: 77 }));
    model.open();
    await h.background.drain();
    const sent = params(h, 'sendMessage');
    const edits = params(h, 'editMessageText');
    expect(h.calls('sendMessageDraft')).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ reply_parameters: { message_id: 77 } });
    expect(sent[0]!.text).toBe('từ0 …');
    expect(sent[0]).not.toHaveProperty('parse_mode');
    // Partials at 0, 1.6, 3.2, 4.8, 6.4 s (every 4th token of 0.4 s) plus the final edit.
    expect(edits).toHaveLength(5);
    expect(edits.slice(0, -1).every((e) => !('parse_mode' in e))).toBe(true);
    const final = edits.at(-1)!;
    expect(final).toMatchObject({ parse_mode: 'HTML', message_id: expect.any(Number) });
    expect(final.text).toContain('từ19');
    expect(final.text).toContain('<b>Nguồn</b>\n1. Chỉ thị 22 — Tỉnh uỷ, 22/6/2022');
    expect(final.reply_markup).toBeDefined();
  });
});

/** The message_id the fake gave the last message this bot sent. */
function lastSentMessageId(h: Harness): number {
  const last = h.calls('sendMessage').filter((c) => c.result).at(-1);
  expect(last).toBeDefined();
  return (last!.result as { message_id: number }).message_id;
}
