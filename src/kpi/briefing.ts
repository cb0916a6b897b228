/**
 * @module kpi/briefing
 * The weekly KPI briefing for officials, the domain half: who subscribed (`/kpi baocao`), which
 * week an instant belongs to, what changed in the week before it (new values, status changes,
 * targets due within 90 days that are at risk or off track), written as one Reply with every
 * line sourced, and the eraser for /xoadulieu. The scheduled run (jobs/briefing) sends it.
 */
import type { Store } from '../store/store';
import type { ChannelName, Locale, Recipient, Reply } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import { addDays, daySpan, dayStart, vnDay } from '../core/vn-time';
import { subscriptionEraser } from './erase';
import { asOfLabel, formatValue, kpiName, SourceRefs, targetText } from './render';
import { asOfDate } from './status';
import { kpiView, SubscriberSchema, subscriberField, type KpiView, type Subscriber } from './service';
import type { Observation } from './schema';

export const BRIEFING_SUBSCRIBERS_KEY = 'kpi:briefing:subscribers';
/** Claims "this chat got this week's briefing": `kpi:briefed:<week>:<channel>:<chatId>`. */
export const BRIEFING_CLAIM_PREFIX = 'kpi:briefed:';
/** A target whose deadline is this close and that is not on track is named in the briefing. */
export const DEADLINE_WINDOW_DAYS = 90;
const WEEK_MS = 7 * 86_400_000;
/** Lines per section at most: a briefing is read on a phone; the card and /kpi show the rest. */
const MAX_LINES_PER_SECTION = 12;

export function briefingClaimKey(week: string, to: Pick<Recipient, 'channel' | 'chatId'>): string {
  return `${BRIEFING_CLAIM_PREFIX}${week}:${subscriberField(to.channel, to.chatId)}`;
}

/** The ISO week (Monday first) of an instant's Vietnamese day, e.g. "2026-W48". */
export function isoWeek(at: Date): string {
  const day = vnDay(at);
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The week belongs to the year of its Thursday.
  const thursday = new Date(d.getTime() + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const dayOfYear = daySpan(`${year}-01-01`, thursday.toISOString().slice(0, 10));
  const week = Math.floor((dayOfYear - 1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Chats that asked for the weekly briefing; the same record shape as the alert subscribers. */
export class BriefingSubscriptions {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  /** False when the chat was already subscribed (its record is refreshed). */
  async subscribe(to: Recipient, userId: string): Promise<boolean> {
    const field = subscriberField(to.channel, to.chatId);
    const existed = field in (await this.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY));
    const sub: Subscriber = { channel: to.channel, chatId: to.chatId, locale: to.locale, userId, since: this.now().toISOString() };
    await this.store.hashSet(BRIEFING_SUBSCRIBERS_KEY, { [field]: JSON.stringify(sub) });
    return !existed;
  }

  /** True when the chat was subscribed. */
  async unsubscribe(channel: ChannelName, chatId: string): Promise<boolean> {
    return (await this.store.hashDel(BRIEFING_SUBSCRIBERS_KEY, subscriberField(channel, chatId))) > 0;
  }

  /** Every readable subscription, in a stable order (a corrupt record is skipped, not fatal). */
  async list(): Promise<Subscriber[]> {
    const all = await this.store.hashGetAll(BRIEFING_SUBSCRIBERS_KEY);
    return Object.keys(all)
      .sort()
      .flatMap((f) => {
        try {
          const parsed = SubscriberSchema.safeParse(JSON.parse(all[f]!));
          return parsed.success ? [parsed.data] : [];
        } catch {
          return [];
        }
      });
  }
}

/**
 * /xoadulieu: the person's briefing subscriptions (their chat's, and any they made elsewhere on
 * the channel, which hold their user id) and the "already sent" claims of those chats.
 */
export const briefingEraser = subscriptionEraser('kpi-briefing', BRIEFING_SUBSCRIBERS_KEY, BRIEFING_CLAIM_PREFIX);

/** When a value reached us: a stored one at its instant, a bundled one at the start of its source's day. */
function recordedInstant(o: Observation): number {
  return o.recordedAt.length > 10 ? Date.parse(o.recordedAt) : dayStart(o.recordedAt).getTime();
}

/** One KPI over the week: now, and as it stood a week earlier with what was known then. */
export interface WeekChange {
  now: KpiView;
  before: KpiView;
  /** Values recorded in the week, oldest first. */
  added: Observation[];
}

/** What changed for each KPI in the 7 days before `at` (pure; `now` views are taken at `at`). */
export function weekChanges(views: KpiView[], at: Date): WeekChange[] {
  const from = at.getTime() - WEEK_MS;
  return views.map((now) => {
    const known = now.history.filter((o) => recordedInstant(o) <= from);
    const added = now.history.filter((o) => {
      const t = recordedInstant(o);
      return t > from && t <= at.getTime();
    });
    return { now, before: kpiView(now.def, known, new Date(from)), added };
  });
}

/** A status a reader can act on: judged against a target, not stale, not on track. */
function needsAttention(v: KpiView): boolean {
  const s = v.evaluation.status;
  return (s === 'at_risk' || s === 'off_track') && !v.evaluation.stale;
}

interface BriefingOptions {
  locale: Locale;
  texts: Texts;
  at: Date;
}

export interface Briefing {
  reply: Reply;
  /** The KPIs the briefing names, in the order named (the card draws these). */
  named: KpiView[];
}

/**
 * The briefing text: new values, status changes and near deadlines, each line followed by its
 * sources' numbers; a quiet week says so. The caller adds the chart card of `named`.
 */
export function briefingReply(changes: WeekChange[], opts: BriefingOptions): Briefing {
  const { locale, texts: t } = opts;
  const today = vnDay(opts.at);
  const weekFrom = vnDay(new Date(opts.at.getTime() - WEEK_MS));
  const refs = new SourceRefs(locale, t);
  const named = new Map<string, KpiView>();
  const name = (v: KpiView) => {
    named.set(v.def.id, v);
    return kpiName(v.def, locale, true);
  };
  const targetRef = (v: KpiView) => (v.evaluation.target === null ? '' : refs.definition(v.def.source, `kpi-${v.def.id}`));
  const valueOf = (v: KpiView, o: Observation) =>
    `${formatValue(v.def, o.value, locale, t)} (${asOfLabel(o, asOfDate(o.period, o.recordedAt), locale, t)})${refs.value(o)}`;
  const latestOf = (v: KpiView) => (v.latest ? valueOf(v, v.latest) : t.get(locale, 'kpi-no-value'));
  const status = (v: KpiView) => t.get(locale, `kpi-status-${v.evaluation.status}`);

  const added: string[] = [];
  const turned: string[] = [];
  const due: string[] = [];
  for (const c of changes) {
    const v = c.now;
    if (c.added.length) {
      const values = c.added.slice(-3).map((o) => valueOf(v, o)).join('; ');
      added.push(t.get(locale, 'kpi-briefing-new-value', { name: name(v), values }));
    }
    if (c.before.evaluation.status !== v.evaluation.status && v.evaluation.status !== 'no_data') {
      turned.push(
        t.get(locale, 'kpi-briefing-status-change', {
          name: name(v),
          from: t.get(locale, `kpi-status-${c.before.evaluation.status}`),
          to: status(v),
          value: latestOf(v),
          target: targetText(v, locale, t) + targetRef(v),
        }),
      );
    }
    const deadline = v.evaluation.deadline;
    if (deadline && deadline >= today && deadline <= addDays(today, DEADLINE_WINDOW_DAYS) && needsAttention(v)) {
      due.push(
        t.get(locale, 'kpi-briefing-due', {
          name: name(v),
          status: status(v),
          days: daySpan(today, deadline) - 1,
          value: latestOf(v),
          target: targetText(v, locale, t) + targetRef(v),
        }),
      );
    }
  }

  const blocks: Reply['blocks'] = [
    { type: 'heading', text: t.get(locale, 'kpi-briefing-heading', { from: formatDate(weekFrom), to: formatDate(today) }) },
  ];
  const section = (key: string, items: string[]) => {
    if (items.length === 0) return;
    const shown = items.slice(0, MAX_LINES_PER_SECTION);
    if (items.length > shown.length) shown.push(t.get(locale, 'kpi-briefing-more', { n: items.length - shown.length }));
    blocks.push({ type: 'heading', text: t.get(locale, key) }, { type: 'list', items: shown });
  };
  section('kpi-briefing-new-values', added);
  section('kpi-briefing-status-changes', turned);
  section('kpi-briefing-due-soon', due);
  if (added.length + turned.length + due.length === 0) blocks.push({ type: 'text', text: t.get(locale, 'kpi-briefing-quiet') });
  blocks.push({ type: 'text', text: t.get(locale, 'kpi-briefing-footer') });
  const reply: Reply = {
    intent: 'kpi-briefing',
    blocks,
    citations: refs.citations,
    buttons: [[{ label: t.get(locale, 'kpi-briefing-button-all'), action: '/kpi' }]],
    found: true,
  };
  return { reply, named: [...named.values()] };
}
