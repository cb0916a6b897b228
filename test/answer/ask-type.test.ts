import { describe, expect, it } from 'vitest';
import { asksAboutGoneLevel, classifyAsk, levelsIn } from '../../src/answer/ask-type';
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

  it('"lúc nào" is answered by a time of day or a weekday, not by a sentence without one', () => {
    const when = ask('Chủ tịch phường An Hòa tiếp công dân vào lúc nào?');
    const context = 'Thông báo lịch tiếp công dân của phường An Hòa';
    expect(judge(when, { text: 'Chủ tịch Ủy ban nhân dân phường An Hòa tiếp công dân vào 14 giờ thứ Năm hằng tuần.', context }, places)).toBe('answers');
    expect(judge(when, { text: 'Chủ tịch phường tiếp công dân vào chiều thứ sáu.', context }, places)).toBe('answers');
    expect(judge(when, { text: 'Chủ tịch Ủy ban nhân dân phường An Hòa tiếp công dân tại trụ sở.', context }, places)).toBe('off');
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

describe('the level of government asked about (cấp tỉnh, cấp xã; cấp huyện until 1/7/2025)', () => {
  it.each([
    ['Thủ tục này nộp ở cấp xã hay cấp tỉnh?', ['province', 'commune']],
    ['thu tuc nay nop o cap xa hay cap tinh', ['province', 'commune']],
    ['Chỉ tiêu cấp xã về số hóa hồ sơ là bao nhiêu?', ['commune']],
    ['UBND cấp huyện còn giải quyết thủ tục hành chính không?', ['district']],
    ['ubnd huyen con nhan ho so khong', ['district']],
    ['Ai là chủ tịch UBND tỉnh Bình Dương?', []],
    ['Cấp lại thẻ căn cước ở đâu?', []],
  ])('"%s" names %j', (q, levels) => {
    expect(ask(q).levels.sort()).toEqual([...levels].sort());
  });

  it('reads the levels a passage speaks of, including the two-level model and the bodies of each level', () => {
    expect([...levelsIn('Tỷ lệ số hóa hồ sơ: 50% ở cấp tỉnh, 40% ở cấp huyện, 35% ở cấp xã.')].sort()).toEqual(['commune', 'district', 'province']);
    expect([...levelsIn('Nộp tại UBND xã nơi cư trú.')]).toEqual(['commune']);
    expect([...levelsIn('Chính quyền địa phương hai cấp: tỉnh và xã.')].sort()).toEqual(['commune', 'province']);
    expect([...levelsIn('Tỉnh Bình Dương đạt 50%.')]).toEqual([]);
  });

  const digitisation = { text: 'Tỷ lệ số hóa hồ sơ và kết quả giải quyết TTHC: 50% ở cấp tỉnh, 40% ở cấp huyện, 35% ở cấp xã.', context: 'Nghị quyết 05-NQ/TU về chuyển đổi số' };
  const provinceOnly = { text: 'Chỉ tiêu: tỷ lệ hồ sơ trực tuyến toàn trình cấp tỉnh đạt 50%.', context: 'Mục tiêu CCHC Bình Dương 2023' };
  const noLevel = { text: 'Chỉ tiêu: tỷ lệ dịch vụ công trực tuyến toàn trình của tỉnh Bình Dương đạt 50%.', context: 'Mục tiêu CCHC Bình Dương 2023' };

  it('a passage about another level contradicts the level asked; one naming no level does not answer it', () => {
    const commune = ask('chi tieu cap xa la bao nhieu phan tram');
    expect(judge(commune, digitisation, places)).toBe('answers');
    expect(judge(commune, provinceOnly, places)).toBe('contradicts');
    expect(judge(commune, noLevel, places)).toBe('off');
    // Without a level asked, the same passages answer as before.
    expect(judge(ask('chi tieu ho so truc tuyen la bao nhieu phan tram'), noLevel, places)).toBe('answers');
  });

  it('a choice between levels is answered by a passage about either', () => {
    const choice = ask('Thủ tục này nộp ở cấp xã hay cấp tỉnh?');
    expect(judge(choice, { text: 'Nộp tại UBND cấp xã nơi cư trú.', context: 'Đăng ký khai sinh' }, places)).toBe('answers');
    expect(judge(choice, { text: 'Trước đây nộp tại UBND cấp huyện.', context: 'Đăng ký khai sinh' }, places)).toBe('contradicts');
  });

  it.each([
    ['UBND cấp huyện còn giải quyết thủ tục hành chính không?', true],
    ['ubnd cap huyen con giai quyet ho so khong', true],
    ['Bây giờ nộp hồ sơ ở UBND huyện được không?', true],
    ['Nộp hồ sơ ở UBND huyện ở đâu?', true],
    ['Năm 2026 cấp huyện có nhiệm vụ gì?', true],
    ['Trước đây UBND cấp huyện giải quyết những thủ tục nào?', false],
    ['Năm 2022 cấp huyện số hóa được bao nhiêu hồ sơ?', false],
    ['Chỉ tiêu số hóa hồ sơ cấp huyện là bao nhiêu?', false],
    ['Đăng ký cư trú ở UBND huyện được không?', true],
    ['Nộp ở cấp xã hay cấp tỉnh?', false],
    ['các trung tâm IOC cấp huyện ở đâu', false],
    ['cấp huyện có nhiệm vụ gì', false],
  ])('"%s" asks about the district level as it is now: %s', (q, gone) => {
    expect(asksAboutGoneLevel(ask(q), q)).toBe(gone);
  });
});
