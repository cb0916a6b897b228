/** The card, field answers and pick-list say only what the record holds, cite it and remind to check. */
import { describe, expect, it } from 'vitest';
import bundleJson from '../../src/generated/bundle.json';
import { Texts, type TextTable } from '../../src/core/texts';
import type { Reply } from '../../src/core/types';
import { channelSummary, fieldAnswer, pickList, procedureCard } from '../../src/procedures/card';
import { bundledProcedures } from '../../src/procedures/load';
import { renderPlain } from '../../src/channels/plain';
import { fullRecord, sparseRecord } from './fixtures/records';

const texts = new Texts((bundleJson as { prompts: TextTable }).prompts);
const text = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');
const actions = (r: Reply) => (r.buttons ?? []).flat().map((b) => b.action);

describe('procedureCard', () => {
  const card = procedureCard(fullRecord, texts, 'vi');

  it('shows name, code, where (with level and date), time, fee per channel and online level', () => {
    const t = text(card);
    expect(t).toContain('Đăng ký ví dụ');
    expect(t).toContain('Mã thủ tục: 9.000001');
    expect(t).toContain('Nơi làm: UBND cấp xã (cấp xã, từ 1/7/2025)');
    expect(t).toContain('Thời hạn: 03 ngày làm việc.');
    expect(t).toContain('Lệ phí: Trực tiếp: 20.000 đồng; Trực tuyến: 10.000 đồng');
    expect(t).toContain('Nộp trực tuyến: có, qua Cổng DVC quốc gia (toàn trình)');
    expect(t).toContain('Lưu ý:\nGhi chú mẫu.');
  });

  it('cites the record and reminds to confirm fees and time limits on the portal', () => {
    expect(card.citations).toEqual([
      { id: 'dang-ky-vi-du', title: 'Đăng ký ví dụ', source: 'Hồ sơ thủ tục của trợ lý, tổng hợp từ 1 nguồn', date: '2026-11-01', url: undefined },
    ]);
    expect(text(card)).toContain('kiểm tra lại trên Cổng Dịch vụ công quốc gia');
    expect(card.found).toBe(true);
  });

  it('offers the documents, the steps and the fees as buttons', () => {
    expect(actions(card)).toEqual(['/thutuc dang-ky-vi-du giayto', '/thutuc dang-ky-vi-du buoc', '/thutuc dang-ky-vi-du phi']);
  });

  it('says information is missing instead of filling it in', () => {
    const sparse = procedureCard(sparseRecord, texts, 'vi');
    expect(text(sparse)).toContain('Thời hạn: chưa có thông tin, xem Cổng DVC');
    expect(text(sparse)).toContain('Lệ phí: chưa có thông tin, xem Cổng DVC');
    expect(actions(sparse)).toEqual([]);
  });

  it('has English labels and reminder for English users', () => {
    expect(text(procedureCard(fullRecord, texts, 'en'))).toContain('Time limit: 03 ngày làm việc.');
  });
});

describe('card length', () => {
  it('fits every real card in one Zalo message (2000 characters)', () => {
    for (const p of bundledProcedures()) {
      expect(renderPlain(procedureCard(p, texts, 'vi'), texts, 'vi').length, p.id).toBeLessThanOrEqual(2000);
    }
  });
});

describe('fieldAnswer', () => {
  it('answers the documents with originals, copies, form and condition', () => {
    const r = fieldAnswer(fullRecord, ['documents'], texts, 'vi');
    expect(text(r)).toContain('Tờ khai (bản chính: 1, bản sao: 0; mẫu CT01)');
    expect(text(r)).toContain('Giấy ủy quyền — nếu làm thay');
    expect(actions(r)).toEqual(['/thutuc dang-ky-vi-du buoc', '/thutuc dang-ky-vi-du phi', '/thutuc dang-ky-vi-du thoigian', '/thutuc dang-ky-vi-du']);
    expect(r.citations[0]!.id).toBe('dang-ky-vi-du');
  });

  it('answers the time per channel, keeping the record\'s own words', () => {
    expect(text(fieldAnswer(fullRecord, ['time'], texts, 'vi'))).toContain('Trực tuyến: Như nộp trực tiếp.');
  });

  it('points to the portal when the record does not hold the field', () => {
    const r = fieldAnswer(sparseRecord, ['fee'], texts, 'vi');
    expect(text(r)).toContain('Chưa có thông tin đã kiểm chứng');
    expect(text(r)).toContain('https://dichvucong.gov.vn');
  });
});

describe('pickList', () => {
  it('lists the matches and carries the asked field into each button', () => {
    const r = pickList([{ procedure: fullRecord, score: 1 }, { procedure: sparseRecord, score: 0.9 }], ['fee'], texts, 'vi');
    expect(r.blocks[1]).toEqual({ type: 'list', ordered: true, items: ['Đăng ký ví dụ', 'Thủ tục ít thông tin'] });
    expect(actions(r)).toEqual(['/thutuc dang-ky-vi-du phi', '/thutuc thu-tuc-it-thong-tin phi']);
  });
});

describe('channelSummary', () => {
  const t = (k: string) => texts.get('vi', k);
  it('gives one value when channels agree or defer to each other, and each channel otherwise', () => {
    expect(channelSummary(fullRecord.channels, 'timeLimit', t)).toBe('03 ngày làm việc.');
    expect(channelSummary(fullRecord.channels, 'fee', t)).toBe('Trực tiếp: 20.000 đồng; Trực tuyến: 10.000 đồng');
    expect(channelSummary([], 'fee', t)).toBeUndefined();
  });
});
