/**
 * @module knowledge/extract/detect
 * What an upload really is, from its first bytes (%PDF, a ZIP holding word/document.xml, HTML
 * markup, or text), checked against what the uploader declared (file name and content type).
 * The bytes decide; a declaration that names another kind of file is refused as wrong rather
 * than trusted, and a generic one (application/octet-stream, no extension) is fine.
 */
import { refuse } from './errors';
import { isDocxDirectory, notDocx } from './docx';
import { looksLikeZip, readZipDirectory, ZipError } from './zip';

export type DocumentFormat = 'pdf' | 'docx' | 'html' | 'text' | 'markdown';

export interface Declared {
  filename?: string;
  contentType?: string;
}

/** Families a declaration can name; 'text' covers text, Markdown and HTML, which share a reader. */
type Family = 'pdf' | 'docx' | 'text' | 'other';

interface Sniffed {
  family: Family;
  /** The format when the bytes alone tell it. */
  format?: DocumentFormat;
}

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
/** PDF readers accept the header anywhere in the first kilobyte. */
const PDF_HEADER_WINDOW = 1024;

const IMAGE_MAGIC: Array<[string, number[]]> = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
  ['BMP', [0x42, 0x4d]],
];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

function findPdfHeader(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length - PDF_MAGIC.length, PDF_HEADER_WINDOW);
  for (let i = 0; i <= end; i++) if (startsWith(bytes, PDF_MAGIC, i)) return true;
  return false;
}

/** Tags that open an HTML document or fragment (after the WHATWG MIME sniffing rules). */
const HTML_START = /^(?:\uFEFF)?\s*(?:<!doctype\s+html|<html|<head|<body|<script|<iframe|<h[1-6]|<div|<font|<table|<a|<style|<title|<b|<br|<p|<meta|<article|<section|<!--)[\s>/]/i;

function sniff(bytes: Uint8Array, maxZipEntries: number): Sniffed {
  if (findPdfHeader(bytes)) return { family: 'pdf', format: 'pdf' };
  if (looksLikeZip(bytes)) {
    let isDocx: boolean;
    try {
      isDocx = isDocxDirectory(readZipDirectory(bytes, maxZipEntries));
    } catch (e) {
      // A damaged ZIP is still a ZIP: the DOCX reader reports what is wrong with it.
      if (e instanceof ZipError) return { family: 'docx', format: 'docx' };
      throw e;
    }
    if (!isDocx) throw notDocx();
    return { family: 'docx', format: 'docx' };
  }
  if (startsWith(bytes, OLE_MAGIC)) {
    throw refuse(
      'legacy-word',
      'Đây là tệp Word/Excel định dạng cũ (.doc, .xls) hoặc tệp Word có đặt mật khẩu; hãy mở bằng Word, gỡ mật khẩu nếu có và lưu thành .docx hoặc PDF.',
      'This is an old-format Word/Excel file (.doc, .xls) or a password-protected Word file; open it in Word, remove any password and save it as .docx or PDF.',
    );
  }
  for (const [name, magic] of IMAGE_MAGIC) {
    if (startsWith(bytes, magic)) {
      throw refuse(
        'image',
        `Tệp là ảnh ${name} (có thể là bản quét), không có chữ để đọc; hãy tải bản PDF có chữ, DOCX hoặc nhận dạng chữ (OCR) trước.`,
        `The file is a ${name} image (probably a scan) with no text to read; upload a PDF with text, a DOCX, or run OCR first.`,
      );
    }
  }
  if (isBinary(bytes)) return { family: 'other' };
  const head = new TextDecoder().decode(bytes.subarray(0, 2048));
  if (HTML_START.test(head) || (/^\s*<\?xml/i.test(head) && /<html[\s>]/i.test(head))) return { family: 'text', format: 'html' };
  return { family: 'text' };
}

/** NUL bytes (outside UTF-16) or many control characters in the first 8 KB: not text. */
function isBinary(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return false;
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  return control > n * 0.05;
}

const CONTENT_TYPES: Record<string, DocumentFormat | 'generic' | 'docx-family'> = {
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  // Some systems label every Word file this way, .docx included.
  'application/msword': 'docx-family',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'application/octet-stream': 'generic',
  'binary/octet-stream': 'generic',
  'application/zip': 'docx-family',
  'application/x-zip-compressed': 'docx-family',
  'application/download': 'generic',
  'application/force-download': 'generic',
};

const EXTENSIONS: Record<string, DocumentFormat | 'docx-family'> = {
  pdf: 'pdf',
  docx: 'docx',
  doc: 'docx-family',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  txt: 'text',
  text: 'text',
  md: 'markdown',
  markdown: 'markdown',
};

interface Declaration {
  label: string;
  /** undefined: says nothing; 'other': names a kind of file we do not read. */
  format?: DocumentFormat | 'docx-family' | 'other';
}

function declarations(declared: Declared): Declaration[] {
  const out: Declaration[] = [];
  const type = declared.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type) {
    const format = CONTENT_TYPES[type];
    if (format !== 'generic') out.push({ label: `content-type ${type}`, format: format ?? 'other' });
  }
  const name = declared.filename?.trim();
  const ext = name && /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase();
  if (name && ext) out.push({ label: `"${name}"`, format: EXTENSIONS[ext] ?? 'other' });
  return out;
}

function familyOf(format: Declaration['format']): Family | undefined {
  if (format === undefined) return undefined;
  if (format === 'pdf') return 'pdf';
  if (format === 'docx' || format === 'docx-family') return 'docx';
  if (format === 'other') return 'other';
  return 'text';
}

const FAMILY_NAMES: Record<Family, [string, string]> = {
  pdf: ['PDF', 'a PDF'],
  docx: ['DOCX', 'a DOCX'],
  text: ['văn bản/HTML', 'text or HTML'],
  other: ['định dạng không hỗ trợ', 'an unsupported format'],
};

/**
 * The format to read the bytes as. Throws a DocumentError (415) when the bytes are something we
 * do not read, or when the declared name or content type says another kind of file.
 */
export function detectFormat(bytes: Uint8Array, declared: Declared, maxZipEntries: number): DocumentFormat {
  const sniffed = sniff(bytes, maxZipEntries);
  const decls = declarations(declared);
  if (sniffed.family === 'other') {
    throw refuse(
      'unsupported-type',
      'Định dạng tệp không được hỗ trợ; chỉ nhận PDF (có lớp chữ), DOCX, HTML, TXT, MD.',
      'Unsupported file format; only PDF (with a text layer), DOCX, HTML, TXT and MD are accepted.',
    );
  }
  for (const d of decls) {
    const family = familyOf(d.format);
    if (family && family !== sniffed.family) {
      const [saysVi, saysEn] = FAMILY_NAMES[family];
      const [isVi, isEn] = FAMILY_NAMES[sniffed.family];
      throw refuse(
        'type-mismatch',
        `Loại tệp khai báo (${d.label}: ${saysVi}) không khớp nội dung thật (${isVi}); hãy kiểm tra lại tệp.`,
        `The declared type (${d.label}: ${saysEn}) does not match the real content (${isEn}); check the file.`,
      );
    }
  }
  if (sniffed.format) return sniffed.format;
  // Text: the declaration tells Markdown or HTML from plain text; the file name before the content type.
  const textual = [...decls]
    .reverse()
    .map((d) => d.format)
    .find((f): f is 'html' | 'markdown' | 'text' => f === 'html' || f === 'markdown' || f === 'text');
  return textual ?? 'text';
}
