/**
 * @module llm/redact
 * Masks personal numbers before text leaves for a model or a log: 12-digit citizen ID
 * (CCCD), 9-digit old ID (CMND), Vietnamese phone numbers, e-mail addresses and bank
 * account numbers, also when written in groups (079 123 456 789). Deliberately errs on the
 * side of masking. Placeholders ([số CCCD]…) can be dropped again for searching.
 */

export interface Redaction {
  text: string;
  /** Which kinds were found, so the user can be told gently not to send them. */
  found: Array<'cccd' | 'cmnd' | 'phone' | 'email' | 'account'>;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
// Phones: +84 or 0, then 9 digits (mobile 3/5/7/8/9x, landline 2x), spaces/dots/dashes allowed.
const PHONE = /(?<![\p{N}])(?:\+?84|0)(?:[\s.-]?\d){9}(?![\p{N}])/gu;
const CCCD = /(?<![\p{N}])\d{12}(?![\p{N}])/gu;
// A CCCD written in groups of three (079 123 456 789): checked before phones, which it would
// otherwise half-match (leaving the last digits in clear).
const CCCD_GROUPED = /(?<![\p{N}])\d{3}(?:[ .-]\d{3}){3}(?![\p{N}])/gu;
// A CMND in groups of three (123 456 789), checked after phones (+84 912 345 678 stays a phone).
const CMND_GROUPED = /(?<![\p{N}])\d{3}[ .-]\d{3}[ .-]\d{3}(?![\p{N}]|[ .-]\d)/gu;
const CMND = /(?<![\p{N}])\d{9}(?![\p{N}])/gu;
// Bank accounts and cards: 8-19 digits in a row, or three or more groups of 4 (1234 5678 9012).
// Year ranges such as 2021-2025 are two groups and stay as they are.
const ACCOUNT = /(?<![\p{N}])(?:\d{8,19}|\d{4}(?:[ -]\d{4}){2,3})(?![\p{N}])/gu;

/** The fewest digits any number pattern below needs (an 8-digit account); fewer means none can match. */
const MIN_DIGITS = 8;

export function redact(input: string): Redaction {
  // Most messages hold no "@" and few digits: skip the patterns that cannot match (this runs on
  // every message several times).
  const mayHaveEmail = input.includes('@');
  if (!mayHaveEmail && asciiDigits(input, MIN_DIGITS) < MIN_DIGITS) return { text: input, found: [] };
  const found = new Set<Redaction['found'][number]>();
  let text = mayHaveEmail ? input.replace(EMAIL, () => (found.add('email'), '[email]')) : input;
  text = text.replace(CCCD_GROUPED, () => (found.add('cccd'), '[số CCCD]'));
  text = text.replace(PHONE, () => (found.add('phone'), '[số điện thoại]'));
  text = text.replace(CCCD, () => (found.add('cccd'), '[số CCCD]'));
  text = text.replace(CMND, () => (found.add('cmnd'), '[số CMND]'));
  text = text.replace(CMND_GROUPED, () => (found.add('cmnd'), '[số CMND]'));
  text = text.replace(ACCOUNT, () => (found.add('account'), '[số tài khoản]'));
  return { text, found: [...found] };
}

/** How many ASCII digits the text holds, counting no further than `enough`. */
function asciiDigits(text: string, enough: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n < enough; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
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
