/// <reference types="vite/client" />
/**
 * Reading uploaded documents inside workerd: unpdf's serverless PDF.js reads a real PDF's text
 * layer and refuses a scan, and a DOCX is unzipped and read, bomb guard included, with the same
 * modules the Node tests use. The PDFs come in as data: URLs (workerd has no file system).
 */
import { describe, expect, it } from 'vitest';
import chiThiPdf from '../fixtures/documents/chi-thi-22-ct-tu.pdf?inline';
import scanPdf from '../fixtures/documents/scan.pdf?inline';
import { extractLimits, extractText as extract, type Declared, type ExtractLimits } from '../../src/knowledge/extract/index';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import { extractLegalMetadata } from '../../src/knowledge/legal-metadata';
import { chunkLegalText } from '../../src/knowledge/legal-chunks';
import { makeDocx, paragraphXml, tableXml } from '../knowledge/support/docx';
import { refusal } from '../support/refusal';

/** PDFs read in process with the reader the PDF reader Worker runs (the assistant Worker asks it over PDF_READER). */
const extractText = (bytes: Uint8Array, declared: Declared, limits?: ExtractLimits) => extract(bytes, declared, limits, extractPdf);

function bytesOf(dataUrl: string): Uint8Array {
  const binary = atob(dataUrl.slice(dataUrl.indexOf(',') + 1));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}


describe('documents in workerd', () => {
  it('reads a PDF text layer and its metadata', async () => {
    const r = await extractText(bytesOf(chiThiPdf), { filename: 'chi-thi.pdf', contentType: 'application/pdf' });
    expect(r).toMatchObject({ format: 'pdf', pages: 1 });
    expect(extractLegalMetadata(r.text).metadata).toMatchObject({ number: '22-CT/TU', kind: 'directive', issuedAt: '2022-06-22', signer: 'Trần Quốc Hưng' });
  });

  it('refuses a scanned PDF with 422', async () => {
    const e = await refusal(extractText(bytesOf(scanPdf), { filename: 'scan.pdf' }));
    expect(e).toMatchObject({ status: 422, code: 'pdf-no-text' });
  });

  it('reads a DOCX and chunks it along its Điều', async () => {
    const body = [
      tableXml([['UBND TỈNH BÌNH DƯƠNG', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'], ['Số: 1520/QĐ-UBND', 'Bình Dương, ngày 30 tháng 5 năm 2023']]),
      paragraphXml('QUYẾT ĐỊNH'),
      paragraphXml('Về việc công bố danh mục thủ tục hành chính'),
      paragraphXml('Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.'),
      paragraphXml('Điều 2. Quyết định có hiệu lực từ ngày ký.'),
    ].join('');
    const r = await extractText(makeDocx(body), { filename: 'qd.docx' });
    expect(r.format).toBe('docx');
    expect(extractLegalMetadata(r.text).metadata).toMatchObject({ number: '1520/QĐ-UBND', kind: 'decision', issuedAt: '2023-05-30' });
    expect(chunkLegalText({ id: 'qd', title: 'QĐ', text: r.text }).map((c) => c.headingPath)).toEqual([[], ['Điều 1'], ['Điều 2']]);
  });

  it('refuses a DOCX zip bomb that lies about its size with 413', async () => {
    const bomb = makeDocx(paragraphXml('x'.repeat(2 * 1024 * 1024)), { document: { declaredSize: 1000 } });
    const e = await refusal(extractText(bomb, { filename: 'bom.docx' }, { ...extractLimits(), maxUnpackedBytes: 512 * 1024 }));
    expect(e).toMatchObject({ status: 413, code: 'unpacked-too-large' });
  });
});
