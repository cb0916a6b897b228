/**
 * Issue 19: the fields citizens ask about (their own deadline, the result's validity, documents
 * no longer required, fees with their period), yes/no questions answered first, and two
 * procedures named in one question answered both.
 */
import { describe, expect, it } from 'vitest';
import bundleJson from '../../src/generated/bundle.json';
import { Texts, type TextTable } from '../../src/core/texts';
import type { Reply } from '../../src/core/types';
import { readIntent } from '../../src/procedures/intent';
import { fieldAnswer, procedureCard } from '../../src/procedures/card';
import { ProcedureSchema, type ProcedureInput } from '../../src/procedures/schema';
import { bareProcedures } from './fixtures/services';

const texts = new Texts((bundleJson as { prompts: TextTable }).prompts);
const text = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');
const first = (r: Reply) => {
  const b = r.blocks.find((x) => x.type !== 'heading')!;
  return b.type === 'list' ? b.items[0]! : b.text;
};

const base: ProcedureInput = {
  id: 'thu-tuc-mau',
  name: 'Thủ tục mẫu',
  field: 'Mẫu',
  channels: [{ kind: 'in-person', fee: '100.000 đồng/lần.', timeLimit: '05 ngày làm việc.' }],
  documents: [{ name: 'Tờ khai mẫu' }, { name: 'Giấy chứng sinh', when: 'nếu có' }],
  asOf: '2026-01-01',
  sources: [{ title: 'Nguồn mẫu', checkedAt: '2026-01-01' }],
};
const record = ProcedureSchema.parse({
  ...base,
  deadline: { value: 'Trong 30 ngày kể từ ngày phát sinh.', basis: 'Luật mẫu, Điều 1' },
  validity: { value: 'Có giá trị 03 tháng.' },
  notRequired: [{ name: 'Giấy xác nhận tình trạng hôn nhân', note: 'Cơ quan tự tra cứu.', since: '2025-01-09' }],
  feePeriods: [{ value: 'Giảm 50%: 50.000 đồng/lần', from: '2026-01-01', until: '2026-06-30', basis: 'Thông tư mẫu' }],
});

describe('reading the field asked', () => {
  it.each([
    ['khai sinh hạn chót là khi nào', ['deadline']],
    ['sinh con bao lâu phải làm giấy khai sinh', ['deadline']],
    ['khai sinh va khai tu phai lam trong bao lau', ['deadline']],
    ['giấy xác nhận tình trạng hôn nhân có giá trị bao lâu', ['validity']],
    ['giay doc than bao lau thi het han', ['validity']],
    ['dang ky ket hon khong can nop giay to gi', ['exempt']],
    ['làm căn cước mất bao lâu', ['time']],
  ])('%s → %j (the deadline or validity is not read as the office time limit too)', (q, fields) => {
    expect(readIntent(q).fields).toEqual(fields);
  });

  it('reads "trong bao lâu" as either: the time limit, the deadline when the record has one', () => {
    const i = readIntent('dang ky khai sinh trong bao lau');
    expect(i.fields).toEqual(['time']);
    expect(i.eitherDuration).toBe(true);
    expect(readIntent('lam can cuoc mat bao lau').eitherDuration).toBe(false);
  });

  it('finds each yes/no clause, the document as typed, and keeps the document out of the subject', () => {
    const i = readIntent('đăng ký kết hôn có mất phí không và cần giấy khai sinh không');
    expect(i.yesNo).toEqual([{ kind: 'fee' }, { kind: 'document', document: 'giấy khai sinh' }]);
    expect(i.subject).not.toContain('khai sinh');
    expect(readIntent('doi can cuoc con duoc giam phi khong').yesNo).toEqual([{ kind: 'reduction' }]);
    expect(readIntent('đăng ký tạm trú online được không').yesNo).toEqual([{ kind: 'online' }]);
    expect(readIntent('đăng ký tạm trú cần giấy tờ gì').yesNo).toEqual([]);
  });
});

describe('the record answers the field asked', () => {
  it('rejects a fee period that ends before it starts', () => {
    const bad = ProcedureSchema.safeParse({ ...base, feePeriods: [{ value: 'x', from: '2026-02-01', until: '2026-01-01' }] });
    expect(bad.success).toBe(false);
  });

  it('reads a fee period against today: in force, then ended, never offered as current once ended', () => {
    expect(text(fieldAnswer(record, ['fee'], texts, 'vi', { today: '2026-03-01' }))).toContain('Đang áp dụng (từ 1/1/2026 đến hết 30/6/2026)');
    const later = fieldAnswer(record, ['fee'], texts, 'vi', { today: '2026-12-06' });
    expect(text(later)).toContain('Đã hết (chỉ áp dụng từ 1/1/2026 đến hết 30/6/2026)');
    expect(text(procedureCard(record, texts, 'vi', '2026-12-06'))).not.toContain('Giảm 50%');
    expect(text(procedureCard(record, texts, 'vi', '2026-03-01'))).toContain('Giảm 50%');
    expect(first(fieldAnswer(record, [], texts, 'vi', { today: '2026-12-06', yesNo: [{ kind: 'reduction' }] }))).toMatch(/^Không\./);
    expect(first(fieldAnswer(record, [], texts, 'vi', { today: '2026-03-01', yesNo: [{ kind: 'reduction' }] }))).toMatch(/^Có\./);
  });

  it('answers yes or no first about a document: needed, needed in a case, no longer required, not listed', () => {
    const ask = (document: string) => first(fieldAnswer(record, [], texts, 'vi', { yesNo: [{ kind: 'document', document }] }));
    expect(ask('tờ khai mẫu')).toMatch(/^Có\./);
    expect(ask('giay chung sinh')).toMatch(/^Có, nếu có/);
    expect(ask('giấy xác nhận độc thân')).toMatch(/^Không\. Giấy xác nhận tình trạng hôn nhân — Cơ quan tự tra cứu/);
    expect(ask('giấy khai sinh')).toMatch(/^Không\. "giấy khai sinh" không có/);
  });

  it('shows the deadline, the validity and what is no longer required, each under its own heading', () => {
    expect(first(fieldAnswer(record, ['deadline'], texts, 'vi'))).toBe('Trong 30 ngày kể từ ngày phát sinh.');
    expect(first(fieldAnswer(record, ['validity'], texts, 'vi'))).toBe('Có giá trị 03 tháng.');
    expect(first(fieldAnswer(record, ['exempt'], texts, 'vi'))).toContain('Giấy xác nhận tình trạng hôn nhân');
    const noDeadline = ProcedureSchema.parse(base);
    expect(first(fieldAnswer(noDeadline, ['deadline'], texts, 'vi'))).toContain('không ghi hạn');
  });
});

describe('the handler on the bundled records', () => {
  const { handler } = bareProcedures();
  const ask = (q: string) => handler.handle({ inbound: { channel: 'web', chatId: 'f', userId: 'f', text: q, locale: 'vi', role: 'citizen' }, args: q });

  it('answers "khai sinh trong bao lâu" with the citizen\'s deadline, "làm căn cước mất bao lâu" with the time limit', async () => {
    const deadline = await ask('dang ky khai sinh trong bao lau');
    expect(deadline.blocks[0]).toMatchObject({ type: 'heading', text: expect.stringContaining('Hạn người dân phải làm') });
    const time = await ask('lam can cuoc mat bao lau');
    expect(time.blocks[0]).toMatchObject({ type: 'heading', text: expect.stringContaining('Thời hạn giải quyết') });
  });

  it('answers a marriage question about a birth certificate about marriage only, yes/no first', async () => {
    const r = await ask('đăng ký kết hôn có mất phí không và cần giấy khai sinh không');
    expect(r.citations.map((c) => c.id)).toEqual(['dang-ky-ket-hon']);
    expect(r.blocks[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^Không\./) });
    expect(r.blocks[1]).toMatchObject({ type: 'text', text: expect.stringMatching(/^Không\. "giấy khai sinh"/) });
  });

  it('answers both procedures a question names instead of asking to pick one', async () => {
    const r = await ask('Đăng ký khai sinh và khai tử cần giấy tờ gì?');
    expect(r.citations.map((c) => c.id).sort()).toEqual(['dang-ky-khai-sinh', 'dang-ky-khai-tu']);
    expect(r.buttons?.flat().map((b) => b.action)).toEqual(['/thutuc dang-ky-khai-sinh giayto', '/thutuc dang-ky-khai-tu giayto']);
  });

  it('keeps one procedure whose name already holds the other names (liên thông)', async () => {
    const r = await ask('đăng ký khai sinh, thường trú, cấp thẻ BHYT cho trẻ dưới 6 tuổi');
    expect(r.citations.map((c) => c.id)).toEqual(['lien-thong-khai-sinh-tre-duoi-6-tuoi']);
  });
});
