/**
 * A question no source answers, asked on Telegram: the reply says it does not know and lists the
 * passages under the related-reading label, never under "Nguồn" (the sender passes the label).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { telegramHarness, textUpdate } from './harness';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

describe('Telegram: related reading', () => {
  it('shows the passages of an unanswered question under "Đọc thêm", not as sources', async () => {
    const h = telegramHarness(fake);
    const res = await h.post(textUpdate('Kinh phí thực hiện Đề án cải cách hành chính trong các cơ quan Đảng Bình Dương là bao nhiêu?'));
    expect(res.status).toBe(200);
    await h.background.drain();
    const text = h.calls('sendMessage').map((c) => String(c.params.text)).join('\n');
    expect(text).toContain(h.rt.texts.get('vi', 'related'));
    expect(text).not.toContain(`<b>${h.rt.texts.get('vi', 'sources')}</b>`);
  });
});
