/**
 * The procedures handler inside the real assistant: commands, typed phrases and free questions
 * reach it, directive and KPI questions do not, and its replies come from the records.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bareProcedures } from './fixtures/services';
import { startFakeDossier, type FakeDossier } from '../support/fake-dossier';
import type { Inbound, Reply } from '../../src/core/types';
import { createProcedureService, type ProcedureService } from '../../src/procedures/service';

const CODE = '000.00.12.H42-250701-0001';
const text = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');
const inbound = (t: string, locale: 'vi' | 'en' = 'vi'): Inbound => ({ channel: 'zalo', chatId: 'c1', userId: 'u1', text: t, locale });

/** The real assistant, handlers and texts; see bareProcedures for what is left out. */
function assistantWith(procedures?: ProcedureService) {
  const { assistant, handler, logs } = bareProcedures(procedures);
  return { assistant, handler, logs };
}

describe('routing to the procedures handler', () => {
  const { assistant, handler } = assistantWith();

  it('takes /thutuc, the typed phrases and free procedure questions', () => {
    expect(assistant.route('/thutuc khai sinh')).toMatchObject({ via: 'command', args: 'khai sinh' });
    expect(assistant.route('/thutuc khai sinh').handler.id).toBe('procedure');
    expect(assistant.route('Thủ tục đăng ký kết hôn')).toMatchObject({ via: 'phrase', args: 'đăng ký kết hôn' });
    expect(assistant.route(`tra cứu hồ sơ ${CODE}`)).toMatchObject({ via: 'phrase', args: CODE });
    expect(assistant.route('lam can cuoc mat bao lau')).toMatchObject({ via: 'detect' });
    expect(assistant.route('lam can cuoc mat bao lau').handler.id).toBe('procedure');
  });

  it.each([
    'làm căn cước mất bao lâu',
    'lam can cuoc mat bao lau',
    'le phi dang ky ho kinh doanh',
    'Đăng ký kết hôn cần giấy tờ gì?',
    'nhập hộ khẩu cho con ở đâu',
    'xin lý lịch tư pháp mất mấy ngày',
    `hồ sơ ${CODE} của tôi đến đâu rồi`,
  ])('is sure a procedure question is for it: %s', (q) => {
    expect(handler.detect!(q)).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    'Chỉ thị 22-CT/TU ban hành ngày nào',
    'Kế hoạch cải cách hành chính nhà nước giai đoạn 2022-2025 có mục tiêu gì',
    'tỷ lệ hồ sơ trực tuyến toàn trình của tỉnh năm 2023 là bao nhiêu',
    'chỉ số PAR Index 2022 của tỉnh xếp thứ mấy',
    'KPI tháng này thế nào',
    'nhắc việc hạn chót của Sở Nội vụ',
    'nghị quyết 05 về chuyển đổi số',
  ])('leaves a directive, KPI or reminder question to others: %s', (q) => {
    expect(handler.detect!(q)).toBeLessThan(0.5);
    expect(assistant.route(q).handler.id).not.toBe('procedure');
  });
});

describe('procedure answers', () => {
  const { assistant } = assistantWith();

  it('answers a precise question with that field directly, citing the record', async () => {
    const r = await assistant.handle(inbound('làm căn cước mất bao lâu'));
    expect(r.intent).toBe('procedure');
    expect(text(r)).toContain('Thời hạn giải quyết — Cấp thẻ căn cước (lần đầu)');
    expect(text(r)).toContain('07 ngày làm việc');
    expect(r.citations[0]!.id).toBe('cap-the-can-cuoc');
    expect(text(r)).toContain('dichvucong.gov.vn');
  });

  it('answers the fee of household business registration typed without marks', async () => {
    const r = await assistant.handle(inbound('le phi dang ky ho kinh doanh'));
    expect(text(r)).toContain('Lệ phí — Đăng ký thành lập hộ kinh doanh');
    expect(text(r)).toContain('HĐND cấp tỉnh');
  });

  it('gives the card for /thutuc with keywords, with buttons for documents, steps and fees', async () => {
    const r = await assistant.handle(inbound('/thutuc đăng ký thường trú'));
    expect(text(r)).toContain('Nơi làm: Công an cấp xã');
    expect(text(r)).toContain('Lệ phí: Trực tiếp: 20.000 đồng/lần đăng ký');
    expect(r.buttons!.flat().map((b) => b.action)).toEqual([
      '/thutuc dang-ky-thuong-tru giayto',
      '/thutuc dang-ky-thuong-tru buoc',
      '/thutuc dang-ky-thuong-tru phi',
    ]);
  });

  it('opens a field from a button action', async () => {
    const r = await assistant.handle(inbound('/thutuc dang-ky-thuong-tru giayto'));
    expect(text(r)).toContain('Tờ khai thay đổi thông tin cư trú');
    expect(text(r)).toContain('CT01');
  });

  it('opens a procedure by its national code', async () => {
    expect(text(await assistant.handle(inbound('/thutuc 1.001193')))).toContain('Đăng ký khai sinh');
  });

  it('offers a short pick-list when several procedures match', async () => {
    const r = await assistant.handle(inbound('/thutuc chứng thực'));
    expect(r.blocks[0]).toEqual({ type: 'text', text: expect.stringContaining('chọn một') });
    expect(r.buttons!.map((row) => row[0]!.action)).toEqual([
      '/thutuc chung-thuc-ban-sao',
      '/thutuc chung-thuc-chu-ky',
      '/thutuc chung-thuc-hop-dong',
    ]);
  });

  it('asks for keywords when /thutuc comes alone and says so when nothing matches', async () => {
    expect(text(await assistant.handle(inbound('/thutuc')))).toContain('/thutuc khai sinh');
    const none = await assistant.handle(inbound('/thutuc đăng ký tàu vũ trụ'));
    expect(none.found).toBe(false);
    expect(text(none)).toContain('https://dichvucong.gov.vn');
  });

  it.each(['lam tam tru va tam vang', 'làm tạm trú và tạm vắng', 'tạm trú, tạm vắng nộp ở đâu', 'tam tru, tam vang'])(
    '"%s" names two procedures and gets both, not one or a pick-list',
    async (q) => {
      const r = await assistant.handle(inbound(q));
      expect(r.citations.map((c) => c.id)).toEqual(['dang-ky-tam-tru', 'khai-bao-tam-vang']);
      expect(text(r)).toContain('Đăng ký tạm trú');
      expect(text(r)).toContain('Khai báo tạm vắng');
    },
  );

  it('answers in English labels for English users', async () => {
    const r = await assistant.handle(inbound('/thutuc dang-ky-khai-tu phi', 'en'));
    expect(text(r)).toContain('Fees — Đăng ký khai tử');
  });
});

describe('dossier status', () => {
  let fake: FakeDossier;
  beforeAll(async () => {
    fake = await startFakeDossier();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('says where to look when no lookup service is configured', async () => {
    const { assistant } = assistantWith();
    const r = await assistant.handle(inbound(`tra cứu hồ sơ ${CODE}`));
    expect(text(r)).toContain('chưa được kết nối');
    expect(text(r)).toContain('https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html');
    expect(text(r)).toContain(CODE);
  });

  it('asks the configured service and shows the status', async () => {
    fake.seed({ [CODE]: { status: 'Đang giải quyết', procedure: 'Đăng ký khai sinh', dueAt: '2025-07-02T17:00:00+07:00' } });
    const { assistant } = assistantWith(createProcedureService({ dossierLookupUrl: fake.lookupUrl }));
    const r = await assistant.handle(inbound(`tra cuu ho so ${CODE.toLowerCase()}`));
    expect(text(r)).toContain(`Hồ sơ ${CODE}: Đang giải quyết`);
    expect(text(r)).toContain('Ngày hẹn trả: 2/7/2025');
    expect(fake.calls()).toHaveLength(1);
  });

  it('refuses a malformed code without asking upstream, and asks for a missing one', async () => {
    const { assistant } = assistantWith(createProcedureService({ dossierLookupUrl: fake.lookupUrl }));
    expect(text(await assistant.handle(inbound('tra cứu hồ sơ 12345')))).toContain('không đúng định dạng');
    expect(text(await assistant.handle(inbound('tra cứu hồ sơ')))).toContain('mã hồ sơ');
    expect(fake.calls()).toEqual([]);
  });

  it('says it could not look up when upstream fails, logging the reason but not the code', async () => {
    fake.script({ status: 503 });
    const { assistant, logs } = assistantWith(createProcedureService({ dossierLookupUrl: fake.lookupUrl }));
    const r = await assistant.handle(inbound(`tra cứu hồ sơ ${CODE}`));
    expect(text(r)).toContain('chưa tra cứu được');
    expect(logs.some((l) => l.includes('upstream status 503'))).toBe(true);
    expect(logs.some((l) => l.includes(CODE))).toBe(false);
  });

  it('looks up a code found in a free question and notes a loose format', async () => {
    fake.seed({ 'H42.22-250701-0012': { status: 'Đã trả kết quả' } });
    const { assistant } = assistantWith(createProcedureService({ dossierLookupUrl: fake.lookupUrl }));
    const r = await assistant.handle(inbound('tra cứu hồ sơ H42.22-250701-0012'));
    expect(text(r)).toContain('không đúng hẳn mẫu');
    expect(text(r)).toContain('Đã trả kết quả');
  });
});
