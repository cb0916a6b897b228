/**
 * @module media/font
 * Text for charts, pure: the chart font's glyph outlines (Be Vietnam Pro, OFL, cut down by
 * scripts/build-font.ts to what charts write), widths with kerning, fitting a text into a width
 * with an ellipsis, and wrapping it onto lines. Charts measure with this so that a long KPI
 * name never runs out of its card, and the PNG path draws text with these same outlines
 * (the WASM rasteriser has no text engine of its own).
 */
import fontJson from '../generated/chart-font.json';

export type FontWeight = 'regular' | 'bold';

export interface FontWeightData {
  /** Glyph id -> relative SVG path in font units, y up. */
  outlines: Record<string, string>;
  /** Character -> [advance, glyph id]; a space has no glyph id (nothing to draw). */
  chars: Record<string, number[]>;
  /** First character -> second character -> adjustment in font units. */
  kern: Record<string, Record<string, number>>;
}

export interface ChartFontData {
  version: 1;
  family: string;
  source: string;
  license: string;
  unitsPerEm: number;
  ascender: number;
  descender: number;
  weights: Record<FontWeight, FontWeightData>;
}

export const chartFont = fontJson as ChartFontData;

/** Drawn for a character the font subset lacks and that has no plain-letter fallback. */
export const REPLACEMENT_CHAR = '?';
const ELLIPSIS = '…';

/** One character placed on a line, in font units from the start of the text. */
interface PlacedGlyph {
  char: string;
  x: number;
}

interface TextLayout {
  glyphs: PlacedGlyph[];
  /** Advance width in font units. */
  width: number;
}

/**
 * The characters as drawn: NFC (so a decomposed "ạ" finds its glyph), white space as a
 * space, a letter outside the subset by its base letter (ñ -> n), anything else as "?".
 */
export function drawableChars(text: string, weight: FontWeight = 'regular'): string[] {
  const chars = chartFont.weights[weight].chars;
  const out: string[] = [];
  for (const ch of text.normalize('NFC')) {
    if (ch in chars) out.push(ch);
    else if (/\s/.test(ch)) out.push(' ');
    else if (/\p{M}/u.test(ch)) continue; // a stray combining mark: its base is already drawn
    else {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out.push(base.length === 1 && base in chars ? base : REPLACEMENT_CHAR);
    }
  }
  return out;
}

export function layoutText(text: string, weight: FontWeight = 'regular'): TextLayout {
  const data = chartFont.weights[weight];
  const glyphs: PlacedGlyph[] = [];
  let x = 0;
  let prev: string | null = null;
  for (const ch of drawableChars(text, weight)) {
    if (prev !== null) x += data.kern[prev]?.[ch] ?? 0;
    glyphs.push({ char: ch, x });
    x += data.chars[ch]![0]!;
    prev = ch;
  }
  return { glyphs, width: x };
}

/** Width in px of text at font size `size` px. */
export function textWidth(text: string, size: number, weight: FontWeight = 'regular'): number {
  return (layoutText(text, weight).width * size) / chartFont.unitsPerEm;
}

/** The text, or its longest start that fits with "…" after it. */
export function fitText(text: string, size: number, maxWidth: number, weight: FontWeight = 'regular'): string {
  if (textWidth(text, size, weight) <= maxWidth) return text;
  const chars = [...text.normalize('NFC')];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(chars.slice(0, mid).join('').trimEnd() + ELLIPSIS, size, weight) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

/**
 * Words onto at most `maxLines` lines of `maxWidth` px; what does not fit ends the last line
 * with "…". A single word wider than a line is cut there.
 */
export function wrapText(text: string, size: number, maxWidth: number, maxLines: number, weight: FontWeight = 'regular'): string[] {
  const words = text.normalize('NFC').split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  let start = 0; // the first word on the current line
  for (let i = 0; i < words.length; i++) {
    const next = line ? `${line} ${words[i]}` : words[i]!;
    if (!line || textWidth(next, size, weight) <= maxWidth) {
      line = next;
      continue;
    }
    if (lines.length === maxLines - 1) {
      lines.push(fitText(words.slice(start).join(' '), size, maxWidth, weight));
      return lines;
    }
    lines.push(fitText(line, size, maxWidth, weight));
    line = words[i]!;
    start = i;
  }
  if (line) lines.push(fitText(line, size, maxWidth, weight));
  return lines;
}
