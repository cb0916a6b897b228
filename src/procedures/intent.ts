/**
 * @module procedures/intent
 * Which part of a procedure a question asks about: the fee, the office's time limit, the
 * citizen's own deadline, how long the result stays valid, the documents (and those no longer
 * required), where to go, whether it can be done online, or the steps ("làm căn cước mất bao lâu"
 * asks for the time; "khai sinh trong bao lâu" for the deadline when the record has one); and the
 * yes/no questions in it ("có mất phí không", "có cần giấy khai sinh không"). Works on folded
 * text, so a question typed without diacritics is read the same way, and strips those words so
 * they do not get in the way of finding the procedure itself. A question naming the former district
 * level as if it still worked is noticed, so the reply can say that level ended.
 */
import { fold } from '../text/normalize';
import { asksAboutGoneLevel, classifyAsk } from '../answer/ask-type';

export const FIELDS = ['deadline', 'validity', 'time', 'fee', 'documents', 'exempt', 'where', 'online', 'steps'] as const;
export type Field = (typeof FIELDS)[number];

/** The short word a button or "/thutuc <id> <word>" uses for each field (ASCII, for callback data). */
export const FIELD_KEYS: Record<Field, string> = {
  deadline: 'han',
  validity: 'giatri',
  exempt: 'khongnop',
  time: 'thoigian',
  fee: 'phi',
  documents: 'giayto',
  where: 'noinop',
  online: 'online',
  steps: 'buoc',
};

const KEY_TO_FIELD = new Map<string, Field>(
  Object.entries(FIELD_KEYS).map(([field, key]) => [key, field as Field]),
);

export function fieldFromKey(key: string): Field | undefined {
  return KEY_TO_FIELD.get(fold(key.toLowerCase()));
}

/**
 * Phrases per field, on folded lower-case text. Order matters where they overlap: "mất bao
 * nhiêu ngày" is a time question, "mất bao nhiêu tiền" a fee question. The citizen's deadline and
 * the result's validity are read first and cut out, so their "bao lâu" is not read as the
 * office's time limit too.
 */
const PATTERNS: Record<Field, RegExp> = {
  validity: /\b(?:(?:co )?gia tri (?:su dung )?(?:trong )?(?:bao lau|may (?:thang|nam|ngay)|bao nhieu (?:thang|nam|ngay)|den (?:khi nao|bao gio))|(?:co )?hieu luc (?:trong )?(?:bao lau|may (?:thang|nam)|bao nhieu (?:thang|nam)|den (?:khi nao|bao gio))|thoi han su dung|dung duoc (?:trong )?(?:bao lau|may thang)|(?:bao lau|khi nao|bao gio) (?:thi )?het han|het han (?:khi nao|sau bao lau|bao gio)|(?:duoc )?toi da (?:bao lau|may nam)|valid(?:ity)?(?: for)?)\b/g,
  deadline: /\b(?:han (?:chot|cuoi|dang ky|khai sinh|khai tu|nop|lam)|thoi han (?:dang ky|khai sinh|khai tu|phai|nop ho so|xoa)|cham nhat|(?:sau |trong (?:vong )?)?(?:bao lau|may ngay|bao nhieu ngay|may thang|bao nhieu thang) (?:thi )?(?:phai|moi phai|bat buoc)|phai (?:lam|dang ky|khai|nop|xoa|di)[a-z ]{0,20}? trong (?:vong )?(?:bao lau|may ngay|bao nhieu ngay)|qua han|tre han|deadline|within how long)\b/g,
  time: /\b(?:(?:mat|het|ton|trong) )?(?:bao lau|may ngay|bao nhieu ngay)\b|\b(?:thoi han|thoi gian(?: giai quyet)?|(?:bao gio|khi nao) (?:co|xong|lay|nhan)|lau khong|how long|processing time)\b/g,
  fee: /\b(?:(?:het|ton|mat|la) )?(?:le phi|phi|bao nhieu tien)\b|\b(?:(?:het|ton|mat) bao nhieu(?! ngay| lau| thoi gian)(?: tien)?|chi phi|mien phi|fees?|cost|how much)\b/g,
  documents: /\b(?:giay to(?: gi| nao)?|thanh phan ho so|ho so (?:gom|can|co)(?: nhung gi| gi)?|can (?:mang|chuan bi|nop) (?:theo )?(?:nhung )?gi|mang (?:theo )?(?:nhung )?gi|can nhung gi|chuan bi (?:nhung )?gi|documents?|papers|what to bring)\b/g,
  exempt: /\b(?:khong (?:can|phai) (?:nop|mang|xuat trinh|co)(?: nhung)?(?: giay(?: to)?)? (?:gi|nao)(?: nua)?|(?:giay to|giay) (?:nao|gi) (?:khong can|khong phai|duoc mien|duoc bo|da bo)|(?:duoc )?mien (?:nop|xuat trinh)|khong con (?:phai|can) (?:nop|mang|xuat trinh)|no longer (?:needed|required))\b/g,
  where: /\b(?:(?:nop|lam|di|den) o dau|o dau|noi nao|cho nao|tai dau|co quan nao|(?:(?:nop|lam|giai quyet) )?(?:o |tai )?cap nao|(?:(?:nop|lam|giai quyet) )?(?:o |tai )?cap (?:xa|phuong|tinh|huyen)(?: hay| hoac)(?: o| tai)?(?: cap)? (?:xa|phuong|tinh|huyen)|where|which level)\b/g,
  online: /\b(?:online|truc tuyen|qua mang|tren mang|qua vneid|tren vneid)\b/g,
  steps: /\b(?:cac buoc|trinh tu|quy trinh|cach lam|tung buoc|lam (?:the|nhu the) nao|lam sao|nhu the nao|steps?|process|how to)\b/g,
};

/** Fields read before the others, their phrases cut out first. */
const FIRST: readonly Field[] = ['validity', 'deadline', 'exempt'];

/**
 * "Khai sinh trong bao lâu": the citizen's deadline when the record has one, else the office's
 * time limit. Read after the deadline phrases, before the time phrases.
 */
const EITHER_DURATION = /\btrong (?:vong )?(?:bao lau|may ngay|bao nhieu ngay)\b/g;

/** Words that say "this is about a procedure" without naming one. */
const PROCEDURE_CUES = /\b(?:thu tuc|lam giay|xin giay|dang ky|cap (?:lai|doi|moi)|lam lai|ho so)\b/;

/**
 * "Có cần giấy khai sinh không", "phải nộp bản sao CCCD không": the document asked about.
 * The named document is cut from the subject, so it is not taken for a procedure.
 */
const DOCUMENT_ASKED =
  /\b(?:co )?(?:can|phai|bat buoc)(?: phai)?(?: (?:nop|mang(?: theo)?|co|xuat trinh|dem(?: theo)?|lam))? ((?:giay|ban sao|ban chinh|so |the |can cuoc|cccd|cmnd|chung minh|ho chieu|to khai|trich luc|hop dong|anh |hinh )[a-z0-9 ]*?) (?:nua )?(?:khong|ko|hay khong)\b/g;

/** A yes/no clause ends in "không"/"chưa" or says "hay không", "được không". */
const YES_NO_END = /\b(?:khong|ko|chua|hay khong|duoc khong|phai khong)\s*$/;
const REDUCTION_WORDS = /\b(?:giam|uu dai|mien giam|reduc\w*|discount)\b/;
const FEE_WORDS = /\b(?:phi|le phi|tien|mien phi|fee)\b/;
const ONLINE_WORDS = /\b(?:online|truc tuyen|qua mang|tren mang|vneid)\b/;

/** A yes/no question the record can settle: the fee, a reduction of it, online, or whether a document is needed. */
export type YesNo = { kind: 'fee' } | { kind: 'reduction' } | { kind: 'online' } | { kind: 'document'; document: string };

interface QuestionIntent {
  /** Fields asked about, in the order of FIELDS. */
  fields: Field[];
  /** "Trong bao lâu" was read as the time limit; the citizen's deadline answers it when the record has one. */
  eitherDuration: boolean;
  /** Yes/no questions in it, in the order asked: the reply answers them first. */
  yesNo: YesNo[];
  /**
   * The question with the field phrases cut out, marks kept (the analyzer reads stopwords as
   * typed): what names the procedure.
   */
  subject: string;
  /** Whether the question uses generic procedure words ("thủ tục", "đăng ký", "xin giấy"). */
  procedureCue: boolean;
  /**
   * The question names the former district level as if it worked now ("… còn nộp ở UBND huyện
   * không"), read as src/answer reads it; `yesNo` when it asks whether, so "Không." comes first.
   */
  goneLevel?: { yesNo: boolean };
}

export function readIntent(question: string): QuestionIntent {
  const original = ` ${question.normalize('NFC').toLowerCase()} `;
  const folded = fold(original);
  // Folding NFC Vietnamese maps one character to one, so a match found on the folded text can
  // be cut from the original at the same positions; if not (odd input), cut the folded text.
  const aligned = folded.length === original.length;
  const keep = [...original].length === original.length ? Array.from({ length: original.length }, () => true) : [];
  // What is left to read: a phrase read once (a deadline's "bao lâu") is not read again.
  let rest = folded;
  const cut = (m: RegExpMatchArray) => {
    for (let i = m.index!; i < m.index! + m[0].length; i++) keep[i] = false;
    rest = rest.slice(0, m.index!) + ' '.repeat(m[0].length) + rest.slice(m.index! + m[0].length);
  };
  const yesNo = yesNoAsks(folded, original);
  for (const m of [...rest.matchAll(DOCUMENT_ASKED)]) cut(m);
  const found = new Set<Field>();
  const read = (field: Field) => {
    const matches = [...rest.matchAll(PATTERNS[field])];
    if (matches.length) found.add(field);
    for (const m of matches) cut(m);
  };
  for (const field of FIRST) read(field);
  const either = found.has('deadline') ? [] : [...rest.matchAll(EITHER_DURATION)];
  for (const m of either) cut(m);
  if (either.length) found.add('time');
  for (const field of FIELDS) if (!FIRST.includes(field)) read(field);
  const source = aligned && keep.length === original.length ? original : folded;
  const subject = [...source].map((ch, i) => (keep[i] === false ? ' ' : ch)).join('');
  const ask = classifyAsk(question);
  return {
    ...(asksAboutGoneLevel(ask, question) ? { goneLevel: { yesNo: ask.kind === 'yes-no' } } : {}),
    fields: FIELDS.filter((f) => found.has(f)),
    eitherDuration: either.length > 0,
    yesNo,
    subject: tidySubject(subject),
    procedureCue: PROCEDURE_CUES.test(folded),
  };
}

/**
 * The subject without its question marks and stray punctuation; a comma or semicolon between
 * two words stays, for it may part two procedures ("tạm trú, tạm vắng").
 */
function tidySubject(subject: string): string {
  return subject
    .replace(/[?!.:]+/g, ' ')
    .replace(/\s*[,;][\s,;]*/g, ', ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,]+|[\s,]+$/g, '');
}

/** Conjunctions between procedure names ("khai sinh và khai tử", "tạm trú, tạm vắng"). */
const BETWEEN = /\s*[,;]\s*|\s+(?:và|va|với|voi|hoặc|hoac|hay|cùng|cung|lẫn|lan)\s+/iu;

/**
 * The parts of a subject that may each name a procedure: split at "và", "," …, and where people
 * list two names without a conjunction ("tạm trú tạm vắng", "đăng ký khai sinh đăng ký khai tử"):
 * a word comes back and starts a run at least as long as the one it started before. Whether each
 * part does name one procedure is for the matcher to say; a single name comes back whole
 * ("đổi thẻ căn cước công dân sang thẻ căn cước" repeats "thẻ", but its second run is shorter).
 */
export function subjectParts(subject: string): string[] {
  return subject
    .split(BETWEEN)
    .flatMap(splitAtRepeat)
    .map((x) => x.trim())
    .filter((x) => x.length > 1);
}

function splitAtRepeat(part: string): string[] {
  const words = part.trim().split(/\s+/);
  const keys = words.map((w) => fold(w));
  for (let j = 2; j < words.length; j++) {
    const i = keys.indexOf(keys[j]!);
    if (i >= 0 && j - i >= 2 && j + (j - i) <= words.length) return [words.slice(0, j).join(' '), words.slice(j).join(' ')];
  }
  return [part];
}

/**
 * The yes/no questions of each clause ("… có mất phí không và cần giấy khai sinh không"); a
 * document asked about is given as typed (`original` aligns with `folded` character for character).
 */
function yesNoAsks(folded: string, original: string): YesNo[] {
  const asks: YesNo[] = [];
  const aligned = folded.length === original.length;
  let start = 0;
  for (const sep of [...folded.matchAll(/[?,;.!]| va | con | hoac /g), { index: folded.length, 0: '' }]) {
    const end = sep.index!;
    const clause = folded.slice(start, end);
    const at = start;
    start = end + sep[0].length;
    if (!YES_NO_END.test(clause.trim())) continue;
    const doc = [...` ${clause} `.matchAll(DOCUMENT_ASKED)][0];
    if (doc) {
      const from = at - 1 + doc.index! + doc[0].indexOf(doc[1]!);
      const typed = aligned ? original.slice(from, from + doc[1]!.length) : doc[1]!;
      asks.push({ kind: 'document', document: typed.trim() });
    } else if (REDUCTION_WORDS.test(clause)) asks.push({ kind: 'reduction' });
    else if (FEE_WORDS.test(clause)) asks.push({ kind: 'fee' });
    else if (ONLINE_WORDS.test(clause)) asks.push({ kind: 'online' });
  }
  return asks;
}
