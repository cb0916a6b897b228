/**
 * @module llm/scope
 * Says whether a free-text message is outside what the assistant does (weather, gold and stock
 * prices, lottery, football, political opinions, homework and maths, personal medical or legal
 * advice, entertainment), from words and patterns only, so it works with or without a model and
 * costs nothing. Built to refuse little: a message that also names an administrative topic
 * (procedure, papers, fees, directives, KPIs…) stays in scope, except a request for a political
 * opinion, which the assistant never gives.
 */
import { fold } from '../text/normalize';

type OffTopic =
  | 'weather'
  | 'prices'
  | 'lottery'
  | 'sports'
  | 'politics'
  | 'homework'
  | 'medical'
  | 'legal'
  | 'entertainment';

type Scope = { inScope: true } | { inScope: false; topic: OffTopic };

interface Rule {
  topic: Exclude<OffTopic, 'politics'>;
  /** Matched on folded text (no diacritics): only phrases that stay unambiguous without marks. */
  folded?: string[];
  /** Matched on lower-case text with diacritics: phrases whose folded form means other things. */
  marked?: string[];
  pattern?: RegExp;
}

const RULES: Rule[] = [
  {
    topic: 'weather',
    folded: ['thoi tiet', 'du bao mua', 'troi co mua', 'nhiet do hom nay', 'nhiet do ngay mai', 'weather', 'forecast', 'will it rain'],
    marked: ['cơn bão', 'bão số', 'trời mưa không', 'mưa không', 'nắng nóng'],
  },
  {
    topic: 'prices',
    folded: [
      'gia vang', 'vang sjc', 'vang 9999', 'chung khoan', 'gia co phieu', 'vn-index', 'vnindex', 'ty gia', 'gia usd', 'gia do la',
      'bitcoin', 'tien ao', 'tien dien tu', 'gia xang', 'gold price', 'stock price', 'stock market', 'exchange rate', 'crypto',
    ],
    marked: ['cổ phiếu'],
  },
  {
    topic: 'lottery',
    marked: ['lô đề', 'vé số'],
    folded: ['xo so', 'xsmb', 'xsmn', 'xsmt', 'vietlott', 'soi cau', 'lottery', 'jackpot', 'mega 6/45', 'power 6/55'],
  },
  {
    topic: 'sports',
    folded: [
      'bong da', 'ngoai hang anh', 'world cup', 'v-league', 'vleague', 'champions league',
      'football', 'soccer', 'premier league', 'match score',
    ],
    marked: ['tỉ số', 'tỷ số', 'đội tuyển', 'cầu thủ', 'trận đấu'],
  },
  {
    topic: 'homework',
    folded: [
      'giai phuong trinh', 'giai bai tap', 'giai bai toan', 'bai tap ve nha', 'bai van mau', 'viet bai van', 'lam bai van',
      'dao ham', 'tich phan', 'homework', 'solve the equation', 'solve this equation',
    ],
    marked: ['bài văn', 'tả mẹ', 'nghiệm của phương trình'],
    // Arithmetic: "2+2", "15 * 3", "3 x 4 bằng mấy", "x^2 - 5x + 6 = 0".
    pattern: /\d\s*[+*×^]\s*\d|\bx\s*\^\s*\d|\d\s*[-:x/]\s*\d[^a-z]*(bang may|bang bao nhieu|=\s*\?|equals)/,
  },
  {
    topic: 'medical',
    folded: ['uong thuoc gi', 'thuoc gi', 'chua benh', 'trieu chung', 'ke don thuoc', 'what medicine', 'symptoms of'],
    marked: ['bị sốt', 'bị đau', 'đau bụng', 'đau đầu', 'bị ho', 'bác sĩ ơi', 'liều dùng'],
  },
  {
    topic: 'legal',
    folded: [
      'bi di tu', 'bi phat tu', 'bi kien', 'thang kien', 'kien hang xom', 'tranh chap dat voi', 'chia tai san', 'quyen nuoi con',
      'tu van luat', 'luat su oi', 'hau toa', 'should i sue', 'sue my', 'will i go to jail',
    ],
    marked: ['đi tù', 'phạt tù', 'bào chữa'],
  },
  {
    topic: 'entertainment',
    folded: ['chuyen cuoi', 'hat mot bai', 'lam tho', 'viet tho', 'cong thuc nau', 'xem boi', 'cung hoang dao', 'phong thuy', 'tell me a joke', 'write a poem', 'recipe', 'horoscope'],
    marked: ['tử vi', 'người yêu'],
  },
];

/** Administrative topics: a message naming one stays in scope even if it mentions the weather. */
const DOMAIN = [
  'thu tuc', 'ho so', 'cchc', 'tthc', 'cai cach', 'hanh chinh', 'dich vu cong', 'dvc', 'mot cua', 'ubnd', 'uy ban', 'giay to',
  'giay phep', 'dang ky', 'cap lai', 'cap doi', 'le phi', 'chi so', 'par index', 'papi', 'pci', 'sipas', 'dti', 'chi thi',
  'nghi quyet', 'ke hoach', 'quyet dinh', 'cccd', 'cmnd', 'can cuoc', 'cu tru', 'thuong tru', 'tam tru', 'khai sinh', 'khai tu',
  'ket hon', 'chung thuc', 'bhxh', 'bao hiem', 'thue', 'so do', 'dat dai', 'xay dung', 'doanh nghiep', 'kinh doanh', 'cong chuc',
  'chuyen doi so', 'vneid', 'thai san', 'gia han', 'nop', 'procedure', 'permit', 'registration', 'certificate', 'public service',
  'administrative', 'directive', 'kpi',
];

/** Asking for the assistant's own view: only politics needs this to be refused. */
const OPINION = [
  'ban nghi gi', 'ban nghi sao', 'ban thay the nao ve', 'quan diem cua ban', 'y kien cua ban', 'ban co ung ho', 'ban ung ho',
  'co nen bau', 'nen bau cho', 'what do you think', 'your opinion', 'do you support', 'who should i vote',
];
const POLITICS_FOLDED = [
  'chinh tri', 'dang cong san', 'tong bi thu', 'chu tich nuoc', 'thu tuong', 'bau cu', 'bieu tinh', 'dan chu', 'nhan quyen',
  'che do', 'chien tranh', 'politic', 'election', 'communist', 'president', 'prime minister', 'democracy', 'protest', 'war',
];
const POLITICS_MARKED = ['đảng'];

/** Whether `text` is for this assistant, or which off-topic subject it is about. */
export function classifyScope(text: string): Scope {
  const marked = text.normalize('NFC').toLowerCase();
  const folded = fold(marked);
  if (hasAny(folded, OPINION) && (hasAny(folded, POLITICS_FOLDED) || hasAny(marked, POLITICS_MARKED))) {
    return { inScope: false, topic: 'politics' };
  }
  if (hasAny(folded, DOMAIN)) return { inScope: true };
  for (const rule of RULES) {
    if (
      hasAny(folded, rule.folded ?? []) ||
      hasAny(marked, rule.marked ?? []) ||
      (rule.pattern !== undefined && rule.pattern.test(folded))
    ) {
      return { inScope: false, topic: rule.topic };
    }
  }
  return { inScope: true };
}

/** True when one of the phrases occurs as whole words (letters and digits on neither side). */
function hasAny(text: string, phrases: string[]): boolean {
  return phrases.some((p) => {
    let from = 0;
    for (;;) {
      const i = text.indexOf(p, from);
      if (i < 0) return false;
      if (!isWordChar(text[i - 1]) && !isWordChar(text[i + p.length])) return true;
      from = i + 1;
    }
  });
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}
