/**
 * @module media-worker/pdf-route
 * `POST /pdf/text?maxPages=N` (body: the PDF), served by the PDF reader Worker: the text layer
 * read by the PdfReader passed in (PDF.js through unpdf, knowledge/extract/pdf), answered as
 * `{text,pages,warnings}`, or a refusal's status with `{code,vi,en}`.
 */
import { megabytes, refuse } from '../knowledge/extract/errors';
import type { PdfReader } from '../knowledge/extract/pdf-reader';
import { json, query, readBody, type Routes } from './handler';
import { MAX_PDF_BYTES, PDF_TEXT_PATH, PdfQuerySchema } from './protocol';

export function pdfTextRoute(readPdf: PdfReader): Routes {
  return {
    [PDF_TEXT_PATH]: async (request, url) => {
      const { maxPages } = query(PdfQuerySchema, url);
      const bytes = await readBody(request, MAX_PDF_BYTES, () =>
        refuse('too-large', `Tệp lớn hơn giới hạn ${megabytes(MAX_PDF_BYTES)} của máy đọc PDF.`, `The file is larger than the PDF reader's ${megabytes(MAX_PDF_BYTES)} limit.`),
      );
      if (bytes.length === 0) throw refuse('empty', 'Tệp rỗng.', 'The file is empty.');
      return json(await readPdf(bytes, maxPages), 200);
    },
  };
}
