/**
 * @module knowledge/extract
 * One entry point from an uploaded file's bytes to its text: checks the size, finds the real
 * format from the bytes (see ./detect), reads it (PDF text layer, DOCX, HTML, TXT, MD) and
 * refuses with a typed DocumentError (413, 415 or 422 and a reason, Vietnamese first) whatever
 * cannot be indexed. It never returns empty text. Pure apart from CPU: no I/O, no environment,
 * so the admin route (which reads KNOWLEDGE_MAX_UPLOAD_MB through config) passes the limits in.
 * PDFs are read by the PdfReader passed in (./pdf-reader): in process on Node (./pdf), by the
 * PDF reader Worker on Workers; without one a PDF is refused with 503, other formats still work.
 *
 * @example
 * const limits = extractLimits(config.knowledgeMaxUploadMb);
 * try {
 *   const { format, text, warnings } = await extractText(bytes, { filename, contentType }, limits, extractPdf);
 * } catch (e) {
 *   if (e instanceof DocumentError) return c.json({ error: e.reason, code: e.code }, e.status);
 *   throw e;
 * }
 */
import { detectFormat, type Declared, type DocumentFormat } from './detect';
import { extractDocx } from './docx';
import { megabytes, refuse, type DocumentWarning } from './errors';
import { extractHtml } from './html';
import { pdfReaderMissing, type PdfReader } from './pdf-reader';
import { countLetters, decodeText, markdownToText, normalizeExtracted } from './text';

export { DocumentError, type DocumentErrorCode, type DocumentErrorStatus, type DocumentWarning } from './errors';
export type { Declared, DocumentFormat } from './detect';
export type { PdfReader, PdfText } from './pdf-reader';

const DEFAULT_MAX_UPLOAD_MB = 10;

export interface ExtractLimits {
  /** Largest upload accepted, in bytes (KNOWLEDGE_MAX_UPLOAD_MB). */
  maxBytes: number;
  /** Most bytes a DOCX's parts may unpack to, together: the zip-bomb guard. */
  maxUnpackedBytes: number;
  /** Most entries a DOCX's ZIP directory may list. */
  maxZipEntries: number;
  /** Most pages a PDF may have (each page costs CPU time on a Worker). */
  maxPages: number;
}

/**
 * Limits derived from the upload limit in MB: a DOCX may unpack to 4× the upload (text XML
 * compresses about 5–10×, but a big DOCX is mostly pictures, which are never unpacked), at
 * least 20 MB.
 */
export function extractLimits(maxUploadMb: number = DEFAULT_MAX_UPLOAD_MB): ExtractLimits {
  const maxBytes = Math.round(maxUploadMb * 1024 * 1024);
  return { maxBytes, maxUnpackedBytes: Math.max(4 * maxBytes, 20 * 1024 * 1024), maxZipEntries: 5000, maxPages: 500 };
}

interface ExtractedText {
  format: DocumentFormat;
  /** NFC, "\n" line ends, at least a few dozen letters. */
  text: string;
  /** PDFs only. */
  pages?: number;
  warnings: DocumentWarning[];
}

/** Fewer letters than this and there is nothing worth indexing. */
const MIN_LETTERS = 20;

export async function extractText(bytes: Uint8Array, declared: Declared, limits: ExtractLimits = extractLimits(), readPdf?: PdfReader): Promise<ExtractedText> {
  if (bytes.length > limits.maxBytes) {
    throw refuse(
      'too-large',
      `Tệp lớn hơn giới hạn ${megabytes(limits.maxBytes)}; hãy tách nhỏ hoặc nén ảnh trong tệp.`,
      `The file is larger than the ${megabytes(limits.maxBytes)} limit; split it or shrink its pictures.`,
    );
  }
  if (bytes.length === 0) throw refuse('empty', 'Tệp rỗng.', 'The file is empty.');

  const format = detectFormat(bytes, declared, limits.maxZipEntries);
  let text: string;
  let pages: number | undefined;
  let warnings: DocumentWarning[] = [];
  switch (format) {
    case 'pdf': {
      if (!readPdf) throw pdfReaderMissing();
      ({ text, pages, warnings } = await readPdf(bytes, limits.maxPages));
      break;
    }
    case 'docx':
      text = extractDocx(bytes, limits);
      break;
    case 'html':
      ({ text, warnings } = extractHtml(decodeText(bytes)));
      break;
    case 'markdown':
      ({ text, warnings } = markdownToText(decodeText(bytes)));
      break;
    case 'text':
      text = decodeText(bytes);
      break;
  }
  text = normalizeExtracted(text);
  if (countLetters(text) < MIN_LETTERS) {
    throw refuse(
      'no-text',
      'Tệp gần như không có chữ nên không có gì để đưa vào tìm kiếm.',
      'The file holds almost no text, so there is nothing to index.',
    );
  }
  return pages === undefined ? { format, text, warnings } : { format, text, pages, warnings };
}
