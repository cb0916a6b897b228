/**
 * @module procedures/intent
 * Which part of a procedure a question asks about: the fee, the time limit, the documents, where
 * to go, whether it can be done online, or the steps ("làm căn cước mất bao lâu" asks for the
 * time). Works on folded text, so a question typed without diacritics is read the same way, and
 * strips those words so they do not get in the way of finding the procedure itself.
 */
import { fold } from '../text/normalize';

export const FIELDS = ['time', 'fee', 'documents', 'where', 'online', 'steps'] as const;
export type Field = (typeof FIELDS)[number];

/** The short word a button or "/thutuc <id> <word>" uses for each field (ASCII, for callback data). */
export const FIELD_KEYS: Record<Field, string> = {
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
 * nhiêu ngày" is a time question, "mất bao nhiêu tiền" a fee question.
 */
const PATTERNS: Record<Field, RegExp> = {
  time: /\b(?:(?:mat|het|ton|trong) )?(?:bao lau|may ngay|bao nhieu ngay)\b|\b(?:thoi han|thoi gian(?: giai quyet)?|(?:bao gio|khi nao) (?:co|xong|lay|nhan)|lau khong|how long|processing time)\b/g,
  fee: /\b(?:(?:het|ton|mat|la) )?(?:le phi|phi|bao nhieu tien)\b|\b(?:(?:het|ton|mat) bao nhieu(?! ngay| lau| thoi gian)(?: tien)?|chi phi|mien phi|fees?|cost|how much)\b/g,
  documents: /\b(?:giay to(?: gi| nao)?|thanh phan ho so|ho so (?:gom|can|co)(?: nhung gi| gi)?|can (?:mang|chuan bi|nop) (?:theo )?(?:nhung )?gi|mang (?:theo )?(?:nhung )?gi|can nhung gi|chuan bi (?:nhung )?gi|documents?|papers|what to bring)\b/g,
  where: /\b(?:(?:nop|lam|di|den) o dau|o dau|noi nao|cho nao|tai dau|co quan nao|where)\b/g,
  online: /\b(?:online|truc tuyen|qua mang|tren mang|qua vneid|tren vneid)\b/g,
  steps: /\b(?:cac buoc|trinh tu|quy trinh|cach lam|tung buoc|lam (?:the|nhu the) nao|lam sao|nhu the nao|steps?|process|how to)\b/g,
};

/** Words that say "this is about a procedure" without naming one. */
const PROCEDURE_CUES = /\b(?:thu tuc|lam giay|xin giay|dang ky|cap (?:lai|doi|moi)|lam lai|ho so)\b/;

interface QuestionIntent {
  /** Fields asked about, in the order of FIELDS. */
  fields: Field[];
  /**
   * The question with the field phrases cut out, marks kept (the analyzer reads stopwords as
   * typed): what names the procedure.
   */
  subject: string;
  /** Whether the question uses generic procedure words ("thủ tục", "đăng ký", "xin giấy"). */
  procedureCue: boolean;
}

export function readIntent(question: string): QuestionIntent {
  const original = ` ${question.normalize('NFC').toLowerCase()} `;
  const folded = fold(original);
  // Folding NFC Vietnamese maps one character to one, so a match found on the folded text can
  // be cut from the original at the same positions; if not (odd input), cut the folded text.
  const aligned = folded.length === original.length;
  const keep = [...original].length === original.length ? Array.from({ length: original.length }, () => true) : [];
  const fields: Field[] = [];
  for (const field of FIELDS) {
    const pattern = PATTERNS[field];
    pattern.lastIndex = 0;
    let found = false;
    for (const m of folded.matchAll(pattern)) {
      found = true;
      for (let i = m.index; i < m.index + m[0].length; i++) keep[i] = false;
    }
    if (found) fields.push(field);
  }
  const source = aligned && keep.length === original.length ? original : folded;
  const subject = [...source].map((ch, i) => (keep[i] === false ? ' ' : ch)).join('');
  return {
    fields,
    subject: subject.replace(/[?!.,;:]+/g, ' ').replace(/\s+/g, ' ').trim(),
    procedureCue: PROCEDURE_CUES.test(folded),
  };
}
