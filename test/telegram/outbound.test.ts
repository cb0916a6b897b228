/**
 * Proactive sends (reminders, alerts, the briefing) through telegramOutbound: delivered once, 429
 * waited out, a blocked bot a permanent failure, other failures reported without a blind retry;
 * a chart goes as a photo, and a chart that cannot be drawn leaves the text alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { telegramOutbound } from '../../src/channels/telegram/outbound';
import { makeTestApp } from '../support/runtime';
import type { Reply } from '../../src/core/types';
import type { PngRenderer } from '../../src/media/png';
import { pngRenderer } from '../../src/media/png';
import { nodePng } from '../../src/media/png-node';
import type { UploadedFile } from '../support/fake-telegram';
import { decodePng } from '../support/png-decode';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

let bot = 0;
function outbound(renderPng?: PngRenderer) {
  const { rt, store } = makeTestApp();
  const token = `${900 + ++bot}:OUT-token`;
  const sleeps: number[] = [];
  const send = telegramOutbound({
    store,
    texts: rt.texts,
    log: rt.log,
    config: { token, apiBase: fake.url },
    renderPng,
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

  const chart = { svg: '<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="300" viewBox="0 0 1080 300"><rect width="1080" height="300" fill="#cf222e"/></svg>', width: 1080, height: 300, alt: 'Biểu đồ thử' };

  it('sends a reply with a chart as one photo with the text as caption and the buttons on it', async () => {
    const o = outbound(pngRenderer(nodePng));
    expect(await o.send(to, { ...digest, image: chart })).toEqual({ ok: true });
    const [photo, ...more] = fake.callsOf('sendPhoto', o.token);
    expect(more).toEqual([]);
    expect(fake.callsOf('sendMessage', o.token)).toEqual([]);
    expect(String(photo!.params.chat_id)).toBe('4242');
    expect(photo!.params).toMatchObject({ parse_mode: 'HTML', caption: '<b>Nhiệm vụ sắp đến hạn</b>\n\n• Báo cáo quý &lt;IV&gt; — 30/11/2026' });
    expect(photo!.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Xem tất cả', callback_data: 'a:/nhacviec' }]] });
    expect(decodePng(new Uint8Array(Buffer.from((photo!.params.photo as UploadedFile).base64, 'base64'))).width).toBe(1080);
  });

  it('sends the text alone when the chart cannot be drawn, and reports a blocked bot as permanent with a chart too', async () => {
    const o = outbound(async () => {
      throw new Error('renderer unavailable');
    });
    expect(await o.send(to, { ...digest, image: chart })).toEqual({ ok: true });
    expect(fake.callsOf('sendPhoto', o.token)).toEqual([]);
    expect(fake.callsOf('sendMessage', o.token)).toHaveLength(1);

    const blocked = outbound(pngRenderer(nodePng));
    fake.script({ method: 'sendPhoto', error_code: 403, description: 'Forbidden: bot was blocked by the user', token: blocked.token });
    fake.script({ method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was blocked by the user', token: blocked.token });
    expect(await blocked.send(to, { ...digest, image: chart })).toMatchObject({ ok: false, permanent: true });
  });

  it('refuses a recipient on another channel', async () => {
    const o = outbound();
    expect(await o.send({ ...to, channel: 'zalo' }, digest)).toMatchObject({ ok: false, permanent: true });
    expect(fake.calls(o.token)).toEqual([]);
  });
});
