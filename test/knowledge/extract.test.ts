/**
 * Reading uploaded documents: the real type from the bytes, PDF text layers (and the PDFs that
 * must be refused: scans, encrypted, damaged), HTML, TXT and Markdown, and every refusal's status
 * and bilingual reason. The PDFs are real files printed by Chromium
 * (scripts/make-document-fixtures.ts); the DOCX cases are in docx.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DocumentError, extractLimits, extractText as extract, type Declared, type ExtractLimits } from '../../src/knowledge/extract/index';
import { extractPdf, pageText } from '../../src/knowledge/extract/pdf';
import { countLetters } from '../../src/knowledge/extract/text';
import { makeDocx, paragraphXml } from './support/docx';

const DIR = join(import.meta.dirname, '../fixtures/documents');
/** PDFs read in process, as the Node entry reads them (on Workers the PDF reader Worker does). */
const extractText = (bytes: Uint8Array, declared: Declared, limits?: ExtractLimits) => extract(bytes, declared, limits, extractPdf);
const fixture = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The refusal `extractText` throws, so a test can check its status, code and reason. */
async function refusal(bytes: Uint8Array, declared: { filename?: string; contentType?: string } = {}, limits?: ExtractLimits): Promise<DocumentError> {
  try {
    await extractText(bytes, declared, limits);
  } catch (e) {
    if (e instanceof DocumentError) return e;
    throw e;
  }
  throw new Error('expected the upload to be refused');
}

const PLAIN = 'Kế hoạch số 56/KH-UBND ngày 05/01/2023 của UBND tỉnh về cải cách hành chính năm 2023.\nNội dung chính gồm ba phần.';

describe('PDF with a text layer', () => {
  it('reads the Chỉ thị printed by Chromium, with its letterhead columns kept apart by a tab', async () => {
    const r = await extractText(fixture('chi-thi-22-ct-tu.pdf'), { filename: 'chi-thi-22-ct-tu.pdf', contentType: 'application/pdf' });
    expect(r.format).toBe('pdf');
    expect(r.pages).toBe(1);
    expect(r.warnings).toEqual([]);
    expect(r.text).toContain('Số 22-CT/TU\tBình Dương, ngày 22 tháng 6 năm 2022');
    expect(r.text.split('\n')).toContain('CHỈ THỊ');
    expect(r.text).toContain('Trần Quốc Hưng');
    expect(r.text).toBe(r.text.normalize('NFC'));
  });

  it('joins lines wrapped at the right margin back into their paragraph, but not a numbered part', async () => {
    const { text } = await extractText(fixture('chi-thi-22-ct-tu.pdf'), {});
    // In the PDF this sentence runs over two lines ("…thủ tục được" / "rút gọn, …").
    expect(text).toContain('thủ tục được rút gọn, dịch vụ công trực tuyến được mở rộng');
    expect(text).toContain('địa phương mình.\n\n2. Đẩy mạnh cải cách thủ tục hành chính.');
    expect(text).toMatch(/\n5\. Tổ chức thực hiện\./);
  });

  it('reads every page of a two-page Nghị định', async () => {
    const r = await extractText(fixture('nghi-dinh-118-2025.pdf'), { filename: 'nd.pdf' });
    expect(r.pages).toBe(2);
    expect(r.text).toContain('Điều 6. Hiệu lực thi hành');
    expect(r.text).toContain('Lê Minh Châu');
  });

  it('refuses a PDF with more pages than the limit with 413', async () => {
    const e = await refusal(fixture('nghi-dinh-118-2025.pdf'), {}, { ...extractLimits(), maxPages: 1 });
    expect(e).toMatchObject({ status: 413, code: 'too-many-pages' });
  });

  it('accepts a PDF that only has an owner password, with a warning', async () => {
    const r = await extractText(fixture('owner-locked.pdf'), { filename: 'x.pdf' });
    expect(r.text).toContain('Số 22-CT/TU');
    expect(r.warnings.map((w) => w.code)).toEqual(['pdf-owner-locked']);
  });
});

describe('PDFs that cannot be indexed', () => {
  it('refuses a scan (only a picture, no text layer) with 422 and says why, never indexing it empty', async () => {
    const e = await refusal(fixture('scan.pdf'), { filename: 'scan.pdf', contentType: 'application/pdf' });
    expect(e).toMatchObject({ status: 422, code: 'pdf-no-text' });
    expect(e.reason).toMatch(/^Tệp PDF không có lớp chữ .* — The PDF has no text layer/);
  });

  it('refuses a password-protected PDF with 422', async () => {
    const e = await refusal(fixture('encrypted.pdf'), { filename: 'encrypted.pdf' });
    expect(e).toMatchObject({ status: 422, code: 'pdf-encrypted' });
    expect(e.messages.vi).toContain('mật khẩu');
    expect(e.messages.en).toContain('password');
  });

  it.each([0.2, 0.6, 0.95])('refuses a PDF truncated to %s of its bytes with 422', async (share) => {
    const full = fixture('chi-thi-22-ct-tu.pdf');
    const e = await refusal(full.slice(0, Math.floor(full.length * share)), { filename: 'cut.pdf' });
    expect(e).toMatchObject({ status: 422, code: 'pdf-corrupt' });
  });

  it('refuses bytes that only start like a PDF with 422', async () => {
    const e = await refusal(utf8('%PDF-1.7\nthis is not a PDF body at all\n%%EOF'), { filename: 'x.pdf' });
    expect(e).toMatchObject({ status: 422, code: 'pdf-corrupt' });
  });
});

describe('rebuilding PDF lines from text items', () => {
  const item = (str: string, x: number, y: number, width = str.length * 5, hasEOL = false) => ({ str, x, y, width, hasEOL, transform: [10, 0, 0, 10, x, y] });

  it('puts a tab between two columns on one baseline and a space between close words', () => {
    const text = pageText([item('Số: 01/2018/TT-VPCP', 100, 700), item('Hà Nội,', 330, 700), item('ngày 23 tháng 11 năm 2018', 367, 700, 125, true)]);
    expect(text).toBe('Số: 01/2018/TT-VPCP\tHà Nội, ngày 23 tháng 11 năm 2018');
  });

  it('leaves a blank line at a paragraph gap and drops a line that only numbers the page', () => {
    const text = pageText([item('Điều 1. Phạm vi', 70, 700, 80, true), item('Nội dung.', 70, 670, 45, true), item('- 2 -', 290, 40, 20, true)]);
    expect(text).toBe('Điều 1. Phạm vi\n\nNội dung.');
  });

  it('starts a new line when the baseline moves even without an end-of-line mark', () => {
    expect(pageText([item('a) Thứ nhất;', 70, 700, 400), item('b) Thứ hai.', 70, 686, 400)])).toBe('a) Thứ nhất;\nb) Thứ hai.');
  });
});

describe('counting letters', () => {
  // What it counted before it became a loop: letters by code point, any script.
  const reference = (text: string) => text.match(/\p{L}/gu)?.length ?? 0;

  it('counts letters by code point as /\\p{L}/gu does, in any script and with odd surrogates', () => {
    expect(countLetters('Đăng ký 22-CT/TU: 85,52% 𝐀 ﬁ 中文 ٣ \uD800x\uDC00')).toBe(reference('Đăng ký 22-CT/TU: 85,52% 𝐀 ﬁ 中文 ٣ \uD800x\uDC00'));
    fc.assert(fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 80 }), (s) => countLetters(s) === reference(s)), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => countLetters(s) === reference(s)), { numRuns: 500 });
  });
});

describe('HTML', () => {
  it('reads the visible text of a saved page: no script, no style, table cells apart', async () => {
    const r = await extractText(fixture('chi-thi-22-ct-tu.html'), { filename: 'chi-thi.html', contentType: 'text/html; charset=utf-8' });
    expect(r.format).toBe('html');
    expect(r.text).not.toContain('dataLayer');
    expect(r.text).not.toContain('font-family');
    expect(r.text).not.toContain('Bản mẫu dùng để kiểm thử');
    expect(r.text).toContain('Số 22-CT/TU\tBình Dương, ngày 22 tháng 6 năm 2022');
    expect(r.text).toContain('T/M BAN THƯỜNG VỤ\nBÍ THƯ');
  });

  it('decodes named and numeric entities, old Latin-1 names included', async () => {
    const html = '<p>Ng&agrave;y 22 th&aacute;ng 6: Ch&#7881; th&#x1ECB; &amp; k&#7871; ho&#7841;ch&nbsp;c&#7911;a t&#7881;nh</p>';
    const r = await extractText(utf8(html), { filename: 'a.htm' });
    expect(r.text).toBe('Ngày 22 tháng 6: Chỉ thị & kế hoạch của tỉnh');
  });

  it('refuses with 422 a page that is mostly script (an app shell whose text JavaScript loads)', async () => {
    const shell = `<!DOCTYPE html><html><head><script>${'var a=1;'.repeat(4000)}</script></head><body><div id="app">Vui lòng bật JavaScript.</div><script src="/app.js"></script></body></html>`;
    const e = await refusal(utf8(shell), { contentType: 'text/html' });
    expect(e).toMatchObject({ status: 422, code: 'html-mostly-script' });
    expect(e.reason).toContain('JavaScript');
  });

  it('accepts a script-heavy page that still holds the document, with a warning', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `<p>Điều ${i + 1}. Cơ quan giải quyết thủ tục hành chính công khai kết quả cho người dân.</p>`).join('');
    const page = `<html><body><script>${'x();'.repeat(2000)}</script>${body}</body></html>`;
    const r = await extractText(utf8(page), { filename: 'trang.html' });
    expect(r.text).toContain('Điều 30. Cơ quan giải quyết');
    expect(r.warnings.map((w) => w.code)).toEqual(['html-much-script']);
  });
});

describe('TXT and Markdown', () => {
  it('reads UTF-8 text, normalised to NFC with \\n line ends', async () => {
    const nfd = 'Kế hoạch cải cách hành chính'.normalize('NFD');
    const r = await extractText(utf8(`${nfd}\r\nNăm 2023 tỉnh rà soát thủ tục.\r\n`), { filename: 'kh.txt', contentType: 'text/plain' });
    expect(r).toEqual({ format: 'text', text: 'Kế hoạch cải cách hành chính\nNăm 2023 tỉnh rà soát thủ tục.', warnings: [] });
  });

  it('reads UTF-16 text with a byte-order mark', async () => {
    const s = 'Thông báo về lịch tiếp công dân tháng 7';
    const bytes = new Uint8Array(2 + s.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) new DataView(bytes.buffer).setUint16(2 + i * 2, s.charCodeAt(i), true);
    expect((await extractText(bytes, { filename: 'tb.txt' })).text).toBe(s);
  });

  it('refuses text in an old Vietnamese encoding (not UTF-8) with 422', async () => {
    // "Céng v¨n" as TCVN3 (ABC) bytes: not valid UTF-8.
    const bytes = new Uint8Array([0x43, 0xe9, 0x6e, 0x67, 0x20, 0x76, 0xa8, 0x6e, 0x20, 0x73, 0xe8, 0x20, 0x31, 0x32, 0x33, 0x34, ...utf8(' ve viec trien khai ke hoach nam 2024')]);
    const e = await refusal(bytes, { filename: 'cv.txt' });
    expect(e).toMatchObject({ status: 422, code: 'not-utf8' });
    expect(e.reason).toContain('TCVN3');
  });

  it('turns Markdown into plain lines: headings without hashes, no emphasis, links keep their text', async () => {
    const md = '---\ntitle: x\n---\n# KẾ HOẠCH\n\n## I. MỤC ĐÍCH\n\n**Cụ thể hóa** nhiệm vụ theo [Chỉ thị 22](https://example.test/ct22) của *Tỉnh ủy*.\n';
    const r = await extractText(utf8(md), { filename: 'kh.md' });
    expect(r.format).toBe('markdown');
    expect(r.text).toBe('KẾ HOẠCH\n\nI. MỤC ĐÍCH\n\nCụ thể hóa nhiệm vụ theo Chỉ thị 22 của Tỉnh ủy.');
    expect(r.warnings.map((w) => w.code)).toEqual(['markdown-front-matter']);
  });

  it('tells Markdown from text by the declaration when the bytes cannot', async () => {
    expect((await extractText(utf8(PLAIN), { filename: 'a.md', contentType: 'text/plain' })).format).toBe('markdown');
    expect((await extractText(utf8(PLAIN), { contentType: 'text/markdown' })).format).toBe('markdown');
    expect((await extractText(utf8(PLAIN), { filename: 'a.txt', contentType: 'application/octet-stream' })).format).toBe('text');
  });
});

describe('refusals before reading', () => {
  it('refuses a file over the limit with 413, naming the limit', async () => {
    const e = await refusal(utf8(PLAIN.repeat(20)), { filename: 'a.txt' }, extractLimits(0.001));
    expect(e).toMatchObject({ status: 413, code: 'too-large' });
    expect(e.reason).toMatch(/^Tệp lớn hơn giới hạn .* — The file is larger than/);
  });

  it('derives the limits from KNOWLEDGE_MAX_UPLOAD_MB, 10 MB by default', () => {
    expect(extractLimits().maxBytes).toBe(10 * 1024 * 1024);
    expect(extractLimits(25).maxBytes).toBe(25 * 1024 * 1024);
    expect(extractLimits(25).maxUnpackedBytes).toBe(100 * 1024 * 1024);
  });

  it('refuses an empty file and a file without letters with 422', async () => {
    expect(await refusal(new Uint8Array(0), { filename: 'a.txt' })).toMatchObject({ status: 422, code: 'empty' });
    expect(await refusal(utf8('  \n 12 34 \n'), { filename: 'a.txt' })).toMatchObject({ status: 422, code: 'no-text' });
  });

  it('refuses pictures, old Word files and unknown binaries with 415', async () => {
    expect(await refusal(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), { filename: 'scan.png' })).toMatchObject({ status: 415, code: 'image' });
    expect(await refusal(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), {})).toMatchObject({ status: 415, code: 'image' });
    const ole = new Uint8Array(512);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const doc = await refusal(ole, { filename: 'cong-van.doc', contentType: 'application/msword' });
    expect(doc).toMatchObject({ status: 415, code: 'legacy-word' });
    expect(doc.reason).toContain('.docx');
    expect(await refusal(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), {})).toMatchObject({ status: 415, code: 'unsupported-type' });
  });
});

describe('a wrong or lying declared type', () => {
  const docx = makeDocx(paragraphXml('Quyết định về việc công bố danh mục thủ tục hành chính của tỉnh.'));

  it.each([
    ['PDF bytes named .docx', () => fixture('chi-thi-22-ct-tu.pdf'), { filename: 'quyet-dinh.docx' }],
    ['PDF bytes sent as text/html', () => fixture('chi-thi-22-ct-tu.pdf'), { contentType: 'text/html' }],
    ['HTML sent as application/pdf', () => fixture('chi-thi-22-ct-tu.html'), { contentType: 'application/pdf' }],
    ['plain text named .docx (not a ZIP at all)', () => utf8(PLAIN), { filename: 'ke-hoach.docx' }],
    ['a DOCX named .pdf', () => docx, { filename: 'quyet-dinh.pdf' }],
    ['a DOCX sent as image/png', () => docx, { contentType: 'image/png' }],
    ['text named .exe', () => utf8(PLAIN), { filename: 'setup.exe' }],
  ] as const)('refuses %s with 415 and says what the content really is', async (_name, bytes, declared) => {
    const e = await refusal(bytes(), declared);
    expect(e).toMatchObject({ status: 415, code: 'type-mismatch' });
    expect(e.messages.vi).toContain('không khớp nội dung thật');
    expect(e.messages.en).toContain('does not match the real content');
  });

  it('trusts the bytes when the declaration is generic', async () => {
    expect((await extractText(fixture('chi-thi-22-ct-tu.pdf'), { filename: 'tai-lieu', contentType: 'application/octet-stream' })).format).toBe('pdf');
    expect((await extractText(docx, { contentType: 'application/zip' })).format).toBe('docx');
    expect((await extractText(fixture('chi-thi-22-ct-tu.html'), {})).format).toBe('html');
  });

  it('reads an HTML document named .txt as HTML (same family: the bytes decide)', async () => {
    const r = await extractText(fixture('chi-thi-22-ct-tu.html'), { filename: 'chi-thi.txt', contentType: 'text/plain' });
    expect(r.format).toBe('html');
    expect(r.text).not.toContain('<table');
  });
});
