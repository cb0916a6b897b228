/**
 * @module answer/ask-type
 * What a question asks for: the kind of fact (an amount, a date, a duration, a person, a place,
 * yes or no, a description, a list) and the constraints the fact must meet (the places named,
 * the year or period, the level of government, the document number). Read on folded words, so a
 * question typed without marks is read the same. Pure: the place registry comes in.
 */
import { fold, normalize } from '../text/normalize';
import type { NamedPlace, PlaceRegistry } from '../knowledge/places';
import { asksAboutPresent } from '../knowledge/time';

/** Levels of local government: province and commune, and the district level that ended on 1/7/2025. */
export type GovLevel = 'province' | 'commune' | 'district';

type AskKind = 'amount' | 'date' | 'duration' | 'person' | 'place' | 'yes-no' | 'description' | 'list' | 'other';

export interface Ask {
  kind: AskKind;
  /** Who signed is asked for ("ai ký"): only a person's name answers it, not a body. */
  signer: boolean;
  /** A rank is asked for ("xếp hạng thứ mấy"): a count of something else does not answer it. */
  rank: boolean;
  /** The office asked about ("ai là giám đốc"): the name must come with it, not another official's. */
  role?: string;
  /** A sum of money is asked for (kinh phí, lệ phí bao nhiêu): a bare count does not answer it. */
  money: boolean;
  /** The places the question names (old or current units). */
  places: NamedPlace[];
  /** Years named on their own ("năm 2020"); the fact must be of one of them. */
  years: number[];
  /** A period named ("giai đoạn 2022-2025"): the fact must fall in it. */
  period?: { from: number; to: number };
  /** Document numbers named ("05-NQ/TU"), folded and lower case. */
  documents: string[];
  /** Levels named ("cấp xã hay cấp tỉnh", "UBND cấp huyện"): the fact must be of one of them. */
  levels: GovLevel[];
}

/** Folded, lower case, spaces squeezed: the form the patterns below are written for. */
export function foldedWords(text: string): string {
  return fold(normalize(text)).replace(/\s+/g, ' ').trim();
}

/**
 * The question's words as the kinds are read: folded, but "máy" (bộ máy, máy tính) kept apart
 * from "mấy" (how many) when the marks were typed.
 */
function askWords(question: string): string {
  return foldedWords(normalize(question).replace(/máy/g, 'may_'));
}

/** A document number: "05-NQ/TU", "22-CT/TU", "202/2025/QH15", "118/2025/NĐ-CP" (folded). */
export const DOC_NUMBER = /\b\d{1,4}(?:\/\d{4})?[-/][a-z]{1,6}\d{0,2}(?:[-/][a-z]{1,6}\d{0,2})*\b/g;
/** "2022-2025", "2023 - 2025", "2021–2025". */
const PERIOD = /\b((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})\b/g;
const YEAR = /\b(?:19|20)\d{2}\b/g;

/**
 * The kinds, tried in order: the first that matches wins. Duration before amount ("bao nhiêu
 * ngày" asks for a duration), date before yes/no ("khi nào … chưa"), person and place before
 * description ("là ai" is not "là gì").
 */
const KINDS: Array<[AskKind, RegExp]> = [
  ['duration', /\bbao lau\b|\b(bao nhieu|may) (ngay|thang|tuan|gio|phut|nam)\b|\bthoi han\b.*\b(bao nhieu|may|bao lau)\b|\bhow long\b/],
  ['date', /\b(khi nao|luc nao|bao gio|hoi nao|ngay nao|ngay bao nhieu|thang nao|nam nao|thoi diem nao|thoi gian nao|dip nao|when|what date|which year)\b/],
  ['amount', /\b(bao nhieu|may|thu may|hang may|how (much|many)|what rank)\b/],
  ['person', /(^| )ai( |$|\?)|\bnguoi nao\b|\bla nguoi\b.*\bnao\b|\bwho\b/],
  ['place', /\b(o dau|tai dau|noi nao|cho nao|dau de|nop dau|lam dau|where)\b/],
  ['list', /\b(gom|bao gom|co) (nhung|cac) .*\b(nao|gi)\b|\bnhung (gi|viec gi|nhiem vu gi|noi dung gi|giay to gi)\b|\bliet ke\b|\bwhich (are|documents)\b/],
  ['description', /\b(la gi|nghia la gi|noi dung gi|ve (noi dung|van de|viec) gi|ve gi|the nao|nhu the nao|ra sao|what is|what does|about what)\b/],
  ['yes-no', /\b(co|duoc|phai|da|con|can)\b.*\b(khong|ko|chua)\s*\??$|\b(duoc khong|dung khong|phai khong|chua)\s*\??$|^(is|are|can|does|do|must|should|has|was)\b/],
];

/**
 * A question about money: "bao nhiêu tiền", or a money word with "bao nhiêu" that counts nothing
 * else ("kinh phí là bao nhiêu", not "kinh phí cho bao nhiêu dự án").
 */
const MONEY = /\b(kinh phi|chi phi|le phi|phi|ngan sach|von|gia|muc thu|cost|fee|budget|price)\b/;
const COUNTS_SOMETHING = /\b(bao nhieu|may) (?!tien\b|dong\b|ty\b|trieu\b)[a-z]/;
const RANK_ASKED = /\b(thu may|hang may|xep hang|xep thu|dung thu|what rank|ranked?)\b/;
/** Offices a "who" question names, folded; the longest first ("phó giám đốc" before "giám đốc"). */
const ROLE_ASKED = /\b(pho giam doc|giam doc|pho chu tich|chu tich|pho bi thu|bi thu|pho truong ban|truong ban|truong phong|thu truong|bo truong)\b/;
const MONEY_ASKED = /\bbao nhieu (tien|dong)\b|\bhow much\b/;

/** Reads what a question asks for; `places` finds the places it names (none without one). */
export function classifyAsk(question: string, places?: PlaceRegistry): Ask {
  const words = askWords(question);
  const kind = KINDS.find(([, re]) => re.test(words))?.[0] ?? 'other';
  const documents = [...new Set(words.match(DOC_NUMBER) ?? [])];
  // Years inside a document number ("202/2025/QH15") or a date's day/month are not constraints
  // of their own; a date's year is.
  const rest = words.replace(DOC_NUMBER, ' ');
  const periodMatch = [...rest.matchAll(PERIOD)][0];
  const period = periodMatch ? { from: +periodMatch[1]!, to: +periodMatch[2]! } : undefined;
  const years = [...new Set((rest.replace(PERIOD, ' ').match(YEAR) ?? []).map(Number))];
  return {
    kind,
    rank: kind === 'amount' && RANK_ASKED.test(words),
    ...(kind === 'person' && ROLE_ASKED.test(words) ? { role: words.match(ROLE_ASKED)![0] } : {}),
    signer: kind === 'person' && /\b(ky|signed?)\b/.test(words),
    money: kind === 'amount' && (MONEY_ASKED.test(words) || (MONEY.test(words) && !COUNTS_SOMETHING.test(words))),
    places: places ? places.namedIn(question) : [],
    years,
    ...(period ? { period } : {}),
    documents,
    levels: LEVELS.filter(([, asked]) => asked.test(words)).map(([level]) => level),
  };
}

/**
 * The levels a question names, on folded words: "cấp X" said outright, and the district's own
 * bodies ("UBND huyện", "công an quận"), which only that level had. "UBND tỉnh" or "tỉnh Bình
 * Dương" name a place, not a level asked about.
 */
const LEVELS: Array<[GovLevel, RegExp]> = [
  ['province', /\bcap tinh\b|\bprovincial\b|\bprovince[- ]level\b/],
  ['commune', /\bcap (xa|phuong)\b|\bcommune[- ]level\b/],
  [
    'district',
    /\bcap (huyen|quan)\b|\b(ubnd|uy ban nhan dan|hdnd|cong an|phong tu phap|phong tai nguyen va moi truong|bo phan mot cua) (cap )?(huyen|quan|thi xa)\b|\bdistricts?\b/,
  ],
];

/**
 * The levels a passage speaks of: besides "cấp X", the bodies of each level ("UBND xã", "UBND
 * tỉnh", "UBND quận") and the two-level model ("chính quyền hai cấp", which is province and commune).
 */
const PASSAGE_LEVELS: Array<[GovLevel, RegExp]> = [
  ['province', /\bcap tinh\b|\b(ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan) (cap )?tinh\b|\b(hai|2) cap\b|\bprovincial\b|\bprovince[- ]level\b/],
  ['commune', /\bcap (xa|phuong)\b|\b(ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan|cong an) (cap )?(xa|phuong)\b|\b(hai|2) cap\b|\bcommunes?\b/],
  ['district', /\bcap (huyen|quan)\b|\b(ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan|cong an) (cap )?(huyen|quan|thi xa)\b|\bquan, huyen\b|\bdistricts?\b/],
];

/** The levels of government a passage speaks of. */
export function levelsIn(text: string): Set<GovLevel> {
  const words = foldedWords(text);
  return new Set(PASSAGE_LEVELS.filter(([, re]) => re.test(words)).map(([level]) => level));
}

/** A body only the district level had: someone asking where or whether it works means now. */
const DISTRICT_BODY = /\b(ubnd|uy ban nhan dan|hdnd|cong an|phong tu phap|phong tai nguyen va moi truong|bo phan mot cua) (cap )?(huyen|quan|thi xa)\b/;

/** Words that put a question about the district level in the past: it is history then, not gone. */
const PAST = /\b(truoc day|truoc kia|ngay truoc|hoi truoc|truoc (ngay )?1\/7|truoc khi|da tung|cu(?! tru)|nam xua|before|formerly|used to)\b/;

/**
 * Whether a question asks about the district level as it is now ("UBND cấp huyện còn giải quyết
 * … không", "nộp ở UBND huyện ở đâu"): then the answer is that it no longer exists. Now means
 * said so ("bây giờ", "còn … không"), a year after the change, or, for a district body (UBND,
 * công an huyện …) asked where, who, whether or what, no time at all. "Các trung tâm IOC cấp
 * huyện ở đâu" is about what the sources tell of that level, and an amount or a date without a
 * year is of an old plan.
 */
export function asksAboutGoneLevel(ask: Ask, question: string): boolean {
  if (!ask.levels.includes('district')) return false;
  const words = foldedWords(question);
  if (PAST.test(words)) return false;
  const times = [...ask.years, ...(ask.period ? [ask.period.from, ask.period.to] : [])];
  if (times.some((y) => y < 2025)) return false;
  if (asksAboutPresent(question) || times.some((y) => y > 2025)) return true;
  return times.length === 0 && DISTRICT_BODY.test(words) && ask.kind !== 'amount' && ask.kind !== 'date';
}

/** The years a text names: each year, each year of a period, each date's year. */
export function yearsIn(text: string): Set<number> {
  const words = foldedWords(text).replace(DOC_NUMBER, ' ');
  const years = new Set<number>();
  for (const m of words.matchAll(PERIOD)) for (let y = +m[1]!; y <= +m[2]! && y - +m[1]! < 50; y++) years.add(y);
  for (const m of words.match(YEAR) ?? []) years.add(+m);
  return years;
}

/** The document numbers a text names (folded, lower case). */
export function documentsIn(text: string): Set<string> {
  return new Set(foldedWords(text).match(DOC_NUMBER) ?? []);
}
