/**
 * @module knowledge/extract/pdf
 * The text layer of a PDF, read with unpdf (Mozilla's PDF.js built for serverless runtimes: no
 * worker thread, no canvas, no file system, so the same code runs in workerd and on Node).
 * Lines are rebuilt from PDF.js's text items: a wide horizontal gap becomes a tab (the two
 * columns of an official letterhead stay apart), a wider vertical gap a blank line, and a line
 * wrapped at the right margin is joined back to its paragraph unless the next line starts a
 * numbered part. A PDF without a text layer (a scan), a damaged one, or one that needs a
 * password is refused; it is never indexed empty.
 * This is the in-process PdfReader (./pdf-reader): the Node entry passes it in, the media
 * Worker runs it; the assistant Worker never imports it (its bundle stays under 1 MB gzipped).
 */
import { getDocumentProxy } from 'unpdf';
import { DocumentError, refuse, warning, type DocumentWarning } from './errors';
import type { PdfText } from './pdf-reader';
import { countLetters, normalizeExtracted } from './text';

/** Fewer letters than this on a page: the page is a picture (scanned, or a photo). */
const MIN_PAGE_LETTERS = 10;
/** Fewer letters than this in the whole file: no text layer. */
const MIN_DOCUMENT_LETTERS = 40;

/** The subset of PDF.js's TextItem this module reads. */
interface TextItem {
  str: string;
  hasEOL: boolean;
  width: number;
  transform: number[];
}

interface Line {
  text: string;
  x: number;
  right: number;
  y: number;
  size: number;
  /** A paragraph gap (taller than a line) lies above it. */
  gapBefore: boolean;
}

export async function extractPdf(bytes: Uint8Array, maxPages: number): Promise<PdfText> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A copy: PDF.js may take ownership of (detach) the buffer it is given.
    pdf = await getDocumentProxy(bytes.slice(), { verbosity: 0, stopAtErrors: false, isOffscreenCanvasSupported: false });
  } catch (e) {
    throw refusalFor(e);
  }
  try {
    if (pdf.numPages > maxPages) {
      throw refuse(
        'too-many-pages',
        `Tệp PDF có ${pdf.numPages} trang, vượt giới hạn ${maxPages} trang; hãy tách thành nhiều tệp.`,
        `The PDF has ${pdf.numPages} pages, more than the limit of ${maxPages}; split it into several files.`,
      );
    }
    const pageTexts: string[] = [];
    const empty: number[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      let items: TextItem[];
      try {
        const page = await pdf.getPage(n);
        items = (await page.getTextContent()).items.filter((i) => 'str' in i) as TextItem[];
        page.cleanup();
      } catch (e) {
        throw refusalFor(e);
      }
      const text = pageText(items);
      if (countLetters(text) < MIN_PAGE_LETTERS) empty.push(n);
      pageTexts.push(text);
    }
    const text = normalizeExtracted(pageTexts.join('\n\n'));
    if (countLetters(text) < MIN_DOCUMENT_LETTERS) {
      throw refuse(
        'pdf-no-text',
        'Tệp PDF không có lớp chữ (có thể là bản quét hoặc ảnh chụp) nên không đọc được nội dung; hãy tải bản PDF có chữ, bản DOCX, hoặc nhận dạng chữ (OCR) trước.',
        'The PDF has no text layer (probably a scan or a photo), so its content cannot be read; upload a PDF with text, a DOCX, or run OCR first.',
      );
    }
    const warnings: DocumentWarning[] = [];
    if (empty.length > 0) {
      const list = empty.join(', ');
      warnings.push(
        warning(
          'pdf-pages-without-text',
          `Trang ${list} không có chữ (có thể là ảnh quét); nội dung các trang này không được đưa vào tìm kiếm.`,
          `Page(s) ${list} hold no text (probably scanned images); their content is not searchable.`,
        ),
      );
    }
    const permissions = await pdf.getPermissions().catch(() => null);
    if (permissions !== null) {
      warnings.push(
        warning(
          'pdf-owner-locked',
          'Tệp PDF có đặt quyền hạn chế (mật khẩu chủ sở hữu) nhưng mở được không cần mật khẩu; nội dung vẫn được đọc.',
          'The PDF carries an owner password (usage restrictions) but opens without a password; its text was read.',
        ),
      );
    }
    return { text, pages: pdf.numPages, warnings };
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}

/** Maps PDF.js's exceptions to refusals; anything unknown counts as a damaged file. */
function refusalFor(e: unknown): Error {
  if (e instanceof DocumentError) return e;
  const name = e instanceof Error ? e.name : '';
  if (name === 'PasswordException') {
    return refuse(
      'pdf-encrypted',
      'Tệp PDF được mã hóa bằng mật khẩu nên không đọc được; hãy gỡ mật khẩu rồi tải lại.',
      'The PDF is encrypted with a password and cannot be read; remove the password and upload it again.',
    );
  }
  return refuse(
    'pdf-corrupt',
    'Tệp PDF bị hỏng hoặc không đầy đủ (có thể tải lên bị gián đoạn); hãy xuất lại tệp rồi tải lên.',
    'The PDF is damaged or incomplete (perhaps a cut-off upload); export it again and upload it.',
  );
}

/** Rebuilds one page's lines from its text items, in content order. */
export function pageText(items: readonly TextItem[]): string {
  const lines: Line[] = [];
  let line: Line | null = null;
  let lastY = Number.NaN;
  let lastSize = 0;
  let ended = true;

  for (const item of items) {
    // Indexed, not destructured: an array pattern runs the iterator protocol for each of tens
    // of thousands of items.
    const t = item.transform;
    const a = t[0] === undefined ? 0 : t[0];
    const b = t[1] === undefined ? 0 : t[1];
    const x = t[4] === undefined ? 0 : t[4];
    const y = t[5] === undefined ? 0 : t[5];
    const size = Math.hypot(a, b) || lastSize || 10;
    const blank = item.str.trim() === '';
    if (line && !ended && Math.abs(y - line.y) > size * 0.5 && !blank) ended = true;
    if (item.str !== '') {
      if (!line || ended) {
        if (blank) {
          ended = item.hasEOL || ended;
          continue;
        }
        const gapBefore = !Number.isNaN(lastY) && lastY - y > Math.max(size, lastSize) * 1.6;
        line = { text: '', x, right: x, y, size, gapBefore };
        lines.push(line);
        ended = false;
      }
      const gap = x - line.right;
      if (blank) {
        // A run of spaces as wide as a column gap keeps the columns apart.
        line.text += item.width > size * 1.5 ? '\t' : ' ';
      } else {
        // The last character only: a regex anchored at the end scans the whole line each time.
        if (line.text !== '' && !/\s/.test(line.text[line.text.length - 1]!)) line.text += gap > size * 1.5 ? '\t' : gap > size * 0.15 ? ' ' : '';
        line.text += item.str;
      }
      line.right = Math.max(line.right, x + item.width);
      lastY = y;
      lastSize = size;
    }
    if (item.hasEOL) ended = true;
  }
  return joinWrapped(lines.filter((l) => !isPageNumber(l.text)));
}

/** A line that only numbers the page ("2", "- 2 -", "Trang 2/5"). */
function isPageNumber(text: string): boolean {
  return /^\s*(?:-\s*)?(?:trang\s+)?\d{1,4}(?:\s*\/\s*\d{1,4})?(?:\s*-)?\s*$/i.test(text);
}

/** A line that opens a part of a legal text or a list: never the tail of a wrapped line. */
const OPENS_PART = /^(?:(?:Phần|Chương|Mục|Điều|PHẦN|CHƯƠNG|MỤC|ĐIỀU)\s|[IVXLC]+\.\s|\d+(?:\.\d+)*[.)]\s|[a-zđ]\)\s|[-+•*–]\s)/u;

function joinWrapped(lines: readonly Line[]): string {
  if (lines.length === 0) return '';
  const rightMargin = Math.max(...lines.map((l) => l.right));
  const leftMargin = Math.min(...lines.map((l) => l.x));
  const width = rightMargin - leftMargin;
  let out = '';
  let prev: Line | null = null;
  for (const l of lines) {
    const text = l.text.trim();
    if (prev) {
      const wrapped =
        !l.gapBefore &&
        !prev.text.includes('\t') &&
        !text.includes('\t') &&
        width > 0 &&
        prev.right >= rightMargin - width * 0.12 &&
        !OPENS_PART.test(text);
      out += wrapped ? ' ' : l.gapBefore ? '\n\n' : '\n';
    }
    out += text;
    prev = l;
  }
  return out;
}

