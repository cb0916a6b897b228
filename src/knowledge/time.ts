/**
 * @module knowledge/time
 * Time in answers: whether a question asks about the present ("bây giờ", "hiện nay", "còn …
 * không", typed with or without marks), and whether a source is old enough that a fact taken
 * from it must be framed by its date ("Theo tin ngày 6/7/2022: …"). Pure.
 */
import { fold, hasDiacritics, normalize } from '../text/normalize';

/**
 * A source older than this is old. Two years: the seed articles (2021-2023) describe the
 * 63 provinces and district level that ended on 1/7/2025, and the yearly indices (PAR Index,
 * SIPAS, DTI) have been published again at least once since any figure this old.
 */
const OLD_SOURCE_DAYS = 730;

const DAY_MS = 86_400_000;

/** True when a source dated `isoDate` (YYYY-MM-DD) is old on `now`. */
export function isOldSource(isoDate: string, now: Date): boolean {
  const at = Date.parse(`${isoDate}T00:00:00+07:00`);
  return Number.isFinite(at) && now.getTime() - at > OLD_SOURCE_DAYS * DAY_MS;
}

/** Words that put a question in the present, on folded text. */
const PRESENT = /\b(bay gio|hien nay|hien tai|hien gio|hien con|gio nay|luc nay|nam nay|hom nay|nowadays|currently|now|today)\b/;
/** "Giờ tôi nộp … ở đâu?": "giờ" opening a question means "now", unless it asks about hours. */
const OPENING_GIO = /^gio (?!lam viec|mo cua|hanh chinh|nao|may|nghi)/;

/** True when the question asks how things are now, not how they were. */
export function asksAboutPresent(question: string): boolean {
  const lower = normalize(question);
  const folded = fold(lower).replace(/[^a-z0-9/]+/g, ' ').trim();
  if (PRESENT.test(folded) || OPENING_GIO.test(folded)) return true;
  // "còn … không": typed with marks "còn" is unambiguous; unmarked "con" is also "child",
  // so it counts only in a question typed wholly without marks, where nothing else tells.
  if (/(^|\s)còn\s(.+\s)?không\b/.test(lower)) return true;
  return !hasDiacritics(question) && /(^| )con( .+)? (khong|ko)( |$)/.test(folded);
}
