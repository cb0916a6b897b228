/**
 * The Zalo Bot API client against the loopback fake: the methods and their documented fields,
 * and every way a call can fail surfacing as a typed error that never quotes the token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZaloApiError, ZaloClient, ZaloTransportError, parseJsonKeepingBigInts } from '../../src/channels/zalo/client';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';

let fake: FakeZalo;
let zalo: ZaloClient;

beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  zalo = new ZaloClient({ token: fake.token, apiBase: fake.url, timeoutMs: 2_000 });
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('ZaloClient', () => {
  it('reads the bot with getMe', async () => {
    const me = await zalo.getMe();
    expect(me).toMatchObject({ id: expect.any(String), account_name: 'Bot Trợ lý CCHC', can_join_groups: true });
    expect(fake.calls('getMe')[0]).toMatchObject({ tokenOk: true, params: {} });
  });

  it('sends a message as a JSON POST with chat_id and text and returns the receipt', async () => {
    const sent = await zalo.sendMessage({ chat_id: 'chat-1', text: 'Xin chào' });
    expect(sent.message_id).toMatch(/^[0-9a-f]{20}$/);
    expect(typeof sent.date).toBe('number');
    expect(fake.calls('sendMessage')).toEqual([{ method: 'sendMessage', tokenOk: true, params: { chat_id: 'chat-1', text: 'Xin chào' }, status: 200 }]);
  });

  it('sends a photo by URL with a caption, and the typing action', async () => {
    await zalo.sendPhoto({ chat_id: 'chat-1', photo: 'https://example.gov.vn/a.png', caption: 'Sơ đồ' });
    await zalo.sendChatAction({ chat_id: 'chat-1', action: 'typing' });
    expect(fake.calls().map((c) => [c.method, c.params])).toEqual([
      ['sendPhoto', { chat_id: 'chat-1', photo: 'https://example.gov.vn/a.png', caption: 'Sơ đồ' }],
      ['sendChatAction', { chat_id: 'chat-1', action: 'typing' }],
    ]);
  });

  it('sets, reads and deletes the webhook with its secret_token', async () => {
    const set = await zalo.setWebhook({ url: 'https://cchc.example.gov.vn/webhooks/zalo', secret_token: 'a-secret-of-24-chars-xyz' });
    expect(set.url).toBe('https://cchc.example.gov.vn/webhooks/zalo');
    expect(fake.webhook().secret).toBe('a-secret-of-24-chars-xyz');
    expect((await zalo.getWebhookInfo()).url).toBe('https://cchc.example.gov.vn/webhooks/zalo');
    expect((await zalo.deleteWebhook()).url).toBe('');
    expect((await zalo.getWebhookInfo()).url).toBe('');
  });

  it('surfaces { ok: false } as a ZaloApiError with error_code and description, even under HTTP 200', async () => {
    fake.script({ method: 'sendMessage', status: 200, body: { ok: false, error_code: 429, description: 'Quota exceeded' } });
    const e = await failure(zalo.sendMessage({ chat_id: 'c', text: 't' }));
    expect(e).toBeInstanceOf(ZaloApiError);
    expect(e).toMatchObject({ errorCode: 429, description: 'Quota exceeded', httpStatus: 200, method: 'sendMessage', permanent: false });
  });

  it('surfaces a validation failure of the API (text over 2000 characters) as a permanent 400', async () => {
    const e = await failure(zalo.sendMessage({ chat_id: 'c', text: 'a'.repeat(2001) }));
    expect(e).toMatchObject({ name: 'ZaloApiError', errorCode: 400, permanent: true });
  });

  it('surfaces a rejected token as 401 without ever quoting the token', async () => {
    const bad = new ZaloClient({ token: '999:wrong-token-value', apiBase: fake.url });
    const e = await failure(bad.getMe());
    expect(e).toMatchObject({ name: 'ZaloApiError', errorCode: 401 });
    expect(String((e as Error).message)).not.toContain('wrong-token-value');
  });

  it('surfaces an HTTP 500 with a non-JSON body as a ZaloApiError carrying the status', async () => {
    fake.script({ method: 'getMe', status: 500, body: 'oops' });
    const e = await failure(zalo.getMe());
    expect(e).toMatchObject({ name: 'ZaloApiError', errorCode: 500, httpStatus: 500 });
  });

  it('surfaces a 200 that is not an envelope, and a result of the wrong shape, as bad responses', async () => {
    fake.script({ method: 'getMe', status: 200, body: ['not', 'an', 'envelope'] });
    expect(await failure(zalo.getMe())).toMatchObject({ name: 'ZaloTransportError', kind: 'bad-response' });
    fake.script({ method: 'getWebhookInfo', status: 200, body: { ok: true, result: { url: 42 } } });
    expect(await failure(zalo.getWebhookInfo())).toMatchObject({ name: 'ZaloTransportError', kind: 'bad-response' });
  });

  it('gives up on a call that gets no answer with a timeout error', async () => {
    fake.script({ method: 'sendMessage', hang: true });
    const quick = new ZaloClient({ token: fake.token, apiBase: fake.url, timeoutMs: 50 });
    const e = await failure(quick.sendMessage({ chat_id: 'c', text: 't' }));
    expect(e).toBeInstanceOf(ZaloTransportError);
    expect(e).toMatchObject({ kind: 'timeout', method: 'sendMessage' });
  });

  it('surfaces an unreachable API as a network error that does not quote the URL and token', async () => {
    const gone = await startFakeZalo();
    const url = gone.url;
    await gone.close();
    const e = await failure(new ZaloClient({ token: 'secret-token-123', apiBase: url }).getMe());
    expect(e).toMatchObject({ name: 'ZaloTransportError', kind: 'network' });
    expect((e as Error).message).not.toContain('secret-token-123');
  });

  it('asks getMe once for the bot and keeps it, but asks again after a failure', async () => {
    fake.script({ method: 'getMe', status: 500 });
    await expect(zalo.me()).rejects.toBeInstanceOf(ZaloApiError);
    const [a, b] = await Promise.all([zalo.me(), zalo.me()]);
    expect(await zalo.me()).toBe(a);
    expect(b).toBe(a);
    expect(a.account_name).toBe('Bot Trợ lý CCHC');
    expect(fake.calls('getMe')).toHaveLength(2);
  });

  it('keeps every digit of an id Zalo sends as a number too large for a double', async () => {
    const raw = '{"ok":true,"result":{"message_id":8446421582866817655,"date":1763700000000}}';
    const stub = new ZaloClient({ token: 't:k', apiBase: 'http://127.0.0.1:9', fetch: async () => new Response(raw, { headers: { 'content-type': 'application/json' } }) });
    expect(await stub.sendMessage({ chat_id: 'c', text: 't' })).toEqual({ message_id: '8446421582866817655', date: 1763700000000 });
  });

  it('accepts a sendMessage receipt missing its fields rather than reporting a delivered message as failed', async () => {
    fake.script({ method: 'sendMessage', status: 200, body: { ok: true, result: {} } });
    await expect(zalo.sendMessage({ chat_id: 'c', text: 't' })).resolves.toEqual({});
  });
});

describe('parseJsonKeepingBigInts', () => {
  it('turns integers beyond 2^53 into strings with every digit and leaves everything else as JSON.parse does', () => {
    const raw =
      '{"id":8446421582866817655,"neg":-98765432109876543210,"safe":9007199254740991,"date":1763700000000,' +
      '"float":12345678901234567890.5,"exp":1e21,"list":[1,12345678901234567890],"text":"9999999999999999999 \\" 88888888888888888888"}';
    expect(parseJsonKeepingBigInts(raw)).toEqual({
      id: '8446421582866817655',
      neg: '-98765432109876543210',
      safe: 9007199254740991,
      date: 1763700000000,
      float: 12345678901234567890.5,
      exp: 1e21,
      list: [1, '12345678901234567890'],
      text: '9999999999999999999 " 88888888888888888888',
    });
    // The precision it keeps: JSON.parse alone rounds the id.
    expect(String((JSON.parse(raw) as { id: number }).id)).toBe('8446421582866818000');
  });

  it('throws on text that is not JSON, like JSON.parse', () => {
    expect(() => parseJsonKeepingBigInts('{"id":12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJsonKeepingBigInts('{not json')).toThrow(SyntaxError);
  });
});
