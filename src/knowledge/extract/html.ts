/**
 * @module knowledge/extract/html
 * An HTML page (a document saved from a portal, a legal database page) reduced to its visible
 * text, one block element per line, table cells separated by tabs. Scripts, styles and other
 * invisible parts are dropped and measured: a page that is mostly script (an app shell whose
 * text is loaded by JavaScript) holds nothing to index and is refused.
 * A small tokenizer rather than a DOM: Workers has no DOMParser, and only text is needed.
 */
import { refuse, warning, type DocumentWarning } from './errors';
import { countLetters, normalizeExtracted } from './text';

/** Below this many letters a script-heavy page is an app shell, not a document. */
const APP_SHELL_MAX_LETTERS = 500;
/** Share of script in (script + text) from which a page counts as mostly script. */
const MOSTLY_SCRIPT_SHARE = 0.9;
/** From this share on, an accepted page gets a warning to check its text is complete. */
const MUCH_SCRIPT_SHARE = 0.5;

/** Elements whose content is never shown. */
const INVISIBLE = ['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'head', 'canvas', 'math'];
/** Elements that start a new line. */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption',
  'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p',
  'pre', 'section', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul', 'center',
]);

interface HtmlText {
  text: string;
  warnings: DocumentWarning[];
}

export function extractHtml(html: string): HtmlText {
  let scriptChars = 0;
  let body = html.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  for (const tag of INVISIBLE) {
    body = body.replace(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)(?:</${tag}\\s*>|$)`, 'gi'), (_m, inner: string) => {
      if (tag === 'script' || tag === 'style' || tag === 'noscript' || tag === 'template') scriptChars += inner.length;
      return ' ';
    });
  }
  const text = normalizeExtracted(
    decodeEntities(
      body
        .replace(/<(td|th)\b[^>]*>/gi, '\t')
        .replace(/<li\b[^>]*>/gi, '\n- ')
        .replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi, (_m, name: string) => (BLOCK.has(name.toLowerCase()) ? '\n' : ''))
        .replace(/<[^>]*>/g, ''),
    )
      .replace(/[ \u00a0]*\t[ \t\u00a0]*/g, '\t')
      .replace(/[ \u00a0]{2,}/g, ' ')
      .replace(/\n[ \t]+/g, '\n')
      .replace(/\n(?:[ \t]*\n)+/g, '\n\n'),
  );

  const letters = countLetters(text);
  const share = scriptChars / (scriptChars + text.length || 1);
  if (share >= MOSTLY_SCRIPT_SHARE && letters < APP_SHELL_MAX_LETTERS) {
    throw refuse(
      'html-mostly-script',
      `Trang HTML gần như chỉ có mã script (${Math.round(share * 100)}%), nội dung được tải bằng JavaScript nên không đọc được; hãy lưu văn bản dưới dạng PDF, DOCX hoặc TXT.`,
      `The HTML page is almost all script (${Math.round(share * 100)}%): its content is loaded by JavaScript and cannot be read; save the document as PDF, DOCX or TXT.`,
    );
  }
  const warnings: DocumentWarning[] = [];
  if (share >= MUCH_SCRIPT_SHARE) {
    warnings.push(
      warning(
        'html-much-script',
        `Trang HTML có nhiều mã script (${Math.round(share * 100)}%); hãy kiểm tra nội dung đọc được có đầy đủ không.`,
        `The HTML page is ${Math.round(share * 100)}% script; check that the extracted text is complete.`,
      ),
    );
  }
  return { text, warnings };
}

const NAMED: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ndash: '–', mdash: '—', hellip: '…', laquo: '«',
  raquo: '»', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', bull: '•', middot: '·', copy: '©', reg: '®', deg: '°',
  shy: '', times: '×', divide: '÷', sect: '§', para: '¶', ordm: 'º', ordf: 'ª',
};
// Latin-1 letters by their entity names (old Vietnamese pages write à, é, ô… this way).
const LATIN1 = 'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml - Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig';
LATIN1.split(' ').forEach((name, i) => {
  if (name === '-') return;
  NAMED[name] = String.fromCharCode(0xc0 + i);
  if (i < 31 && name !== 'ETH' && name !== 'THORN' && name !== 'AElig') NAMED[name[0]!.toLowerCase() + name.slice(1)] = String.fromCharCode(0xe0 + i);
});
Object.assign(NAMED, { aelig: 'æ', eth: 'ð', thorn: 'þ', yuml: 'ÿ' });

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '';
    }
    return NAMED[ref] ?? m;
  });
}
