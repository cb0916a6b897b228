/**
 * Reading DOCX uploads: paragraphs, letterhead tables and Word's automatic numbering come out
 * as lines the metadata reader and chunker understand; tracked deletions are not read; and a
 * ZIP that is damaged, not a Word file, or a zip bomb is refused while it is being unpacked.
 * The files are built in memory by test/knowledge/support/docx.ts.
 */
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DocumentError, extractLimits, extractText, type ExtractLimits } from '../../src/knowledge/extract/index';
import { readZipDirectory, readZipEntry, ZipError } from '../../src/knowledge/extract/zip';
import { extractLegalMetadata } from '../../src/knowledge/legal-metadata';
import { chunkLegalText } from '../../src/knowledge/legal-chunks';
import { LEGAL_NUMBERING, makeDocx, paragraphXml, tableXml, writeZip } from './support/docx';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function refusal(bytes: Uint8Array, limits?: ExtractLimits): Promise<DocumentError> {
  try {
    await extractText(bytes, { filename: 'van-ban.docx', contentType: DOCX_TYPE }, limits);
  } catch (e) {
    if (e instanceof DocumentError) return e;
    throw e;
  }
  throw new Error('expected the upload to be refused');
}

/** Quyết định 766/QĐ-TTg laid out as Word lays it out: a two-column letterhead table, then paragraphs. */
const QUYET_DINH = [
  tableXml([
    ['THỦ TƯỚNG CHÍNH PHỦ\n-------', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc'],
    ['Số: 766/QĐ-TTg', 'Hà Nội, ngày 23 tháng 6 năm 2022'],
  ]),
  paragraphXml('QUYẾT ĐỊNH'),
  paragraphXml('Phê duyệt Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp'),
  paragraphXml('trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử'),
  paragraphXml('THỦ TƯỚNG CHÍNH PHỦ'),
  paragraphXml('Căn cứ Luật Tổ chức Chính phủ;'),
  paragraphXml('QUYẾT ĐỊNH:'),
  paragraphXml({ text: 'Phê duyệt Bộ chỉ số kèm theo Quyết định này.', deleted: 'Nội dung đã xóa khi sửa bản thảo.' }),
  paragraphXml('Nơi nhận:\n- Các bộ, cơ quan ngang bộ;'),
  paragraphXml('KT. THỦ TƯỚNG'),
  paragraphXml('PHÓ THỦ TƯỚNG'),
  paragraphXml('Phạm Thị Lan'),
].join('');

describe('DOCX text', () => {
  it('reads paragraphs and the letterhead table in order, line breaks and all', async () => {
    const r = await extractText(makeDocx(QUYET_DINH), { filename: 'qd-766.docx', contentType: DOCX_TYPE });
    expect(r.format).toBe('docx');
    expect(r.pages).toBeUndefined();
    const lines = r.text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'THỦ TƯỚNG CHÍNH PHỦ',
      '-------',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Số: 766/QĐ-TTg',
      'Hà Nội, ngày 23 tháng 6 năm 2022',
    ]);
    expect(r.text).toContain('Nơi nhận:\n- Các bộ, cơ quan ngang bộ;');
  });

  it('does not read text deleted as a tracked change', async () => {
    const { text } = await extractText(makeDocx(QUYET_DINH), { filename: 'qd.docx' });
    expect(text).toContain('Phê duyệt Bộ chỉ số kèm theo Quyết định này.');
    expect(text).not.toContain('Nội dung đã xóa');
  });

  it('reads moved text once, at its new place, and a text box once, not its fallback copy', async () => {
    const run = (t: string) => `<w:r><w:t>${t}</w:t></w:r>`;
    const body =
      `<w:p><w:moveFrom w:id="2" w:author="A">${run('Đoạn cũ đã chuyển đi.')}</w:moveFrom>${run('Đoạn mở đầu của quyết định.')}</w:p>` +
      `<w:p><w:moveTo w:id="3" w:author="A">${run('Đoạn cũ đã chuyển đi.')}</w:moveTo></w:p>` +
      `<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p>${run('Ghi chú trong khung chữ.')}</w:p></w:txbxContent></w:drawing></mc:Choice>` +
      `<mc:Fallback><w:pict><w:txbxContent><w:p>${run('Ghi chú trong khung chữ.')}</w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`;
    const { text } = await extractText(makeDocx(body), { filename: 'qd.docx' });
    expect(text.split('\n').filter(Boolean)).toEqual(['Đoạn mở đầu của quyết định.', 'Đoạn cũ đã chuyển đi.', 'Ghi chú trong khung chữ.']);
  });

  it('gives the metadata reader a Quyết định it can read', async () => {
    const { text } = await extractText(makeDocx(QUYET_DINH), { filename: 'qd.docx' });
    expect(extractLegalMetadata(text).metadata).toEqual({
      number: '766/QĐ-TTg',
      kind: 'decision',
      issuer: 'THỦ TƯỚNG CHÍNH PHỦ',
      issuedAt: '2022-06-23',
      title:
        'Phê duyệt Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử',
      signer: 'Phạm Thị Lan',
    });
  });

  it('writes out Word automatic numbering ("Điều %1.", "%2.", "%3)") so the chunker sees the structure', async () => {
    const body = [
      paragraphXml({ text: 'Phạm vi điều chỉnh', numId: 1, ilvl: 0 }),
      paragraphXml('Quy định này áp dụng cho việc tiếp nhận hồ sơ tại Trung tâm Phục vụ hành chính công.'),
      paragraphXml({ text: 'Trách nhiệm của công chức tiếp nhận', numId: 1, ilvl: 0 }),
      paragraphXml({ text: 'Hướng dẫn người dân một lần, đầy đủ.', numId: 1, ilvl: 1 }),
      paragraphXml({ text: 'Không yêu cầu giấy tờ ngoài quy định, trừ các trường hợp sau:', numId: 1, ilvl: 1 }),
      paragraphXml({ text: 'Thông tin trong cơ sở dữ liệu còn thiếu;', numId: 1, ilvl: 2 }),
      paragraphXml({ text: 'Người dân đề nghị sửa thông tin.', numId: 1, ilvl: 2 }),
      paragraphXml({ text: 'Hiệu lực thi hành', numId: 1, ilvl: 0 }),
      paragraphXml({ text: 'TỔ CHỨC THỰC HIỆN', numId: 2, ilvl: 0 }),
    ].join('');
    const { text } = await extractText(makeDocx(body, { numbering: LEGAL_NUMBERING }), { filename: 'quy-dinh.docx' });
    expect(text.split('\n')).toEqual([
      'Điều 1. Phạm vi điều chỉnh',
      'Quy định này áp dụng cho việc tiếp nhận hồ sơ tại Trung tâm Phục vụ hành chính công.',
      'Điều 2. Trách nhiệm của công chức tiếp nhận',
      '1. Hướng dẫn người dân một lần, đầy đủ.',
      '2. Không yêu cầu giấy tờ ngoài quy định, trừ các trường hợp sau:',
      'a) Thông tin trong cơ sở dữ liệu còn thiếu;',
      'b) Người dân đề nghị sửa thông tin.',
      'Điều 3. Hiệu lực thi hành',
      'I. TỔ CHỨC THỰC HIỆN',
    ]);
    const paths = chunkLegalText({ id: 'qd', title: 'Quy định', text }).map((c) => c.headingPath);
    expect(paths).toContainEqual(['Điều 2']);
  });
});

describe('DOCX that cannot be read', () => {
  it('refuses a ZIP that is not a Word document (no word/document.xml) with 422', async () => {
    const xlsx = writeZip([{ name: '[Content_Types].xml', data: '<Types/>' }, { name: 'xl/workbook.xml', data: '<workbook/>' }]);
    const e = await refusal(xlsx);
    expect(e).toMatchObject({ status: 422, code: 'zip-not-docx' });
    expect(e.reason).toContain('word/document.xml');
  });

  it('refuses a truncated DOCX with 422', async () => {
    const whole = makeDocx(QUYET_DINH);
    const e = await refusal(whole.slice(0, Math.floor(whole.length / 2)));
    expect(e).toMatchObject({ status: 422, code: 'zip-corrupt' });
  });

  it('refuses a DOCX whose document.xml stream is damaged with 422', async () => {
    const e = await refusal(makeDocx(QUYET_DINH, { document: { compressed: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]) } }));
    expect(e).toMatchObject({ status: 422, code: 'zip-corrupt' });
  });

  it('refuses a zip bomb that declares its real size with 413', async () => {
    const bomb = makeDocx(paragraphXml('x'.repeat(3 * 1024 * 1024)));
    const e = await refusal(bomb, { ...extractLimits(), maxUnpackedBytes: 1024 * 1024 });
    expect(e).toMatchObject({ status: 413, code: 'unpacked-too-large' });
    expect(e.reason).toMatch(/bom nén.* — .*zip bomb/);
  });

  it('refuses a zip bomb that lies about its size with 413, counting the bytes as they come out', async () => {
    const bomb = makeDocx(paragraphXml('x'.repeat(3 * 1024 * 1024)), { document: { declaredSize: 2000 } });
    expect(bomb.length).toBeLessThan(20 * 1024);
    const e = await refusal(bomb, { ...extractLimits(), maxUnpackedBytes: 1024 * 1024 });
    expect(e).toMatchObject({ status: 413, code: 'unpacked-too-large' });
  });

  it('stops inflating at the limit: a bomb cut short past the limit is reported as too large, not as damaged', () => {
    // 8 MB of zeros deflate to a few KB; keeping half the stream still yields megabytes before its
    // broken end. Unpacking all before counting would report the broken end instead.
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const stream = deflateSync(zeros, { level: 9 });
    const cut = stream.slice(0, Math.floor(stream.length / 2));
    const zip = writeZip([{ name: 'word/document.xml', data: zeros, compressed: cut, declaredSize: 100 }]);
    const [entry] = readZipDirectory(zip, 10);
    expect(() => readZipEntry(zip, entry!, 1024 * 1024)).toThrow(expect.objectContaining({ kind: 'too-large' }));
    // With room for everything, the same entry is damaged, not large.
    expect(() => readZipEntry(zip, entry!, 64 * 1024 * 1024)).toThrow(expect.objectContaining({ kind: 'corrupt' }));
  });

  it('refuses an archive listing more entries than allowed with 413', async () => {
    const files = Array.from({ length: 30 }, (_, i) => ({ name: `word/media/${i}.xml`, data: '<x/>' }));
    const zip = writeZip([...files, { name: 'word/document.xml', data: '<w:document/>' }]);
    const e = await refusal(zip, { ...extractLimits(), maxZipEntries: 20 });
    expect(e).toMatchObject({ status: 413, code: 'unpacked-too-large' });
  });

  it('refuses a DOCX that holds no text with 422', async () => {
    expect(await refusal(makeDocx(paragraphXml('')))).toMatchObject({ status: 422, code: 'no-text' });
  });

  it('reports a damaged central directory as a ZipError, never a crash', () => {
    const zip = makeDocx(QUYET_DINH);
    const broken = zip.slice();
    broken.fill(0, broken.length - 200, broken.length - 22);
    expect(() => readZipDirectory(broken, 100)).toThrow(ZipError);
  });
});
