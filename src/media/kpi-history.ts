/**
 * @module media/kpi-history
 * One KPI's history, pure SVG (chat image for /kpi <name>, and the console): values over time,
 * target line, deadline marker, and the status rule's projection to the deadline. The
 * projection drawn is status.ts's own (evaluation.projected), never recomputed. Layout,
 * colours and shared parts: media/chart-parts.
 */
import { formatDate } from '../core/texts';
import { dayNumber, fromDayNumber } from '../kpi/period';
import { asOfDate } from '../kpi/status';
import { formatValue, kpiName, targetText } from '../kpi/render';
import type { KpiView } from '../kpi/service';
import type { KpiDefinition } from '../kpi/schema';
import { textWidth, fitText, wrapText } from './font';
import { el, label, type Anchor, type SvgElement, type SvgNode } from './svg';
import {
  anchorNear,
  axisValue,
  BACKGROUND,
  CHART_WIDTH,
  doc,
  GRID,
  INK,
  legendRow,
  lines,
  MUTED,
  niceTicks,
  noData,
  PAD,
  pill,
  PLOT_HEIGHT,
  round2,
  SIZE,
  STATUS_COLOURS,
  statusText,
  type Chart,
  type ChartOptions,
} from './chart-parts';

/**
 * The range a KPI's values can take: a projection is a line and may run past it. Not
 * kpi/render's clampProjection: this range also bounds the axis ticks, and the drawn line must
 * end on the status rule's own line, where that one rounds a rank for the text reply.
 */
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
