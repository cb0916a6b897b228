/**
 * @module scripts/build-font
 * Builds src/generated/chart-font.json, the glyph outlines the charts draw their text with:
 * Be Vietnam Pro (SIL OFL 1.1, from @expo-google-fonts/be-vietnam-pro, which ships the full
 * TTFs) cut down to the characters charts need (ASCII, every Vietnamese letter with every tone
 * mark, a little typographic punctuation), regular and bold.
 *
 * Why outlines and not a TTF subset: the WASM rasteriser that fits the Worker size budget
 * (@resvg/resvg-wasm 2.4.1, 528 KB gzipped) has no text engine; 2.5+ has one but weighs
 * 950 KB gzipped. So text is laid out in JS (src/media/font.ts) and drawn as paths, which
 * also gives exact widths for fitting names into a card.
 *
 * Size: coordinates are rounded to font units (1/1000 em: 0.05 px at 48 px) and written as
 * relative SVG path commands; 43 KB gzipped for both weights. Kerning pairs come from shaping
 * each pair with HarfBuzz.
 *
 * Usage: npm run build:font [-- --check]   (--check fails when the committed file is stale)
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hb from 'harfbuzzjs';
import { writeGenerated } from './lib/generated';
import type { ChartFontData, FontWeightData } from '../src/media/font';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fontDir = join(root, 'node_modules/@expo-google-fonts/be-vietnam-pro');
const out = join(root, 'src/generated/chart-font.json');
const licenseOut = join(root, 'src/generated/chart-font.LICENSE.txt');

const WEIGHTS = { regular: '400Regular', bold: '700Bold' } as const;

/**
 * What charts write: printable ASCII, every Vietnamese vowel with each tone mark (both cases),
 * đ/Đ, and the punctuation the texts use (en and em dash, ellipsis, middle dot, ≥ ≤, quotes).
 * Anything else is drawn as its base letter (ñ as n) or as "?" (see src/media/font.ts).
 */
export const CHART_CHARSET: string[] = (() => {
  const set = new Set<string>();
  for (let c = 0x20; c < 0x7f; c++) set.add(String.fromCharCode(c));
  const vowels = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];
  const tones = ['', '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
  for (const v of vowels) {
    for (const t of tones) {
      const ch = (v + t).normalize('NFC');
      set.add(ch);
      set.add(ch.toUpperCase());
    }
  }
  for (const ch of 'đĐ–—…·•≥≤±×‘’“”°\u00a0') set.add(ch);
  return [...set];
})();

/** Pairs whose kerning is smaller than this (font units) are left out: under 0.4 px at 28 px. */
const MIN_KERN = 14;

/** HarfBuzz's absolute path ("M1,2L3,4Q5,6 7,8Z") as rounded relative commands ("m1 2l2 2q2 2 4 4z"). */
export function compactPath(d: string): string {
  let out = '';
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  for (const m of d.matchAll(/([MLQCZ])([^MLQCZ]*)/g)) {
    const cmd = m[1]!;
    if (cmd === 'Z') {
      out += 'z';
      cx = sx;
      cy = sy;
      continue;
    }
    // Rounded before differencing, so the rounding errors do not add up along a contour.
    const nums = m[2]!.split(/[\s,]+/).filter(Boolean).map((n) => Math.round(Number(n)));
    const per = cmd === 'Q' ? 4 : cmd === 'C' ? 6 : 2;
    const rel: number[] = [];
    for (let i = 0; i + per <= nums.length; i += per) {
      // Every point of a relative segment is measured from where that segment starts.
      for (let j = 0; j < per; j += 2) rel.push(nums[i + j]! - cx, nums[i + j + 1]! - cy);
      cx = nums[i + per - 2]!;
      cy = nums[i + per - 1]!;
      if (cmd === 'M' && i === 0) {
        sx = cx;
        sy = cy;
      }
    }
    out += cmd.toLowerCase() + joinNumbers(rel);
  }
  return out;
}

/** Numbers with the fewest separators SVG allows: a minus sign separates on its own. */
function joinNumbers(nums: number[]): string {
  let s = '';
  nums.forEach((n, i) => {
    s += i === 0 || n < 0 ? String(n) : ` ${n}`;
  });
  return s;
}

function buildWeight(file: string): { data: FontWeightData; upem: number; ascender: number; descender: number } {
  const ttf = new Uint8Array(readFileSync(join(fontDir, file, `BeVietnamPro_${file}.ttf`)));
  const face = new hb.Face(new hb.Blob(ttf), 0);
  const font = new hb.Font(face);
  const outlines: Record<string, string> = {};
  const chars: Record<string, number[]> = {};
  const missing: string[] = [];
  for (const ch of CHART_CHARSET) {
    const g = font.nominalGlyph(ch.codePointAt(0)!);
    if (g === undefined || g === 0) {
      missing.push(ch);
      continue;
    }
    const d = compactPath(font.glyphToPath(g));
    if (d) outlines[g] = d;
    chars[ch] = d ? [font.glyphHAdvance(g), g] : [font.glyphHAdvance(g)];
  }
  if (missing.length) throw new Error(`${file}: the font lacks ${missing.map((c) => `U+${c.codePointAt(0)!.toString(16)}`).join(' ')}`);

  // Kerning, from HarfBuzz shaping each pair: the shift of the second glyph against plain advances.
  const kern: Record<string, Record<string, number>> = {};
  const list = Object.keys(chars);
  for (const a of list) {
    for (const b of list) {
      const buffer = new hb.Buffer();
      buffer.addText(a + b);
      buffer.guessSegmentProperties();
      hb.shape(font, buffer);
      const shaped = buffer.getGlyphInfosAndPositions();
      if (shaped.length !== 2) continue;
      const k = shaped[0]!.xAdvance! - font.glyphHAdvance(shaped[0]!.codepoint) + (shaped[1]!.xOffset ?? 0);
      if (Math.abs(k) >= MIN_KERN) (kern[a] ??= {})[b] = k;
    }
  }
  const extents = font.hExtents();
  const sortedOutlines = Object.fromEntries(Object.entries(outlines).sort((x, y) => Number(x[0]) - Number(y[0])));
  return {
    data: { outlines: sortedOutlines, chars, kern },
    upem: face.upem,
    ascender: extents.ascender,
    descender: extents.descender,
  };
}

export function buildFont(): string {
  const regular = buildWeight(WEIGHTS.regular);
  const bold = buildWeight(WEIGHTS.bold);
  const pkg = JSON.parse(readFileSync(join(fontDir, 'package.json'), 'utf8')) as { version: string };
  const data: ChartFontData = {
    version: 1,
    family: 'Be Vietnam Pro',
    source: `@expo-google-fonts/be-vietnam-pro@${pkg.version}`,
    license: 'SIL Open Font License 1.1: see chart-font.LICENSE.txt',
    unitsPerEm: regular.upem,
    ascender: regular.ascender,
    descender: regular.descender,
    weights: { regular: regular.data, bold: bold.data },
  };
  return JSON.stringify(data) + '\n';
}

export function fontLicense(): string {
  return readFileSync(join(fontDir, 'LICENSE_FONT'), 'utf8');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const command = 'npm run build:font';
  const a = writeGenerated(out, buildFont(), { check, command });
  const b = writeGenerated(licenseOut, fontLicense(), { check, command });
  process.exitCode = a || b;
}
