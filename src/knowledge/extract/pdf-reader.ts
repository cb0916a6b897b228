/**
 * @module knowledge/extract/pdf-reader
 * The seam between document extraction and whatever reads a PDF's text layer. On Node the
 * entry passes the in-process reader (./pdf, PDF.js through unpdf); on Workers it passes a
 * client of the PDF reader Worker (src/media-worker/pdf), so the assistant Worker's bundle carries no
 * PDF.js. Extraction only sees this function type.
 */
import { refuse, type DocumentError, type DocumentWarning } from './errors';

export interface PdfText {
  text: string;
  pages: number;
  warnings: DocumentWarning[];
}

/** Reads a PDF's text layer; throws a DocumentError when the PDF cannot be indexed. */
export type PdfReader = (bytes: Uint8Array, maxPages: number) => Promise<PdfText>;

/** No reader was passed in (a Worker without its PDF_READER binding): PDFs cannot be read here. */
export function pdfReaderMissing(): DocumentError {
  return refuse(
    'pdf-reader-missing',
    'Máy đọc PDF chưa được cấu hình nên chưa nhận được tệp PDF; hãy tải bản DOCX, HTML hoặc TXT, hoặc báo quản trị viên cấu hình dịch vụ đọc PDF.',
    'The PDF reader is not configured, so PDFs cannot be accepted; upload a DOCX, HTML or TXT version, or ask the administrator to set up the PDF reader service.',
  );
}

/** The reader was configured but did not answer properly (a timeout, a 5xx, a broken reply). */
export function pdfReaderFailed(): DocumentError {
  return refuse(
    'pdf-reader-failed',
    'Máy đọc PDF tạm thời không trả lời được; hãy thử lại sau ít phút.',
    'The PDF reader is not answering right now; try again in a few minutes.',
  );
}
