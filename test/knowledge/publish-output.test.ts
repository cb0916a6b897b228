/**
 * What a publish produces, pinned: for the fixture PDFs and Markdown and a 60-page Nghị định
 * made here, the chunks and metadata prepare() reads and the segment publish() writes (its
 * documents, chunks and serialised index) hash to the values the code gave before publishing
 * was made cheaper. Work taken out of the pipeline must never change what it produces; a change
 * that is meant to (a new chunking rule, a new analysis) updates these values on purpose.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalogue } from '../../src/knowledge/catalogue';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import type { AnalyzerData } from '../../src/search/analyzer';
import { MemoryStore } from '../../src/store/memory';

const DIR = join(import.meta.dirname, '../fixtures/documents');

/** Analysis data of the test's own, so an edit of the real abbreviation list does not move the pins. */
const ANALYZER: AnalyzerData = {
  abbreviations: [
    { short: 'UBND', long: ['ủy ban nhân dân'] },
    { short: 'CCHC', long: ['cải cách hành chính'] },
    { short: 'DVCTT', long: ['dịch vụ công trực tuyến'] },
    { short: 'TTHC', long: ['thủ tục hành chính'] },
  ],
  stopwords: ['và', 'của', 'các', 'là', 'được', 'theo', 'trong', 'có'],
};

/** A deterministic Nghị định of about `pages` pages: Chương, Mục, Điều, khoản, điểm, long khoản, Nơi nhận. */
function longDecree(pages: number): string {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const words = [
    'cơ quan', 'đơn vị', 'thủ tục hành chính', 'hồ sơ', 'tiếp nhận', 'giải quyết', 'UBND', 'ủy ban nhân dân', 'cấp tỉnh', 'cấp huyện',
    'dịch vụ công trực tuyến', 'DVCTT', 'toàn trình', 'một phần', 'số hóa', 'kết quả', 'CCHC', 'cải cách hành chính', 'trách nhiệm',
    'người đứng đầu', 'công chức', 'viên chức', 'thời hạn', 'ngày làm việc', 'phí', 'lệ phí', 'Bộ phận Một cửa', 'Cổng Dịch vụ công quốc gia',
    'định danh điện tử', 'VNeID', 'tỷ lệ', 'đạt', '85,52%', 'ngày 30.9.2023', 'Quyết định số 22-QĐ/TU', '1.711 hồ sơ', 'chỉ thị', 'chi thi',
  ];
  const sentence = () => {
    const n = 6 + Math.floor(next() * 14);
    const s = Array.from({ length: n }, () => pick(words)).join(next() < 0.2 ? ', ' : ' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + pick(['.', '.', ';', '.']);
  };
  const paragraph = (k: number) => Array.from({ length: k }, sentence).join(' ');
  const lines = ['CHÍNH PHỦ', '', 'Số: 999/2026/NĐ-CP', '', 'Hà Nội, ngày 1 tháng 12 năm 2026', '', 'NGHỊ ĐỊNH', 'Quy định về thử nghiệm quy mô của trợ lý', '', paragraph(3), ''];
  const roman = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
  let size = 0;
  let article = 1;
  for (let chapter = 1; size < pages * 3000; chapter++) {
    lines.push(`Chương ${roman[(chapter - 1) % roman.length]}`, `QUY ĐỊNH PHẦN ${chapter}`, '');
    for (let section = 1; section <= 2 && size < pages * 3000; section++) {
      lines.push(`Mục ${section}. ${sentence().replace(/[.;]$/, '')}`, '');
      for (let k = 0; k < 4 && size < pages * 3000; k++, article++) {
        const body: string[] = [];
        if (article % 9 === 0) {
          lines.push(`Điều ${article}. ${sentence()}`, '');
          continue;
        }
        lines.push(`Điều ${article}. Nội dung ${article}`);
        for (let c = 1; c <= 1 + (article % 4); c++) {
          // Every seventh article has one very long khoản: cut between sentences, or mid-sentence.
          body.push(`${c}. ${article % 7 === 0 && c === 1 ? paragraph(14) + ' ' + Array.from({ length: 60 }, () => pick(words)).join(', ') : paragraph(1 + (c % 3))}`);
          if (c === 2) for (const p of ['a', 'b', 'đ']) body.push(`${p}) ${sentence()}`);
          if (article % 5 === 0 && c === 1) body.push(`${c}.1. ${sentence()}`, `${c}.2. ${paragraph(2)}`);
        }
        lines.push(...body, '');
        size += body.join('').length;
      }
    }
  }
  lines.push('Nơi nhận:', '- Các Bộ, cơ quan ngang Bộ;', '- Lưu: VT.');
  return lines.join('\n');
}

async function published(bytes: Uint8Array, filename: string) {
  const store = new MemoryStore();
  const now = () => new Date('2026-12-02T03:04:05.000Z');
  const catalogue = new Catalogue({ store, analyzer: ANALYZER, now, maxUploadMb: 50, readPdf: extractPdf });
  const prepared = await catalogue.prepare({ bytes, filename, fields: { supersedes: [], visibility: 'public' } });
  const { entry, record } = await catalogue.publish(prepared, 'test', 'create');
  const segment = await catalogue.segment(entry.segment!, entry.parts);
  const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
  return {
    chunks: prepared.chunks.length,
    prepared: sha(prepared),
    record: sha(record),
    entry: sha(entry),
    segment: sha({ documents: segment.documents, chunks: segment.chunks }),
    index: sha(segment.index),
  };
}

describe('what a publish produces', () => {
  it('the fixture PDFs and Markdown give the pinned chunks, metadata, segment and index', async () => {
    const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
    expect(await published(read('nghi-dinh-118-2025.pdf'), 'nghi-dinh-118-2025.pdf')).toEqual(
      { chunks: 8, prepared: 'ec5919e418e8cb22', record: 'bb07c4d104379536', entry: '2192dfe452268e3c', segment: 'b1b37347c2afc303', index: '69ab5f22410e9b17' },
    );
    expect(await published(read('chi-thi-22-ct-tu.pdf'), 'chi-thi-22-ct-tu.pdf')).toEqual(
      { chunks: 7, prepared: '62ea91c5d45c0dda', record: '1c4044eb77ae8344', entry: '196d099d36bbc7ae', segment: 'b85f2b24d9b54f1e', index: 'fa0f8047388a4227' },
    );
    expect(await published(read('ke-hoach-56-kh-ubnd.md'), 'ke-hoach-56-kh-ubnd.md')).toEqual(
      { chunks: 6, prepared: '1a0741b65c46ce79', record: 'd15b70a60c097f51', entry: 'ef94ef8f9f341fe4', segment: '123110ad2763cf51', index: '702e1709f985d3da' },
    );
  });

  it('a 60-page Nghị định gives the pinned chunks, metadata, segment and index', async () => {
    const text = longDecree(60);
    expect(text.length).toBeGreaterThan(150_000);
    expect(await published(new TextEncoder().encode(text), 'nghi-dinh-999.txt')).toEqual(
      { chunks: 259, prepared: '5738aa2e8bb9663e', record: 'b66fa2ae2ad7afc4', entry: '576db136261a1603', segment: 'df79a1703bbbbd20', index: '3ff0990a161570de' },
    );
  });
});
