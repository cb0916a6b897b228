/**
 * KPI charts on Telegram: /kpi sends one photo (a real PNG, drawn at send time, at least 1080 px
 * wide and not blank) with the text as caption when it fits 1,024 characters, else a short
 * caption and the text as messages; a chart that cannot be drawn or sent leaves the text alone,
 * never nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, parseTelegramHtml, type FakeTelegram, type UploadedFile } from '../support/fake-telegram';
import { telegramHarness, textUpdate, type Harness } from './harness';
import { pngRenderer, type PngRenderer } from '../../src/media/png';
import { nodePng } from '../../src/media/png-node';
import { MAX_CAPTION_LENGTH } from '../../src/channels/telegram/sender';
import { assistantWith } from '../support/runtime';
import type { Handler } from '../../src/core/handler';
import type { Reply } from '../../src/core/types';
import { decodePng, pixelStats } from '../support/png-decode';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

const renderPng = pngRenderer(nodePng);

async function ask(h: Harness, text: string): Promise<void> {
  expect((await h.post(textUpdate(text))).status).toBe(200);
  await h.background.drain();
}

function photoBytes(params: Record<string, unknown>): Uint8Array {
  const file = params.photo as UploadedFile;
  expect(typeof file).toBe('object');
  return new Uint8Array(Buffer.from(file.base64, 'base64'));
}

/** A reply with a chart and `size` characters of text. */
function chartReply(size: number, image: Reply['image']): Handler {
  const reply: Reply = { intent: 'kpi', blocks: [{ type: 'text', text: 'Chỉ số & mục tiêu '.padEnd(size, 'x') }], citations: [], found: true, image };
  return { id: 'kpi', async handle() { return reply; } };
}

const smallChart = { svg: '<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="200" viewBox="0 0 1080 200"><rect width="1080" height="200" fill="#0969da"/></svg>', width: 1080, height: 200, alt: 'Biểu đồ <thử>' };

describe('KPI charts on Telegram', () => {
  it('sends /kpi as exactly one photo: a valid PNG at least 1080 px wide with ink on it, the text as caption or after it', async () => {
    const h = telegramHarness(fake, { renderPng });
    await ask(h, '/kpi');
    const photos = h.calls('sendPhoto');
    expect(photos).toHaveLength(1);
    const p = photos[0]!.params;
    expect(photos[0]!.error).toBeUndefined();
    const img = decodePng(photoBytes(p));
    expect(img.width).toBeGreaterThanOrEqual(1080);
    expect(pixelStats(img).dark).toBeGreaterThan(10_000);
    expect(pixelStats(img).colours).toBeGreaterThan(50);
    const caption = parseTelegramHtml(String(p.caption));
    expect(typeof caption === 'string' && caption.length).toBeLessThanOrEqual(MAX_CAPTION_LENGTH);
    // The summary is the whole text either way: in the caption, or in the messages after the photo.
    const shown = [String(p.caption), ...h.calls('sendMessage').map((c) => String(c.params.text))].join('\n');
    expect(shown).toContain('Các chỉ số cải cách hành chính');
    for (const m of h.calls('sendMessage')) expect(m.seq).toBeGreaterThan(photos[0]!.seq);
  });

  it('sends /kpi <name> with the history chart of that one KPI', async () => {
    const h = telegramHarness(fake, { renderPng });
    await ask(h, '/kpi bd-dvc-toan-trinh');
    const photos = h.calls('sendPhoto');
    expect(photos).toHaveLength(1);
    const img = decodePng(photoBytes(photos[0]!.params));
    expect(img.width).toBeGreaterThanOrEqual(1080);
    expect(pixelStats(img).dark).toBeGreaterThan(5_000);
  });

  it('puts a short text in the caption with the keyboard, and nothing else', async () => {
    const h = telegramHarness(fake, { renderPng, assistant: (rt) => assistantWith(rt, [chartReply(MAX_CAPTION_LENGTH, smallChart)]) });
    await ask(h, 'chỉ số');
    const [photo] = h.calls('sendPhoto');
    expect(parseTelegramHtml(String(photo!.params.caption))).toBe('Chỉ số & mục tiêu '.padEnd(MAX_CAPTION_LENGTH, 'x'));
    expect(photo!.params.parse_mode).toBe('HTML');
    expect(photo!.params.reply_markup).toBeDefined();
    expect(h.calls('sendMessage')).toEqual([]);
  });

  it('sends a text over 1,024 characters after the photo, the photo captioned with the chart description', async () => {
    const h = telegramHarness(fake, { renderPng, assistant: (rt) => assistantWith(rt, [chartReply(MAX_CAPTION_LENGTH + 1, smallChart)]) });
    await ask(h, 'chỉ số');
    const [photo] = h.calls('sendPhoto');
    expect(photo!.error).toBeUndefined();
    expect(parseTelegramHtml(String(photo!.params.caption))).toBe('Biểu đồ <thử>');
    const messages = h.calls('sendMessage');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.seq).toBeGreaterThan(photo!.seq);
    expect(messages[0]!.params.text).toContain('Chỉ số &amp; mục tiêu');
  });

  it('falls back to the text alone when the chart cannot be drawn, and says so at warn', async () => {
    const failing: PngRenderer = () => Promise.reject(new Error('resvg: out of memory'));
    const h = telegramHarness(fake, { renderPng: failing });
    await ask(h, '/kpi');
    expect(h.calls('sendPhoto')).toEqual([]);
    expect(h.calls('sendMessage').map((c) => String(c.params.text)).join('\n')).toContain('Các chỉ số cải cách hành chính');
    expect(h.logs.some((l) => l.includes('"level":"warn"') && l.includes('telegram chart not sent') && l.includes('out of memory'))).toBe(true);
  });

  it('falls back to the text alone when Telegram refuses the photo', async () => {
    const h = telegramHarness(fake, { renderPng });
    fake.script({ method: 'sendPhoto', error_code: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED', token: h.token });
    await ask(h, '/kpi');
    expect(h.calls('sendPhoto')).toHaveLength(1);
    expect(h.calls('sendMessage').map((c) => String(c.params.text)).join('\n')).toContain('Các chỉ số cải cách hành chính');
  });

  it('sends text only when no renderer is given', async () => {
    const h = telegramHarness(fake);
    await ask(h, '/kpi');
    expect(h.calls('sendPhoto')).toEqual([]);
    expect(h.calls('sendMessage').length).toBeGreaterThan(0);
  });
});
