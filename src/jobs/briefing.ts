/**
 * @module jobs/briefing
 * The weekly KPI briefing: on Monday from 08:00 Asia/Ho_Chi_Minh each subscribed official gets
 * one message with one image (the card of the KPIs it names) saying what changed in the week.
 * The job is in the daily list; on other days it only counts its subscribers.
 *
 * Exactly once per subscriber and ISO week, also across overlapping or repeated runs: a claim
 * (SET NX) per (week, chat) is taken before sending, as "pending" for a week (longer than the
 * window, so a lost "sent" write can never become a second send; the price: a run that dies
 * after claiming leaves that chat without this week's briefing); after a successful send it is
 * rewritten as "sent" for two weeks. The week's briefing is due from Monday 08:00 to the end of
 * that ISO week, so a failed send that may pass releases the claim and the next daily run (on
 * Tuesday, …) retries it; a permanent one (bot blocked, chat gone) unsubscribes the chat. Who
 * subscribed after the week's Monday waits for next Monday (no mid-week first briefing).
 * Who is no longer an official is unsubscribed rather than briefed.
 */
import type { JobContext } from './job';
import type { CountingJob } from './history';
import type { ChannelName, Outbound, ReplyImage, Role, SendResult } from '../core/types';
import { hasRole } from '../core/roles';
import { formatDate, type Texts } from '../core/texts';
import { addDays, vnDay, vnMinuteOfDay, vnWeekday } from '../core/vn-time';
import { describeError } from '../log';
import { canSee } from '../kpi/definitions';
import { recipientOf, type KpiService, type KpiView, type Subscriber } from '../kpi/service';
import { briefingClaimKey, briefingReply, isoWeek, weekChanges, type BriefingSubscriptions } from '../kpi/briefing';
import { kpiCardSvg } from '../media/kpi-card';

export const BRIEFING_JOB_ID = 'kpi-briefing';
/** Monday from 08:00 local; a timer may fire a little early, hence the slack. */
const MONDAY = 1;
const DUE_FROM_MINUTES = 8 * 60 - 5;
/** At least the whole window (a week): a claim never lapses while its week can still be sent. */
const PENDING_TTL_SECONDS = 8 * 86_400;
const SENT_TTL_SECONDS = 14 * 86_400;

export interface BriefingCounts extends Record<string, number> {
  /** 1 when the run fell in the briefing window (Monday 08:00 to Sunday), else 0 and nothing is sent. */
  due: number;
  subscribers: number;
  sent: number;
  /** Already briefed this week (by this or an overlapping run). */
  skipped: number;
  /** Subscribed after this week's Monday: briefed from next Monday. */
  waiting: number;
  /** Sends that failed for a reason that may pass (retried by a later run this week). */
  failed: number;
  /** Unsubscribed: no longer an official, or the chat cannot be reached. */
  dropped: number;
  /** Subscribers whose processing hit a store error. */
  errors: number;
}

export interface BriefingJobDeps {
  kpi: KpiService;
  subscriptions: BriefingSubscriptions;
  outbound: Outbound;
  texts: Texts;
  /** The subscriber's role now; absent: every subscriber is taken as an official (tests). */
  roleOf?: (channel: ChannelName, userId: string) => Promise<Role>;
}

/**
 * Whether the week's briefing is due at `at`: from Monday 08:00 in Vietnam to the end of that
 * ISO week (Sunday), so a send that failed on Monday is retried by the next daily run.
 */
export function briefingDue(at: Date): boolean {
  return vnWeekday(at) !== MONDAY || vnMinuteOfDay(at) >= DUE_FROM_MINUTES;
}

/** The Monday (YYYY-MM-DD) of `at`'s ISO week in Vietnam. */
function weekMonday(at: Date): string {
  return addDays(vnDay(at), -((vnWeekday(at) + 6) % 7));
}

/** Subscribed after the Monday of the week: its first briefing is next Monday's, not a mid-week one. */
function subscribedMidWeek(sub: Subscriber, monday: string): boolean {
  const since = Date.parse(sub.since);
  return Number.isFinite(since) && vnDay(new Date(since)) > monday;
}

export function kpiBriefingJob(deps: BriefingJobDeps): CountingJob<BriefingCounts> {
  return { id: BRIEFING_JOB_ID, run: (ctx) => runBriefing(deps, ctx) };
}

async function runBriefing(deps: BriefingJobDeps, ctx: JobContext): Promise<BriefingCounts> {
  const subs = await deps.subscriptions.list();
  const counts: BriefingCounts = { due: 0, subscribers: subs.length, sent: 0, skipped: 0, waiting: 0, failed: 0, dropped: 0, errors: 0 };
  if (!briefingDue(ctx.at) || subs.length === 0) return counts;
  counts.due = 1;
  const week = isoWeek(ctx.at);
  const monday = weekMonday(ctx.at);
  const runId = crypto.randomUUID().slice(0, 8);
  // Officials and admins see the same KPIs (all of them, in a private chat): read them once.
  let views: Promise<KpiView[]> | undefined;
  for (const sub of subs) {
    if (subscribedMidWeek(sub, monday)) {
      counts.waiting++;
      continue;
    }
    try {
      const role = deps.roleOf ? await deps.roleOf(sub.channel, sub.userId) : 'official';
      if (!hasRole(role, 'official')) {
        counts.dropped++;
        await deps.subscriptions.unsubscribe(sub.channel, sub.chatId);
        continue;
      }
      const key = briefingClaimKey(week, sub);
      if (!(await ctx.store.claim(key, PENDING_TTL_SECONDS, `pending:${runId}`))) {
        counts.skipped++;
        continue;
      }
      views ??= deps.kpi.views(deps.kpi.catalog.all().filter((d) => canSee(d, { role, isGroup: false })), ctx.at);
      const result = await send(deps, sub, await views, ctx);
      if (result.ok) {
        counts.sent++;
        await ctx.store.set(key, `sent:${runId}`, SENT_TTL_SECONDS);
      } else if (result.permanent) {
        counts.dropped++;
        await deps.subscriptions.unsubscribe(sub.channel, sub.chatId);
      } else {
        counts.failed++;
        await ctx.store.del(key);
      }
    } catch (e) {
      counts.errors++;
      ctx.log.error('kpi briefing: subscriber failed', { channel: sub.channel, error: describeError(e) });
    }
  }
  ctx.log.info('kpi briefing ran', { week, ...counts });
  return counts;
}

async function send(deps: BriefingJobDeps, sub: Subscriber, views: KpiView[], ctx: JobContext): Promise<SendResult> {
  const locale = sub.locale;
  const { reply, named } = briefingReply(weekChanges(views, ctx.at), { locale, texts: deps.texts, at: ctx.at });
  const image = cardOf(named.length ? named : views.filter((v) => v.def.group === 'target'), deps, locale, ctx);
  try {
    const result = await deps.outbound.send(recipientOf(sub), image ? { ...reply, image } : reply);
    if (!result.ok) ctx.log.warn('kpi briefing not delivered', { channel: sub.channel, permanent: result.permanent, reason: result.reason });
    return result;
  } catch (e) {
    ctx.log.warn('kpi briefing send failed', { channel: sub.channel, error: describeError(e) });
    return { ok: false, permanent: false, reason: describeError(e) };
  }
}

/** The card of the KPIs named (or of the reform targets in a quiet week); none when it cannot be drawn. */
function cardOf(views: KpiView[], deps: BriefingJobDeps, locale: Subscriber['locale'], ctx: JobContext): ReplyImage | undefined {
  if (views.length === 0) return undefined;
  try {
    const title = deps.texts.get(locale, 'kpi-briefing-card-title', { date: formatDate(vnDay(ctx.at)) });
    const chart = kpiCardSvg(views, { locale, texts: deps.texts, today: vnDay(ctx.at), title });
    return { ...chart, alt: deps.texts.get(locale, 'chart-card-alt', { n: views.length }) };
  } catch (e) {
    // The text still goes: a chart is a help, never a condition.
    ctx.log.warn('kpi briefing chart not drawn', { error: describeError(e) });
    return undefined;
  }
}
