/**
 * @module privacy/mask
 * Masks personal numbers before text leaves for a model, a store or a log: 12-digit citizen ID
 * (CCCD), 9-digit old ID (CMND), Vietnamese mobile and landline numbers, e-mail addresses, and
 * any other run of 8 or more digits (bank accounts, cards), also when written in groups
 * (079 123 456 789), in full-width or other Unicode digits, or split by invisible characters.
 * Deliberately errs on the side of masking; what stays readable is listed in `keptRun`.
 * Placeholders ([số CCCD]…) can be dropped again for searching.
 */
import { checkDossierCode } from '../text/dossier-code';

interface Redaction {
  text: string;
  /** Which kinds were found, so the user can be told gently not to send them. */
  found: Array<'cccd' | 'cmnd' | 'phone' | 'email' | 'account'>;
}

export const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;

/** Characters that show nothing (zero-width space/joiners, word joiner, BOM, soft hyphen…). */
const INVISIBLE = '[\\p{Cf}\\p{Default_Ignorable_Code_Point}]';
/** What may sit between the digit groups of one number: spaces (not line breaks), dots, dashes, brackets. */
const SEPARATOR = '[^\\S\\r\\n\\u2028\\u2029]|[.\\p{Pd}\\u2212()\\uFF0E\\uFF08\\uFF09]';
// Invisible characters inside a number (between digits and separators) are dropped before
// matching; elsewhere they stay, so emoji sequences joined by U+200D survive.
const INVISIBLE_IN_NUMBER = new RegExp(`(?<=\\p{Nd}|\\+|${SEPARATOR})${INVISIBLE}+(?=\\p{Nd}|${SEPARATOR})`, 'gu');
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const IS_DIGIT = /^\p{Nd}$/u;
// One number: digits, with at most three separators between two of them, and an optional
// leading "+" or "(". Matching left to right, each match is a whole run, so no trailing group
// (the "12" of "1903 6543 2100 12") is left in clear.
export const NUMBER_RUN = new RegExp(`[+(]?\\d(?:(?:${SEPARATOR}){0,3}\\d)*`, 'gu');

// Mobile (0 + 9 digits) or landline (0 + 2x/2xx area code, 10 digits), after 0 or the 84 country code.
export const PHONE_DIGITS = /^(?:84|0)(?:[1-9]\d{8}|2\d{9})$/;
const YEAR_RANGE = /^(?:19|20)\d\d\s*[-\p{Pd}\u2212]\s*(?:19|20)\d\d$/u;
const DATE_DMY = /^(\d\d?)([.-])(\d\d?)\2(?:19|20)\d\d$/;
const DATE_YMD = /^(?:19|20)\d\d([.-])(\d\d?)\1(\d\d?)$/;
// Thousands grouped by dots or spaces, as amounts of money are written in Vietnamese.
const GROUPED_AMOUNT = /^\d{1,3}([.\s])\d{3}(?:\1\d{3})*$/u;
const CURRENCY_AFTER = /^\s?(?:đồng|vnđ|vnd|đ|₫)(?![\p{L}\p{N}])/iu;
// A dossier code ends in the date received (YYMMDD) and a sequence number; its whole is shorter than this.
const DOSSIER_TAIL = /\d{6}-\d{4,6}$/;
const MAX_CODE_CHARS = 48;

/** The fewest digits a masked number has (an 8-digit account); fewer means nothing to mask. */
const MIN_DIGITS = 8;

export function redact(input: string): Redaction {
  // Most messages hold no "@" and few digits: skip the patterns that cannot match (this runs on
  // every message several times).
  const mayHaveEmail = input.includes('@');
  if (!mayHaveEmail && countDigits(input, MIN_DIGITS) < MIN_DIGITS) return { text: input, found: [] };
  const found = new Set<Redaction['found'][number]>();
  let text = foldDigits(input).replace(INVISIBLE_IN_NUMBER, '');
  if (mayHaveEmail) text = text.replace(EMAIL, () => (found.add('email'), '[email]'));
  text = text.replace(NUMBER_RUN, (run: string, offset: number, whole: string) => {
    const digits = run.replace(/\D/g, '');
    if (digits.length < MIN_DIGITS || keptRun(run, digits, offset, whole)) return run;
    const kind = kindOf(digits);
    found.add(kind);
    return run.startsWith('(') && !run.includes(')') ? `(${PLACEHOLDER_OF[kind]}` : PLACEHOLDER_OF[kind];
  });
  return { text, found: [...found] };
}

const PLACEHOLDER_OF: Record<Exclude<Redaction['found'][number], 'email'>, string> = {
  cccd: '[số CCCD]',
  cmnd: '[số CMND]',
  phone: '[số điện thoại]',
  account: '[số tài khoản]',
};

function kindOf(digits: string): Exclude<Redaction['found'][number], 'email'> {
  if (PHONE_DIGITS.test(digits)) return 'phone';
  if (digits.length === 12) return 'cccd';
  if (digits.length === 9) return 'cmnd';
  return 'account';
}

/**
 * Runs of 8+ digits that are not personal: a year range (2021-2025), a date (30.09.2023,
 * 2023-09-30), an amount of money followed by its currency (12.000.000 đồng) and a dossier
 * code (000.00.12.H42-250701-0001, whose tail is a date and a sequence number).
 */
function keptRun(run: string, digits: string, offset: number, whole: string): boolean {
  if (digits.length === 8 && (YEAR_RANGE.test(run) || validDate(run))) return true;
  if (GROUPED_AMOUNT.test(run) && CURRENCY_AFTER.test(whole.slice(offset + run.length, offset + run.length + 12).normalize('NFC'))) {
    return true;
  }
  return inDossierCode(run, offset, whole);
}

function validDate(run: string): boolean {
  const dmy = DATE_DMY.exec(run);
  const ymd = dmy ? null : DATE_YMD.exec(run);
  const [day, month] = dmy ? [dmy[1], dmy[3]] : ymd ? [ymd[3], ymd[2]] : [];
  return Number(day) >= 1 && Number(day) <= 31 && Number(month) >= 1 && Number(month) <= 12;
}

/** Whether the run lies inside one word that is a dossier code with a unit code (holds a letter). */
function inDossierCode(run: string, offset: number, whole: string): boolean {
  if (!DOSSIER_TAIL.test(run)) return false;
  // The word around the run, looked for no further than a code can reach.
  let start = offset;
  while (start > 0 && offset - start < MAX_CODE_CHARS && !/\s/u.test(whole[start - 1]!)) start--;
  let end = offset + run.length;
  while (end < whole.length && end - start < MAX_CODE_CHARS && !/\s/u.test(whole[end]!)) end++;
  const word = whole.slice(start, end);
  return /\p{L}/u.test(word) && checkDossierCode(word).ok;
}

/** Every decimal digit of any script (full-width, Arabic-Indic, …) as its ASCII digit. */
export function foldDigits(text: string): string {
  return text.replace(NON_ASCII_DIGIT, foldDigit);
}

/** A decimal digit of any script as its ASCII digit: Unicode assigns them in runs of ten, 0 to 9. */
function foldDigit(d: string): string {
  const cp = d.codePointAt(0)!;
  let zero = cp;
  while (IS_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  return String((cp - zero) % 10);
}

const IS_DIGIT_AT = /\p{Nd}/uy;

/** How many decimal digits (any script) the text holds, counting no further than `enough`. */
function countDigits(text: string, enough: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n < enough; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
    // Below U+0660 and in the Vietnamese letters block there are no other digits: skip the
    // regex for the letters that fill most messages. Low surrogates were seen with their pair.
    else if (c >= 0x660 && !(c >= 0x1e00 && c <= 0x1eff) && !(c >= 0xdc00 && c <= 0xdfff)) {
      IS_DIGIT_AT.lastIndex = i;
      if (IS_DIGIT_AT.test(text)) n++;
    }
  }
  return n;
}

export function maskPersonalData(input: string): string {
  return redact(input).text;
}

const PLACEHOLDER = /\[(?:email|số điện thoại|số CCCD|số CMND|số tài khoản)\]/gu;

/** Masked text without the placeholders, for a search that should not look for "số điện thoại". */
export function withoutPlaceholders(masked: string): string {
  return masked.replace(PLACEHOLDER, ' ').replace(/\s{2,}/g, ' ').trim();
}
