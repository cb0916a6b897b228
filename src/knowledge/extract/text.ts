/**
 * @module knowledge/extract/text
 * Plain text and Markdown uploads: decoding (UTF-8, or UTF-16 with a byte-order mark), the one
 * normalisation every extractor's output goes through, and Markdown reduced to the plain lines
 * the metadata reader and the legal chunker expect ("## Điều 5. …" becomes "Điều 5. …").
 */
import { refuse, warning, type DocumentWarning } from './errors';

/** Decodes text bytes; anything that is not valid UTF-8 (TCVN3, VNI, Windows-1258…) is refused. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes.subarray(2), true);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes.subarray(2), false);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refuse(
      'not-utf8',
      'Tệp không phải văn bản UTF-8 (có thể dùng bảng mã cũ như TCVN3 hoặc VNI); hãy lưu lại với bảng mã Unicode UTF-8.',
      'The file is not UTF-8 text (it may use an old encoding such as TCVN3 or VNI); save it again as Unicode UTF-8.',
    );
  }
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const units = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < units.length; i++) units[i] = view.getUint16(i * 2, littleEndian);
  let out = '';
  // In slices: String.fromCharCode with millions of arguments overflows the stack.
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.subarray(i, i + 8192));
  return out;
}

/**
 * The shape every extractor returns: NFC, "\n" line ends, no invisible or control characters,
 * no trailing spaces, at most one blank line in a row.
 */
export function normalizeExtracted(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const LETTER = /\p{L}/u;
/** Per UTF-16 unit of the BMP: 0 not looked at yet, 1 a letter, 2 not a letter. */
const LETTER_UNITS = new Uint8Array(0x10000);

/**
 * How many letters (any script) the text holds, counted by code point as /\p{L}/gu counts them:
 * the measure of "has text" for every format. A loop, not that regex's match: a PDF counts each
 * page and then the whole text, and the match made an array of every letter.
 */
export function countLetters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      const lower = c | 0x20;
      if (lower >= 0x61 && lower <= 0x7a) n++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        if (LETTER.test(text.slice(i, i + 2))) n++;
        i++;
        continue;
      }
    }
    let known = LETTER_UNITS[c]!;
    if (known === 0) LETTER_UNITS[c] = known = LETTER.test(String.fromCharCode(c)) ? 1 : 2;
    if (known === 1) n++;
  }
  return n;
}

/**
 * Markdown to the plain lines of the document: headings lose their hashes, emphasis and code
 * marks go, links keep their text, a leading front-matter block is dropped (with a warning, as
 * its fields are not read here).
 */
export function markdownToText(markdown: string): { text: string; warnings: DocumentWarning[] } {
  const warnings: DocumentWarning[] = [];
  let text = markdown.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const front = /^---\n[\s\S]*?\n---\n/.exec(text);
  if (front) {
    text = text.slice(front[0].length);
    warnings.push(
      warning(
        'markdown-front-matter',
        'Khối thông tin đầu tệp Markdown (front matter) không được đọc; hãy nhập các trường trong biểu mẫu.',
        'The Markdown front matter is not read; fill in the form fields instead.',
      ),
    );
  }
  text = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^```[^\n]*$/gm, '')
    .replace(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm, '$1')
    .replace(/^ {0,3}>[ \t]?/gm, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^*\w])\*(?=\S)([^*\n]*?\S)\*/g, '$1$2')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/gm, '');
  return { text, warnings };
}
