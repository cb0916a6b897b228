/**
 * @module media/kpi-card
 * The KPI card sent to chats, pure SVG: several KPIs, each with its name, latest value against
 * target and deadline, status colour and a small trend line (the last SPARK_POINTS values, as
 * the text reply's sparkline). Layout, colours and shared parts: media/chart-parts.
 */
import { formatDate } from '../core/texts';
import type { IsoDate } from '../kpi/period';
import { asOfLabel, formatValue, kpiName, SPARK_POINTS, targetText } from '../kpi/render';
import type { KpiView } from '../kpi/service';
import { textWidth, fitText, wrapText } from './font';
import { el, label, type SvgNode } from './svg';
import { CHART_WIDTH, doc, GRID, INK, lines, MUTED, noData, PAD, pill, round2, SIZE, STATUS_COLOURS, statusText, type Chart, type ChartOptions } from './chart-parts';

interface KpiCardOptions extends ChartOptions {
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
const CARD_ROWS_UP_TO = 3;
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
