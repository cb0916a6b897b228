/**
 * @module knowledge/legal-metadata
 * Reads a Vietnamese official document's identity from its text: số ký hiệu (22-CT/TU,
 * 118/2025/NĐ-CP, 766/QĐ-TTg…), loại văn bản, cơ quan ban hành, ngày ban hành, trích yếu and
 * người ký. It looks where the state format (Nghị định 30/2020/NĐ-CP) and the Party format put
 * them: the letterhead (issuer, "Số:", place and date), the kind line and the subject under it,
 * the signature block at the end; or, for a text that only names the document, a first line
 * such as "Chỉ thị số 22-CT/TU ngày 22 tháng 6 năm 2022 của Ban Thường vụ Tỉnh ủy về …".
 * Text typed without diacritics is read too. Fields the operator filled in win; `found` lists
 * the fields that came from the text. Pure.
 *
 * Over ~350 lines on purpose: one extractor per field, all reading the same letterhead and date parse; apart they would each re-read it.
 */
import { z } from 'zod';
import { fold } from '../text/normalize';

export const LEGAL_KINDS = [
  { id: 'directive', name: 'Chỉ thị', code: 'CT' },
  { id: 'resolution', name: 'Nghị quyết', code: 'NQ' },
  { id: 'decision', name: 'Quyết định', code: 'QĐ' },
  { id: 'decree', name: 'Nghị định', code: 'NĐ' },
  { id: 'circular', name: 'Thông tư', code: 'TT' },
  { id: 'plan', name: 'Kế hoạch', code: 'KH' },
  { id: 'official-letter', name: 'Công văn', code: null },
  { id: 'project', name: 'Đề án', code: 'ĐA' },
  { id: 'notice', name: 'Thông báo', code: 'TB' },
] as const;

type LegalKind = (typeof LEGAL_KINDS)[number]['id'];
const KIND_IDS = LEGAL_KINDS.map((k) => k.id) as [LegalKind, ...LegalKind[]];

/** The Vietnamese name of a kind ("decree" → "Nghị định"). */
export function legalKindName(kind: LegalKind): string {
  return LEGAL_KINDS.find((k) => k.id === kind)!.name;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');

/** The fields, as the upload form sends them (empty strings mean "read it from the text"). */
export const LegalMetadataSchema = z.object({
  /** Số ký hiệu, as written: "118/2025/NĐ-CP". */
  number: z.string().trim().min(1).max(80).optional(),
  kind: z.enum(KIND_IDS).optional(),
  /** Cơ quan ban hành, as written in the document. */
  issuer: z.string().trim().min(2).max(200).optional(),
  /** Ngày ban hành. */
  issuedAt: isoDate.optional(),
  /** Trích yếu: what the document is about ("Về việc …", "V/v …"). */
  title: z.string().trim().min(3).max(500).optional(),
  /** Người ký. */
  signer: z.string().trim().min(2).max(100).optional(),
});
type LegalMetadata = z.infer<typeof LegalMetadataSchema>;
type LegalField = keyof LegalMetadata;

const FIELDS: readonly LegalField[] = ['number', 'kind', 'issuer', 'issuedAt', 'title', 'signer'];

interface LegalMetadataResult {
  metadata: LegalMetadata;
  /** The fields read from the text (not given by the operator), in a fixed order. */
  found: LegalField[];
}

/**
 * Reads the metadata from the text; a field the operator gave (non-empty) is kept as given and
 * not listed in `found`.
 *
 * @example
 * extractLegalMetadata('Chỉ thị số 22-CT/TU ngày 22 tháng 6 năm 2022 của Ban Thường vụ Tỉnh ủy về cải cách hành chính')
 * // → { metadata: { number: '22-CT/TU', kind: 'directive', issuer: 'Ban Thường vụ Tỉnh ủy',
 * //     issuedAt: '2022-06-22', title: 'về cải cách hành chính' }, found: [...] }
 */
export function extractLegalMetadata(text: string, overrides: Partial<Record<LegalField, string | undefined>> = {}): LegalMetadataResult {
  const read = readMetadata(text.normalize('NFC'));
  const metadata: Record<string, string> = {};
  const found: LegalField[] = [];
  for (const field of FIELDS) {
    const given = overrides[field]?.trim();
    if (given) metadata[field] = given;
    else if (read[field] !== undefined) {
      metadata[field] = read[field]!;
      found.push(field);
    }
  }
  return { metadata: metadata as LegalMetadata, found };
}

// ---------------------------------------------------------------------------------------------
// Folding: every rule below runs on text with diacritics removed (đ → d), case kept, and the same
// length as the original, so a match's offsets slice the original text as written.

const foldCache = new Map<string, string>();
function foldChar(c: string): string {
  let f = foldCache.get(c);
  if (f === undefined) {
    const base = fold(c);
    // A character that does not fold to exactly one (a lone combining mark) stays, keeping offsets.
    f = base.length === 1 ? base : c;
    foldCache.set(c, f);
  }
  return f;
}

export function foldAligned(s: string): string {
  return s.replace(/[^\x00-\x7f]/g, foldChar);
}

/** A case-insensitive regex source for plain words ("so" → "[sS][oO]"); spaces match any run of blanks. */
function ci(words: string): string {
  return words.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`).replace(/ /g, '\\s+');
}

const KIND_WORDS: Array<[string, LegalKind]> = [
  ['chi thi', 'directive'],
  ['nghi quyet', 'resolution'],
  ['quyet dinh', 'decision'],
  ['nghi dinh', 'decree'],
  ['thong tu', 'circular'],
  ['ke hoach', 'plan'],
  ['cong van', 'official-letter'],
  ['de an', 'project'],
  ['thong bao', 'notice'],
];
const KIND_ALTERNATION = KIND_WORDS.map(([w]) => ci(w)).join('|');

function kindOfWords(folded: string): LegalKind | undefined {
  const key = folded.toLowerCase().replace(/\s+/g, ' ').trim();
  return KIND_WORDS.find(([w]) => w === key)?.[1];
}

/** Kind codes as they appear in numbers, folded: "QĐ" → "QD". */
const KIND_BY_CODE = new Map<string, LegalKind>(
  LEGAL_KINDS.filter((k) => k.code).map((k) => [foldAligned(k.code!), k.id] as [string, LegalKind]),
);

/**
 * A number: digits, an optional year, then segments starting with a capital ("-CT/TU",
 * "/QH15", "/NĐ-CP", "/QĐ-TTg"); spaces around the separators are tolerated ("56 /KH-UBND").
 */
const NUMBER = String.raw`\d{1,5}[a-z]?(?:\s?/\s?\d{4})?(?:\s?[-/]\s?[A-Z][A-Za-z]*\d*)+`;

const DATE_WORDS = new RegExp(String.raw`${ci('ngay')}\s*(\d{1,2})\s+${ci('thang')}\s*(\d{1,2})\s+${ci('nam')}\s*(\d{4})`);
const DATE_NUMERIC = /(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})(?![\d/.-])/;

/** The first date in a (folded) string, as an ISO date, with where it starts and ends. */
function findDate(folded: string): { iso: string; index: number; end: number } | undefined {
  const candidates = [DATE_WORDS.exec(folded), DATE_NUMERIC.exec(folded)].filter((m): m is RegExpExecArray => m !== null);
  candidates.sort((a, b) => a.index - b.index);
  for (const m of candidates) {
    const iso = isoFrom(Number(m[1]), Number(m[2]), Number(m[3]));
    if (iso) return { iso, index: m.index, end: m.index + m[0].length };
  }
  return undefined;
}

function isoFrom(day: number, month: number, year: number): string | undefined {
  if (year < 1945 || year > 2100 || month < 1 || month > 12 || day < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > last) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------

interface Cell {
  text: string;
  folded: string;
  line: number;
}

/** Lines of the state and Party letterheads that name no issuer. */
const MOTTO = new RegExp(`^(?:${ci('cong hoa xa hoi chu nghia viet nam')}|${ci('doc lap')}\\s*[-–]\\s*${ci('tu do')}|${ci('dang cong san viet nam')})`);
const SEPARATOR = /^[-–—_*=~.·•\s]+$/;
const PLACE_DATE = new RegExp(`^[^\\d,;:]{2,40},\\s*(?:${ci('ngay')}\\s*\\d|\\d{1,2}\\s?[/.-])`);
const NUMBER_CELL = new RegExp(`^${ci('so')}\\s*[:.]?\\s*(${NUMBER})`);
const SUBJECT_CELL = /^(?:[Vv]\s?\/\s?[Vv]|[Vv][Ee]\s+[Vv][Ii][Ee][Cc])\b/;
/** Lines where the letterhead and title end: the legal basis, or the first part of the body. */
const BODY_START = new RegExp(
  `^(?:${ci('can cu')}|${ci('thuc hien')}|${ci('xet')}\\s|${ci('theo de nghi')}|${ci('kinh gui')}|${ci('chuong')}\\s+[IVXLC\\d]|${ci('dieu')}\\s+\\d|${ci('phan')}\\s+(?:[IVXLC\\d]|${ci('thu')})|[IVXLC]+\\.\\s|\\d+\\.\\s)`,
);
/** The enacting authority line above the legal basis ("QUỐC HỘI", "CHÍNH PHỦ"): never part of a title. */
const AUTHORITY = new RegExp(
  `^(?:${['quoc hoi', 'chinh phu', 'thu tuong', 'bo truong', 'uy ban', 'ubnd', 'hoi dong', 'hdnd', 'ban thuong vu', 'ban chap hanh', 'tinh uy', 'thanh uy', 'chu tich', 'giam doc', 'thuong truc'].map(ci).join('|')})`,
);
const BARE_ORGAN = new RegExp(`^(?:${ci('uy ban nhan dan')}|${ci('hoi dong nhan dan')}|UBND|HDND)$`);
const POSITION = new RegExp(
  `^(?:${ci('t/?m')}\\.?\\s|${ci('k/?t')}\\.?\\s|${ci('q')}\\.\\s|${ci('tl')}\\.\\s|${ci('tuq')}\\.\\s)|` +
    `\\b(?:${['bi thu', 'chu tich', 'thu tuong', 'bo truong', 'giam doc', 'truong ban', 'chanh van phong', 'chu nhiem', 'vu truong', 'cuc truong', 'truong phong', 'tong cuc truong', 'thu truong', 'pho', 'uy vien', 'chanh an', 'vien truong'].map(ci).join('|')})\\b`,
);
const SIGNED_NOTE = /^[([].*[)\]]$/;

function cellsOf(lines: readonly string[], firstLine: number): Cell[] {
  const cells: Cell[] = [];
  lines.forEach((line, i) => {
    // Tabs (or wide runs of spaces in a typed letterhead) separate the letterhead's two columns.
    for (const part of line.split(/\t| {3,}/)) {
      const t = part.trim();
      if (t) cells.push({ text: t, folded: foldAligned(t), line: firstLine + i });
    }
  });
  return cells;
}

/** Lines read at each end of the text: the letterhead and title at the top, the signature at the bottom. */
const EDGE_LINES = 80;

function isUpper(s: string): boolean {
  const letters = s.replace(/[^\p{L}]/gu, '');
  return letters.length > 0 && letters === letters.toUpperCase();
}

function readMetadata(text: string): Partial<Record<LegalField, string>> {
  const lines = text.split('\n');
  const cells = cellsOf(lines.slice(0, EDGE_LINES), 0);
  const tailFrom = Math.max(0, lines.length - EDGE_LINES);
  const tail = cellsOf(lines.slice(tailFrom), tailFrom);
  const out: Partial<Record<LegalField, string>> = {};

  // The letterhead and title: cells before the body starts (at most the first 40).
  let headerEnd = Math.min(cells.length, 40);
  for (let i = 0; i < headerEnd; i++) {
    if (BODY_START.test(cells[i]!.folded)) {
      headerEnd = i;
      break;
    }
  }
  const header = cells.slice(0, headerEnd);

  let kindAt = -1;
  for (let i = 0; i < header.length; i++) {
    const c = header[i]!;
    if (out.number === undefined) {
      const m = NUMBER_CELL.exec(c.folded);
      if (m) out.number = cleanNumber(c.text.slice(m.index + m[0].length - m[1]!.length, m.index + m[0].length));
    }
    if (out.issuedAt === undefined && PLACE_DATE.test(c.folded)) out.issuedAt = findDate(c.folded)?.iso;
    if (kindAt < 0 && isUpper(c.text)) {
      const kind = kindOfWords(c.folded);
      if (kind) {
        out.kind = kind;
        kindAt = i;
      }
    }
    if (out.title === undefined && SUBJECT_CELL.test(c.folded)) out.title = continueLines(header, i);
  }

  if (kindAt >= 0) {
    out.issuer ??= headerIssuer(header.slice(0, kindAt));
    let i = kindAt + 1;
    const of = header[i];
    if (of && /^[Cc][Uu][Aa]\s/.test(of.folded)) {
      out.issuer = of.text.replace(/^\S+\s+/, '').trim();
      i++;
    }
    if (header[i] && out.title === undefined) out.title = continueLines(header, i);
  } else if (out.number !== undefined) {
    out.issuer ??= headerIssuer(header.slice(0, header.findIndex((c) => NUMBER_CELL.test(c.folded))));
  } else {
    for (const [field, value] of Object.entries(selfReference(cells.slice(0, 5))) as Array<[LegalField, string]>) out[field] ??= value;
  }

  if (out.kind === undefined && out.number !== undefined) out.kind = kindOfNumber(out.number);
  // "V/v …" under the number is how a Công văn (which has no kind line) states its subject.
  if (out.kind === undefined && out.title !== undefined && /^[Vv]\s?\//.test(out.title)) out.kind = 'official-letter';
  out.signer = signerOf(tail);
  for (const key of Object.keys(out) as LegalField[]) if (out[key] === undefined || out[key] === '') delete out[key];
  return out;
}

function cleanNumber(raw: string): string {
  return raw.replace(/\s+/g, '');
}

/**
 * The kind named by a number's first code ("118/2025/NĐ-CP" → decree, "22-CT/TU" → directive);
 * none for "202/2025/QH15" or a Công văn's "1234/UBND-VP".
 */
function kindOfNumber(number: string): LegalKind | undefined {
  const code = foldAligned(number)
    .split(/[-/]/)
    .slice(1)
    .find((part) => /^[A-Za-z]/.test(part));
  return code === undefined ? undefined : KIND_BY_CODE.get(code.toUpperCase());
}

/** The issuing body from the letterhead cells above the kind line. */
function headerIssuer(cells: readonly Cell[]): string | undefined {
  const names = cells
    .filter((c) => !MOTTO.test(c.folded) && !SEPARATOR.test(c.text) && !PLACE_DATE.test(c.folded) && !NUMBER_CELL.test(c.folded) && !SUBJECT_CELL.test(c.folded))
    .filter((c) => isUpper(c.text) && c.text.length <= 80);
  if (names.length === 0) return undefined;
  // "ỦY BAN NHÂN DÂN" / "TỈNH BÌNH DƯƠNG" is one name on two lines; otherwise the last line is
  // the body that issued (the lines above it are its parents).
  if (names.length >= 2 && BARE_ORGAN.test(names[0]!.folded)) return `${names[0]!.text} ${names[1]!.text}`;
  return names[names.length - 1]!.text;
}

/** A title that may run over a few lines: continuation lines start in lower case. */
function continueLines(cells: readonly Cell[], start: number): string | undefined {
  const first = cells[start];
  if (!first || BODY_START.test(first.folded) || SEPARATOR.test(first.text)) return undefined;
  let title = first.text;
  for (let i = start + 1; i < cells.length && i < start + 4; i++) {
    const c = cells[i]!;
    if (SEPARATOR.test(c.text) || BODY_START.test(c.folded) || c.line === first.line) break;
    const upperTitle = isUpper(first.text) && isUpper(c.text) && !AUTHORITY.test(c.folded);
    if (!/^\p{Ll}/u.test(c.text) && !upperTitle) break;
    title += ` ${c.text}`;
  }
  return title.length > 500 ? title.slice(0, 500) : title;
}

const SELF_REFERENCE = new RegExp(
  `^(${KIND_ALTERNATION})\\s+(?:${ci('so')}\\s*:?\\s*)?(${NUMBER})` +
    `(?:\\s*,?\\s*(?:${ci('ngay')}\\s*)?(\\d{1,2}(?:\\s?[/.-]\\s?\\d{1,2}\\s?[/.-]\\s?\\d{4}|\\s+${ci('thang')}\\s*\\d{1,2}\\s+${ci('nam')}\\s*\\d{4})))?` +
    `(?:\\s*,?\\s*${ci('cua')}\\s+(.+?))?` +
    `(?:\\s+(${ci('ve')}\\s.+?))?\\s*(?:[.;]\\s|[.;]?$)`,
  'd',
);

/** "Chỉ thị số 22-CT/TU ngày 22 tháng 6 năm 2022 của Ban Thường vụ Tỉnh ủy về …" on one of the first lines. */
function selfReference(cells: readonly Cell[]): Partial<Record<LegalField, string>> {
  for (const c of cells) {
    const m = SELF_REFERENCE.exec(c.folded);
    if (!m) continue;
    // Offsets of the folded match slice the original: the issuer and title keep their diacritics.
    const slice = (group: number): string | undefined => {
      const at = m.indices?.[group];
      return at ? c.text.slice(at[0], at[1]).trim() : undefined;
    };
    const out: Partial<Record<LegalField, string>> = { kind: kindOfWords(m[1]!), number: cleanNumber(slice(2)!) };
    if (m[3]) out.issuedAt = findDate(`ngay ${m[3]}`)?.iso;
    if (m[4]) out.issuer = slice(4);
    if (m[5]) out.title = slice(5);
    return out;
  }
  return {};
}

/** The name under the last signature block: after "TM."/"KT." and the position, past "(đã ký)". */
function signerOf(cells: readonly Cell[]): string | undefined {
  const from = Math.max(0, cells.length - 40);
  for (let i = cells.length - 1; i >= from; i--) {
    const c = cells[i]!;
    if (!isUpper(c.text) || !POSITION.test(c.folded)) continue;
    for (let j = i + 1; j < cells.length && j <= i + 4; j++) {
      const next = cells[j]!;
      if (SIGNED_NOTE.test(next.text) || (isUpper(next.text) && POSITION.test(next.folded))) continue;
      if (isPersonName(next.text)) return next.text;
      break;
    }
  }
  return undefined;
}

/** Two to six capitalised words of letters: "Nguyễn Văn An", "NGUYỄN VĂN AN", "Nguyen Van An". */
function isPersonName(s: string): boolean {
  const words = s.split(/\s+/);
  if (words.length < 2 || words.length > 6 || s.length > 60) return false;
  return words.every((w) => /^\p{Lu}[\p{L}]*$/u.test(w)) && !POSITION.test(foldAligned(s));
}
