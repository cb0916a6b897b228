/**
 * Issue 19 (KPI part) through POST /api/chat on the composed app: a KPI question naming a year or
 * a place is answered with that year's and that place's value, with its source, or with a plain
 * "no value" (found false, nothing cited) — never another year's or another province's figure.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';

type Cite = { id: string; title: string; source: string; date: string; url?: string };
interface ChatBody {
  reply: string;
  intent: string;
  found: boolean;
  citations: Cite[];
  related?: Cite[];
}

async function chat(message: string): Promise<ChatBody> {
  const res = await makeTestApp().request('/api/chat', postJson({ message }));
  expect(res.status).toBe(200);
  return (await res.json()) as ChatBody;
}

/** The reply before any related-reading section: what is offered as the answer. */
const answerPart = (b: ChatBody) => b.reply.split('Đọc thêm')[0]!;

describe('KPI questions respect the year asked', () => {
  it.each(['Năm 2020 Bình Dương xếp hạng DTI thứ mấy?', 'nam 2020 binh duong xep hang dti thu may'])(
    '"%s": no value for 2020, not the 2022 rank',
    async (q) => {
      const b = await chat(q);
      expect(b.intent).toBe('kpi');
      expect(b.found).toBe(false);
      expect(b.citations).toEqual([]);
      expect(b.reply).toContain('Chưa có số liệu Chỉ số chuyển đổi số DTI của tỉnh Bình Dương (cũ) năm 2020 trong các nguồn.');
      expect(answerPart(b)).not.toMatch(/\d+\/63/);
      expect(b.reply).not.toMatch(/\{\{/);
    },
  );

  it.each(['Năm 2021 Bình Dương xếp hạng DTI thứ mấy?', 'nam 2021 binh duong xep hang dti thu may'])(
    '"%s": the 2021 rank with its source, not the later one',
    async (q) => {
      const b = await chat(q);
      expect(b.found).toBe(true);
      expect(b.reply).toContain('năm 2021: hạng 22/63 [1]');
      expect(b.reply).not.toContain('19/63');
      expect(b.citations).toHaveLength(1);
      expect(b.citations[0]!.title).toContain('Báo Lao Động, 21/8/2023');
      expect(b.citations[0]!.date).toBe('2023-08-21');
    },
  );
});

describe('the 2024 results of the former Bình Dương', () => {
  it.each([
    ['PAR Index năm 2024 của Bình Dương xếp thứ mấy?', 'Xếp hạng Chỉ số cải cách hành chính (PAR Index) của tỉnh Bình Dương (cũ), năm 2024: hạng 23/63 [1]'],
    ['par index nam 2024 cua binh duong xep thu may', 'Xếp hạng Chỉ số cải cách hành chính (PAR Index) của tỉnh Bình Dương (cũ), năm 2024: hạng 23/63 [1]'],
    ['SIPAS năm 2024 của Bình Dương bao nhiêu?', 'Mức độ hài lòng của người dân, tổ chức với cơ quan hành chính nhà nước tỉnh Bình Dương (cũ), năm 2024: 87,8% [1]'],
  ])('"%s": the 2024 value of the former province, citing the announcement as reported', async (q, line) => {
    const b = await chat(q);
    expect(b.found).toBe(true);
    expect(b.reply).toContain(line);
    expect(b.reply).not.toMatch(/hạng 4\/63|85,52/);
    expect(b.citations).toHaveLength(1);
    expect(b.citations[0]).toMatchObject({ date: '2025-04-06', url: expect.stringContaining('baobinhduong.vn') });
    expect(b.citations[0]!.title).toContain('Bộ Nội vụ công bố');
  });
});

describe('KPI questions respect the place asked', () => {
  it.each(['hậu giang năm 2022 xếp hạng chỉ số hài lòng thứ mấy', 'hau giang nam 2022 xep hang chi so hai long thu may'])(
    '"%s": no value for Hậu Giang, never Bình Dương\'s 85,52',
    async (q) => {
      const b = await chat(q);
      expect(b.intent).toBe('kpi');
      expect(b.found).toBe(false);
      expect(b.citations).toEqual([]);
      expect(b.related ?? []).toEqual([]);
      expect(b.reply).toContain('Chưa có số liệu Mức độ hài lòng của tỉnh Hậu Giang (cũ) năm 2022 trong các nguồn.');
      expect(b.reply).not.toContain('85,52');
      expect(b.reply).not.toContain('Bình Dương');
    },
  );

  it('a Bình Dương question without a year still gets the Bình Dương KPI in full', async () => {
    const b = await chat('Bình Dương xếp hạng chỉ số hài lòng thế nào?');
    expect(b.found).toBe(true);
    expect(b.reply).toContain('85,52%');
  });
});
