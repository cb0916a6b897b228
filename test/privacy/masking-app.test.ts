/**
 * Through the composed app: a landline, a full-width number and one split by zero-width
 * characters sent to POST /api/chat reach neither the operator's GET /admin/stats, nor the
 * conversation memory, nor the model (prompt, history, embeddings), only their placeholders.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';
import { useFakeOpenAI } from '../llm/setup';

const TOKEN = 'admin-token-0123456789';
const MESSAGES = [
  'Chỉ thị 22-CT/TU ban hành ngày nào? gọi tôi 028 3829 1234',
  'mục tiêu chuyển đổi số, số tôi ０９１２３４５６７８',
  'cải cách hành chính cần gì, CCCD 079\u200b123\u200b456\u200b789',
];
/** The numbers above as ASCII digits, and their groups as written. */
const NUMBERS = ['02838291234', '0912345678', '079123456789'];
const GROUPS = ['028 3829', '3829 1234', '079\u200b123'];
const FULL_WIDTH = /[\uff10-\uff19]/u;

function expectMasked(text: string, where: string): void {
  // Separators and zero-width characters taken out, so a number split by them still shows.
  const squeezed = text.replace(/[\s.\-\u200b]|\\u200b/g, '');
  for (const n of NUMBERS) expect(squeezed, `${where} holds ${n}`).not.toContain(n);
  for (const g of GROUPS) expect(text, `${where} holds ${g}`).not.toContain(g);
  expect(text, `${where} holds full-width digits`).not.toMatch(FULL_WIDTH);
}

describe('personal numbers sent to the web chat', () => {
  const fake = useFakeOpenAI();

  it('reach neither the stats, nor the conversation memory, nor the model', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL });
    let sessionId: string | undefined;
    for (const message of MESSAGES) {
      const res = await t.request('/api/chat', postJson({ message, sessionId }));
      expect(res.status).toBe(200);
      sessionId = ((await res.json()) as { sessionId: string }).sessionId;
    }
    await t.background.drain();

    const stats = await t.request('/admin/stats', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stats.status).toBe(200);
    const statsText = await stats.text();
    expectMasked(statsText, '/admin/stats');
    // The questions were recorded, masked: the check above is not passing on an empty report.
    expect(statsText).toContain('gọi tôi [số điện thoại]');
    expect(statsText).toContain('số tôi [số điện thoại]');
    expect(statsText).toContain('CCCD [số CCCD]');

    const memory = (await Promise.all((await t.store.keysWithPrefix('conv:web:')).map((k) => t.store.listRange(k, 0, -1)))).flat();
    expect(memory.length).toBeGreaterThanOrEqual(MESSAGES.length);
    expectMasked(memory.join('\n'), 'conversation memory');

    const sent = fake.calls().map((c) => JSON.stringify(c.body));
    expect(fake.calls('chat').length).toBeGreaterThan(0);
    expectMasked(sent.join('\n'), 'the model requests');
  });
});
