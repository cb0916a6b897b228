/**
 * @module knowledge/extract/errors
 * Why an uploaded document was refused: a typed error carrying the HTTP status the admin route
 * answers with and a reason the operator can act on (Vietnamese first, then English), plus the
 * warnings an accepted document may carry. Nothing here does I/O.
 */

/** Every way an upload can be refused, each with its status. */
const REFUSALS = {
  'too-large': 413,
  'unpacked-too-large': 413,
  'too-many-pages': 413,
  'unsupported-type': 415,
  'legacy-word': 415,
  'image': 415,
  'type-mismatch': 415,
  'empty': 422,
  'not-utf8': 422,
  'no-text': 422,
  'pdf-corrupt': 422,
  'pdf-encrypted': 422,
  'pdf-no-text': 422,
  'zip-corrupt': 422,
  'zip-not-docx': 422,
  'html-mostly-script': 422,
  // The PDF reader (the PDF reader Worker on Workers) is absent or failing: not the file's fault.
  'pdf-reader-missing': 503,
  'pdf-reader-failed': 503,
} as const;

export type DocumentErrorCode = keyof typeof REFUSALS;
export type DocumentErrorStatus = (typeof REFUSALS)[DocumentErrorCode];

interface Bilingual {
  vi: string;
  en: string;
}

/** Whether `code` names a refusal: the PDF reader Worker's replies are checked against it. */
export function isDocumentErrorCode(code: unknown): code is DocumentErrorCode {
  return typeof code === 'string' && Object.hasOwn(REFUSALS, code);
}

/** A refused upload: `status` for the reply, `reason` to show ("vi — en"), `code` for programs. */
export class DocumentError extends Error {
  override name = 'DocumentError';
  readonly status: DocumentErrorStatus;
  readonly reason: string;

  constructor(
    readonly code: DocumentErrorCode,
    readonly messages: Bilingual,
  ) {
    const reason = `${messages.vi} — ${messages.en}`;
    super(reason);
    this.status = REFUSALS[code];
    this.reason = reason;
  }
}

export function refuse(code: DocumentErrorCode, vi: string, en: string): DocumentError {
  return new DocumentError(code, { vi, en });
}

const WARNING_CODES = ['pdf-pages-without-text', 'pdf-owner-locked', 'html-much-script', 'docx-size-mismatch', 'markdown-front-matter'] as const;
type DocumentWarningCode = (typeof WARNING_CODES)[number];

export function isDocumentWarningCode(code: unknown): code is DocumentWarningCode {
  return typeof code === 'string' && (WARNING_CODES as readonly string[]).includes(code);
}

/** Something the operator should check in an accepted document; never a reason to refuse it. */
export interface DocumentWarning extends Bilingual {
  code: DocumentWarningCode;
}

export function warning(code: DocumentWarningCode, vi: string, en: string): DocumentWarning {
  return { code, vi, en };
}

/** "10 MB" the way both languages write a size limit. */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}
