/**
 * The KPI handler in the assistant: /kpi summary lines, /kpi <name> details with history and
 * sources, free KPI questions routed here (and directive or procedure questions left to the
 * knowledge search), internal KPIs for officials only, and alert subscriptions.
 */
import { describe, expect, it } from 'vitest';
import { asOfficial, makeKpiApp, postJson, replyText } from './support';
import type { Reply } from '../../src/core/types';

const listItems = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'list' ? b.items : []));
const INTERNAL = 'bd-ho-so-lien-thong-dien-tu-co-quan-dang';

async function withDvcValues() {
  const t = makeKpiApp();
  const res = await t.request(
    ...postJson('/admin/metrics', [
      { kpi: 'bd-dvc-toan-trinh', period: '2026-08', value: 38, source: 'Cổng DVC tỉnh' },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-09', value: 41.5, source: 'Cổng DVC tỉnh' },
      { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 44, source: 'Cổng DVC tỉnh' },
    ]),
  );
  expect(res.status).toBe(200);
  return t;
}

describe('/kpi summary', () => {
  it('gives one line per KPI: mark, name, latest value and as-of, target and deadline, sparkline', async () => {
    const t = await withDvcValues();
    const reply = await t.ask('/kpi');
    expect(reply.intent).toBe('kpi');
    const items = listItems(reply);
    // The former province's KPIs say so; the 2024 results (published 6/4/2025) are the latest values; passed deadlines say so.
    expect(items).toContain('🔴⚪ PAR Index (BD cũ): hạng 23/63 (năm 2024) [1] · mục tiêu top 10, hạn 31/12/2023 (đã qua) [2] · ▁█▁');
    expect(items).toContain('🔴 DVC trực tuyến toàn trình (BD cũ): 44% (tháng 10/2026) [5] · mục tiêu ≥ 50%, hạn 31/12/2023 (đã qua) [2] · ▁▅█');
    expect(items).toContain('⚪ Số hóa hồ sơ cấp xã (BD cũ): chưa có số liệu · mục tiêu ≥ 35%, hạn 31/12/2025 (đã qua) [6]');
    expect(items).toContain('🔵⚪ Mức độ hài lòng (BD cũ): 87,8% (năm 2024) [4] · chưa có chỉ tiêu · ▁█');
    expect(items).toContain('⚪ ICT Index (Hậu Giang cũ): chưa có số liệu · mục tiêu top 30, không nêu thời hạn [7]');
    expect(replyText(reply)).toContain('Các chỉ số cải cách hành chính (đến 21/11/2026)');
    expect(replyText(reply)).toContain('🔴 chệch hướng');
  });

  it('answers /chiso and the typed words "kpi" and "chỉ số" the same way', async () => {
    const t = makeKpiApp();
    for (const text of ['/chiso', 'kpi', 'Chỉ số']) {
      const reply = await t.ask(text);
      expect(reply.intent).toBe('kpi');
      expect(listItems(reply).length).toBeGreaterThan(10);
    }
  });

  it('lists the Decision 766 index on /kpi 766', async () => {
    const t = makeKpiApp();
    const items = listItems(await t.ask('/kpi 766', asOfficial));
    expect(items[0]).toBe('🔵⚪ Bộ chỉ số 766 – tổng điểm (BD cũ): 83,47/100 điểm (tuần 3/2024) [1] · chưa có chỉ tiêu · ▁█');
    expect(items.some((i) => i.startsWith('⚪ 766 (5.3) hài lòng giải quyết TTHC') && i.includes('mục tiêu ≥ 90%'))).toBe(true);
    expect(items.filter((i) => i.includes('766 nhóm'))).toHaveLength(5);
  });

  it('speaks English when asked in English', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi', { locale: 'en' });
    expect(listItems(reply)).toContain('🔴⚪ PAR Index (former BD): rank 23/63 (2024) [1] · target top 10 by 31/12/2023 (passed) [2] · ▁█▁');
  });
});

describe('/kpi <name>', () => {
  it('gives the status with its reason, the trend, the history with sources, and cites the target source', async () => {
    const t = await withDvcValues();
    const reply = await t.ask('/kpi dvc toan trinh');
    const text = replyText(reply);
    expect(text).toContain('Tỷ lệ dịch vụ công trực tuyến toàn trình của tỉnh Bình Dương (cũ)');
    expect(text).toContain('Giá trị mới nhất: 44% (tháng 10/2026).');
    expect(text).toContain('Mục tiêu ≥ 50%, hạn 31/12/2023 (đã qua)');
    // No value describes the end of 2023, so whether the 2023 target was met is not known.
    expect(text).toContain(
      'Tình trạng: 🔴 Chệch hướng: đã quá hạn 31/12/2023 và giá trị mới nhất chưa đạt mục tiêu; không có số liệu tại thời hạn nên không rõ khi đó đã đạt hay chưa.',
    );
    expect(text).toContain('Ghi chú: Tỉnh Bình Dương (cũ) nay thuộc TP. Hồ Chí Minh từ 1/7/2025');
    expect(text).toContain('Xu hướng: đang cải thiện ▁▅█');
    expect(text).toContain('tháng 9/2026: 41,5% (nguồn: Cổng DVC tỉnh; ghi nhận 21/11/2026)');
    expect(reply.citations).toContainEqual(expect.objectContaining({ id: 'bd-muc-tieu-top-10-cchc-cds-2023', source: 'Báo Lao Động', date: '2023-08-21' }));
  });

  it('shows bundled history with where each number came from and says when it is stale', async () => {
    const t = makeKpiApp();
    const text = replyText(await t.ask('/kpi PAR Index'));
    expect(text).toContain('năm 2021: hạng 22/63 (nguồn: Báo Lao Động, 21/8/2023 (bd-xep-hang-par-index-dti-2022)');
    expect(text).toContain(
      'năm 2024: hạng 23/63 (nguồn: Bộ Nội vụ công bố PAR Index 2024 ngày 6/4/2025 (theo Báo Bình Dương) (vn-chi-so-cchc-2024) https://baobinhduong.vn/',
    );
    expect(text).toMatch(/⚪ Số liệu đã cũ: giá trị mới nhất tính đến 31\/12\/2024, đã \d+ ngày \(quá 550 ngày\)/);
  });

  it('shows a 766 indicator formula and how it earns full points, saying what is unconfirmed', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi bd-766-5-3', asOfficial);
    const text = replyText(reply);
    expect(text).toContain('Cách tính: (Tổng số hồ sơ TTHC');
    expect(text).toContain('Tối đa 6/18 điểm');
    expect(text).toContain('Chưa xác minh');
    expect(reply.citations.map((c) => c.source)).toContain('Trang thông tin điện tử Đảng bộ tỉnh Lâm Đồng');
  });

  it('offers a choice when a name fits several KPIs', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi số hóa hồ sơ');
    expect(reply.buttons?.map((row) => row[0]!.action)).toEqual(['/kpi bd-so-hoa-cap-tinh', '/kpi bd-so-hoa-cap-huyen', '/kpi bd-so-hoa-cap-xa']);
    expect(replyText(await t.ask('/kpi số hóa hồ sơ cấp xã'))).toContain('Mục tiêu ≥ 35%');
  });

  it('says so when no KPI has that name', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi xyz');
    expect(reply.found).toBe(false);
    expect(replyText(reply)).toContain('không tìm thấy chỉ số "xyz"');
  });
});

describe('free questions', () => {
  it.each([
    'tỷ lệ DVC toàn trình hiện nay bao nhiêu?',
    'ty le dvc toan trinh hien nay bao nhieu',
    'PAR Index của Bình Dương xếp thứ mấy?',
    'Mức độ hài lòng của người dân hiện nay đạt bao nhiêu?',
    'tỷ lệ hồ sơ nộp trực tuyến hiện tại bao nhiêu',
  ])('sends %j to the KPI handler', (q) => {
    const t = makeKpiApp();
    expect(t.assistant.route(q).handler.id).toBe('kpi');
  });

  it.each([
    'Chỉ thị 22-CT/TU ban hành ngày nào?',
    'Nghị quyết 05-NQ/TU đặt chỉ tiêu tỷ lệ số hóa hồ sơ bao nhiêu?',
    'Thủ tục đăng ký kinh doanh cần giấy tờ gì?',
    'DVC toàn trình là gì?',
    'Nộp hồ sơ trực tuyến ở đâu?',
    'Đề án cải cách hành chính trong các cơ quan Đảng có mục tiêu gì?',
  ])('leaves %j to the knowledge or procedure search', (q) => {
    const t = makeKpiApp();
    expect(['ask', 'procedure']).toContain(t.assistant.route(q).handler.id);
  });

  it('answers a free KPI question with the figure and its source', async () => {
    const t = await withDvcValues();
    const reply = await t.ask('tỷ lệ DVC toàn trình hiện nay bao nhiêu?');
    expect(reply.intent).toBe('kpi');
    expect(replyText(reply)).toContain('Giá trị mới nhất: 44% (tháng 10/2026).');
  });

  it('hands a "chỉ số …" question that names no KPI to the knowledge search', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('chỉ số PAPI năm 2022 của tỉnh Bình Dương đặt mục tiêu gì?');
    expect(reply.intent).toBe('ask');
  });
});

describe('who sees internal KPIs', () => {
  it('hides internal KPIs from citizens and says some are hidden', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi');
    expect(listItems(reply).some((i) => i.includes('cơ quan Đảng'))).toBe(false);
    expect(replyText(reply)).toContain('Một số chỉ số nội bộ chỉ hiện cho cán bộ.');
    expect(listItems(await t.ask('/kpi 766')).some((i) => i.includes('(5.3)'))).toBe(false);
    const detail = await t.ask(`/kpi ${INTERNAL}`);
    expect(replyText(detail)).toBe('Số liệu này chỉ dành cho cán bộ.');
    expect(detail.found).toBe(false);
  });

  it('shows them to an official on the allow-list and to one with a stored role', async () => {
    const t = makeKpiApp();
    expect(listItems(await t.ask('/kpi', asOfficial)).some((i) => i.includes('cơ quan Đảng'))).toBe(true);
    await t.rt.roles.bind('zalo', 'z-9', { role: 'official', units: [], since: '' });
    const reply = await t.ask(`/kpi ${INTERNAL}`, { channel: 'zalo', userId: 'z-9', chatId: 'z-9' });
    expect(replyText(reply)).toContain('Mục tiêu ≥ 100%, hạn 31/12/2030');
  });

  it('does not show them to an official inside a group chat', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi', { ...asOfficial, isGroup: true });
    expect(listItems(reply).some((i) => i.includes('cơ quan Đảng'))).toBe(false);
    expect(replyText(reply)).toContain('Chỉ số nội bộ không hiện trong nhóm chat.');
    expect(replyText(await t.ask(`/kpi ${INTERNAL}`, { ...asOfficial, isGroup: true }))).toBe('Số liệu này chỉ dành cho cán bộ.');
  });
});

describe('/kpi theodoi and /kpi huytheodoi', () => {
  it('lets an official subscribe once and unsubscribe', async () => {
    const t = makeKpiApp();
    expect(replyText(await t.ask('/kpi theodoi', asOfficial))).toContain('Đã đăng ký');
    expect(replyText(await t.ask('/kpi theodoi', asOfficial))).toContain('đã đăng ký nhận cảnh báo rồi');
    expect(await t.kpi.subscribers()).toEqual([
      expect.objectContaining({ channel: 'telegram', chatId: 'official-chat', userId: 'official-1', locale: 'vi' }),
    ]);
    expect(replyText(await t.ask('/kpi huytheodoi', asOfficial))).toBe('Đã hủy nhận cảnh báo chỉ số.');
    expect(await t.kpi.subscribers()).toEqual([]);
    expect(replyText(await t.ask('/kpi huytheodoi', asOfficial))).toBe('Bạn chưa đăng ký nhận cảnh báo chỉ số.');
  });

  it('refuses citizens and group chats', async () => {
    const t = makeKpiApp();
    expect(replyText(await t.ask('/kpi theodoi'))).toContain('Chỉ cán bộ');
    expect(replyText(await t.ask('/kpi theodoi', { ...asOfficial, isGroup: true }))).toContain('không phải trong nhóm');
    expect(await t.kpi.subscribers()).toEqual([]);
  });
});
