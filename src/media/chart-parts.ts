/**
 * @module media/chart-parts
 * What the charts (media/kpi-card, media/kpi-history, media/series-chart) share: the Chart
 * they return, the fixed 1080-px layout and text sizes, colours, the SVG document, text lines,
 * the status pill, value axes (round ticks, values written as kpi/render writes them), legends.
 *
 * Sizes are fixed in a 1080-px-wide coordinate space, the width a phone shows a chat image at,
 * with no text under 28 px there; the console scales the same SVG with CSS. Numbers and dates
 * are written the way the text replies write them (kpi/render), so a chart and the summary
 * beside it agree.
 */
import type { Locale } from '../core/types';
import type { Texts } from '../core/texts';
import type { KpiStatus } from '../kpi/status';
import { formatNumber } from '../kpi/render';
import type { KpiView } from '../kpi/service';
import type { KpiDefinition } from '../kpi/schema';
import { textWidth, fitText } from './font';
import { el, label, renderSvg, type SvgElement, type SvgNode, type TextMode } from './svg';

export interface ChartOptions {
  locale: Locale;
  texts: Texts;
  /** `outline` (default) for images, `native` for a browser page. */
  text?: TextMode;
}

export interface Chart {
  svg: string;
  /** Size in px at which the chart is laid out (and its PNG's natural size). */
  width: number;
  height: number;
}

export const CHART_WIDTH = 1080;
export const PAD = 48;
export const INK = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#d8dee4';
export const BACKGROUND = '#ffffff';
/** Height of the plot area of the history and per-day charts. */
export const PLOT_HEIGHT = 440;

export const STATUS_COLOURS: Record<KpiStatus, string> = {
  on_track: '#1a7f37',
  at_risk: '#9a6700',
  off_track: '#cf222e',
  no_target: '#0969da',
  no_data: '#6e7781',
};

/** Series colours of the console charts, told apart without relying on hue alone (and in print). */
export const SERIES_COLOURS = ['#0969da', '#bf8700', '#1a7f37', '#8250df', '#cf222e', '#57606a'];

/** Text sizes in px at CHART_WIDTH: the smallest, 28, is what a phone shows legibly. */
export const SIZE = { title: 40, heading: 36, name: 34, value: 56, body: 28 } as const;

export function doc(width: number, height: number, title: string, body: SvgNode[], mode: TextMode = 'outline'): Chart {
  const root = el(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title },
    el('title', {}, title),
    el('rect', { width, height, fill: BACKGROUND }),
    body,
  );
  return { svg: renderSvg(root, mode), width, height };
}

export function lines(texts: string[], x: number, y: number, lineHeight: number, style: Parameters<typeof label>[3]): SvgNode[] {
  return texts.map((t, i) => label(t, x, y + i * lineHeight, style));
}

/** A rounded label in the status colour; returns its nodes and width. */
export function pill(text: string, right: number, top: number, colour: string): { nodes: SvgNode[]; width: number } {
  const width = textWidth(text, SIZE.body, 'bold') + 32;
  const x = right - width;
  return {
    width,
    nodes: [
      el('rect', { x, y: top, width, height: 46, rx: 23, fill: colour }),
      label(text, x + width / 2, top + 33, { size: SIZE.body, weight: 'bold', anchor: 'middle', fill: '#ffffff' }),
    ],
  };
}

export function statusText(view: KpiView, opts: ChartOptions): string {
  return opts.texts.get(opts.locale, `kpi-status-${view.evaluation.status}`);
}

export function noData(opts: ChartOptions): string {
  const t = opts.texts.get(opts.locale, 'kpi-no-value');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** About `count` round-numbered ticks covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (max - min < 1e-9) {
    const half = Math.max(Math.abs(min) * 0.1, integer ? 1 : 0.5);
    min -= half;
    max += half;
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  let step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 1e6; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

export function axisValue(unit: KpiDefinition['unit'] | 'percent' | 'count', v: number, locale: Locale): string {
  return unit === 'percent' ? `${formatNumber(v, locale)}%` : formatNumber(v, locale);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Centred on x unless that would run past the plot's edges. */
export function anchorNear(x: number, width: number, left: number, right: number): 'start' | 'middle' | 'end' {
  if (x - width / 2 < left) return 'start';
  if (x + width / 2 > right) return 'end';
  return 'middle';
}

export function legendRow(items: Array<{ swatch: SvgElement; text: string }>, x0: number, y: number, width: number): { nodes: SvgNode[]; rows: number } {
  const nodes: SvgNode[] = [];
  let x = x0;
  let rows = 1;
  for (const item of items) {
    const w = 48 + 12 + textWidth(item.text, SIZE.body) + 36;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += 44;
      rows++;
    }
    nodes.push(el('g', { transform: `translate(${round2(x)} ${round2(y - 10)})` }, item.swatch));
    nodes.push(label(fitText(item.text, SIZE.body, width - 60), x + 60, y, { size: SIZE.body, fill: INK }));
    x += w;
  }
  return { nodes, rows };
}
