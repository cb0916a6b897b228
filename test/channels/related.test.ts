import { describe, expect, it } from 'vitest';
import { Texts, type TextTable } from '../../src/core/texts';
import type { Reply } from '../../src/core/types';
import { renderPlain } from '../../src/channels/plain';
import { renderZalo } from '../../src/channels/zalo/render';
import { renderReplyHtml } from '../../src/channels/telegram/render';
import bundleJson from '../../src/generated/bundle.json' with { type: 'json' };

const texts = new Texts((bundleJson as unknown as { prompts: TextTable }).prompts);
const refusal: Reply = {
  intent: 'ask',
  blocks: [{ type: 'text', text: 'Xin lỗi, tôi không tìm thấy thông tin này.' }],
  citations: [],
  found: false,
  related: [{ id: 'd1', title: 'Kế hoạch CCHC 2022-2025', source: 'Báo Bình Dương', date: '2022-04-01' }],
};

describe('related reading is shown apart from the answer, under its own label', () => {
  it('plain text (web reply, Zalo): "Đọc thêm", never "Nguồn"', () => {
    const plain = renderPlain(refusal, texts, 'vi');
    expect(plain).toContain(`${texts.get('vi', 'related')}:\n[1] Kế hoạch CCHC 2022-2025 — Báo Bình Dương, 1/4/2022`);
    expect(plain).not.toContain(`${texts.get('vi', 'sources')}:`);
    expect(renderZalo(refusal, texts, 'vi').parts.join('\n')).toContain(texts.get('vi', 'related'));
    expect(renderPlain(refusal, texts, 'en')).toContain('Related reading');
  });

  it('Telegram HTML, when given the label', () => {
    const html = renderReplyHtml(refusal, 'Nguồn', 'Đọc thêm');
    expect(html).toContain('<b>Đọc thêm</b>\n1. Kế hoạch CCHC 2022-2025');
    expect(html).not.toContain('<b>Nguồn</b>');
  });
});
