/**
 * zaloOutbound: how reminder jobs reach a Zalo chat. The Reply is rendered like an answer and
 * failures become SendResults that say whether another try could help.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { zaloOutbound } from '../../src/channels/zalo/outbound';
import { Texts, type TextTable } from '../../src/core/texts';
import type { Reply } from '../../src/core/types';
import { MemoryStore } from '../../src/store/memory';
import { silentLogger } from '../../src/log';
import bundle from '../../src/generated/bundle.json';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { sentTo } from './harness';

const texts = new Texts((bundle as { prompts: TextTable }).prompts);
let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const digest: Reply = {
  intent: 'reminder',
  blocks: [
    { type: 'heading', text: 'Nhắc việc tuần này' },
    { type: 'list', items: ['Báo cáo CCHC quý IV — hạn 15/12/2026', 'Cập nhật Chỉ số PAR Index — hạn 20/12/2026'] },
  ],
  citations: [{ id: 'kh-1', title: 'Kế hoạch CCHC 2026', source: 'UBND tỉnh', date: '2026-01-05', url: 'https://example.gov.vn/kh1' }],
  buttons: [[{ label: 'Tắt nhắc việc', action: 'nhac viec tat' }]],
};

function send(store?: MemoryStore, timeoutMs = 2_000) {
  return zaloOutbound({ config: { token: fake.token, apiBase: fake.url }, texts, log: silentLogger, store, timeoutMs });
}

describe('zaloOutbound', () => {
  it('sends a digest as plain text with its source and numbered choice, and remembers the choice', async () => {
    const store = new MemoryStore();
    const result = await send(store)({ channel: 'zalo', chatId: 'chat-r', locale: 'vi' }, digest);
    expect(result).toEqual({ ok: true });
    expect(sentTo(fake, 'chat-r')).toEqual([
      'Nhắc việc tuần này\n\n• Báo cáo CCHC quý IV — hạn 15/12/2026\n• Cập nhật Chỉ số PAR Index — hạn 20/12/2026\n\n' +
        'Nguồn:\n[1] Kế hoạch CCHC 2026 — UBND tỉnh, 5/1/2026 (https://example.gov.vn/kh1)\n\nGõ 1: Tắt nhắc việc',
    ]);
    expect(JSON.parse((await store.get('zalo:choices:chat-r'))!)).toEqual(['nhac viec tat']);
  });

  it('reports a 400 from Zalo (a bad chat id) as permanent', async () => {
    fake.script({ method: 'sendMessage', status: 400, body: { ok: false, error_code: 400, description: 'Invalid chat_id' } });
    expect(await send()({ channel: 'zalo', chatId: 'gone', locale: 'vi' }, digest)).toEqual({
      ok: false,
      permanent: true,
      reason: 'zalo 400: Invalid chat_id',
    });
  });

  it.each([
    ['a quota error', { status: 200, body: { ok: false, error_code: 429, description: 'Quota exceeded' } }],
    ['a server error', { status: 502, body: 'Bad Gateway' }],
    ['a rejected token', { status: 401 }],
  ])('reports %s as worth another try', async (_name, script) => {
    fake.script({ method: 'sendMessage', ...script });
    const result = await send()({ channel: 'zalo', chatId: 'c', locale: 'vi' }, digest);
    expect(result).toMatchObject({ ok: false, permanent: false });
  });

  it('reports a timeout as worth another try', async () => {
    fake.script({ method: 'sendMessage', hang: true });
    const result = await send(undefined, 50)({ channel: 'zalo', chatId: 'c', locale: 'vi' }, digest);
    expect(result).toMatchObject({ ok: false, permanent: false, reason: expect.stringContaining('timeout') });
  });

  it('refuses a recipient on another channel without calling Zalo', async () => {
    const result = await send()({ channel: 'telegram', chatId: '42', locale: 'vi' }, digest);
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(fake.calls()).toEqual([]);
  });
});
