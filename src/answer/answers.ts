/**
 * @module answer/answers
 * Whether a quoted passage answers what was asked (answer/ask-type): it must carry a fact of
 * the asked kind (a number for "bao nhiêu", a name for "ai", a date for "khi nào") and meet the
 * question's constraints (the named place, not a sibling province; the asked year, not the
 * nearest one; the level asked, not another; the named document). A passage that names another place or year instead
 * contradicts the question and is not quoted at all. Pure: the place registry comes in.
 */
import type { NamedPlace, PlaceRegistry } from '../knowledge/places';
import { normalize } from '../text/normalize';
import { DOC_NUMBER, documentsIn, foldedWords, levelsIn, yearsIn, type Ask } from './ask-type';

/** answers: it carries the fact asked for; off: it does not; contradicts: it is about another place, year or document. */
type Verdict = 'answers' | 'off' | 'contradicts';

interface QuotedPassage {
  /** The sentences that would be quoted. */
  text: string;
  /** What the passage is about without saying it: its document's title and its heading. */
  context: string;
}

/** The day the 2025 units began: a figure of the current unit is not a former province's before it. */
const REORGANISED = 2025;

export function judge(ask: Ask, passage: QuotedPassage, places?: PlaceRegistry): Verdict {
  const constraint = constraintsMet(ask, passage, places);
  if (constraint !== 'answers') return constraint;
  return carries(ask, passage.text, places) ? 'answers' : 'off';
}

function constraintsMet(ask: Ask, { text, context }: QuotedPassage, places?: PlaceRegistry): Verdict {
  if (places && ask.places.length) {
    // The sentences say whose figure it is; when they name no place, the document's title does.
    const named = places.namedIn(text);
    const about = named.length ? named : places.namedIn(context);
    const past = [...ask.years, ...(ask.period ? [ask.period.from] : [])].some((y) => y < REORGANISED);
    if (about.length && !about.some((p) => ask.places.some((a) => samePlace(a, p, past)))) return 'contradicts';
  }
  const wanted = ask.years.length ? ask.years : ask.period ? range(ask.period.from, ask.period.to) : [];
  if (wanted.length) {
    // A sentence may name the year its figure was announced in; the title names the year it is of.
    const years = new Set([...yearsIn(text), ...yearsIn(context)]);
    if (!wanted.some((y) => years.has(y))) return years.size ? 'contradicts' : 'off';
  }
  if (ask.levels.length) {
    // "Chỉ tiêu cấp xã": a figure of the province level, or of no level said, is not the commune's.
    const named = levelsIn(text);
    const about = named.size ? named : levelsIn(context);
    if (!ask.levels.some((l) => about.has(l))) return about.size ? 'contradicts' : 'off';
  }
  if (ask.documents.length) {
    const docs = documentsIn(`${context}\n${text}`);
    if (!ask.documents.some((d) => docs.has(d))) return 'off';
  }
  return 'answers';
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, Math.min(to - from, 50)) + 1 }, (_, i) => from + i);
}

/**
 * Whether a place a passage names is the place asked about: the same unit; or the current unit
 * a former one is part of, for the present (a past year's figure of TP. Hồ Chí Minh is not
 * Bình Dương's); or, asked about a current unit, one of the units it was made from. Never a
 * sibling that merged into the same unit.
 */
function samePlace(asked: NamedPlace, named: NamedPlace, past: boolean): boolean {
  if (asked.old && named.old && asked.old.id === named.old.id) return true;
  if (asked.current && named.current && asked.current.id === named.current.id) return true;
  if (asked.old && !asked.current && named.current && !named.old) return !past && named.current.id === asked.now.id;
  if (asked.current && named.old && !named.current) return named.now.id === asked.current.id;
  return false;
}

/** Dates, periods, years and document numbers: numbers that are not an amount. */
const NOT_AMOUNTS = [
  DOC_NUMBER,
  /\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}\b/g,
  /\b(?:thang|quy) \d{1,2}(?:[/.-](?:19|20)\d{2})?\b/g,
  /\b\d{1,2}\/(?:19|20)\d{2}\b/g,
  /\b(?:19|20)\d{2}\b/g,
  // A heading's numbering ("1.", "II.") and Đề án 06's name are not answers either.
  /\b(?:de an|nghi dinh|quyet dinh|chi thi|nghi quyet|ke hoach|dieu|khoan|muc|chuong) \d+\b/g,
];

const NUMBER_WORDS = /(?<!\p{L})(một|hai|ba|bốn|tư|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn|triệu|tỷ|tỉ|đầu|nhất|nhì)(?!\p{L})/u;
const MONEY = /\d\s*(đồng|đ|vnđ|vnd|usd|tỷ|tỉ|triệu|nghìn|ngàn)(?!\p{L})|miễn (phí|lệ phí)|không (thu|mất) (phí|lệ phí|tiền)/u;
// "Lúc nào" is also answered by a time of day or a day of the week ("vào 14 giờ thứ Năm hằng tuần").
const DATE = /\b\d{1,2}[/.-]\d{1,2}\b|\b(?:19|20)\d{2}\b|\bthang \d{1,2}\b|\bquy (i|ii|iii|iv|\d)\b|\b(hang nam|hang thang|hang tuan|hang ngay|dinh ky)\b|\b\d{1,2} ?(gio|h)( \d{1,2})?\b|\bthu (hai|ba|tu|nam|sau|bay)\b|\bchu nhat\b/;
const DURATION = /\b\d+ (ngay|thang|nam|tuan|gio|phut)\b|\b(trong ngay|ngay khi|ngay lap tuc|vo thoi han|khong thoi han|khong co thoi han)\b/;
/** A duration written in words ("bảy ngày", "mười lăm ngày"), as a model may write it. */
const DURATION_WORDS = /(?<!\p{L})(một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|lăm|nửa)\s+(ngày|tháng|năm|tuần|giờ|phút)(?!\p{L})/u;
const PLACE = /\b(tai|o|noi|trung tam|ubnd|uy ban|phuong|xa|huyen|quan|thi xa|tinh|tp|thanh pho|khu vuc|cong dich vu|cong thong tin|truc tuyen|dia chi|bo phan|mot cua|co quan|so)\b/;
/** A full name: a family name and one to three given syllables ("Nguyễn Văn Lợi"), or a title and a name. */
const FAMILY =
  'Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đào|Đoàn|Trương|Lâm|Mai|Trịnh|Đinh|Lương|Cao|Hà|Tạ|Châu|Thái|Lưu|Tô|Quách|Từ|Kiều|Nghiêm|Triệu|Lại|Thân|Tăng|Diệp|Mạc|Vương|Chu|Đàm|Hứa|Doãn';
const NAMES = new RegExp(`(?<!\\p{L})(?:(?:${FAMILY})|(?:[oô]ng|bà|đồng chí) \\p{Lu}\\p{Ll}*)(?:\\s+\\p{Lu}\\p{Ll}*){1,3}(?!\\p{L})`, 'gu');

/** What answers "ai" besides a name: a role or a body ("người đứng đầu", "Ban Thường vụ Tỉnh ủy"); never who signed. */
const ROLE = /\b(nguoi dung dau|chu tich|pho chu tich|bi thu|pho bi thu|giam doc|thu truong|lanh dao|cap uy|thuong truc|ban thuong vu|ban chi dao|uy ban|ubnd|tinh uy|thanh uy|so|bo|chinh phu|quoc hoi|thu tuong|truong ban|pho truong ban|thanh vien|can bo|cong chuc)\b/;

const RANK = /\b(thu|hang|xep|dung) (thu |hang )?\d+\b|\b\d+\/\d+\b|\btop \d+\b|\b(dan dau|dung dau|cao nhat|thap nhat)\b/;
const SIGNED = /(?<!\p{L})(ký|kí)(?!\p{L})/u;
/** What comes just before a street's name. */
const STREET = /(đường|phố|số|\d)\s*$/iu;

/**
 * Whether a text carries a fact of the kind asked (a number for "bao nhiêu", a name for "ai"),
 * whatever its constraints: what a model's written answer is held to besides them.
 */
export function carriesAsked(ask: Ask, text: string, places?: PlaceRegistry): boolean {
  return carries(ask, text, places);
}

/** Whether the text carries a fact of the asked kind. */
function carries(ask: Ask, text: string, places?: PlaceRegistry): boolean {
  const folded = foldedWords(text);
  const marked = normalize(text);
  switch (ask.kind) {
    case 'amount': {
      if (ask.money) return MONEY.test(marked);
      if (ask.rank) return RANK.test(folded);
      const rest = NOT_AMOUNTS.reduce((s, re) => s.replace(re, ' '), folded);
      return /\d/.test(rest) || NUMBER_WORDS.test(marked);
    }
    case 'date':
      return DATE.test(folded.replace(DOC_NUMBER, ' '));
    case 'duration':
      return DURATION.test(folded) || DURATION_WORDS.test(marked);
    case 'person':
      // The office asked about must be the one named: the chairman is not the centre's director.
      if (ask.role && !folded.includes(ask.role)) return false;
      if (ask.signer && !SIGNED.test(marked)) return false;
      // "Hồ Chí Minh", "Lâm Đồng" look like names, and "đường Nguyễn Trãi" is a street: not persons.
      const named = [...text.normalize('NFC').matchAll(NAMES)].filter((m) => !STREET.test(text.slice(0, m.index)));
      if (named.some((m) => !places || places.namedIn(m[0]).length === 0)) return true;
      return !ask.signer && ROLE.test(folded);
    case 'place':
      return PLACE.test(folded);
    default:
      // A yes/no, a description or a list is judged by its constraints alone: any sentence
      // about the right place, year and document may carry it.
      return true;
  }
}
