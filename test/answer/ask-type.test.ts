import { describe, expect, it } from 'vitest';
import { classifyAsk } from '../../src/answer/ask-type';
import { judge } from '../../src/answer/answers';
import { loadPlaceRegistry } from '../../scripts/eval';

const places = loadPlaceRegistry();
const ask = (q: string) => classifyAsk(q, places);

describe('classifyAsk: what a question asks for, typed with or without marks', () => {
  it.each([
    ['Ban chỉ đạo có bao nhiêu thành viên?', 'amount'],
    ['ban chi dao co may thanh vien', 'amount'],
    ['hậu giang năm 2022 xếp hạng chỉ số hài lòng thứ mấy', 'amount'],
    ['Chỉ thị 22-CT/TU ban hành ngày nào?', 'date'],
    ['chi thi 22-ct/tu ban hanh khi nao', 'date'],
    ['Đề án ra đời năm nào?', 'date'],
    ['Giải quyết hồ sơ mất bao lâu?', 'duration'],
    ['cap lai the mat bao nhieu ngay', 'duration'],
    ['Ai ký Kế hoạch cải cách hành chính giai đoạn 2022-2025?', 'person'],
    ['ai lam truong ban chi dao', 'person'],
    ['Nộp hồ sơ ở đâu?', 'place'],
    ['nop ho so o dau', 'place'],
    ['Đăng ký kết hôn có mất phí không?', 'yes-no'],
    ['lam online duoc khong', 'yes-no'],
    ['Nghị quyết 05-NQ/TU về nội dung gì?', 'description'],
    ['IOC la gi', 'description'],
    ['Hồ sơ gồm những giấy tờ gì?', 'list'],
  ])('"%s" asks for %s', (q, kind) => {
    expect(ask(q).kind).toBe(kind);
  });

  it('"bộ máy" is a word, not "bao nhiêu": the marks keep máy apart from mấy', () => {
    expect(ask('Tinh gọn bộ máy là gì?').kind).toBe('description');
  });

  it('reads the constraints: places from the registry, a year, a period, a document number', () => {
    const a = ask('hau giang nam 2022 xep hang chi so hai long thu may');
    expect(a.places.map((p) => p.old?.id)).toEqual(['hau-giang']);
    expect(a).toMatchObject({ years: [2022], rank: true, documents: [] });
    const b = ask('Ai ký Kế hoạch CCHC giai đoạn 2022-2025 của Bình Dương?');
    expect(b).toMatchObject({ kind: 'person', signer: true, years: [], period: { from: 2022, to: 2025 } });
    expect(b.places.map((p) => p.old?.id)).toEqual(['binh-duong']);
    // The year inside a document number is not a year asked about.
    expect(ask('Nghị quyết 202/2025/QH15 về nội dung gì?')).toMatchObject({ years: [], documents: ['202/2025/qh15'] });
    expect(ask('nghi quyet 05-nq/tu ve noi dung gi').documents).toEqual(['05-nq/tu']);
  });

  it('asks about money only when "bao nhiêu" counts nothing else', () => {
    expect(ask('Kinh phí thực hiện Đề án là bao nhiêu?').money).toBe(true);
    expect(ask('nam 2020 hau giang bo tri kinh phi cho bao nhieu du an').money).toBe(false);
  });
});

describe('judge: whether a quoted passage answers the ask', () => {
  const bdSatisfaction = {
    text: 'Theo kết quả PAR Index năm 2022, mức độ hài lòng của người dân với sự phục vụ của cơ quan hành chính nhà nước tỉnh Bình Dương là 85,52%. Bình Dương đứng thứ 19/63.',
    context: 'Bình Dương xếp hạng PAR Index, DTI 2022',
  };

  it("a sibling province's figure contradicts a question about Hậu Giang", () => {
    expect(judge(ask('hậu giang năm 2022 xếp hạng chỉ số hài lòng thứ mấy'), bdSatisfaction, places)).toBe('contradicts');
    expect(judge(ask('binh duong nam 2022 xep hang thu may'), bdSatisfaction, places)).toBe('answers');
  });

  it('another year contradicts the year asked, even of the right place', () => {
    expect(judge(ask('Năm 2020 Bình Dương xếp hạng thứ mấy?'), bdSatisfaction, places)).toBe('contradicts');
  });

  it('a rank question is not answered by a count, a money question not by a percentage', () => {
    const count = { text: 'Năm 2020, tỉnh Hậu Giang bố trí kinh phí để triển khai 09 nhiệm vụ, dự án CNTT.', context: 'Kết quả năm 2020 của tỉnh Hậu Giang' };
    expect(judge(ask('ICT Index năm 2020 của Hậu Giang xếp thứ mấy?'), count, places)).toBe('off');
    expect(judge(ask('nam 2020 hau giang bo tri kinh phi cho bao nhieu du an'), count, places)).toBe('answers');
    expect(judge(ask('Kinh phí của Hậu Giang năm 2020 là bao nhiêu?'), count, places)).toBe('off');
  });

  it('"ai" wants a name (of the office asked; for "ký", one who signed), not a street or a plan', () => {
    const street = { text: 'Trung tâm đặt tại số 109 đường Nguyễn Trãi, phường Ninh Kiều.', context: 'Trung tâm Phục vụ hành chính công TP Cần Thơ' };
    expect(judge(ask('Trung tâm ở đâu?'), street, places)).toBe('answers');
    expect(judge(ask('ai la giam doc trung tam'), street, places)).toBe('off');
    const chair = { text: 'Theo thông báo của Chủ tịch UBND TP Cần Thơ Trương Cảnh Tuyên, có 103 đơn vị cấp xã.', context: 'Cần Thơ' };
    expect(judge(ask('Ai là chủ tịch UBND TP Cần Thơ?'), chair, places)).toBe('answers');
    expect(judge(ask('Ai là giám đốc trung tâm phục vụ hành chính công Cần Thơ?'), chair, places)).toBe('off');
    const plan = { text: 'Kế hoạch CCHC giai đoạn 2022-2025 được triển khai tại hội nghị ngày 1/4/2022.', context: 'Kế hoạch CCHC Bình Dương' };
    expect(judge(ask('Ai ký Kế hoạch cải cách hành chính giai đoạn 2022-2025 của Bình Dương?'), plan, places)).toBe('off');
    expect(judge(ask('Kế hoạch CCHC giai đoạn 2022-2025 triển khai khi nào?'), plan, places)).toBe('answers');
  });
});
