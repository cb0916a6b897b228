/**
 * @module kpi/render
 * KPIs into Replies, pure: the one-line summary (status mark, name, latest value and as-of
 * date, target and deadline, sparkline), the detail view (status with its reason, trend,
 * history with sources, formula, points), and the off-track alert. Numbers and dates are
 * written the Vietnamese way for `vi`; every sentence comes from prompts/<locale>/kpi.json.
 * Every target and value shown is followed by the number of its source ("[1]"), and the
 * Reply cites those sources in that order (see SourceRefs).
 */
import type { Block, Button, Citation, Locale, Reply } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import { fnv1a } from '../text/hash';
import { vnDay } from '../core/vn-time';
import { parsePeriod } from './period';
import type { KpiDefinition, Observation, SourceRef } from './schema';
import type { KpiStatus } from './status';
import type { KpiView } from './service';

const BARS = '▁▂▃▄▅▆▇█';
/** Periods shown in a sparkline, and history lines shown in the detail view. */
export const SPARK_POINTS = 8;
const HISTORY_LINES = 12;

const STATUS_MARKS: Record<KpiStatus, string> = {
  on_track: '🟢',
  at_risk: '🟡',
  off_track: '🔴',
  no_target: '🔵',
  no_data: '⚪',
};
const STALE_MARK = '⚪';

/** Status mark, with ⚪ added when the latest value is stale (⚪ alone: no data). */
function statusMark(view: Pick<KpiView, 'evaluation'>): string {
  const e = view.evaluation;
  return STATUS_MARKS[e.status] + (e.stale && e.status !== 'no_data' ? STALE_MARK : '');
}

/**
 * ▁▂▃▄▅▆▇█ scaled between the lowest and highest value; for KPIs where lower is better
 * (ranks) the scale is turned over, so a taller bar always means better.
 */
export function sparkline(values: number[], direction: 'up' | 'down' = 'up'): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) return BARS[3]!.repeat(values.length);
  return values
    .map((v) => {
      const share = (v - min) / (max - min);
      const good = direction === 'up' ? share : 1 - share;
      return BARS[Math.round(good * (BARS.length - 1))]!;
    })
    .join('');
}

/** 85.52 -> "85,52" (vi) or "85.52" (en); 1711 -> "1.711" (vi) or "1,711" (en); at most 2 decimals. */
export function formatNumber(n: number, locale: Locale): string {
  const rounded = Math.round(n * 100) / 100;
  const [int, frac] = Math.abs(rounded).toFixed(2).replace(/0+$/, '').replace(/\.$/, '').split('.');
  const group = locale === 'vi' ? '.' : ',';
  const decimal = locale === 'vi' ? ',' : '.';
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${rounded < 0 ? '-' : ''}${grouped}${frac ? decimal + frac : ''}`;
}

export function formatValue(def: KpiDefinition, value: number, locale: Locale, texts: Texts): string {
  const n = formatNumber(value, locale);
  switch (def.unit) {
    case 'percent':
      return `${n}%`;
    case 'rank':
      return texts.get(locale, 'kpi-rank-value', { value: n, outOf: def.outOf ?? '?' });
    case 'points':
      return def.outOf !== undefined
        ? texts.get(locale, 'kpi-points-value', { value: n, outOf: formatNumber(def.outOf, locale) })
        : texts.get(locale, 'kpi-points-plain', { value: n });
    case 'count':
      return n;
  }
}

function periodLabel(period: string, locale: Locale, texts: Texts): string {
  const p = parsePeriod(period);
  if (!p) return period;
  const y = period.slice(0, 4);
  switch (p.kind) {
    case 'year':
      return texts.get(locale, 'kpi-period-year', { y });
    case 'quarter':
      return texts.get(locale, 'kpi-period-quarter', { y, q: period.slice(6) });
    case 'month':
      return texts.get(locale, 'kpi-period-month', { y, m: +period.slice(5, 7) });
    case 'week':
      return texts.get(locale, 'kpi-period-week', { y, w: +period.slice(6) });
    case 'day':
      return formatDate(period);
  }
}

/** "năm 2022", or "tháng 11/2026, đến 21/11/2026" for a period still running when recorded. */
export function asOfLabel(obs: Observation, asOf: string, locale: Locale, texts: Texts): string {
  const label = periodLabel(obs.period, locale, texts);
  const end = parsePeriod(obs.period)?.end;
  return end && asOf < end ? texts.get(locale, 'kpi-as-of-partial', { period: label, date: formatDate(asOf) }) : label;
}

function targetValueText(def: KpiDefinition, target: number, locale: Locale, texts: Texts): string {
  if (def.unit === 'rank') return texts.get(locale, 'kpi-target-rank', { value: formatNumber(target, locale) });
  const value = formatValue(def, target, locale, texts);
  return texts.get(locale, def.direction === 'up' ? 'kpi-target-up' : 'kpi-target-down', { value });
}

/** "mục tiêu ≥ 50%, hạn 31/12/2026" for the target the status is judged against; "hạn 31/12/2023 (đã qua)" once past. */
export function targetText(view: Pick<KpiView, 'def' | 'evaluation'>, locale: Locale, texts: Texts): string {
  const { target, deadline, deadlinePassed } = view.evaluation;
  if (target === null) return texts.get(locale, 'kpi-no-target');
  const t = targetValueText(view.def, target, locale, texts);
  return deadline
    ? texts.get(locale, deadlinePassed ? 'kpi-target-by-past' : 'kpi-target-by', { target: t, date: formatDate(deadline) })
    : texts.get(locale, 'kpi-target-open', { target: t });
}

export function kpiName(def: KpiDefinition, locale: Locale, short = false): string {
  if (short) return locale === 'en' ? def.shortEn : def.short;
  return locale === 'en' ? def.nameEn : def.name;
}

/**
 * The sources one answer refers to, numbered in the order they are first referred to. A source
 * referred to again keeps its number, so an article behind several KPIs is cited once.
 */
export class SourceRefs {
  readonly citations: Citation[] = [];
  private readonly numbers = new Map<string, number>();

  constructor(
    private readonly locale: Locale,
    private readonly texts: Texts,
  ) {}

  /** " [n]" after what a definition (its target, its points rule) states. */
  definition(source: SourceRef, fallbackId: string): string {
    const c = citationOf(source, fallbackId);
    return this.mark(c, ['def', c.title, c.source, c.date, c.url ?? ''].join('\n'));
  }

  /**
   * " [n]" after a value: cited as who published it, how it reached us and when it was
   * recorded. Values from one publisher are one source (dated by the first value referred to).
   */
  value(o: Observation): string {
    const c: Citation = {
      id: `kpi-value-${fnv1a(`${o.source}\n${o.url ?? ''}`)}`,
      title: o.source,
      source: this.texts.get(this.locale, `kpi-value-origin-${o.origin}`),
      date: recordedDate(o),
      ...(o.url ? { url: o.url } : {}),
    };
    return this.mark(c, ['value', o.origin, o.source, o.url ?? ''].join('\n'));
  }

  private mark(c: Citation, key: string): string {
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = this.citations.push(c);
      this.numbers.set(key, n);
    }
    return ` [${n}]`;
  }
}

/** The target's source mark, when the line states a target. */
function targetRef(view: Pick<KpiView, 'def' | 'evaluation'>, refs: SourceRefs): string {
  return view.evaluation.target === null ? '' : refs.definition(view.def.source, `kpi-${view.def.id}`);
}

/** One summary line: mark, short name, latest value (as of), target and deadline, sparkline; each with its source's number. */
export function summaryLine(view: KpiView, locale: Locale, texts: Texts, refs: SourceRefs): string {
  const name = kpiName(view.def, locale, true);
  const value =
    view.latest && view.asOf
      ? `${formatValue(view.def, view.latest.value, locale, texts)} (${asOfLabel(view.latest, view.asOf, locale, texts)})${refs.value(view.latest)}`
      : texts.get(locale, 'kpi-no-value');
  const parts = [`${statusMark(view)} ${name}: ${value}`, targetText(view, locale, texts) + targetRef(view, refs)];
  const spark = sparkline(view.history.slice(-SPARK_POINTS).map((o) => o.value), view.def.direction);
  if (view.history.length > 1) parts.push(spark);
  return parts.join(' · ');
}

interface SummaryOptions {
  heading: string;
  /** Extra lines under the list (hidden internal KPIs, how to see more). */
  footer: string[];
}

export function summaryReply(views: KpiView[], locale: Locale, texts: Texts, opts: SummaryOptions): Reply {
  const refs = new SourceRefs(locale, texts);
  const blocks: Block[] = [{ type: 'heading', text: opts.heading }];
  if (views.length === 0) blocks.push({ type: 'text', text: texts.get(locale, 'kpi-summary-empty') });
  else blocks.push({ type: 'list', items: views.map((v) => summaryLine(v, locale, texts, refs)) });
  blocks.push({ type: 'text', text: [texts.get(locale, 'kpi-legend'), ...opts.footer].join('\n') });
  return { intent: 'kpi', blocks, citations: refs.citations, found: views.length > 0 };
}

function reasonText(view: KpiView, locale: Locale, texts: Texts): string {
  const e = view.evaluation;
  return texts.get(locale, `kpi-reason-${e.reason}`, {
    deadline: e.deadline ? formatDate(e.deadline) : '',
    projected: e.projected !== null ? formatValue(view.def, clampProjection(view.def, e.projected), locale, texts) : '',
  });
}

/** A projection is a line, not a value: keep it inside what the unit allows before showing it. */
function clampProjection(def: KpiDefinition, v: number): number {
  const lo = def.unit === 'rank' ? 1 : 0;
  const hi = def.unit === 'percent' ? 100 : (def.outOf ?? Number.POSITIVE_INFINITY);
  const clamped = Math.min(hi, Math.max(lo, v));
  return def.unit === 'rank' ? Math.round(clamped) : clamped;
}

function sourceText(s: SourceRef): string {
  return [s.publisher, s.title, s.date ? formatDate(s.date) : ''].filter(Boolean).join(', ');
}

function citationOf(s: SourceRef, fallbackId: string): Citation {
  return { id: s.docId ?? fallbackId, title: s.title, source: s.publisher, date: s.date ?? '', ...(s.url ? { url: s.url } : {}) };
}

export function detailReply(view: KpiView, locale: Locale, texts: Texts): Reply {
  const { def, evaluation: e } = view;
  const refs = new SourceRefs(locale, texts);
  const defRef = () => refs.definition(def.source, `kpi-${def.id}`);
  const lines: string[] = [];
  if (view.latest && view.asOf) {
    const latest = texts.get(locale, 'kpi-detail-latest', {
      value: formatValue(def, view.latest.value, locale, texts),
      asOf: asOfLabel(view.latest, view.asOf, locale, texts),
    });
    lines.push(latest + refs.value(view.latest));
  }
  const note = def.deadlineNote ? ` (${def.deadlineNote.replace(/\.$/, '')})` : '';
  lines.push(texts.get(locale, 'kpi-detail-target', { target: capitalise(targetText(view, locale, texts)) + note }) + targetRef(view, refs));
  const later = def.milestones.filter((m) => m.deadline > (e.deadline ?? ''));
  if (later.length) {
    const list = later
      .map((m) => texts.get(locale, 'kpi-target-by', { target: targetValueText(def, m.target, locale, texts), date: formatDate(m.deadline) }))
      .join('; ');
    lines.push(texts.get(locale, 'kpi-detail-milestones', { list }) + defRef());
  }
  lines.push(
    texts.get(locale, 'kpi-detail-status', {
      mark: STATUS_MARKS[e.status],
      status: texts.get(locale, `kpi-status-${e.status}`),
      reason: reasonText(view, locale, texts),
    }),
  );
  if (e.trend) {
    const spark = sparkline(view.history.slice(-SPARK_POINTS).map((o) => o.value), def.direction);
    lines.push(texts.get(locale, 'kpi-detail-trend', { trend: texts.get(locale, `kpi-trend-${e.trend}`), spark }));
  }
  if (e.stale && view.asOf) {
    lines.push(texts.get(locale, 'kpi-detail-stale', { date: formatDate(view.asOf), days: e.ageDays ?? 0, limit: e.staleAfterDays }));
  }
  const blocks: Block[] = [
    { type: 'heading', text: kpiName(def, locale) },
    { type: 'text', text: lines.join('\n') },
  ];
  if (view.history.length) {
    const shown = view.history.slice(-HISTORY_LINES).reverse();
    const items = shown.map((o) => historyItem(def, o, locale, texts) + refs.value(o));
    if (view.history.length > shown.length) items.push(texts.get(locale, 'kpi-history-more', { n: view.history.length - shown.length }));
    blocks.push({ type: 'heading', text: texts.get(locale, 'kpi-detail-history') }, { type: 'list', items });
  }
  const about: string[] = [];
  if (def.formula) about.push(texts.get(locale, 'kpi-detail-formula', { formula: def.formula }));
  if (def.fullScore) {
    about.push(texts.get(locale, 'kpi-detail-fullscore', { rule: def.fullScore.rule }) + refs.definition(def.fullScore.source, `kpi-${def.id}-points`));
  }
  if (def.notes.length) about.push(texts.get(locale, 'kpi-detail-notes', { notes: def.notes.join(' ') }));
  about.push(texts.get(locale, 'kpi-detail-source', { source: sourceText(def.source) }) + defRef());
  blocks.push({ type: 'text', text: about.join('\n') });
  return { intent: 'kpi', blocks, citations: refs.citations, found: true };
}

/** The day a value was recorded: a bundled value carries its source's date, a stored one an instant. */
function recordedDate(o: Observation): string {
  return o.recordedAt.length > 10 ? vnDay(new Date(o.recordedAt)) : o.recordedAt;
}

function historyItem(def: KpiDefinition, o: Observation, locale: Locale, texts: Texts): string {
  const recorded = formatDate(recordedDate(o));
  const item = texts.get(locale, 'kpi-history-item', {
    period: periodLabel(o.period, locale, texts),
    value: formatValue(def, o.value, locale, texts),
    source: o.url ? `${o.source} ${o.url}` : o.source,
    recorded,
  });
  return o.note ? `${item}. ${o.note}` : item;
}

/** The message an official gets once when a KPI turns off track. */
export function alertReply(view: KpiView, locale: Locale, texts: Texts): Reply {
  const refs = new SourceRefs(locale, texts);
  const value =
    view.latest && view.asOf ? formatValue(view.def, view.latest.value, locale, texts) : texts.get(locale, 'kpi-no-value');
  const asOf = view.latest && view.asOf ? asOfLabel(view.latest, view.asOf, locale, texts) : '';
  const valueRef = view.latest ? refs.value(view.latest) : '';
  const buttons: Button[][] = [[{ label: texts.get(locale, 'kpi-button-detail'), action: `/kpi ${view.def.id}` }]];
  return {
    intent: 'kpi-alert',
    blocks: [
      { type: 'heading', text: texts.get(locale, 'kpi-alert-heading') },
      {
        type: 'text',
        text: texts.get(locale, 'kpi-alert-body', {
          name: kpiName(view.def, locale),
          value,
          asOf,
          valueRef,
          target: targetText(view, locale, texts),
          targetRef: targetRef(view, refs),
          reason: capitalise(reasonText(view, locale, texts)),
        }),
      },
    ],
    citations: refs.citations,
    buttons,
    found: true,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A KPI's name without the place tag of its short form ("Chỉ số chuyển đổi số DTI (BD)" → "Chỉ số chuyển đổi số DTI"). */
export function kpiBareName(def: KpiDefinition, locale: Locale): string {
  return kpiName(def, locale, true).replace(/\s*\([^()]*\)$/, '');
}

/** "năm 2020", "giai đoạn 2021–2025": how an asked span of years is named. */
export function yearsLabel(from: number, to: number, locale: Locale, texts: Texts): string {
  return from === to ? texts.get(locale, 'kpi-period-year', { y: from }) : texts.get(locale, 'kpi-period-span', { from, to });
}

/** What a question for given years finds for one KPI: the values of each asked span, in order. */
export interface AskedValues {
  def: KpiDefinition;
  slots: Array<{ label: string; values: Observation[] }>;
}

/**
 * The values asked for, each with its source's number; a span without a value says so. Found
 * only when some value was there (the caller answers "no value" otherwise).
 */
export function askedValuesReply(found: AskedValues[], locale: Locale, texts: Texts): Reply {
  const refs = new SourceRefs(locale, texts);
  const items: string[] = [];
  for (const { def, slots } of found) {
    for (const { label, values } of slots) {
      const name = kpiName(def, locale);
      if (values.length === 0) items.push(texts.get(locale, 'kpi-asked-missing', { name, period: label }));
      for (const o of values) {
        const value = formatValue(def, o.value, locale, texts);
        items.push(texts.get(locale, 'kpi-asked-value', { name, period: periodLabel(o.period, locale, texts), value }) + refs.value(o));
      }
    }
  }
  return { intent: 'kpi', blocks: [{ type: 'list', items }], citations: refs.citations, found: true };
}

/** The plain "no value for that place and year": nothing cited; the latest values only as related reading. */
export function noValueReply(text: string, related: Observation[], locale: Locale, texts: Texts): Reply {
  const refs = new SourceRefs(locale, texts);
  for (const o of related) refs.value(o);
  return {
    intent: 'kpi',
    blocks: [{ type: 'text', text }],
    citations: [],
    found: false,
    ...(refs.citations.length ? { related: refs.citations } : {}),
  };
}
