/**
 * @module llm/answer
 * What comes back from the model, checked before anyone reads it: the structured answer
 * (zod schema, also sent as the JSON schema of the response format), its passage numbers
 * mapped to the reply's citations (numbers pointing at no passage dropped, markers in the text
 * renumbered), the answer's text while it is still streaming, and a check that every claim a
 * reader would act on (a number, a web address, an e-mail, a phone number, a person's name, a
 * promise about the user's own dossier) appears in a passage the answer cites.
 *
 * Over ~350 lines on purpose: the answer's parsing and its grounding checks share the claim extractors and the passage index; the checks are the reason the parsing exists.
 */
import { z } from 'zod';
import type { Citation } from '../core/types';
import { fold } from '../text/normalize';
import type { Passage } from './prompt';
import { EMAIL, NUMBER_RUN, PHONE_DIGITS } from '../privacy/mask';

const ModelAnswerSchema = z
  .object({
    answer: z.string().max(6000),
    citations: z.array(z.number().int()).max(50),
    answerable: z.boolean(),
  })
  .strict();
type ModelAnswer = z.infer<typeof ModelAnswerSchema>;

/** The JSON schema sent as `response_format` (strict structured output). */
export function answerJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(ModelAnswerSchema) as Record<string, unknown>;
  return schema;
}

/**
 * Parses the model's content leniently about wrapping (a ```json fence or words around the
 * object, as some compatible servers produce) and strictly about the shape. Undefined when it
 * is not a valid answer.
 */
export function parseModelAnswer(content: string | null | undefined): ModelAnswer | undefined {
  if (!content) return undefined;
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const parsed = ModelAnswerSchema.safeParse(JSON.parse(content.slice(start, end + 1)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The text of the "answer" field so far, from a JSON object still being streamed
 * (`{"answer":"Theo Chỉ thị [1], hạn chót là 30/` → `Theo Chỉ thị [1], hạn chót là 30/`).
 * Undefined until the field has started.
 */
export function partialAnswer(json: string): string | undefined {
  const m = /"answer"\s*:\s*"/.exec(json);
  if (!m) return undefined;
  let out = '';
  for (let i = m.index + m[0].length; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = json[i + 1];
    if (next === undefined) return out; // escape cut in half: wait for the rest
    if (next === 'u') {
      const hex = json.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return out;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
    i += 1;
  }
  return out;
}

/** Text without citation markers ([1], [1, 2]) and without a marker cut off at the end. */
export function stripMarkers(text: string): string {
  return text
    .replace(/\s*\[\d+(?:\s*[,;]\s*\d+)*\]/g, '')
    .replace(/\s*\[[\d,;\s]*$/, '')
    .trimEnd();
}

interface MappedAnswer {
  text: string;
  citations: Citation[];
}

/**
 * Turns passage numbers into the reply's citations: one per document, in order of first
 * citation, numbered from 1; markers in the text are renumbered to match and markers to no
 * passage are removed. Numbers the model listed but did not place in the text still count.
 */
export function mapCitations(answer: string, cited: number[], passages: Passage[]): MappedAnswer {
  const byN = new Map(passages.map((p) => [p.n, p]));
  const citations: Citation[] = [];
  const citationOf = (n: number): number | undefined => {
    const p = byN.get(n);
    if (!p) return undefined;
    let i = citations.findIndex((c) => c.id === p.docId);
    if (i < 0) {
      citations.push({ id: p.docId, title: p.title, source: p.source, date: p.date, ...(p.url ? { url: p.url } : {}) });
      i = citations.length - 1;
    }
    return i + 1;
  };
  const inText = [...answer.matchAll(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g)].flatMap((m) => m[1]!.split(/[,;]/).map((x) => Number(x.trim())));
  const valid = new Set([...inText, ...cited].filter((n) => byN.has(n)));
  // Assign citation numbers in reading order first, then for numbers listed but not placed.
  for (const n of [...inText, ...cited]) if (valid.has(n)) citationOf(n);

  const text = answer
    .replace(/\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]/g, (_m, list: string) => {
      const nums = [...new Set(list.split(/[,;]/).map((x) => citationOf(Number(x.trim()))).filter((x): x is number => x !== undefined))];
      return nums.length ? ` ${nums.map((k) => `[${k}]`).join('')}` : '';
    })
    .trim();
  return { text, citations };
}

/** What kind of claim an answer made that no source holds (logged, so never the claim itself). */
type ClaimKind = 'email' | 'url' | 'phone' | 'number' | 'name' | 'promise';

interface Claim {
  kind: ClaimKind;
  text: string;
}

/**
 * The claims in the answer found in none of the given texts (the cited passages, with their
 * titles, sources, dates and addresses): a sign the model added a fact. The question is never
 * a source, so a fee or a name the user suggested must still be in a passage.
 */
export function ungroundedClaims(answer: string, sources: string[]): Claim[] {
  const src = new Sources(sources);
  let text = answer.normalize('NFC').replace(MARKERS, ' ');
  const missing: Claim[] = [];
  for (const check of CHECKS) {
    const found = check.find(text);
    for (const claim of found) if (!check.grounded(claim, src)) missing.push({ kind: check.kind, text: claim });
    // An address or phone number is one claim: its parts are not numbers or names to check again.
    if (check.consumes) for (const claim of found) text = text.split(claim).join(' ');
  }
  return missing;
}

/**
 * Numbers in the answer (dates, fees, time limits, percentages) that appear in none of the
 * given texts. Separators are ignored (1.711 = 1711) and a number may also match part by part
 * (30/9/2023 matches "30/9/2023" or "ngày 30 tháng 9 năm 2023").
 */
export function ungroundedNumbers(answer: string, sources: string[]): string[] {
  const src = new Sources(sources);
  return NUMBERS.find(answer.replace(MARKERS, ' ')).filter((n) => !NUMBERS.grounded(n, src));
}

const MARKERS = /\[\d+(?:\s*[,;]\s*\d+)*\]/g;

/** The sources in the forms the checks compare against, each built once and only when needed. */
class Sources {
  private cache = new Map<string, unknown>();
  constructor(private readonly texts: string[]) {}

  private memo<T>(key: string, build: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key) as T;
  }

  /** Lower case, web addresses without their scheme and "www.", so a bare domain matches a full link. */
  get addresses(): string {
    return this.memo('addresses', () => this.texts.map((t) => addressForm(t.normalize('NFC'))).join('\n'));
  }

  /** Folded, lower case, words only, padded: ` nguyen van loc ky `. */
  get words(): string {
    return this.memo('words', () => wordsForm(this.texts.join('\n')));
  }

  get numbers(): Set<string> {
    return this.memo('numbers', () => {
      const known = new Set<string>();
      for (const s of this.texts) {
        for (const m of s.matchAll(NUMBER)) {
          known.add(canon(m[0]));
          for (const part of m[0].split(/[^\d]+/)) if (part) known.add(canon(part));
        }
      }
      return known;
    });
  }

  get emails(): Set<string> {
    return this.memo('emails', () => new Set(this.texts.flatMap((t) => [...t.normalize('NFC').matchAll(EMAIL)].map((m) => m[0].toLowerCase()))));
  }

  get phones(): Set<string> {
    return this.memo('phones', () => new Set(this.texts.flatMap((t) => phonesIn(t.normalize('NFC')).map(phoneForm))));
  }
}

interface ClaimCheck {
  kind: ClaimKind;
  find(text: string): string[];
  grounded(claim: string, src: Sources): boolean;
  /** Whether later checks should no longer see this kind's claims. */
  consumes?: boolean;
}

/** A number with its separators: 30/9/2023, 1.711, 85,52, 2021-2025, 100.000. */
const NUMBER = /\d+(?:[./,:-]\d+)*/g;

const NUMBERS: ClaimCheck = {
  kind: 'number',
  find: (text) => [...text.matchAll(NUMBER)].map((m) => m[0]),
  grounded: (n, src) => src.numbers.has(canon(n)) || n.split(/[^\d]+/).filter(Boolean).every((p) => src.numbers.has(canon(p))),
};

function canon(n: string): string {
  return n.replace(/[^\d]/g, '').replace(/^0+(?=\d)/, '');
}

/**
 * A link (with a scheme or "www.") or a bare domain under a common top-level domain
 * (dichvucong.gov.vn); "TP.HCM" or "v.v." are not addresses.
 */
const ADDRESS =
  /(?:https?:\/\/|www\.)[^\s<>"'`()[\]{}]+|(?<![\p{L}\p{N}_@.\/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:vn|com|net|org|gov|edu|info|biz|io|int)(?![\p{L}\p{N}_-])(?:\/[^\s<>"'`()[\]{}]*)?/giu;

function addressForm(text: string): string {
  return text.toLowerCase().replace(/https?:\/\//g, '').replace(/(^|[^\p{L}\p{N}.-])www\./gu, '$1');
}

function phonesIn(text: string): string[] {
  return [...text.matchAll(NUMBER_RUN)].map((m) => m[0]).filter((run) => PHONE_DIGITS.test(run.replace(/\D/g, '')));
}

/** A phone number's digits as dialled at home: 84 274… → 0274…. */
function phoneForm(run: string): string {
  const digits = run.replace(/\D/g, '');
  return digits.startsWith('84') ? `0${digits.slice(2)}` : digits;
}

function wordsForm(text: string): string {
  return ` ${fold(text.normalize('NFC').toLowerCase()).replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
}

/**
 * Family names most Vietnamese carry: a run of capitalised syllables from one on reads as a name.
 * A word with diacritics must match with them (Đảng is not Đặng); one without, folded (Nguyen).
 */
const FAMILY_NAMES = (
  'nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đào đinh mai trương lâm hà lương cao chu ' +
  'kiều châu thái lưu quách phùng tăng triệu đoàn trịnh tôn thân vương khổng mạc diệp hứa nông giáp lại tạ âu'
).split(' ');
const MARKED_FAMILY_NAMES = new Set(FAMILY_NAMES);
const FOLDED_FAMILY_NAMES = new Set(FAMILY_NAMES.map(fold));

function isFamilyName(word: string): boolean {
  const lower = word.toLowerCase();
  const folded = fold(lower);
  return folded === lower ? FOLDED_FAMILY_NAMES.has(folded) : MARKED_FAMILY_NAMES.has(lower);
}
/** Words before a name that say it is a person's: ông, bà, đồng chí, Mr… */
const TITLE_BEFORE = /(?:^|[^\p{L}\p{M}])(?:[ôÔ]ng|[bB]à|ong|[đĐ]ồng chí|dong chi|[đĐ]\/[cC]|Mrs?|Ms|Dr|[cC]omrade)\.?\s+$/u;
const TITLE_IN_RUN = new Set(['ong', 'ba', 'mr', 'mrs', 'ms', 'dr']);
/** English words that follow a name in a translated answer without being part of it (Ho Chi Minh City). */
const NOT_NAME_TAIL = new Set(
  'city province district ward commune town street road committee council department office centre center party'.split(' '),
);
const CAPITALISED = String.raw`\p{Lu}[\p{Ll}\p{M}]*(?![\p{L}\p{M}\p{N}])`;
const CAPITALISED_RUN = new RegExp(String.raw`(?<![\p{L}\p{M}\p{N}])${CAPITALISED}(?: ${CAPITALISED})*`, 'gu');

/**
 * Persons' names: 2–4 capitalised syllables from a family name on (Nguyễn Văn Thành, Nguyen Van
 * Thanh), or 1–4 after a title (ông Thành, Mr Loc). Place and body names (Bình Dương, Ủy ban nhân
 * dân, Thủ tướng Chính phủ) do not start with a family name, and any name in a cited passage is
 * grounded, so only a name the model brought in makes the answer fall back.
 */
function namesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(CAPITALISED_RUN)) {
    let words = m[0].split(' ');
    let titled = TITLE_BEFORE.test(text.slice(0, m.index));
    if (words.length > 1 && TITLE_IN_RUN.has(fold(words[0]!.toLowerCase()))) {
      titled = true;
      words = words.slice(1);
    }
    while (words.length > 0 && NOT_NAME_TAIL.has(words.at(-1)!.toLowerCase())) words = words.slice(0, -1);
    if (!titled) {
      // The longest stretch of 2–4 words from a family name to the end of the run.
      const start = words.findIndex((w, i) => isFamilyName(w) && words.length - i <= 4);
      words = start < 0 ? [] : words.slice(start);
      if (words.length < 2) continue;
    }
    if (words.length >= 1 && words.length <= 4) names.push(words.join(' '));
  }
  return [...new Set(names)];
}

/**
 * A name is grounded when a source holds it, or holds its part from a later family name on:
 * "Bình Dương Võ Văn Minh" read as "Dương Võ Văn Minh" is grounded by "Võ Văn Minh".
 */
function nameGrounded(name: string, src: Sources): boolean {
  const words = name.split(' ');
  return words.some((w, i) => (i === 0 || (isFamilyName(w) && words.length - i >= 2)) && src.words.includes(wordsForm(words.slice(i).join(' '))));
}

/** Verbs that say what became of a dossier. */
const DOSSIER_FATE = 'duyệt|phê duyệt|xét duyệt|tiếp nhận|giải quyết|xử lý|chấp thuận|cấp|hoàn thành|hoàn tất|trả kết quả|thông qua|hợp lệ|chuyển|ký|xong';
const YOURS = 'bạn|anh|chị|ông|bà|em|quý vị|quý khách';
/**
 * Statements about the user's own dossier, or the assistant promising to act: it has no access
 * to either, so no passage can back them. Without diacritics "của" is required, as "ho so chi"
 * may be "hồ sơ chỉ…".
 */
const PROMISES = [
  new RegExp(`hồ sơ (?:của )?(?:${YOURS})(?![\\p{L}\\p{M}])[^.!?\\n]{0,40}?(?:đã|sẽ|đang|được)(?: được)? (?:${DOSSIER_FATE})(?![\\p{L}\\p{M}])`, 'giu'),
  new RegExp(`ho so cua (?:${fold(YOURS)})(?![\\p{L}\\p{M}])[^.!?\\n]{0,40}?(?:da|se|dang|duoc)(?: duoc)? (?:${fold(DOSSIER_FATE)})(?![\\p{L}\\p{M}])`, 'giu'),
  /chúng tôi (?:sẽ|đã)(?![\p{L}\p{M}])|chung toi (?:se|da)(?![\p{L}\p{M}])/giu,
  /\bwe(?: will|'ll|’ll| shall| have (?:already )?(?:approved|accepted|received|processed|forwarded|sent|registered))\b/gi,
  /\byour (?:application|dossier|file|case|request|documents?)(?: has| have| was| were| will| is| are)(?: been| be)? (?:approved|accepted|received|processed|resolved|handled|granted|completed)\b/gi,
];

const CHECKS: ClaimCheck[] = [
  {
    kind: 'email',
    find: (text) => [...text.matchAll(EMAIL)].map((m) => m[0]),
    grounded: (email, src) => src.emails.has(email.toLowerCase()),
    consumes: true,
  },
  {
    kind: 'url',
    find: (text) => [...text.matchAll(ADDRESS)].map((m) => m[0].replace(/[.,;:!?…]+$/u, '')),
    grounded: (url, src) => src.addresses.includes(addressForm(url).replace(/\/+$/, '')),
    consumes: true,
  },
  {
    kind: 'phone',
    find: phonesIn,
    grounded: (phone, src) => src.phones.has(phoneForm(phone)),
    consumes: true,
  },
  NUMBERS,
  {
    kind: 'name',
    find: namesIn,
    grounded: nameGrounded,
  },
  {
    kind: 'promise',
    find: (text) => PROMISES.flatMap((re) => [...text.matchAll(re)].map((m) => m[0])),
    grounded: (promise, src) => src.words.includes(wordsForm(promise)),
  },
];
