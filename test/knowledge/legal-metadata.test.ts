/**
 * Reading a Vietnamese official document's identity from its text: số ký hiệu in each shape,
 * loại văn bản, cơ quan ban hành, ngày ban hành, trích yếu and người ký, with and without
 * diacritics; `found` names what came from the text and the operator's fields win.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractText as extract, type Declared, type ExtractLimits } from '../../src/knowledge/extract/index';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import { extractLegalMetadata, LEGAL_KINDS, LegalMetadataSchema, legalKindName } from '../../src/knowledge/legal-metadata';

const DIR = join(import.meta.dirname, '../fixtures/documents');
/** PDFs read in process, as the Node entry reads them (on Workers the PDF reader Worker does). */
const extractText = (bytes: Uint8Array, declared: Declared, limits?: ExtractLimits) => extract(bytes, declared, limits, extractPdf);

/** The same text typed without diacritics (đ → d), as many people type. */
function plain(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

const meta = (text: string) => extractLegalMetadata(text).metadata;

describe('documents as they are issued (letterhead, kind line, subject, signature)', () => {
  it('reads every field of the Chỉ thị 22-CT/TU PDF', async () => {
    const { text } = await extractText(new Uint8Array(readFileSync(join(DIR, 'chi-thi-22-ct-tu.pdf'))), { filename: 'ct.pdf' });
    expect(extractLegalMetadata(text)).toEqual({
      metadata: {
        number: '22-CT/TU',
        kind: 'directive',
        issuer: 'Ban Thường vụ Tỉnh ủy',
        issuedAt: '2022-06-22',
        title: 'về tăng cường sự lãnh đạo của Đảng đối với công tác cải cách hành chính nhà nước trên địa bàn tỉnh',
        signer: 'Trần Quốc Hưng',
      },
      found: ['number', 'kind', 'issuer', 'issuedAt', 'title', 'signer'],
    });
  });

  it('reads the Nghị định 118/2025/NĐ-CP PDF, whose subject starts with "Về"', async () => {
    const { text } = await extractText(new Uint8Array(readFileSync(join(DIR, 'nghi-dinh-118-2025.pdf'))), { filename: 'nd.pdf' });
    expect(meta(text)).toEqual({
      number: '118/2025/NĐ-CP',
      kind: 'decree',
      issuer: 'CHÍNH PHỦ',
      issuedAt: '2025-06-09',
      title: 'Về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia',
      signer: 'Lê Minh Châu',
    });
  });

  it('reads the Kế hoạch whose issuer is written on two lines, and not the Chỉ thị its body cites', async () => {
    const { text } = await extractText(new Uint8Array(readFileSync(join(DIR, 'ke-hoach-56-kh-ubnd.md'))), { filename: 'kh.md' });
    expect(meta(text)).toEqual({
      number: '56/KH-UBND',
      kind: 'plan',
      issuer: 'ỦY BAN NHÂN DÂN TỈNH BÌNH DƯƠNG',
      issuedAt: '2023-01-05',
      title: 'Cải cách hành chính tỉnh Bình Dương năm 2023',
      signer: 'Võ Thị Thanh Hà',
    });
  });

  it('reads the same Kế hoạch typed without diacritics', () => {
    const text = plain(readFileSync(join(DIR, 'ke-hoach-56-kh-ubnd.md'), 'utf8').replace(/^#+ /gm, ''));
    expect(meta(text)).toEqual({
      number: '56/KH-UBND',
      kind: 'plan',
      issuer: 'UY BAN NHAN DAN TINH BINH DUONG',
      issuedAt: '2023-01-05',
      title: 'Cai cach hanh chinh tinh Binh Duong nam 2023',
      signer: 'Vo Thi Thanh Ha',
    });
  });

  it('reads a Nghị quyết of the Quốc hội (202/2025/QH15: the kind comes from the kind line, not the number)', () => {
    const text = 'QUỐC HỘI\n-------\nNghị quyết số: 202/2025/QH15\n\nSố: 202/2025/QH15\tHà Nội, ngày 12 tháng 6 năm 2025\n\nNGHỊ QUYẾT\nVỀ VIỆC SẮP XẾP ĐƠN VỊ HÀNH CHÍNH CẤP TỈNH\nQUỐC HỘI\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;';
    expect(meta(text)).toMatchObject({ number: '202/2025/QH15', kind: 'resolution', issuer: 'QUỐC HỘI', issuedAt: '2025-06-12', title: 'VỀ VIỆC SẮP XẾP ĐƠN VỊ HÀNH CHÍNH CẤP TỈNH' });
  });

  it('reads a Thông tư with its letterhead on tab-separated columns', () => {
    const text =
      'VĂN PHÒNG CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n-------\tĐộc lập - Tự do - Hạnh phúc\nSố: 01/2018/TT-VPCP\tHà Nội, ngày 23 tháng 11 năm 2018\n' +
      'THÔNG TƯ\nHướng dẫn thi hành một số quy định của Nghị định số 61/2018/NĐ-CP\nCăn cứ Nghị định số 61/2018/NĐ-CP;\nĐiều 1. Phạm vi điều chỉnh\n…\nBỘ TRƯỞNG, CHỦ NHIỆM\n\nMai Văn Dũng';
    expect(meta(text)).toEqual({
      number: '01/2018/TT-VPCP',
      kind: 'circular',
      issuer: 'VĂN PHÒNG CHÍNH PHỦ',
      issuedAt: '2018-11-23',
      title: 'Hướng dẫn thi hành một số quy định của Nghị định số 61/2018/NĐ-CP',
      signer: 'Mai Văn Dũng',
    });
  });

  it('reads a Công văn: no kind line, its subject after "V/v", over two lines', () => {
    const text =
      'UBND TỈNH BÌNH DƯƠNG\nSỞ NỘI VỤ\n--------\nSố: 1234/SNV-CCHC\nV/v triển khai khảo sát mức độ hài lòng\ncủa người dân năm 2024\tBình Dương, ngày 05/3/2024\n' +
      'Kính gửi: Các sở, ban, ngành tỉnh.\nSở Nội vụ đề nghị các đơn vị phối hợp.\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n(Đã ký)\nNGUYỄN THỊ MAI';
    expect(meta(text)).toEqual({
      number: '1234/SNV-CCHC',
      kind: 'official-letter',
      issuer: 'SỞ NỘI VỤ',
      issuedAt: '2024-03-05',
      title: 'V/v triển khai khảo sát mức độ hài lòng của người dân năm 2024',
      signer: 'NGUYỄN THỊ MAI',
    });
  });

  it('reads a Quyết định "Về việc …" and a number written with spaces around the slash', () => {
    const text = 'ỦY BAN NHÂN DÂN\nTỈNH BÌNH DƯƠNG\nSố: 1520 /QĐ-UBND\nBình Dương, ngày 30 tháng 5 năm 2023\nQUYẾT ĐỊNH\nVề việc công bố danh mục thủ tục hành chính\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\nCăn cứ Luật Tổ chức chính quyền địa phương;';
    expect(meta(text)).toMatchObject({ number: '1520/QĐ-UBND', kind: 'decision', issuer: 'ỦY BAN NHÂN DÂN TỈNH BÌNH DƯƠNG', title: 'Về việc công bố danh mục thủ tục hành chính' });
  });

  it.each([
    ['CHỈ THỊ', 'directive'],
    ['NGHỊ QUYẾT', 'resolution'],
    ['QUYẾT ĐỊNH', 'decision'],
    ['NGHỊ ĐỊNH', 'decree'],
    ['THÔNG TƯ', 'circular'],
    ['KẾ HOẠCH', 'plan'],
    ['CÔNG VĂN', 'official-letter'],
    ['ĐỀ ÁN', 'project'],
    ['THÔNG BÁO', 'notice'],
  ] as const)('reads the kind line %s, with or without diacritics', (line, kind) => {
    const text = (l: string) => `TỈNH ỦY BÌNH DƯƠNG\nSố 45/TU\n${l}\nvề công tác cải cách hành chính năm 2024\nCăn cứ Quy chế làm việc;`;
    expect(meta(text(line)).kind).toBe(kind);
    expect(meta(plain(text(line))).kind).toBe(kind);
    expect(legalKindName(kind)).toBe(LEGAL_KINDS.find((k) => k.id === kind)!.name);
  });
});

describe('số ký hiệu and the kind it names', () => {
  it.each([
    ['Số 22-CT/TU', '22-CT/TU', 'directive'],
    ['Số 05-NQ/TU', '05-NQ/TU', 'resolution'],
    ['Số: 202/2025/QH15', '202/2025/QH15', undefined],
    ['Số: 118/2025/NĐ-CP', '118/2025/NĐ-CP', 'decree'],
    ['Số: 766/QĐ-TTg', '766/QĐ-TTg', 'decision'],
    ['Số: 01/2018/TT-VPCP', '01/2018/TT-VPCP', 'circular'],
    ['Số: 56/KH-UBND', '56/KH-UBND', 'plan'],
    ['Số: 12-ĐA/TU', '12-ĐA/TU', 'project'],
    ['Số: 389-TB/TU', '389-TB/TU', 'notice'],
    ['So: 118/2025/ND-CP', '118/2025/ND-CP', 'decree'],
    ['SO 766/QD-TTg', '766/QD-TTg', 'decision'],
  ] as const)('reads "%s" as %s', (line, number, kind) => {
    const m = meta(`CƠ QUAN BAN HÀNH\n${line}\nHà Nội, ngày 01 tháng 7 năm 2025\nNội dung văn bản.`);
    expect(m.number).toBe(number);
    expect(m.kind).toBe(kind);
  });

  it('does not take a date for a number', () => {
    expect(meta('UBND TỈNH\nSố: 22/6/2022\nNội dung.').number).toBeUndefined();
  });
});

describe('ngày ban hành', () => {
  it.each([
    ['Bình Dương, ngày 22 tháng 6 năm 2022', '2022-06-22'],
    ['Bình Dương, ngày 05 tháng 01 năm 2023', '2023-01-05'],
    ['Binh Duong, ngay 22 thang 6 nam 2022', '2022-06-22'],
    ['Hà Nội, 22/6/2022', '2022-06-22'],
    ['Hà Nội, ngày 22-6-2022', '2022-06-22'],
    ['Hà Nội, ngày 22.6.2022', '2022-06-22'],
    ['TP. Hồ Chí Minh, ngày 1/7/2025', '2025-07-01'],
  ])('reads "%s" as %s', (line, iso) => {
    expect(meta(`SỞ NỘI VỤ\nSố: 12/SNV-VP\n${line}\nV/v báo cáo\n`).issuedAt).toBe(iso);
  });

  it('ignores a date that does not exist (31 tháng 2)', () => {
    expect(meta('SỞ NỘI VỤ\nSố: 12/SNV-VP\nBình Dương, ngày 31 tháng 2 năm 2023\nV/v báo cáo').issuedAt).toBeUndefined();
  });

  it('does not take a date from the body for the issue date', () => {
    const m = meta('SỞ NỘI VỤ\nSố: 12/SNV-VP\nV/v báo cáo\nKính gửi: các đơn vị.\nHạn nộp báo cáo là ngày 15/8/2024.');
    expect(m.issuedAt).toBeUndefined();
  });
});

describe('a text that only names the document on its first line', () => {
  const line = 'Chỉ thị số 22-CT/TU ngày 22 tháng 6 năm 2022 của Ban Thường vụ Tỉnh ủy về tăng cường sự lãnh đạo của Đảng đối với công tác cải cách hành chính.';

  it('reads number, kind, date, issuer and subject from it', () => {
    expect(extractLegalMetadata(`${line}\nChỉ thị yêu cầu người đứng đầu trực tiếp chỉ đạo.`)).toEqual({
      metadata: {
        number: '22-CT/TU',
        kind: 'directive',
        issuer: 'Ban Thường vụ Tỉnh ủy',
        issuedAt: '2022-06-22',
        title: 'về tăng cường sự lãnh đạo của Đảng đối với công tác cải cách hành chính',
      },
      found: ['number', 'kind', 'issuer', 'issuedAt', 'title'],
    });
  });

  it('reads it typed without diacritics, keeping the text as typed', () => {
    expect(meta(plain(line))).toEqual({
      number: '22-CT/TU',
      kind: 'directive',
      issuer: 'Ban Thuong vu Tinh uy',
      issuedAt: '2022-06-22',
      title: 've tang cuong su lanh dao cua Dang doi voi cong tac cai cach hanh chinh',
    });
  });

  it.each([
    ['Nghị quyết 05-NQ/TU ngày 05/7/2022 của Tỉnh ủy về chuyển đổi số', { number: '05-NQ/TU', kind: 'resolution', issuedAt: '2022-07-05', issuer: 'Tỉnh ủy', title: 'về chuyển đổi số' }],
    ['Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ', { number: '766/QĐ-TTg', kind: 'decision', issuedAt: '2022-06-23', issuer: 'Thủ tướng Chính phủ' }],
    ['Nghị định 118/2025/NĐ-CP, ngày 9/6/2025', { number: '118/2025/NĐ-CP', kind: 'decree', issuedAt: '2025-06-09' }],
    ['Thông tư số 01/2018/TT-VPCP', { number: '01/2018/TT-VPCP', kind: 'circular' }],
  ])('reads "%s"', (text, expected) => {
    expect(meta(text)).toEqual(expected);
  });

  it('does not take a document the text only cites ("Thực hiện Chỉ thị …") for the text itself', () => {
    expect(extractLegalMetadata('Thực hiện Chỉ thị số 22-CT/TU ngày 22/6/2022 của Ban Thường vụ Tỉnh ủy, các sở triển khai ngay.').found).toEqual([]);
  });
});

describe('người ký', () => {
  it.each([
    ['TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyễn Văn Bình', 'Nguyễn Văn Bình'],
    ['KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(Đã ký)\nĐặng Thị Hồng', 'Đặng Thị Hồng'],
    ['T/M BAN THƯỜNG VỤ\nBÍ THƯ\n[đã ký]\nTRẦN VĂN NAM', 'TRẦN VĂN NAM'],
    ['KT. BO TRUONG\nTHU TRUONG\n(Da ky)\nNguyen Van Thanh', 'Nguyen Van Thanh'],
    ['Nơi nhận:\n- Như trên;\n- Lưu: VT.\tGIÁM ĐỐC\n\tLê Quang Minh', 'Lê Quang Minh'],
  ])('reads the signer under %j', (block, signer) => {
    expect(meta(`SỞ NỘI VỤ\nSố: 12/SNV-VP\nV/v báo cáo\nNội dung.\n${block}`).signer).toBe(signer);
  });

  it.each([100, 2000])('reads the letterhead and the signer of a document of %i lines', (n) => {
    const body = Array.from({ length: n }, (_, i) => `${i + 1}. Nhiệm vụ số ${i + 1} của các sở, ngành.`).join('\n');
    const m = meta(`SỞ NỘI VỤ\nSố: 12/SNV-VP\nV/v báo cáo\n${body}\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nLê Thị Thu`);
    expect(m).toMatchObject({ number: '12/SNV-VP', issuer: 'SỞ NỘI VỤ', signer: 'Lê Thị Thu' });
  });

  it('finds no signer in a text without a signature block', () => {
    expect(meta('Thông báo kết quả họp.\nCác đơn vị thực hiện.\nNguyễn Văn Bình phát biểu.').signer).toBeUndefined();
  });
});

describe('the operator overrides', () => {
  const text = 'Chỉ thị số 22-CT/TU ngày 22 tháng 6 năm 2022 của Ban Thường vụ Tỉnh ủy về cải cách hành chính';

  it('keeps each field the operator filled and lists only the others as found', () => {
    const r = extractLegalMetadata(text, { number: '22-CT/TU', issuer: 'Tỉnh ủy Bình Dương', title: '  ', signer: 'Nguyễn Văn A' });
    expect(r.metadata).toEqual({
      number: '22-CT/TU',
      kind: 'directive',
      issuer: 'Tỉnh ủy Bình Dương',
      issuedAt: '2022-06-22',
      title: 'về cải cách hành chính',
      signer: 'Nguyễn Văn A',
    });
    expect(r.found).toEqual(['kind', 'issuedAt', 'title']);
  });

  it('validates the form fields with LegalMetadataSchema', () => {
    expect(LegalMetadataSchema.safeParse({ kind: 'decree', issuedAt: '2025-06-09' }).success).toBe(true);
    expect(LegalMetadataSchema.safeParse({ kind: 'law' }).success).toBe(false);
    expect(LegalMetadataSchema.safeParse({ issuedAt: '9/6/2025' }).success).toBe(false);
  });

  it('finds nothing in a text that is no official document', () => {
    expect(extractLegalMetadata('Hôm nay trời đẹp, người dân đi làm thủ tục đông.')).toEqual({ metadata: {}, found: [] });
  });
});
