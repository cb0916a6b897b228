/**
 * Sentence splitting for quotes: Vietnamese abbreviations, initials, list markers and numbers
 * stay inside their sentence; real sentence ends and list lines still split. And the reported
 * case end to end: "where are the district IOC centres" quotes the cities, not "… TP.".
 */
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/search/sentences';
import { makeTestApp, postJson } from '../support/runtime';

describe('splitSentences', () => {
  it('keeps dates and abbreviations with dots inside one sentence', () => {
    expect(splitSentences('Ngày 30.9.2023 tại TP.Thủ Dầu Một. Sau đó họp.\n- Một dòng')).toEqual([
      'Ngày 30.9.2023 tại TP.Thủ Dầu Một.',
      'Sau đó họp.',
      'Một dòng',
    ]);
  });

  it.each([
    ['TP.', 'Trụ sở đặt tại TP. Thủ Dầu Một, tỉnh Bình Dương.'],
    ['Tp.', 'Trụ sở đặt tại Tp. Thủ Dầu Một, tỉnh Bình Dương.'],
    ['tp.', 'Trụ sở đặt tại tp. Thủ Dầu Một, tỉnh Bình Dương.'],
    ['Q.', 'Trụ sở đặt tại Q. Bình Thạnh, TP. Hồ Chí Minh.'],
    ['Q. before a number', 'Trụ sở đặt tại Q. 1, TP. Hồ Chí Minh.'],
    ['P.', 'Trụ sở đặt tại P. Phú Cường, TP. Thủ Dầu Một.'],
    ['TT.', 'Trụ sở đặt tại TT. Lai Uyên, huyện Bàu Bàng.'],
    ['TX.', 'Trụ sở đặt tại TX. Bến Cát, tỉnh Bình Dương.'],
    ['H.', 'Trụ sở đặt tại H. Bàu Bàng, tỉnh Bình Dương.'],
    ['ThS.', 'Báo cáo do ThS. Nguyễn Văn An trình bày.'],
    ['TS.', 'Báo cáo do TS. Trần Thị Bình trình bày.'],
    ['PGS.', 'Báo cáo do PGS. Lê Văn Cường trình bày.'],
    ['GS.', 'Báo cáo do GS. Phạm Văn Dũng trình bày.'],
    ['PGS.TS.', 'Báo cáo do PGS.TS. Lê Văn Cường trình bày.'],
    ['St.', 'Hội thảo tổ chức tại khách sạn St. Regis, Hà Nội.'],
    ['No.', 'Văn bản No. 766 được dẫn trong báo cáo.'],
    ['an initial before a name', 'Ý kiến của ông Nguyễn V. An được ghi nhận.'],
  ])('does not end a sentence after %s', (_, sentence) => {
    expect(splitSentences(`${sentence} Sau đó họp.`)).toEqual([sentence, 'Sau đó họp.']);
  });

  it('does not end a sentence at "v.v." inside it, but does at "v.v." that ends it', () => {
    expect(splitSentences('Hồ sơ gồm đơn, ảnh, v.v. được nộp tại bộ phận một cửa.')).toEqual([
      'Hồ sơ gồm đơn, ảnh, v.v. được nộp tại bộ phận một cửa.',
    ]);
    expect(splitSentences('Các chỉ số PCI, PAPI v.v. (xem phụ lục) đều tăng.')).toEqual(['Các chỉ số PCI, PAPI v.v. (xem phụ lục) đều tăng.']);
    expect(splitSentences('Hồ sơ gồm đơn, ảnh, v.v. Người nộp mang bản chính.')).toEqual([
      'Hồ sơ gồm đơn, ảnh, v.v.',
      'Người nộp mang bản chính.',
    ]);
  });

  it('does not end a sentence after a list marker, inline or at the start of a line', () => {
    expect(splitSentences('Kế hoạch gồm: 1. Cải cách thể chế; 2. Cải cách TTHC; 3. Cải cách công vụ.')).toEqual([
      'Kế hoạch gồm: 1. Cải cách thể chế; 2. Cải cách TTHC; 3. Cải cách công vụ.',
    ]);
    expect(splitSentences('1. Cải cách thể chế.\n1.2. Rà soát văn bản.\nII. Nhiệm vụ cụ thể.\na. Mục tiêu chung.')).toEqual([
      '1. Cải cách thể chế.',
      '1.2. Rà soát văn bản.',
      'II. Nhiệm vụ cụ thể.',
      'a. Mục tiêu chung.',
    ]);
  });

  it('keeps numbers with dot groups, decimals, URLs and e-mails whole, and ends a sentence after a number', () => {
    const numbers = 'Đến 30.9.2023 đã số hóa 1.711 hồ sơ, 1.500.000 trang, đạt 85.52 điểm.';
    expect(splitSentences(`${numbers} 1.711 hồ sơ khác đang chờ.`)).toEqual([numbers, '1.711 hồ sơ khác đang chờ.']);
    expect(splitSentences('Số hồ sơ năm 2022 là 1.711. Năm 2023 tăng gấp đôi.')).toEqual([
      'Số hồ sơ năm 2022 là 1.711.',
      'Năm 2023 tăng gấp đôi.',
    ]);
    const web = 'Gửi về cchc@binhduong.gov.vn hoặc https://dichvucong.gov.vn/p/home/dvc-trang-chu.html để được hỗ trợ.';
    expect(splitSentences(`${web} Xem thêm tại dichvucong.gov.vn. Người dân được hỗ trợ.`)).toEqual([
      web,
      'Xem thêm tại dichvucong.gov.vn.',
      'Người dân được hỗ trợ.',
    ]);
  });

  it('ends a sentence at ". ?", "!", "…" and a closing quote before a capital, and at each list line', () => {
    expect(splitSentences('Có nộp trực tuyến được không? Được! Hệ thống đang nâng cấp… Sau đó mở lại.')).toEqual([
      'Có nộp trực tuyến được không?',
      'Được!',
      'Hệ thống đang nâng cấp…',
      'Sau đó mở lại.',
    ]);
    expect(splitSentences('Ông nói: “Phải làm ngay.” Sau đó họp.\n- 2 thị xã: Bến Cát và Tân Uyên.\n* Một dòng')).toEqual([
      'Ông nói: “Phải làm ngay.”',
      'Sau đó họp.',
      '2 thị xã: Bến Cát và Tân Uyên.',
      'Một dòng',
    ]);
  });

  it('does not start a sentence at a lower-case word after a full stop', () => {
    expect(splitSentences('Ghi nhận đến 30/9. ảnh chụp hồ sơ đã lưu.')).toEqual(['Ghi nhận đến 30/9. ảnh chụp hồ sơ đã lưu.']);
  });
});

describe('quoting the bundled knowledge', () => {
  it.each(['các trung tâm IOC cấp huyện ở đâu', 'cac trung tam IOC cap huyen o dau'])(
    'quotes the district IOC centres with the city names for %j (not "… TP." nor a list intro alone)',
    async (message) => {
      const t = makeTestApp();
      const res = await t.request('/api/chat', postJson({ message }));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { reply: string; citations: Array<{ id: string }>; found: boolean };
      expect(body.found).toBe(true);
      expect(body.reply).toContain('tại 5 địa phương: 3 thành phố: TP. Thủ Dầu Một, TP. Thuận An, TP. Dĩ An. 2 thị xã: Bến Cát và Tân Uyên.');
      expect(body.reply).not.toMatch(/TP\.”/);
      expect(body.citations.map((c) => c.id)).toContain('bd-trung-tam-ioc-2022');
    },
  );

  it('quotes "TP. Thủ Dầu Một" whole where a sentence starts with it', () => {
    const { knowledge } = makeTestApp().rt;
    const chunk = knowledge.search('IOC thí điểm ở đâu', { limit: 5 }).hits.find((h) => h.doc.id === 'bd-trung-tam-ioc-2022')!.chunk;
    expect(knowledge.bestSentences(chunk, 'IOC thí điểm ở đâu')).toContain('TP. Thủ Dầu Một là nơi thí điểm mô hình IOC và đã thí điểm thành công.');
  });
});
