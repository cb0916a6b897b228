import { describe, expect, it } from 'vitest';
import { classifyScope } from '../../src/llm/scope';

/** Questions the assistant is for: none of these may be refused. */
const IN_SCOPE = [
  'Chỉ thị 22-CT/TU ban hành ngày nào?',
  'chi thi 22 ban hanh ngay nao',
  'thủ tục cấp lại CCCD bị mất',
  'đăng ký khai sinh cần giấy tờ gì',
  'lệ phí đăng ký kết hôn bao nhiêu',
  'Bình Dương xếp hạng PAR Index 2022?',
  'chỉ số SIPAS năm 2023 đạt bao nhiêu',
  'bão lũ làm mất giấy tờ thì cấp lại thế nào',
  'thời tiết xấu có được gia hạn nộp hồ sơ không',
  'Thủ tướng chỉ đạo gì về cải cách hành chính?',
  'bạn đánh giá thế nào về kết quả chuyển đổi số của tỉnh',
  'nộp thuế đất ở đâu',
  'giải quyết hồ sơ đất đai mất bao lâu',
  'đăng ký thường trú online được không',
  'chế độ thai sản BHXH cần gì',
  'xin giấy phép kinh doanh quán cà phê',
  'tỷ lệ hồ sơ trực tuyến toàn trình là bao nhiêu',
  'kết quả chỉ số hài lòng của người dân',
  'bảo hiểm y tế cho trẻ em dưới 6 tuổi',
  'Đề án 06 là gì',
  'tôi bị mất CMND, làm lại ở đâu',
  'đau đầu vì thủ tục rườm rà quá, nộp online thế nào',
  'mục tiêu số hóa hồ sơ cấp xã',
  'còn cấp xã thì sao?',
  'Trung tâm phục vụ hành chính công ở đâu',
  'How do I register a birth?',
  'Which documents do I need for a building permit?',
  'What is the PAPI index?',
  'đi từ Thủ Dầu Một đến trung tâm hành chính công mất bao lâu',
  'hỏi về số lượng cán bộ một cửa',
  'có phiếu hẹn trả kết quả không',
  'giai đoạn 2021-2025 đạt 85,52%',
];

/** Requests outside the remit, with the topic the refusal speaks to. */
const OUT_OF_SCOPE: Array<[string, string]> = [
  ['thời tiết Bình Dương hôm nay thế nào', 'weather'],
  ['ngày mai trời có mưa không', 'weather'],
  ["What's the weather in Hanoi tomorrow?", 'weather'],
  ['giá vàng SJC hôm nay', 'prices'],
  ['gia vang hom nay bao nhieu', 'prices'],
  ['giá cổ phiếu VNM', 'prices'],
  ['gold price today', 'prices'],
  ['kết quả xổ số miền nam hôm qua', 'lottery'],
  ['xsmb hom nay', 'lottery'],
  ['tối nay Việt Nam đá với Thái Lan tỉ số bao nhiêu', 'sports'],
  ['lịch thi đấu ngoại hạng anh', 'sports'],
  ['Bạn nghĩ gì về Tổng Bí thư?', 'politics'],
  ['bạn có ủng hộ đảng cộng sản không', 'politics'],
  ['ban nghi gi ve bau cu my', 'politics'],
  ['What do you think about the election?', 'politics'],
  ['giải phương trình x^2 - 5x + 6 = 0', 'homework'],
  ['viết giúp em bài văn tả mẹ', 'homework'],
  ['2+2 bằng mấy', 'homework'],
  ['15 x 3 bang may', 'homework'],
  ['tôi bị sốt cao nên uống thuốc gì', 'medical'],
  ['tôi bị hàng xóm kiện vì tranh chấp đất, tôi có thắng kiện không', 'legal'],
  ['tôi có bị đi tù không', 'legal'],
  ['Kể chuyện cười đi', 'entertainment'],
  ['tell me a joke', 'entertainment'],
];

describe('classifyScope', () => {
  it.each(IN_SCOPE)('keeps an administrative question in scope: %s', (q) => {
    expect(classifyScope(q)).toEqual({ inScope: true });
  });

  it.each(OUT_OF_SCOPE)('refuses an off-topic request: %s', (q, topic) => {
    expect(classifyScope(q)).toEqual({ inScope: false, topic });
  });

  it('refuses a political opinion even when the question names an administrative topic', () => {
    expect(classifyScope('bạn nghĩ gì về cải cách hành chính của thủ tướng')).toEqual({ inScope: false, topic: 'politics' });
  });

  it('keeps an empty or unrelated-but-harmless message in scope (the search then says "not found")', () => {
    expect(classifyScope('')).toEqual({ inScope: true });
    expect(classifyScope('asdfgh')).toEqual({ inScope: true });
  });
});
