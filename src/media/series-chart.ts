/**
 * @module media/series-chart
 * A generic per-day chart for the operator console, pure SVG: stacked bars (questions by
 * channel) or lines (answered share), with a legend of the series names. Layout, colours and
 * shared parts: media/chart-parts.
 */
import type { IsoDate } from '../kpi/period';
import { textWidth, wrapText } from './font';
import { el, label, type SvgNode } from './svg';
import {
  anchorNear,
  axisValue,
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
  PLOT_HEIGHT,
  round2,
  SERIES_COLOURS,
  SIZE,
  type Chart,
  type ChartOptions,
} from './chart-parts';

export interface Series {
  name: string;
  /** One per day; null where there is no value (a gap in a line, nothing in a bar). */
  values: Array<number | null>;
  colour?: string;
}

interface SeriesChartInput {
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
