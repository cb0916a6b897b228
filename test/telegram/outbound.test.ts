/**
 * Proactive sends (reminders, alerts) through telegramOutbound: delivered once, 429 waited out,
 * a blocked bot a permanent failure, other failures reported without a blind retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { telegramOutbound } from '../../src/channels/telegram/outbound';
import { makeTestApp } from '../support/runtime';
import type { Reply } from '../../src/core/types';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

let bot = 0;
function outbound() {
  const { rt, store } = makeTestApp();
  const token = `${900 + ++bot}:OUT-token`;
  const sleeps: number[] = [];
  const send = telegramOutbound({
    store,
    texts: rt.texts,
    log: rt.log,
    config: { token, apiBase: fake.url },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { send, token, sleeps };
}

const digest: Reply = {
  intent: 'reminders',
  blocks: [{ type: 'heading', text: 'Nhiệm vụ sắp đến hạn' }, { type: 'list', items: ['Báo cáo quý <IV> — 30/11/2026'] }],
  citations: [],
  buttons: [[{ label: 'Xem tất cả', action: '/nhacviec' }]],
};
const to = { channel: 'telegram' as const, chatId: '4242', locale: 'vi' as const };

describe('telegramOutbound', () => {
  it('sends a reply once, in HTML, with its buttons and no 👍/👎', async () => {
    const o = outbound();
    expect(await o.send(to, digest)).toEqual({ ok: true });
    const [sent, ...more] = fake.callsOf('sendMessage', o.token);
    expect(more).toEqual([]);
    expect(sent!.params).toMatchObject({ chat_id: '4242', parse_mode: 'HTML', text: '<b>Nhiệm vụ sắp đến hạn</b>\n\n• Báo cáo quý &lt;IV&gt; — 30/11/2026' });
    expect(sent!.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Xem tất cả', callback_data: 'a:/nhacviec' }]] });
  });

  it('reports a bot blocked by the user as a permanent failure', async () => {
    const o = outbound();
    fake.script({ method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    const result = await o.send(to, digest);
    expect(result).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining('blocked') });
    expect(fake.callsOf('sendMessage', o.token)).toHaveLength(1);
  });

  it('waits out a 429 and then delivers', async () => {
    const o = outbound();
    fake.script({ method: 'sendMessage', error_code: 429, description: 'Too Many Requests: retry after 2', retry_after: 2 });
    expect(await o.send(to, digest)).toEqual({ ok: true });
    expect(o.sleeps).toEqual([2000]);
    expect(fake.callsOf('sendMessage', o.token)).toHaveLength(2);
  });

  it('gives up on a 429 asking for too long, without waiting', async () => {
    const o = outbound();
    fake.script({ method: 'sendMessage', error_code: 429, description: 'Too Many Requests: retry after 600', retry_after: 600 });
    expect(await o.send(to, digest)).toMatchObject({ ok: false, permanent: false });
    expect(o.sleeps).toEqual([]);
  });

  it('does not retry a server error and says it may be retried later', async () => {
    const o = outbound();
    fake.script({ method: 'sendMessage', error_code: 502, description: 'Bad Gateway' });
    expect(await o.send(to, digest)).toMatchObject({ ok: false, permanent: false });
    expect(fake.callsOf('sendMessage', o.token)).toHaveLength(1);
  });

  it('refuses a recipient on another channel', async () => {
    const o = outbound();
    expect(await o.send({ ...to, channel: 'zalo' }, digest)).toMatchObject({ ok: false, permanent: true });
    expect(fake.calls(o.token)).toEqual([]);
  });
});
