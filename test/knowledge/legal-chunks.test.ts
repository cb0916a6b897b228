/**
 * Chunking along a legal text's structure: Chương › Điều › khoản › điểm in a Nghị định, the
 * Roman parts and numbered items of a Kế hoạch; chunks of at most MAX_CHUNK_CHARS that never cut
 * a sentence when they can avoid it, each carrying its document, heading path and validity.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractText as extract, type Declared, type ExtractLimits } from '../../src/knowledge/extract/index';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import { chunkLegalText, LegalChunkSchema, MAX_CHUNK_CHARS, splitText, type LegalChunk } from '../../src/knowledge/legal-chunks';

const DIR = join(import.meta.dirname, '../fixtures/documents');
/** PDFs read in process, as the Node entry reads them (on Workers the PDF reader Worker does). */
const extractText = (bytes: Uint8Array, declared: Declared, limits?: ExtractLimits) => extract(bytes, declared, limits, extractPdf);

function plain(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

async function nghiDinhText(): Promise<string> {
  return (await extractText(new Uint8Array(readFileSync(join(DIR, 'nghi-dinh-118-2025.pdf'))), { filename: 'nd.pdf' })).text;
}

async function keHoachText(): Promise<string> {
  return (await extractText(new Uint8Array(readFileSync(join(DIR, 'ke-hoach-56-kh-ubnd.md'))), { filename: 'kh.md' })).text;
}

/** Every sentence-sized piece of the source is somewhere in the chunks: nothing is lost. */
function expectNothingLost(text: string, chunks: readonly LegalChunk[]): void {
  const all = chunks.map((c) => `${c.heading}\n${c.text}`).join('\n').replace(/\s+/g, ' ');
  for (const line of text.split('\n')) {
    for (const piece of line.split(/(?<=[.;:])\s+/)) {
      const p = piece.trim().replace(/\s+/g, ' ');
      if (p) expect(all).toContain(p);
    }
  }
}

describe('a Nghị định: Chương › Điều › khoản › điểm', () => {
  const validity = { effectiveAt: '2025-07-01', status: 'active' };

  it('gives each Điều its own chunk with its heading path, and a long Điều one chunk per khoản', async () => {
    const chunks = chunkLegalText({ id: 'nd-118-2025', title: 'Nghị định 118/2025/NĐ-CP', text: await nghiDinhText(), validity });
    expect(chunks.map((c) => c.headingPath)).toEqual([
      [],
      ['Chương I', 'Điều 1'],
      ['Chương I', 'Điều 2'],
      ['Chương II', 'Điều 5', 'Khoản 1'],
      ['Chương II', 'Điều 5', 'Khoản 2'],
      ['Chương II', 'Điều 5', 'Khoản 3'],
      ['Chương II', 'Điều 6'],
      ['Nơi nhận'],
    ]);
    const khoan2 = chunks[4]!;
    expect(khoan2).toMatchObject({
      id: 'nd-118-2025#5',
      docId: 'nd-118-2025',
      heading: 'Chương II. BỘ PHẬN MỘT CỬA › Điều 5. Trách nhiệm của Bộ phận Một cửa › Khoản 2',
      validity,
    });
    expect(khoan2.text).toMatch(/^2\. Theo dõi tiến độ giải quyết;/);
    expect(chunks[0]).toMatchObject({ heading: 'Nghị định 118/2025/NĐ-CP' });
    expect(chunks[0]!.text).toContain('Căn cứ Luật Tổ chức Chính phủ;');
  });

  it('keeps a short Điều whole, its points with it', async () => {
    const chunks = chunkLegalText({ id: 'nd', title: 'Nghị định', text: await nghiDinhText() });
    const dieu2 = chunks.find((c) => c.headingPath.join('/') === 'Chương I/Điều 2')!;
    expect(dieu2.heading).toBe('Chương I. QUY ĐỊNH CHUNG › Điều 2. Nguyên tắc thực hiện');
    expect(dieu2.text).toContain('3. Không yêu cầu người dân nộp lại giấy tờ');
    expect(dieu2.text).toContain('a) Thông tin trong cơ sở dữ liệu chưa đầy đủ hoặc có sai lệch;\nb) Người dân đề nghị');
  });

  it('keeps every chunk within the size, with sequential ids, valid by the schema, losing nothing', async () => {
    const text = await nghiDinhText();
    const chunks = chunkLegalText({ id: 'nd', title: 'Nghị định', text, validity });
    chunks.forEach((c, i) => {
      expect(LegalChunkSchema.parse(c)).toEqual(c);
      expect(c.id).toBe(`nd#${i + 1}`);
      expect(c.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    });
    expectNothingLost(text, chunks);
  });

  it('finds the same structure in the text typed without diacritics, with the labels written properly', async () => {
    const chunks = chunkLegalText({ id: 'nd', title: 'Nghi dinh', text: plain(await nghiDinhText()) });
    expect(chunks.map((c) => c.headingPath)).toContainEqual(['Chương II', 'Điều 5', 'Khoản 2']);
    expect(chunks.find((c) => c.headingPath[1] === 'Điều 6')!.heading).toBe('Chương II. BO PHAN MOT CUA › Điều 6. Hieu luc thi hanh');
  });

  it('reads Chương and Mục titles on the heading line or the next, in capitals or not', () => {
    const text = [
      'CHƯƠNG III: QUẢN LÝ HỒ SƠ',
      'Mục 1',
      'TIẾP NHẬN',
      'Điều 10. Tiếp nhận hồ sơ',
      'Hồ sơ được tiếp nhận trong giờ hành chính.',
      'Điều 10a. Tiếp nhận ngoài giờ',
      'Hồ sơ trực tuyến được tiếp nhận cả ngày nghỉ.',
    ].join('\n');
    const chunks = chunkLegalText({ id: 'q', title: 'Quy chế', text });
    expect(chunks.map((c) => [c.headingPath, c.heading])).toEqual([
      [['Chương III', 'Mục 1', 'Điều 10'], 'Chương III. QUẢN LÝ HỒ SƠ › Mục 1. TIẾP NHẬN › Điều 10. Tiếp nhận hồ sơ'],
      [['Chương III', 'Mục 1', 'Điều 10a'], 'Chương III. QUẢN LÝ HỒ SƠ › Mục 1. TIẾP NHẬN › Điều 10a. Tiếp nhận ngoài giờ'],
    ]);
  });

  it('keeps an Điều whose content is on its heading line, and one that is only a heading', () => {
    const text = ['Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.', 'Điều 2. Hiệu lực thi hành', 'Điều 3. Chánh Văn phòng và Giám đốc các sở chịu trách nhiệm thi hành Quyết định này.'].join('\n');
    const chunks = chunkLegalText({ id: 'qd', title: 'Quyết định', text });
    expect(chunks.map((c) => [c.heading, c.text])).toEqual([
      ['Điều 1', 'Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.'],
      ['Điều 2. Hiệu lực thi hành', 'Điều 2. Hiệu lực thi hành'],
      ['Điều 3', 'Điều 3. Chánh Văn phòng và Giám đốc các sở chịu trách nhiệm thi hành Quyết định này.'],
    ]);
  });

  it('does not take a line that only mentions "Điều 5" or "Chương trình" for a heading', () => {
    const text = 'Điều 1. Trách nhiệm\nCác cơ quan thực hiện theo quy định tại\nĐiều 5 Nghị định số 61/2018/NĐ-CP và\nChương trình tổng thể cải cách hành chính.';
    const chunks = chunkLegalText({ id: 'x', title: 'X', text });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Điều 1']);
  });

  it('packs short neighbouring khoản of a long Điều together under a range', () => {
    const long = 'Cơ quan tiếp nhận kiểm tra hồ sơ và cập nhật trạng thái trên hệ thống. '.repeat(16).trim();
    const text = ['Điều 7. Giải quyết hồ sơ', `1. ${long}`, '2. Trả kết quả đúng hẹn tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính công ích.', '3. Lưu hồ sơ điện tử.', '4. Báo cáo hằng tháng.'].join('\n');
    const chunks = chunkLegalText({ id: 'x', title: 'X', text });
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ['Điều 7', 'Khoản 1'],
      ['Điều 7', 'Khoản 2–4'],
    ]);
    expect(chunks[0]!.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    expect(chunks[1]!.text).toBe('2. Trả kết quả đúng hẹn tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính công ích.\n3. Lưu hồ sơ điện tử.\n4. Báo cáo hằng tháng.');
  });
});

describe('a Kế hoạch: I., II. › 1., 2. › a), b)', () => {
  it('keeps a short part whole, its numbered titles inside, and splits a long part by item', async () => {
    const chunks = chunkLegalText({ id: 'kh-56', title: 'Kế hoạch 56/KH-UBND', text: await keHoachText(), validity: { effectiveAt: '2023-01-05' } });
    expect(chunks.map((c) => c.headingPath)).toEqual([[], ['Phần I'], ['Phần II', 'Mục 1'], ['Phần II', 'Mục 2'], ['Phần II', 'Mục 3'], ['Phần III']]);
    const [, partI, , item2] = chunks;
    expect(partI!.heading).toBe('Phần I. MỤC ĐÍCH, YÊU CẦU');
    expect(partI!.text).toMatch(/^1\. Mục đích\nCụ thể hóa các nhiệm vụ/);
    expect(partI!.text).toContain('\n2. Yêu cầu\nCác nhiệm vụ phải bám sát');
    expect(item2!.heading).toBe('Phần II. NHIỆM VỤ TRỌNG TÂM › Mục 2. Cải cách thủ tục hành chính');
    expect(item2!.text).toMatch(/^a\) Công bố, công khai/);
    expect(item2!.validity).toEqual({ effectiveAt: '2023-01-05' });
  });

  it('loses nothing and keeps within the size', async () => {
    const text = await keHoachText();
    const chunks = chunkLegalText({ id: 'kh', title: 'KH', text });
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    expectNothingLost(text, chunks);
  });

  it('splits a part too long for one chunk down to its points', () => {
    const point = (l: string) => `${l}) ${'Rà soát thủ tục hành chính theo từng lĩnh vực và báo cáo kết quả. '.repeat(10).trim()}`;
    const text = ['II. NHIỆM VỤ', '1. Cải cách thủ tục', point('a'), point('b'), point('c'), '2. Số hóa hồ sơ', 'Số hóa toàn bộ hồ sơ mới.'].join('\n');
    const chunks = chunkLegalText({ id: 'x', title: 'X', text });
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ['Phần II', 'Mục 1', 'Điểm a'],
      ['Phần II', 'Mục 1', 'Điểm b'],
      ['Phần II', 'Mục 1', 'Điểm c'],
      ['Phần II', 'Mục 2'],
    ]);
  });
});

describe('text without structure and very long units', () => {
  it('chunks a text with no headings by paragraphs, under the document title', () => {
    const para = 'Tỉnh tiếp tục đẩy mạnh cải cách hành chính, lấy sự hài lòng của người dân làm thước đo. '.repeat(6).trim();
    const chunks = chunkLegalText({ id: 'tb', title: 'Thông báo kết luận', text: [para, para, para].join('\n\n') });
    expect(chunks.length).toBe(2);
    for (const c of chunks) expect(c).toMatchObject({ headingPath: [], heading: 'Thông báo kết luận' });
  });

  it('cuts a long Điều without khoản between sentences, never inside one', () => {
    const sentences = Array.from({ length: 30 }, (_, i) => `Câu thứ ${i + 1} quy định trách nhiệm của cơ quan tiếp nhận hồ sơ.`);
    const chunks = chunkLegalText({ id: 'x', title: 'X', text: `Điều 3. Trách nhiệm\n${sentences.join(' ')}` });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.headingPath).toEqual(['Điều 3']);
      expect(c.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
      expect(c.text).toMatch(/^Câu thứ \d+ .*\.$/s);
    }
  });

  it('cuts one sentence longer than a chunk after a semicolon or comma', () => {
    const clause = 'hồ sơ đăng ký kinh doanh của hộ gia đình được tiếp nhận tại cấp xã';
    const sentence = `${Array.from({ length: 40 }, () => clause).join('; ')}.`;
    const pieces = splitText(sentence, 300);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(300);
    expect(pieces.slice(0, -1).every((p) => p.endsWith(';'))).toBe(true);
    expect(pieces.join(' ')).toBe(sentence);
  });
});
