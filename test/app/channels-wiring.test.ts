/**
 * The channels as src/app.ts wires them: a webhook reaches the right sub-app only when its
 * channel is configured, and the runtime's Outbound sends through the live channels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';

let zalo: FakeZalo;
beforeAll(async () => {
  zalo = await startFakeZalo();
});
afterAll(async () => {
  await zalo.close();
});

const zaloEvent = (id: string, text: string) => ({
  event_name: 'message.text.received',
  message: { message_id: id, date: 1_763_700_000_000, text, from: { id: 'zu1', display_name: 'Lan', is_bot: false }, chat: { id: 'zu1', chat_type: 'PRIVATE' } },
});

describe('channel wiring in the app', () => {
  it('has no Zalo webhook when Zalo is not configured', async () => {
    const t = makeTestApp();
    expect((await t.request('/webhooks/zalo', postJson(zaloEvent('a1', 'xin chào')))).status).toBe(404);
  });

  it('answers a Zalo message through the app once, in the background', async () => {
    zalo.reset();
    const t = makeTestApp({ ZALO_BOT_TOKEN: zalo.token, ZALO_WEBHOOK_SECRET: 'zalo-secret-123', ZALO_API_BASE: zalo.url });
    const headers = { 'x-bot-api-secret-token': 'zalo-secret-123' };
    expect((await t.request('/webhooks/zalo', postJson(zaloEvent('a2', 'chi thi 22 ban hanh ngay nao'), headers))).status).toBe(200);
    expect((await t.request('/webhooks/zalo', postJson(zaloEvent('a2', 'chi thi 22 ban hanh ngay nao'), headers))).status).toBe(200);
    await t.background.drain();
    const sends = zalo.calls('sendMessage');
    expect(sends).toHaveLength(1);
    expect(JSON.stringify(sends[0]!.params)).toContain('22/6/2022');
  });

  it('sends a proactive message to a Zalo chat through the runtime Outbound', async () => {
    zalo.reset();
    const t = makeTestApp({ ZALO_BOT_TOKEN: zalo.token, ZALO_WEBHOOK_SECRET: 'zalo-secret-123', ZALO_API_BASE: zalo.url });
    const result = await t.rt.outbound.send(
      { channel: 'zalo', chatId: 'zu9', locale: 'vi' },
      { intent: 'reminder', blocks: [{ type: 'text', text: 'Nhắc việc: còn 3 ngày' }], citations: [] },
    );
    expect(result).toEqual({ ok: true });
    expect(zalo.calls('sendMessage').map((c) => c.params)).toEqual([{ chat_id: 'zu9', text: 'Nhắc việc: còn 3 ngày' }]);
    expect(await t.rt.outbound.send({ channel: 'telegram', chatId: '1', locale: 'vi' }, { intent: 'x', blocks: [], citations: [] })).toMatchObject({ ok: false, permanent: true });
  });
});
