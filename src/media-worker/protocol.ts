/**
 * @module media-worker/protocol
 * What the assistant Worker and its companion Workers (the PDF reader, the chart renderer) say
 * to each other over the PDF_READER and CHART_RENDERER service bindings: the routes, the bounds
 * both sides hold to, and the shapes of the replies (checked with zod on arrival: a reply is
 * data from another program, not trusted as typed).
 */
import { z } from 'zod';
import { isDocumentErrorCode, isDocumentWarningCode } from '../knowledge/extract/errors';

export const PDF_TEXT_PATH = '/pdf/text';
export const PNG_PATH = '/png';

/** Largest PDF the media Worker reads: above any KNOWLEDGE_MAX_UPLOAD_MB an operator would set. */
export const MAX_PDF_BYTES = 64 * 1024 * 1024;
/** Most pages a caller may allow (the assistant sends its own limit, 500 by default). */
export const MAX_PDF_PAGES = 5000;
/** Largest SVG drawn: charts are tens of kilobytes; this bounds parsing and memory. */
export const MAX_SVG_BYTES = 4 * 1024 * 1024;
/** Widest PNG (the same bound svgToPng holds). */
export const MAX_PNG_WIDTH = 4096;

export const PdfQuerySchema = z.object({ maxPages: z.coerce.number().int().min(1).max(MAX_PDF_PAGES) });
export const PngQuerySchema = z.object({ width: z.coerce.number().int().min(1).max(MAX_PNG_WIDTH) });

const WarningSchema = z.object({
  code: z.string().refine(isDocumentWarningCode, 'not a known document warning'),
  vi: z.string(),
  en: z.string(),
});

/** 200 from /pdf/text. */
export const PdfTextReplySchema = z.object({
  text: z.string(),
  pages: z.number().int().nonnegative(),
  warnings: z.array(WarningSchema),
});

/** Every 4xx/5xx: `code` is a DocumentErrorCode when a PDF was refused, else a code of this protocol. */
export const ErrorReplySchema = z.object({ code: z.string(), vi: z.string(), en: z.string() });
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

/** A refusal of the PDF itself (not of the request), which the assistant reports as it would in process. */
export const RefusalReplySchema = ErrorReplySchema.extend({ code: z.string().refine(isDocumentErrorCode) });
