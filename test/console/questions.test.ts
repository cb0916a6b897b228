/**
 * Câu hỏi and Tổng quan over GET /admin/stats: the answers voted 👎 show the reply that was
 * given (masked), the filters narrow what is shown, and the 30-day charts come from each day's
 * split by channel.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleClient } from './client';
import { attachFeedback, recordQuestion } from '../../src/analytics/questions';
import { rememberAnswer } from '../../src/analytics/feedback';

const NOW = new Date('2026-11-21T08:00:00+07:00');
const DAY = 86_400_000;

describe('Câu hỏi', () => {
  it('shows an answer voted 👎 through the chat with the reply that was given, masked', async () => {
    const c = ConsoleClient.make();
    // A real answer and a real vote, as a Telegram 👎 reaches the assistant.
    const reply = await c.t.rt.assistant.handle({ channel: 'telegram', chatId: '55', userId: '55', text: 'Chỉ thị 22-CT/TU ban hành ngày nào? SĐT 0912345678', locale: 'vi' });
    await rememberAnswer(c.t.store, { channel: 'telegram', chatId: '55', messageRef: '7' }, { intent: reply.intent, questionId: reply.questionId, ttlSeconds: 3600 });
    await c.t.rt.assistant.handle({ channel: 'telegram', chatId: '55', userId: '55', text: '', locale: 'vi', vote: { value: 'down', messageRef: '7' } });
    await c.signIn();
    const html = await (await c.get('/console/questions')).text();
    expect(html).toContain('Câu trả lời bị chấm 👎');
    const quoted = [...html.matchAll(/<blockquote aria-label="Câu trả lời đã gửi">([\s\S]*?)<\/blockquote>/g)].map((m) => m[1]!);
    // In the 👎 section and beside the question in the list.
    expect(quoted).toHaveLength(2);
    const first = reply.blocks[0]!;
    const firstLine = (first.type === 'list' ? first.items[0]! : first.text).split('\n')[0]!.slice(0, 30);
    expect(quoted[0]).toContain(firstLine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
    expect(html).not.toContain('0912345678');
  });

  it('says so when the reply of a 👎 is no longer kept, and filters through the API', async () => {
    const c = ConsoleClient.make();
    const id = await recordQuestion(c.t.store, { at: new Date(NOW.getTime() - DAY), channel: 'zalo', intent: 'procedure', found: true, latencyMs: 5, text: 'Làm hộ chiếu ở đâu?', retentionDays: 90 });
    await recordQuestion(c.t.store, { at: NOW, channel: 'web', intent: 'ask', found: false, latencyMs: 5, text: 'Giá vàng hôm nay?', retentionDays: 90, reply: 'Không tìm thấy.' });
    await attachFeedback(c.t.store, id, 'down');
    await c.signIn();
    const all = await (await c.get('/console/questions')).text();
    expect(all).toContain('Không còn lưu câu trả lời này');
    expect(all).toContain('Giá vàng hôm nay?');
    const zalo = await (await c.get('/console/questions?channel=zalo')).text();
    expect(zalo).toContain('Làm hộ chiếu ở đâu?');
    expect(zalo).not.toContain('Giá vàng hôm nay?');
    // The intent choices are those of the chosen channel.
    expect(zalo).toContain('<option value="procedure"');
    expect(zalo).not.toContain('<option value="ask"');
    const unanswered = await (await c.get('/console/questions?outcome=unanswered')).text();
    const list = unanswered.slice(unanswered.indexOf('Từng câu hỏi') >= 0 ? unanswered.indexOf('Từng câu hỏi') : 0);
    expect(list).toContain('Giá vàng hôm nay?');
  });
});

describe('Tổng quan', () => {
  it('charts each day by channel from one month of stats', async () => {
    const c = ConsoleClient.make();
    for (const [daysAgo, channel] of [[0, 'web'], [3, 'zalo'], [3, 'zalo'], [29, 'telegram'], [30, 'telegram']] as const) {
      await recordQuestion(c.t.store, { at: new Date(NOW.getTime() - daysAgo * DAY), channel, intent: 'ask', found: true, latencyMs: 5, text: 'x', retentionDays: 90 });
    }
    await c.signIn();
    const html = await (await c.get('/console')).text();
    expect(html).toMatch(/Câu hỏi hôm nay<\/span><span class="value">1</);
    // The 30 days hold four of the five questions (the fifth is a day too old).
    expect(html).toContain('Tổng cộng 4 câu hỏi');
    // One stacked bar per day and channel with questions: three, beyond what an empty chart draws.
    const empty = ConsoleClient.make();
    await empty.signIn();
    const rects = (page: string) => (/<svg[\s\S]*?<\/svg>/.exec(page)![0].match(/<rect /g) ?? []).length;
    expect(rects(html) - rects(await (await empty.get('/console')).text())).toBe(3);
  });
});
