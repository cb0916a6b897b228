/**
 * @module text/normalize
 * Vietnamese text normalisation: NFC, lower case, diacritic folding (đ→d), number and date
 * canonical forms, syllable tokenisation and ASCII slugs. Pure functions, no data; search,
 * the router and every domain that compares words typed with or without marks use them.
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

/** True when the text carries any Vietnamese mark (tone, vowel mark or đ). */
export function hasDiacritics(text: string): boolean {
  return fold(text) !== text;
}

const FOLD_CACHE_LIMIT = 50_000;
const foldCache = new Map<string, string>();

/**
 * fold() for one lower-case syllable, cached: the syllable vocabulary is small, and folding
 * through NFD is the analyzer's hottest step. The cache is cleared when it grows past a
 * bound, so odd user input cannot grow it without limit.
 */
export function foldWord(word: string): string {
  let f = foldCache.get(word);
  if (f === undefined) {
    f = fold(word);
    if (foldCache.size >= FOLD_CACHE_LIMIT) foldCache.clear();
    foldCache.set(word, f);
  }
  return f;
}

/** A token is a run of letters/digits, keeping ./% inside numbers and / inside dates and codes. */
const TOKEN = /[\p{L}\p{N}]+(?:[./%-][\p{L}\p{N}%]+)*%?/gu;

/** Splits normalised text into syllable tokens (Vietnamese words are space-separated syllables). */
export function syllables(text: string): string[] {
  return canonicalNumbers(normalize(text)).match(TOKEN) ?? [];
}

/** Punctuation between two tokens that ends a phrase (a hyphen or a space does not). */
const PHRASE_BREAK = /[,.;:!?()[\]{}"“”‘’'«»…|\n/]/;

/**
 * Like syllables(), with a flag on each token that starts a new phrase: the text between it
 * and the previous token holds punctuation. "(Bình Dương, năm 2022)" makes no pair "dương năm".
 */
export function phraseTokens(text: string): Array<{ token: string; breakBefore: boolean }> {
  const s = canonicalNumbers(normalize(text));
  const out: Array<{ token: string; breakBefore: boolean }> = [];
  // TOKEN's own exec from the start (nothing here awaits, so no other call moves lastIndex); a
  // single space between tokens, by far the most common gap, needs no slice and no regex
  // (indexing runs this on every chunk).
  TOKEN.lastIndex = 0;
  let last = 0;
  for (let m = TOKEN.exec(s); m !== null; m = TOKEN.exec(s)) {
    const gap = m.index - last;
    const breakBefore = out.length === 0 || (gap === 1 && s.charCodeAt(last) === 32 ? false : PHRASE_BREAK.test(s.slice(last, m.index)));
    out.push({ token: m[0], breakBefore });
    last = m.index + m[0].length;
  }
  return out;
}

/** ASCII kebab-case of a Vietnamese text ("Đề án 06" → "de-an-06"), cut at a word boundary to `max` characters. */
export function slugify(text: string, max = Infinity): string {
  const slug = fold(text.normalize('NFC').toLowerCase())
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max + 1).lastIndexOf('-');
  return slug.slice(0, cut > 1 ? cut : max).replace(/-+$/, '');
}
