/**
 * KPI answers cite where their figures come from: every stated target cites its definition's
 * source, every value shown cites its observation's source (bundled, uploaded or pulled); each
 * source once, numbered in the text in the order it is first referred to. Through the handler
 * and through POST /api/chat on the composed app.
 */
import { describe, expect, it } from 'vitest';
import { asOfficial, makeKpiApp, postJson, replyText } from './support';
import { alertReply } from '../../src/kpi/render';
import type { Citation, Reply } from '../../src/core/types';

const listItems = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'list' ? b.items : []));
const UPLOADED = { source: 'Sở Nội vụ tỉnh Bình Dương', url: 'https://sonoivu.binhduong.gov.vn/bao-cao-dvc-2026' };

/** The numbers in the text point at the citations: all of them, none beyond, first uses in order, no source twice. */
function expectNumbered(reply: Reply): void {
  const text = replyText(reply);
  const used = [...text.matchAll(/ \[(\d+)\]/g)].map((m) => Number(m[1]));
  const firstUses = used.filter((n, i) => used.indexOf(n) === i);
  expect(firstUses).toEqual(reply.citations.map((_, i) => i + 1));
  const keys = reply.citations.map((c) => [c.title, c.source, c.date, c.url ?? ''].join('|'));
  expect(new Set(keys).size).toBe(keys.length);
}

/** The citation a "[n]" at the end of `line` points at. */
function citedBy(reply: Reply, line: string): Citation | undefined {
  const n = /\[(\d+)\]$/.exec(line)?.[1];
  return n ? reply.citations[Number(n) - 1] : undefined;
}

async function withUploadedValues() {
  const t = makeKpiApp();
  const res = await t.request(
    ...postJson('/admin/metrics', {
      source: UPLOADED.source,
      observations: [
        { kpi: 'bd-dvc-toan-trinh', period: '2026-09', value: 41.5, url: UPLOADED.url },
        { kpi: 'bd-dvc-toan-trinh', period: '2026-10', value: 44, url: UPLOADED.url },
      ],
    }),
  );
  expect(res.status).toBe(200);
  return t;
}

describe('KPI list answers cite their sources', () => {
  it('"các chỉ tiêu số hóa hồ sơ" cites the source of the three targets, once, as [1] on each line', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('các chỉ tiêu số hóa hồ sơ');
    expect(reply.intent).toBe('kpi');
    expect(reply.citations).toHaveLength(1);
    expect(reply.citations[0]).toMatchObject({ id: 'bd-nghi-quyet-05-nq-tu-chuyen-doi-so', source: 'Báo Dân Việt', date: '2022-07-06' });
    expect(reply.citations[0]!.title).toContain('Nghị quyết 05-NQ/TU');
    const items = listItems(reply);
    expect(items).toHaveLength(3);
    for (const item of items) expect(item).toMatch(/mục tiêu ≥ \d+%, hạn 31\/12\/2025 \(đã qua\) \[1\]$/);
  });

  it('/kpi cites each stated target by its definition and each value shown by where it came from', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi');
    expectNumbered(reply);
    const par = listItems(reply).find((i) => i.startsWith('🔴⚪ PAR Index (BD cũ)'))!;
    const [valuePart, targetPart] = par.split(' · ');
    expect(citedBy(reply, valuePart!)).toMatchObject({
      title: expect.stringContaining('Bộ Nội vụ công bố PAR Index 2024 ngày 6/4/2025'),
      source: 'số liệu đã công bố',
      date: '2025-04-06',
      url: 'https://baobinhduong.vn/en/binh-duong-enhances-the-index-of-public-satisfaction--a345061.html',
    });
    expect(citedBy(reply, targetPart!)).toMatchObject({
      id: 'bd-muc-tieu-top-10-cchc-cds-2023',
      title: 'Bình Dương phấn đấu vào Top 10 chỉ số cải cách hành chính và chuyển đổi số',
      source: 'Báo Lao Động',
    });
    // A line with no target and no value states nothing to cite.
    const satisfaction = listItems(reply).find((i) => i.startsWith('🔵⚪ Mức độ hài lòng (BD cũ)'))!;
    expect(satisfaction).toMatch(/\(năm 2024\) \[\d+\] · chưa có chỉ tiêu · ▁█$/);
  });

  it('/kpi 766 cites the decision behind the targets and the portal behind the weekly values', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi 766', asOfficial);
    expectNumbered(reply);
    expect(reply.citations.some((c) => c.title.startsWith('Quyết định 766/QĐ-TTg'))).toBe(true);
    expect(reply.citations).toContainEqual(
      expect.objectContaining({ title: 'Cổng thông tin điện tử thị xã Bến Cát (tin tuần 03/2024)', url: expect.stringContaining('bencat.binhduong.gov.vn') }),
    );
  });

  it('cites an uploaded value by the source it was uploaded with, in the summary and in the detail', async () => {
    const t = await withUploadedValues();
    const uploaded = { title: UPLOADED.source, source: 'số liệu do quản trị viên cập nhật', date: '2026-11-21', url: UPLOADED.url };

    const summary = await t.ask('/kpi');
    expectNumbered(summary);
    const dvc = listItems(summary).find((i) => i.includes('DVC trực tuyến toàn trình'))!;
    expect(citedBy(summary, dvc.split(' · ')[0]!)).toMatchObject(uploaded);

    const detail = await t.ask('/kpi dvc toan trinh');
    expectNumbered(detail);
    expect(detail.citations).toEqual([
      expect.objectContaining(uploaded),
      expect.objectContaining({ id: 'bd-muc-tieu-top-10-cchc-cds-2023', source: 'Báo Lao Động', date: '2023-08-21' }),
    ]);
    expect(replyText(detail)).toContain('Giá trị mới nhất: 44% (tháng 10/2026). [1]');
    expect(replyText(detail)).toContain('Mục tiêu ≥ 50%, hạn 31/12/2023 (đã qua)');
    for (const item of listItems(detail)) expect(item).toMatch(/\[1\]$/);
  });

  it('speaks the origin of a value in English', async () => {
    const t = makeKpiApp();
    const reply = await t.ask('/kpi', { locale: 'en' });
    expect(reply.citations.some((c) => c.source === 'published figure')).toBe(true);
  });

  it('cites the value and the target of an off-track alert', async () => {
    const t = await withUploadedValues();
    const view = await t.kpi.view(t.kpi.catalog.get('bd-dvc-toan-trinh')!);
    const reply = alertReply(view, 'vi', t.rt.texts);
    expectNumbered(reply);
    expect(replyText(reply)).toContain('44% (tháng 10/2026) [1]; mục tiêu ≥ 50%, hạn 31/12/2023 (đã qua) [2].');
    expect(reply.citations.map((c) => c.title)).toEqual([UPLOADED.source, 'Bình Dương phấn đấu vào Top 10 chỉ số cải cách hành chính và chuyển đổi số']);
  });
});

describe('POST /api/chat carries the KPI citations', () => {
  async function chat(t: ReturnType<typeof makeKpiApp>, message: string) {
    const res = await t.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { reply: string; citations: Citation[]; intent: string };
  }

  it('names the definition source for "các chỉ tiêu số hóa hồ sơ" and for /kpi', async () => {
    const t = makeKpiApp();
    for (const message of ['các chỉ tiêu số hóa hồ sơ', 'cac chi tieu so hoa ho so', '/kpi']) {
      const body = await chat(t, message);
      expect(body.intent).toBe('kpi');
      expect(body.citations.length).toBeGreaterThan(0);
      expect(body.citations).toContainEqual(expect.objectContaining({ id: 'bd-nghi-quyet-05-nq-tu-chuyen-doi-so', source: 'Báo Dân Việt' }));
      expect(body.reply).toMatch(/hạn 31\/12\/2025 \(đã qua\) \[\d+\]/);
    }
  });

  it('names the uploaded value source too', async () => {
    const t = await withUploadedValues();
    for (const message of ['tỷ lệ DVC toàn trình hiện nay bao nhiêu?', '/kpi']) {
      const body = await chat(t, message);
      expect(body.intent).toBe('kpi');
      expect(body.citations).toContainEqual(expect.objectContaining({ title: UPLOADED.source, url: UPLOADED.url }));
      expect(body.citations).toContainEqual(expect.objectContaining({ id: 'bd-muc-tieu-top-10-cchc-cds-2023' }));
    }
  });
});
