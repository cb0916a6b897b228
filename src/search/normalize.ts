/**
 * @module search/normalize
 * Vietnamese text normalisation for search: NFC, lower case, diacritic folding (đ→d),
 * number and date canonical forms, and syllable tokenisation. Pure functions, no data.
 */

/** NFC + lower case: the form every other step starts from. */
export function normalize(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Strips tone and vowel marks and maps đ→d, so "Đăng ký" and "dang ky" meet. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/**
 * Canonical forms for numbers and dates so that "30.9.2023" = "30/9/2023" = "30-9-2023",
 * "85,52%" = "85.52%", "1.711" = "1711". Applied to normalised text before tokenising.
 */
export function canonicalNumbers(text: string): string {
  return (
    text
      // dd.mm.yyyy, dd-mm-yyyy, dd/mm/yyyy -> d/m/yyyy (leading zeros dropped)
      .replace(/\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b/g, (_m, d: string, mo: string, y: string) => `${+d}/${+mo}/${y}`)
      // thousands separators: 1.711 or 58.000 -> 1711, 58000 (Vietnamese uses dots)
      .replace(/\b(\d{1,3})(?:\.(\d{3}))+\b(?![.,]\d)/g, (m) => m.replace(/\./g, ''))
      // decimal comma: 85,52 -> 85.52
      .replace(/\b(\d+),(\d+)\b/g, '$1.$2')
  );
}

/** A token is a run of letters/digits, keeping ./% inside numbers and / inside dates and codes. */
const TOKEN = /[\p{L}\p{N}]+(?:[./%-][\p{L}\p{N}%]+)*%?/gu;

/** Splits normalised text into syllable tokens (Vietnamese words are space-separated syllables). */
export function syllables(text: string): string[] {
  return canonicalNumbers(normalize(text)).match(TOKEN) ?? [];
}
