/**
 * @module media/svg
 * A tiny SVG builder, pure: elements as plain objects, text labels placed by baseline, and one
 * serialiser that escapes every text and attribute value (names from data such as
 * `<script>` or `A & B` come out as text, never as markup).
 *
 * Text is written one of two ways: `outline` draws each character with the chart font's glyph
 * outlines (src/media/font.ts), defined once in <defs> and placed with <use>, so the PNG
 * rasteriser needs no font and the image looks the same everywhere; `native` writes <text>
 * for a browser that has its own fonts (smaller, selectable).
 */
import { chartFont, layoutText, type FontWeight } from './font';

type AttrValue = string | number | null | undefined | false;
type Attrs = Record<string, AttrValue>;

export interface SvgElement {
  kind: 'element';
  tag: string;
  attrs: Attrs;
  children: SvgNode[];
}

export type Anchor = 'start' | 'middle' | 'end';

/** One line of text; (x, y) is where its baseline starts, is centred or ends (by anchor). */
interface SvgLabel {
  kind: 'label';
  text: string;
  x: number;
  y: number;
  size: number;
  weight: FontWeight;
  anchor: Anchor;
  fill: string;
}

/** A string child is text content (escaped when written). */
export type SvgNode = SvgElement | SvgLabel | string;
type Child = SvgNode | SvgNode[] | null | undefined | false;

export type TextMode = 'outline' | 'native';

const FONT_FAMILY = `'${chartFont.family}', 'Segoe UI', Roboto, Arial, sans-serif`;

const NAME = /^[A-Za-z][\w:-]*$/;

export function el(tag: string, attrs: Attrs = {}, ...children: Child[]): SvgElement {
  if (!NAME.test(tag)) throw new Error(`bad SVG tag name: ${tag}`);
  const flat: SvgNode[] = [];
  for (const c of children) {
    if (Array.isArray(c)) flat.push(...c);
    else if (c !== null && c !== undefined && c !== false) flat.push(c);
  }
  return { kind: 'element', tag, attrs, children: flat };
}

export function label(
  text: string,
  x: number,
  y: number,
  style: { size: number; weight?: FontWeight; anchor?: Anchor; fill?: string },
): SvgLabel {
  return {
    kind: 'label',
    text,
    x,
    y,
    size: style.size,
    weight: style.weight ?? 'regular',
    anchor: style.anchor ?? 'start',
    fill: style.fill ?? '#000',
  };
}

/**
 * XML text or attribute value: the five markup characters as entities, and the characters XML
 * 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF) dropped, since a single one
 * makes the whole document unreadable.
 */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** A coordinate with at most two decimals; NaN or Infinity is a bug in the chart, not data to draw. */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite coordinate: ${n}`);
  return String(Math.round(n * 100) / 100);
}

function attrsText(attrs: Attrs): string {
  let s = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (!NAME.test(name)) throw new Error(`bad SVG attribute name: ${name}`);
    s += ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return s;
}

const WEIGHT_PREFIX: Record<FontWeight, string> = { regular: 'r', bold: 'b' };

/** Serialises a document whose root is <svg>; glyphs used by outlined labels go into its <defs>. */
export function renderSvg(root: SvgElement, mode: TextMode = 'outline'): string {
  if (root.tag !== 'svg') throw new Error('the root element must be <svg>');
  const used = new Map<string, string>();
  const body = root.children.map((c) => write(c, mode, used)).join('');
  const defs = [...used.entries()].map(([id, d]) => `<path id="${id}" d="${d}"/>`).join('');
  const attrs = attrsText({ xmlns: 'http://www.w3.org/2000/svg', ...root.attrs });
  return `<svg${attrs}>${defs ? `<defs>${defs}</defs>` : ''}${body}</svg>`;
}

function write(node: SvgNode, mode: TextMode, used: Map<string, string>): string {
  if (typeof node === 'string') return escapeXml(node);
  if (node.kind === 'label') return mode === 'outline' ? outlined(node, used) : native(node);
  const inner = node.children.map((c) => write(c, mode, used)).join('');
  return inner ? `<${node.tag}${attrsText(node.attrs)}>${inner}</${node.tag}>` : `<${node.tag}${attrsText(node.attrs)}/>`;
}

function anchoredX(l: SvgLabel, width: number): number {
  return l.anchor === 'middle' ? l.x - width / 2 : l.anchor === 'end' ? l.x - width : l.x;
}

function outlined(l: SvgLabel, used: Map<string, string>): string {
  const data = chartFont.weights[l.weight];
  const layout = layoutText(l.text, l.weight);
  const k = l.size / chartFont.unitsPerEm;
  const x = anchoredX(l, layout.width * k);
  let uses = '';
  for (const g of layout.glyphs) {
    const glyph = data.chars[g.char]![1];
    if (glyph === undefined) continue;
    const id = WEIGHT_PREFIX[l.weight] + glyph;
    if (!used.has(id)) used.set(id, data.outlines[glyph]!);
    uses += `<use href="#${id}" x="${g.x}"/>`;
  }
  // Font units have y up: one transform flips and scales the whole line.
  return uses
    ? `<g fill="${escapeXml(l.fill)}" transform="translate(${num(x)} ${num(l.y)}) scale(${k.toPrecision(6)} ${(-k).toPrecision(6)})">${uses}</g>`
    : '';
}

function native(l: SvgLabel): string {
  const attrs = attrsText({
    x: l.x,
    y: l.y,
    'font-family': FONT_FAMILY,
    'font-size': l.size,
    'font-weight': l.weight === 'bold' ? 700 : null,
    'text-anchor': l.anchor === 'start' ? null : l.anchor,
    fill: l.fill,
  });
  return `<text${attrs}>${escapeXml(l.text.normalize('NFC'))}</text>`;
}
