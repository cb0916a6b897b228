/**
 * @module knowledge/extract/docx
 * The text of a Word (.docx) file: word/document.xml read out of the ZIP (see ./zip for the
 * zip-bomb guard) and its paragraphs turned into lines. Automatic numbering is rebuilt from
 * word/numbering.xml, because Word documents often number "Điều 1.", "1.", "a)" that way and
 * the legal chunker needs those markers in the text. Deleted revisions, field codes and the
 * fallback copies of text boxes are skipped so nothing is read twice.
 */
import { megabytes, refuse } from './errors';
import { decodeEntities } from './html';
import { readZipDirectory, readZipEntry, ZipError, type ZipEntry } from './zip';

interface DocxLimits {
  /** Most bytes all the entries read may unpack to, together. */
  maxUnpackedBytes: number;
  maxZipEntries: number;
}

const DOCUMENT = 'word/document.xml';
const NUMBERING = 'word/numbering.xml';

/** True when the ZIP's directory holds a Word main document. */
export function isDocxDirectory(entries: readonly ZipEntry[]): boolean {
  return entries.some((e) => e.name === DOCUMENT);
}

export function extractDocx(bytes: Uint8Array, limits: DocxLimits): string {
  let budget = limits.maxUnpackedBytes;
  const read = (entry: ZipEntry): string => {
    const data = readZipEntry(bytes, entry, budget);
    budget -= data.length;
    return new TextDecoder().decode(data);
  };
  try {
    const entries = readZipDirectory(bytes, limits.maxZipEntries);
    const main = entries.find((e) => e.name === DOCUMENT);
    if (!main) throw notDocx();
    const xml = read(main);
    const numberingEntry = entries.find((e) => e.name === NUMBERING);
    const numbering = numberingEntry ? parseNumbering(read(numberingEntry)) : new Map<string, NumLevel[]>();
    return documentText(xml, numbering);
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    if (e.kind === 'too-large') {
      throw refuse(
        'unpacked-too-large',
        `Tệp DOCX khi giải nén vượt giới hạn ${megabytes(limits.maxUnpackedBytes)} (hoặc có quá nhiều thành phần); có thể là tệp "bom nén".`,
        `The DOCX unpacks to more than ${megabytes(limits.maxUnpackedBytes)} (or holds too many parts); it may be a zip bomb.`,
      );
    }
    throw refuse(
      'zip-corrupt',
      `Tệp DOCX bị hỏng, không giải nén được (${e.message}); hãy lưu lại tệp trong Word rồi tải lên.`,
      `The DOCX is damaged and cannot be unpacked (${e.message}); save it again in Word and upload it.`,
    );
  }
}

export function notDocx(): Error {
  return refuse(
    'zip-not-docx',
    'Tệp nén ZIP này không phải tài liệu Word (không có word/document.xml); chỉ nhận DOCX, PDF, HTML, TXT, MD.',
    'This ZIP archive is not a Word document (no word/document.xml); only DOCX, PDF, HTML, TXT and MD are accepted.',
  );
}

interface NumLevel {
  start: number;
  format: string;
  text: string;
}

const TAG = /<(\/?)([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined;
}

/** numId → its nine levels, following abstractNum links and start overrides. */
function parseNumbering(xml: string): Map<string, NumLevel[]> {
  const abstract = new Map<string, NumLevel[]>();
  const nums = new Map<string, { abstractId: string; starts: Map<number, number> }>();
  let abstractId: string | null = null;
  let level: NumLevel | null = null;
  let numId: string | null = null;
  let overrideLevel = -1;
  for (const m of xml.matchAll(TAG)) {
    const [, close, , name, attrs = '', selfClose] = m;
    if (close) {
      if (name === 'abstractNum') abstractId = null;
      if (name === 'num') numId = null;
      if (name === 'lvl') level = null;
      continue;
    }
    if (name === 'abstractNum' && !selfClose) {
      abstractId = attr(attrs, 'abstractNumId') ?? null;
      if (abstractId !== null) abstract.set(abstractId, []);
    } else if (name === 'lvl' && abstractId !== null) {
      level = { start: 1, format: 'decimal', text: '' };
      abstract.get(abstractId)![Number(attr(attrs, 'ilvl') ?? 0)] = level;
    } else if (level && name === 'start') level.start = Number(attr(attrs, 'val') ?? 1);
    else if (level && name === 'numFmt') level.format = attr(attrs, 'val') ?? 'decimal';
    else if (level && name === 'lvlText') level.text = attr(attrs, 'val') ?? '';
    else if (name === 'num' && !selfClose) {
      numId = attr(attrs, 'numId') ?? null;
      if (numId !== null) nums.set(numId, { abstractId: '', starts: new Map() });
    } else if (numId !== null && name === 'abstractNumId') nums.get(numId)!.abstractId = attr(attrs, 'val') ?? '';
    else if (numId !== null && name === 'lvlOverride') overrideLevel = Number(attr(attrs, 'ilvl') ?? -1);
    else if (numId !== null && name === 'startOverride') nums.get(numId)!.starts.set(overrideLevel, Number(attr(attrs, 'val') ?? 1));
  }
  const out = new Map<string, NumLevel[]>();
  for (const [id, num] of nums) {
    const levels = (abstract.get(num.abstractId) ?? []).map((l) => ({ ...l }));
    for (const [ilvl, start] of num.starts) if (levels[ilvl]) levels[ilvl]!.start = start;
    out.set(id, levels);
  }
  return out;
}

const ROMAN: Array<[number, string]> = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];

function formatCounter(n: number, format: string): string {
  switch (format) {
    case 'upperRoman':
    case 'lowerRoman': {
      let r = '';
      let v = n;
      for (const [value, letters] of ROMAN) while (v >= value) (r += letters), (v -= value);
      return format === 'lowerRoman' ? r.toLowerCase() : r;
    }
    case 'lowerLetter':
    case 'upperLetter': {
      const letter = String.fromCharCode(97 + ((n - 1) % 26)).repeat(Math.floor((n - 1) / 26) + 1);
      return format === 'upperLetter' ? letter.toUpperCase() : letter;
    }
    case 'decimalZero':
      return String(n).padStart(2, '0');
    case 'none':
      return '';
    default:
      return String(n);
  }
}

/** Counts paragraphs per list and level the way Word shows them. */
class Numberer {
  private counters = new Map<string, number[]>();
  constructor(private readonly numbering: Map<string, NumLevel[]>) {}

  label(numId: string, ilvl: number): string {
    const levels = this.numbering.get(numId);
    const level = levels?.[ilvl];
    if (!levels || !level) return '';
    if (level.format === 'bullet') return '-';
    const counts = this.counters.get(numId) ?? [];
    for (let i = 0; i < ilvl; i++) counts[i] ??= (levels[i]?.start ?? 1);
    counts[ilvl] = counts[ilvl] === undefined ? level.start : counts[ilvl]! + 1;
    counts.length = ilvl + 1;
    this.counters.set(numId, counts);
    return level.text.replace(/%([1-9])/g, (_m, d: string) => {
      const i = Number(d) - 1;
      return formatCounter(counts[i] ?? levels[i]?.start ?? 1, levels[i]?.format ?? 'decimal');
    });
  }
}

/**
 * Elements whose text is not part of the document as shown: tracked deletions and the old place
 * of moved text, field codes, and the fallback copy Word writes beside every text box.
 */
const SKIPPED = new Set(['del', 'moveFrom', 'delText', 'instrText', 'Fallback']);

function documentText(xml: string, numbering: Map<string, NumLevel[]>): string {
  const numberer = new Numberer(numbering);
  const out: string[] = [];
  // Text boxes nest paragraphs inside a paragraph: keep a stack.
  const stack: Array<{ text: string; numId?: string; ilvl: number }> = [];
  let skipDepth = 0;
  let inText = false;
  let last = 0;
  for (const m of xml.matchAll(TAG)) {
    const [whole, close, , name = '', attrs = '', selfClose] = m;
    const para = stack[stack.length - 1];
    if (inText && para && skipDepth === 0) para.text += decodeEntities(xml.slice(last, m.index));
    last = m.index + whole.length;
    if (SKIPPED.has(name)) {
      if (!selfClose) skipDepth += close ? -1 : 1;
      continue;
    }
    if (skipDepth > 0) continue;
    if (name === 't') {
      inText = !close && !selfClose;
    } else if (name === 'p') {
      if (!close) {
        stack.push({ text: '', ilvl: 0 });
        if (selfClose) out.push(''), stack.pop();
      } else if (para) {
        stack.pop();
        const prefix = para.numId !== undefined && para.numId !== '0' ? numberer.label(para.numId, para.ilvl) : '';
        const text = para.text.replace(/[ \t]+$/g, '');
        out.push(prefix && text ? `${prefix} ${text.trimStart()}` : text);
      }
    } else if (para && !close) {
      if (name === 'tab') para.text += '\t';
      else if (name === 'br' || name === 'cr') para.text += '\n';
      else if (name === 'noBreakHyphen') para.text += '-';
      else if (name === 'numId') para.numId = attr(attrs, 'val');
      else if (name === 'ilvl') para.ilvl = Number(attr(attrs, 'val') ?? 0);
    }
  }
  return out.join('\n');
}
