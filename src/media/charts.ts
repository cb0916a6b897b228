/**
 * @module media/charts
 * The charts, pure, as SVG: the KPI card sent to chats (several KPIs: name, latest value
 * against target and deadline, status colour, a small trend line), one KPI's history (values,
 * target line, deadline, the status rule's projection to the deadline), and a generic per-day
 * chart for the operator console (questions by channel, answered share).
 *
 * Sizes are fixed in a 1080-px-wide coordinate space, the width a phone shows a chat image at,
 * with no text under 28 px there; the console scales the same SVG with CSS. Numbers and dates
 * are written the way the text replies write them (kpi/render), so the chart and the summary
 * beside it agree. The projection drawn is status.ts's own (evaluation.projected), never
 * recomputed.
 */
import type { Locale } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import { dayNumber, fromDayNumber, type IsoDate } from '../kpi/period';
import { asOfDate, type KpiStatus } from '../kpi/status';
import { asOfLabel, formatNumber, formatValue, kpiName, SPARK_POINTS, targetText } from '../kpi/render';
import type { KpiView } from '../kpi/service';
import type { KpiDefinition } from '../kpi/schema';
import { textWidth, fitText, wrapText } from './font';
import { el, label, renderSvg, type Anchor, type SvgElement, type SvgNode, type TextMode } from './svg';

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
const PAD = 48;
const INK = '#1f2328';
const MUTED = '#57606a';
const GRID = '#d8dee4';
const BACKGROUND = '#ffffff';

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
const SIZE = { title: 40, heading: 36, name: 34, value: 56, body: 28 } as const;

function doc(width: number, height: number, title: string, body: SvgNode[], mode: TextMode = 'outline'): Chart {
  const root = el(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title },
    el('title', {}, title),
    el('rect', { width, height, fill: BACKGROUND }),
    body,
  );
  return { svg: renderSvg(root, mode), width, height };
}

function lines(texts: string[], x: number, y: number, lineHeight: number, style: Parameters<typeof label>[3]): SvgNode[] {
  return texts.map((t, i) => label(t, x, y + i * lineHeight, style));
}

/** A rounded label in the status colour; returns its nodes and width. */
function pill(text: string, right: number, top: number, colour: string): { nodes: SvgNode[]; width: number } {
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

function statusText(view: KpiView, opts: ChartOptions): string {
  return opts.texts.get(opts.locale, `kpi-status-${view.evaluation.status}`);
}

function noData(opts: ChartOptions): string {
  const t = opts.texts.get(opts.locale, 'kpi-no-value');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** The range a KPI's values can take: a projection is a line and may run past it. */
function unitBounds(def: KpiDefinition): [number, number] {
  switch (def.unit) {
    case 'percent':
      return [0, 100];
    case 'rank':
      return [1, def.outOf ?? Number.POSITIVE_INFINITY];
    case 'points':
      return [0, def.outOf ?? Number.POSITIVE_INFINITY];
    case 'count':
      return [0, Number.POSITIVE_INFINITY];
  }
}

function clamp(v: number, [lo, hi]: [number, number]): number {
  return Math.min(hi, Math.max(lo, v));
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

function axisValue(unit: KpiDefinition['unit'] | 'percent' | 'count', v: number, locale: Locale): string {
  return unit === 'percent' ? `${formatNumber(v, locale)}%` : formatNumber(v, locale);
}

// ---------------------------------------------------------------------------------------------
// The KPI card (chat image)

export interface KpiCardOptions extends ChartOptions {
  /** Today in Asia/Ho_Chi_Minh (YYYY-MM-DD), for the default heading. */
  today: IsoDate;
  /** Defaults to the summary heading of the text reply ("… (đến 21/11/2026)"). */
  title?: string;
  /** KPIs drawn at most (the rest are counted in a footer line); default CARD_MAX_ITEMS. */
  maxItems?: number;
}

/**
 * Up to 3 KPIs are rows across the card; more are tiles two abreast, at most 6 in all. The
 * bound keeps the image about 1080 × 1200: a phone shows a taller chat photo shrunk (and
 * Telegram stores photos at most 2560 px long), and render time grows with the pixels.
 */
export const CARD_ROWS_UP_TO = 3;
export const CARD_MAX_ITEMS = 6;
const SPARK_WIDTH = 280;
const GAP = 24;

/** A compact card of several KPIs, legible on a phone at 1080 px wide. */
export function kpiCardSvg(views: KpiView[], opts: KpiCardOptions): Chart {
  const title = opts.title ?? opts.texts.get(opts.locale, 'kpi-summary-heading', { date: formatDate(opts.today) });
  const body: SvgNode[] = [];
  const titleLines = wrapText(title, SIZE.title, CHART_WIDTH - 2 * PAD, 2, 'bold');
  body.push(...lines(titleLines, PAD, PAD + 40, 52, { size: SIZE.title, weight: 'bold', fill: INK }));
  let y = PAD + 40 + (titleLines.length - 1) * 52 + 28;
  body.push(el('line', { x1: PAD, y1: y, x2: CHART_WIDTH - PAD, y2: y, stroke: GRID, 'stroke-width': 2 }));

  if (views.length === 0) {
    body.push(label(noData(opts), CHART_WIDTH / 2, y + 90, { size: SIZE.name, anchor: 'middle', fill: MUTED }));
    return doc(CHART_WIDTH, y + 90 + PAD + 20, title, body, opts.text);
  }

  const shown = views.slice(0, Math.max(1, opts.maxItems ?? CARD_MAX_ITEMS));
  let sparkShown = false;
  if (shown.length <= CARD_ROWS_UP_TO) {
    shown.forEach((view, i) => {
      const row = cardRow(view, y, opts);
      body.push(...row.nodes);
      sparkShown ||= row.spark;
      y += row.height;
      if (i < shown.length - 1) body.push(el('line', { x1: PAD + 32, y1: y, x2: CHART_WIDTH - PAD, y2: y, stroke: GRID, 'stroke-width': 2 }));
    });
  } else {
    const width = (CHART_WIDTH - 2 * PAD - GAP) / 2;
    y += GAP;
    for (let i = 0; i < shown.length; i += 2) {
      const pair = shown.slice(i, i + 2).map((view, j) => cardTile(view, PAD + j * (width + GAP), y, width, opts));
      const height = Math.max(...pair.map((t) => t.height));
      pair.forEach((t, j) => {
        body.push(el('rect', { x: PAD + j * (width + GAP), y, width, height, rx: 14, fill: '#f6f8fa' }), ...t.nodes);
        sparkShown ||= t.spark;
      });
      y += height + GAP;
    }
    y -= GAP;
  }
  const footer: string[] = [];
  if (views.length > shown.length) footer.push(opts.texts.get(opts.locale, 'chart-more', { n: views.length - shown.length }));
  if (sparkShown) footer.push(opts.texts.get(opts.locale, 'chart-spark-legend'));
  if (footer.length) {
    const legend = wrapText(footer.join(' '), SIZE.body, CHART_WIDTH - 2 * PAD, 3);
    body.push(...lines(legend, PAD, y + 44, 38, { size: SIZE.body, fill: MUTED }));
    y += 44 + (legend.length - 1) * 38;
  }
  return doc(CHART_WIDTH, Math.ceil(y + PAD), title, body, opts.text);
}

/** A KPI in a tile half the card wide: name, value with its trend beside it, status, period, target. */
function cardTile(view: KpiView, left: number, top: number, width: number, opts: ChartOptions): { nodes: SvgNode[]; height: number; spark: boolean } {
  const { locale, texts } = opts;
  const e = view.evaluation;
  const colour = STATUS_COLOURS[e.status];
  const x = left + 28;
  const inner = width - 28 - 16;
  const nodes: SvgNode[] = [];
  const nameLines = wrapText(kpiName(view.def, locale, true), SIZE.body + 2, inner, 2, 'bold');
  nodes.push(...lines(nameLines, x, top + 44, 38, { size: SIZE.body + 2, weight: 'bold', fill: INK }));
  let y = top + 44 + (nameLines.length - 1) * 38;
  let spark = false;
  if (view.latest && view.asOf) {
    // The value is never cut: the trend line takes what room is left beside it, or none.
    y += 62;
    const value = formatValue(view.def, view.latest.value, locale, texts);
    const valueWidth = textWidth(value, 48, 'bold');
    nodes.push(label(fitText(value, 48, inner, 'bold'), x, y, { size: 48, weight: 'bold', fill: INK }));
    const sparkW = Math.min(170, inner - valueWidth - 20);
    const values = view.history.slice(-SPARK_POINTS).map((o) => o.value);
    if (sparkW >= 90 && values.length > 0) {
      nodes.push(...sparkline(values, e.target, view.def.direction, { x: left + width - 16 - sparkW, y: y - 50, w: sparkW, h: 62 }, colour, '#ffffff'));
      spark = true;
    }
  }
  y += 44;
  nodes.push(label(fitText(statusText(view, opts), SIZE.body, inner, 'bold'), x, y, { size: SIZE.body, weight: 'bold', fill: colour }));
  if (view.latest && view.asOf) {
    y += 40;
    const when = asOfLabel(view.latest, view.asOf, locale, texts) + (e.stale ? ` · ${texts.get(locale, 'chart-stale')}` : '');
    nodes.push(label(fitText(when, SIZE.body, inner), x, y, { size: SIZE.body, fill: e.stale ? STATUS_COLOURS.off_track : MUTED }));
  }
  const target = wrapText(targetText(view, locale, texts), SIZE.body, inner, 2);
  nodes.push(...lines(target, x, y + 40, 38, { size: SIZE.body, fill: MUTED }));
  y += 40 + (target.length - 1) * 38;
  const height = y - top + 28;
  nodes.unshift(el('rect', { x: left, y: top + 12, width: 10, height: height - 24, rx: 5, fill: colour }));
  return { nodes, height, spark };
}

function cardRow(view: KpiView, top: number, opts: ChartOptions): { nodes: SvgNode[]; height: number; spark: boolean } {
  const { locale, texts } = opts;
  const e = view.evaluation;
  const colour = STATUS_COLOURS[e.status];
  const right = CHART_WIDTH - PAD;
  const textX = PAD + 32;
  const nodes: SvgNode[] = [];

  const status = pill(statusText(view, opts), right, top + 22, colour);
  nodes.push(...status.nodes);
  const nameLines = wrapText(kpiName(view.def, locale, true), SIZE.name, right - status.width - 24 - textX, 2, 'bold');
  nodes.push(...lines(nameLines, textX, top + 58, 42, { size: SIZE.name, weight: 'bold', fill: INK }));
  const nameBottom = top + 58 + (nameLines.length - 1) * 42;

  const valueY = nameBottom + 72;
  const sparkX = right - SPARK_WIDTH;
  const textRight = sparkX - 24;
  let below = valueY; // the last line under the name so far
  if (view.latest && view.asOf) {
    const value = formatValue(view.def, view.latest.value, locale, texts);
    const valueWidth = Math.min(textWidth(value, SIZE.value, 'bold'), textRight - textX);
    nodes.push(label(fitText(value, SIZE.value, textRight - textX, 'bold'), textX, valueY, { size: SIZE.value, weight: 'bold', fill: INK }));
    const asOf = asOfLabel(view.latest, view.asOf, locale, texts);
    const when = e.stale ? `${asOf} · ${texts.get(locale, 'chart-stale')}` : asOf;
    const style = { size: SIZE.body, fill: e.stale ? STATUS_COLOURS.off_track : MUTED };
    // Beside the value when it fits there, else on a line of its own.
    const whenX = textX + valueWidth + 16;
    if (textWidth(when, SIZE.body) <= textRight - whenX) nodes.push(label(when, whenX, valueY, style));
    else {
      below += 44;
      nodes.push(label(fitText(when, SIZE.body, textRight - textX), textX, below, style));
    }
  } else {
    nodes.push(label(noData(opts), textX, valueY, { size: SIZE.name, fill: MUTED }));
  }
  const targetY = below + 48;
  nodes.push(label(fitText(targetText(view, locale, texts), SIZE.body, textRight - textX), textX, targetY, { size: SIZE.body, fill: MUTED }));

  const values = view.history.slice(-SPARK_POINTS).map((o) => o.value);
  const spark = values.length > 0;
  if (spark) nodes.push(...sparkline(values, e.target, view.def.direction, { x: sparkX, y: nameBottom + 22, w: SPARK_WIDTH, h: targetY - nameBottom - 22 }, colour));

  const height = targetY - top + 30;
  nodes.unshift(el('rect', { x: PAD, y: top + 16, width: 10, height: height - 32, rx: 5, fill: colour }));
  return { nodes, height, spark };
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The last values as a line (taller is better: turned over when lower is better), target dashed. */
function sparkline(values: number[], target: number | null, direction: 'up' | 'down', box: Box, colour: string, background = '#f6f8fa'): SvgNode[] {
  const all = target === null ? values : [...values, target];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const inset = 8;
  const yOf = (v: number) => {
    const share = (v - lo) / (hi - lo);
    const good = direction === 'up' ? share : 1 - share;
    return box.y + inset + (1 - good) * (box.h - 2 * inset);
  };
  const xOf = (i: number) => (values.length === 1 ? box.x + box.w - inset : box.x + inset + (i * (box.w - 2 * inset)) / (values.length - 1));
  const nodes: SvgNode[] = [el('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 10, fill: background })];
  if (target !== null) {
    const ty = yOf(target);
    nodes.push(el('line', { x1: box.x + 4, y1: ty, x2: box.x + box.w - 4, y2: ty, stroke: INK, 'stroke-width': 3, 'stroke-dasharray': '10 8' }));
  }
  if (values.length > 1) {
    const points = values.map((v, i) => `${round2(xOf(i))},${round2(yOf(v))}`).join(' ');
    nodes.push(el('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 6, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
  }
  const last = values.length - 1;
  nodes.push(el('circle', { cx: xOf(last), cy: yOf(values[last]!), r: 9, fill: colour }));
  return nodes;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

// ---------------------------------------------------------------------------------------------
// One KPI's history (chat image for /kpi <name>, and the console)

const PLOT_HEIGHT = 440;

/** History of one KPI: values over time, target line, deadline marker and projection to it. */
export function kpiHistorySvg(view: KpiView, opts: ChartOptions): Chart {
  const { locale, texts } = opts;
  const { def, evaluation: e } = view;
  const colour = STATUS_COLOURS[e.status];
  const title = kpiName(def, locale);
  const body: SvgNode[] = [];

  const titleLines = wrapText(title, SIZE.heading, CHART_WIDTH - 2 * PAD, 2, 'bold');
  body.push(...lines(titleLines, PAD, PAD + 36, 46, { size: SIZE.heading, weight: 'bold', fill: INK }));
  const subTop = PAD + 36 + (titleLines.length - 1) * 46 + 20;
  const status = pill(statusText(view, opts), CHART_WIDTH - PAD, subTop, colour);
  body.push(...status.nodes);
  const sub = fitText(targetText(view, locale, texts), SIZE.body, CHART_WIDTH - 2 * PAD - status.width - 24);
  body.push(label(sub, PAD, subTop + 33, { size: SIZE.body, fill: MUTED }));

  const plotTop = subTop + 46 + 64;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const points = view.history.map((o) => ({ day: dayNumber(asOfDate(o.period, o.recordedAt)), value: o.value }));
  if (points.length === 0) {
    body.push(el('rect', { x: PAD, y: plotTop, width: CHART_WIDTH - 2 * PAD, height: PLOT_HEIGHT, rx: 12, fill: '#f6f8fa' }));
    body.push(label(noData(opts), CHART_WIDTH / 2, plotTop + PLOT_HEIGHT / 2 + 12, { size: SIZE.name, anchor: 'middle', fill: MUTED }));
    return doc(CHART_WIDTH, plotBottom + PAD, title, body, opts.text);
  }

  const bounds = unitBounds(def);
  const latest = points[points.length - 1]!;
  const deadlineDay = e.target !== null && e.deadline ? dayNumber(e.deadline) : null;
  const projected = e.projected !== null && deadlineDay !== null ? e.projected : null;

  // Time runs from the first value to the deadline (or the last value, when later).
  let d0 = points[0]!.day;
  let d1 = Math.max(latest.day, deadlineDay ?? latest.day);
  if (d1 - d0 < 30) {
    const mid = (d0 + d1) / 2;
    d0 = mid - 15;
    d1 = mid + 15;
  }
  const padDays = (d1 - d0) * 0.04;
  d0 -= padDays;
  d1 += padDays;

  const shown = [...points.map((p) => p.value), ...(e.target !== null ? [e.target] : []), ...(projected !== null ? [clamp(projected, bounds)] : [])];
  const integer = def.unit === 'rank' || def.unit === 'count';
  const ticks = niceTicks(Math.min(...shown), Math.max(...shown), 5, integer).filter((t) => t >= bounds[0] && t <= bounds[1]);
  const lo = Math.min(ticks[0] ?? bounds[0], ...shown);
  const hi = Math.max(ticks[ticks.length - 1] ?? bounds[1], ...shown);
  const span = hi - lo || 1;

  const tickLabels = ticks.map((t) => axisValue(def.unit, t, locale));
  const plotLeft = PAD + Math.max(0, ...tickLabels.map((t) => textWidth(t, SIZE.body))) + 16;
  const plotRight = CHART_WIDTH - PAD - 8;
  const xOf = (day: number) => plotLeft + ((day - d0) / (d1 - d0)) * (plotRight - plotLeft);
  // Better is up: when lower is better (ranks), the axis is turned over.
  const yOf = (v: number) => {
    const share = (v - lo) / span;
    return def.direction === 'up' ? plotBottom - share * PLOT_HEIGHT : plotTop + share * PLOT_HEIGHT;
  };

  ticks.forEach((t, i) => {
    const y = yOf(t);
    body.push(el('line', { x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: GRID, 'stroke-width': 2 }));
    body.push(label(tickLabels[i]!, plotLeft - 14, y + 10, { size: SIZE.body, anchor: 'end', fill: MUTED }));
  });
  body.push(el('line', { x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, stroke: MUTED, 'stroke-width': 2 }));
  body.push(...timeLabels(d0, d1, xOf, plotBottom + 44, plotLeft, plotRight));

  // Lines first, labels last (on top), each label where it overlaps no other.
  const placer = new LabelPlacer({ x0: PAD, y0: plotTop - 60, x1: CHART_WIDTH - PAD, y1: plotBottom });
  const labels: SvgNode[] = [];
  const legend: Array<{ swatch: SvgElement; text: string }> = [
    { swatch: el('line', { x1: 0, y1: 0, x2: 48, y2: 0, stroke: INK, 'stroke-width': 5 }), text: texts.get(locale, 'chart-legend-values') },
  ];
  if (deadlineDay !== null && e.deadline) {
    const dx = xOf(deadlineDay);
    body.push(el('line', { x1: dx, y1: plotTop - 8, x2: dx, y2: plotBottom, stroke: MUTED, 'stroke-width': 3, 'stroke-dasharray': '6 8', class: 'deadline' }));
    const text = texts.get(locale, 'chart-deadline', { date: formatDate(e.deadline) });
    labels.push(...placer.place(text, [[dx, plotTop - 20, 'middle']], MUTED));
  }
  if (e.target !== null) {
    const ty = yOf(e.target);
    body.push(el('line', { x1: plotLeft, y1: ty, x2: plotRight, y2: ty, stroke: INK, 'stroke-width': 3, 'stroke-dasharray': '14 10', class: 'target' }));
    legend.push({ swatch: el('line', { x1: 0, y1: 0, x2: 48, y2: 0, stroke: INK, 'stroke-width': 3, 'stroke-dasharray': '14 10' }), text: texts.get(locale, 'chart-legend-target') });
  }
  let projectionLabel: { text: string; x: number; y: number } | null = null;
  if (projected !== null && deadlineDay !== null) {
    // status.ts's projection, drawn as far as the unit allows (a share stops at 100%).
    const end = clamp(projected, bounds);
    const t = projected === latest.value ? 1 : (end - latest.value) / (projected - latest.value);
    const endDay = latest.day + t * (deadlineDay - latest.day);
    body.push(el('line', { x1: xOf(latest.day), y1: yOf(latest.value), x2: xOf(endDay), y2: yOf(end), stroke: colour, 'stroke-width': 5, 'stroke-dasharray': '4 10', 'stroke-linecap': 'round', class: 'projection' }));
    body.push(el('circle', { cx: xOf(endDay), cy: yOf(end), r: 9, fill: BACKGROUND, stroke: colour, 'stroke-width': 4 }));
    projectionLabel = { text: texts.get(locale, 'chart-projection', { value: formatValue(def, end, locale, texts) }), x: xOf(endDay), y: yOf(end) };
    legend.push({ swatch: el('line', { x1: 0, y1: 0, x2: 48, y2: 0, stroke: colour, 'stroke-width': 5, 'stroke-dasharray': '4 10', 'stroke-linecap': 'round' }), text: texts.get(locale, 'chart-legend-projection') });
  }

  const path = points.map((p) => `${round2(xOf(p.day))},${round2(yOf(p.value))}`).join(' ');
  if (points.length > 1) body.push(el('polyline', { points: path, fill: 'none', stroke: INK, 'stroke-width': 5, 'stroke-linejoin': 'round', class: 'values' }));
  for (const p of points) body.push(el('circle', { cx: xOf(p.day), cy: yOf(p.value), r: 8, fill: INK }));

  const lx = xOf(latest.day);
  const ly = yOf(latest.value);
  labels.push(...placer.place(formatValue(def, latest.value, locale, texts), around(lx, ly), INK));
  if (projectionLabel) labels.push(...placer.place(projectionLabel.text, around(projectionLabel.x, projectionLabel.y), colour));
  if (e.target !== null) {
    const ty = yOf(e.target);
    const text = texts.get(locale, 'chart-target', { value: formatValue(def, e.target, locale, texts) });
    labels.push(...placer.place(text, [[plotLeft + 12, ty - 12, 'start'], [plotLeft + 12, ty + 40, 'start'], [plotRight - 12, ty - 12, 'end'], [plotRight - 12, ty + 40, 'end']], INK));
  }
  body.push(...labels);

  const legendY = plotBottom + 44 + 56;
  const legendNodes = legendRow(legend, PAD, legendY, CHART_WIDTH - 2 * PAD);
  body.push(...legendNodes.nodes);
  return doc(CHART_WIDTH, legendY + (legendNodes.rows - 1) * 44 + PAD, title, body, opts.text);
}

type Spot = [x: number, baseline: number, anchor: Anchor];

/** Where a label may go around a point: above, below, right, left. */
function around(x: number, y: number): Spot[] {
  return [
    [x, y - 22, 'middle'],
    [x, y + 48, 'middle'],
    [x + 20, y + 10, 'start'],
    [x - 20, y + 10, 'end'],
  ];
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Places bold labels one by one at the first of their spots that stays inside the area and
 * overlaps no label placed before (the first spot when none does), each on a white band so
 * that grid and dashed lines under it do not cut through the letters.
 */
class LabelPlacer {
  private readonly taken: Rect[] = [];
  constructor(private readonly area: Rect) {}

  place(text: string, spots: Spot[], fill: string): SvgNode[] {
    const width = textWidth(text, SIZE.body, 'bold');
    const boxes = spots.map(([x, y, anchor]) => {
      const x0 = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
      return { x0: x0 - 6, y0: y - SIZE.body, x1: x0 + width + 6, y1: y + 10 };
    });
    const fits = (b: Rect) => b.x0 >= this.area.x0 && b.x1 <= this.area.x1 && b.y0 >= this.area.y0 && b.y1 <= this.area.y1 + 60;
    const free = (b: Rect) => this.taken.every((t) => b.x1 <= t.x0 || b.x0 >= t.x1 || b.y1 <= t.y0 || b.y0 >= t.y1);
    let i = boxes.findIndex((b) => fits(b) && free(b));
    if (i < 0) i = Math.max(0, boxes.findIndex(fits));
    const b = boxes[i]!;
    // A spot pushed against an edge keeps the label whole inside the area.
    const shift = b.x0 < this.area.x0 ? this.area.x0 - b.x0 : b.x1 > this.area.x1 ? this.area.x1 - b.x1 : 0;
    const box = { ...b, x0: b.x0 + shift, x1: b.x1 + shift };
    this.taken.push(box);
    const [x, y, anchor] = spots[i]!;
    return [
      el('rect', { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, rx: 6, fill: BACKGROUND, 'fill-opacity': 0.85 }),
      label(text, x + shift, y, { size: SIZE.body, weight: 'bold', anchor, fill }),
    ];
  }
}

/** Centred on x unless that would run past the plot's edges. */
function anchorNear(x: number, width: number, left: number, right: number): 'start' | 'middle' | 'end' {
  if (x - width / 2 < left) return 'start';
  if (x + width / 2 > right) return 'end';
  return 'middle';
}

function legendRow(items: Array<{ swatch: SvgElement; text: string }>, x0: number, y: number, width: number): { nodes: SvgNode[]; rows: number } {
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

/** Dates under the time axis: years, months or days, whichever gives at most six labels. */
function timeLabels(d0: number, d1: number, xOf: (day: number) => number, y: number, left: number, right: number): SvgNode[] {
  const span = d1 - d0;
  const marks: Array<{ day: number; text: string }> = [];
  const first = fromDayNumber(Math.ceil(d0));
  let year = +first.slice(0, 4);
  let month = +first.slice(5, 7);
  if (span > 3 * 366) {
    const step = Math.ceil(span / 365 / 6);
    for (let yr = year + 1; ; yr += step) {
      const day = dayNumber(`${yr}-01-01`);
      if (day > d1) break;
      marks.push({ day, text: String(yr) });
    }
  } else if (span > 75) {
    const step = [1, 2, 3, 6, 12].find((s) => span / 30.4 / s <= 6) ?? 12;
    for (;;) {
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
      if ((month - 1) % step !== 0) continue;
      const day = dayNumber(`${year}-${String(month).padStart(2, '0')}-01`);
      if (day > d1) break;
      marks.push({ day, text: `${month}/${year}` });
    }
  } else {
    const step = [1, 2, 7, 14].find((s) => span / s <= 6) ?? 14;
    for (let day = Math.ceil(d0); day <= d1; day += step) {
      const iso = fromDayNumber(day);
      marks.push({ day, text: `${+iso.slice(8, 10)}/${+iso.slice(5, 7)}` });
    }
  }
  return marks.map((m) => {
    const x = xOf(m.day);
    return label(m.text, x, y, { size: SIZE.body, anchor: anchorNear(x, textWidth(m.text, SIZE.body), left, right), fill: MUTED });
  });
}

// ---------------------------------------------------------------------------------------------
// Per-day series (console)

export interface Series {
  name: string;
  /** One per day; null where there is no value (a gap in a line, nothing in a bar). */
  values: Array<number | null>;
  colour?: string;
}

export interface SeriesChartInput {
  title: string;
  /** The days, oldest first (YYYY-MM-DD), shown as d/m. */
  days: IsoDate[];
  series: Series[];
  unit: 'count' | 'percent';
  /** `bar`: the series stacked per day (questions by channel); `line`: one line each (a share). */
  kind: 'line' | 'bar';
}

/** A per-day chart over a few weeks: stacked bars or lines, with a legend of the series names. */
export function seriesChartSvg(input: SeriesChartInput, opts: ChartOptions): Chart {
  for (const s of input.series) {
    if (s.values.length !== input.days.length) throw new RangeError(`series "${s.name}" has ${s.values.length} values for ${input.days.length} days`);
  }
  const { locale } = opts;
  const body: SvgNode[] = [];
  const titleLines = wrapText(input.title, SIZE.heading, CHART_WIDTH - 2 * PAD, 2, 'bold');
  body.push(...lines(titleLines, PAD, PAD + 36, 46, { size: SIZE.heading, weight: 'bold', fill: INK }));
  let top = PAD + 36 + (titleLines.length - 1) * 46 + 28;

  const colours = input.series.map((s, i) => s.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length]!);
  const legend = legendRow(
    input.series.map((s, i) => ({ swatch: el('rect', { x: 0, y: -14, width: 40, height: 28, rx: 6, fill: colours[i]! }), text: s.name })),
    PAD,
    top + 34,
    CHART_WIDTH - 2 * PAD,
  );
  if (input.series.length > 0) {
    body.push(...legend.nodes);
    top += 34 + (legend.rows - 1) * 44 + 40;
  }

  const plotTop = top + 16;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const height = plotBottom + 44 + PAD;
  const hasData = input.days.length > 0 && input.series.some((s) => s.values.some((v) => v !== null && Number.isFinite(v)));
  if (!hasData) {
    body.push(el('rect', { x: PAD, y: plotTop, width: CHART_WIDTH - 2 * PAD, height: PLOT_HEIGHT, rx: 12, fill: '#f6f8fa' }));
    body.push(label(noData(opts), CHART_WIDTH / 2, plotTop + PLOT_HEIGHT / 2 + 12, { size: SIZE.name, anchor: 'middle', fill: MUTED }));
    return doc(CHART_WIDTH, height, input.title, body, opts.text);
  }

  const value = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
  const n = input.days.length;
  const totals = input.days.map((_, d) => input.series.reduce((sum, s) => sum + Math.max(0, value(s.values[d]!) ?? 0), 0));
  const maxShown =
    input.kind === 'bar' ? Math.max(...totals) : Math.max(...input.series.flatMap((s) => s.values.map((v) => value(v) ?? 0)));
  const ticks = input.unit === 'percent' ? [0, 25, 50, 75, 100] : niceTicks(0, Math.max(maxShown, 1), 5, true).filter((t) => t >= 0);
  const hi = input.unit === 'percent' ? 100 : Math.max(ticks[ticks.length - 1]!, maxShown);
  const tickLabels = ticks.map((t) => axisValue(input.unit, t, locale));
  const plotLeft = PAD + Math.max(0, ...tickLabels.map((t) => textWidth(t, SIZE.body))) + 16;
  const plotRight = CHART_WIDTH - PAD - 8;
  const step = (plotRight - plotLeft) / n;
  const xOf = (d: number) => plotLeft + step * (d + 0.5);
  const yOf = (v: number) => plotBottom - (Math.min(v, hi) / hi) * PLOT_HEIGHT;

  ticks.forEach((t, i) => {
    body.push(el('line', { x1: plotLeft, y1: yOf(t), x2: plotRight, y2: yOf(t), stroke: GRID, 'stroke-width': 2 }));
    body.push(label(tickLabels[i]!, plotLeft - 14, yOf(t) + 10, { size: SIZE.body, anchor: 'end', fill: MUTED }));
  });

  if (input.kind === 'bar') {
    const barWidth = Math.max(2, step * 0.7);
    for (let d = 0; d < n; d++) {
      let base = 0;
      input.series.forEach((s, i) => {
        const v = Math.max(0, value(s.values[d]!) ?? 0);
        if (v === 0) return;
        body.push(el('rect', { x: xOf(d) - barWidth / 2, y: yOf(base + v), width: barWidth, height: yOf(base) - yOf(base + v), fill: colours[i]! }));
        base += v;
      });
    }
  } else {
    input.series.forEach((s, i) => {
      // A gap (null) breaks the line rather than drawing it through zero.
      let run: string[] = [];
      const flush = () => {
        if (run.length > 1) body.push(el('polyline', { points: run.join(' '), fill: 'none', stroke: colours[i]!, 'stroke-width': 5, 'stroke-linejoin': 'round' }));
        run = [];
      };
      s.values.forEach((raw, d) => {
        const v = value(raw);
        if (v === null) return flush();
        run.push(`${round2(xOf(d))},${round2(yOf(v))}`);
        body.push(el('circle', { cx: xOf(d), cy: yOf(v), r: 5, fill: colours[i]! }));
      });
      flush();
    });
  }
  body.push(el('line', { x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, stroke: MUTED, 'stroke-width': 2 }));

  const every = Math.max(1, Math.ceil(n / 7));
  for (let d = n - 1; d >= 0; d -= every) {
    const iso = input.days[d]!;
    const text = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${+iso.slice(8, 10)}/${+iso.slice(5, 7)}` : iso;
    const x = xOf(d);
    body.push(label(text, x, plotBottom + 44, { size: SIZE.body, anchor: anchorNear(x, textWidth(text, SIZE.body), plotLeft, CHART_WIDTH - PAD), fill: MUTED }));
  }
  return doc(CHART_WIDTH, height, input.title, body, opts.text);
}

