/**
 * @module jobs/handoff-overdue
 * Tells the staff group (HANDOFF_TELEGRAM_CHAT_ID) about each conversation that has waited for a
 * person longer than the target of working time (30 minutes by default) and nobody has taken:
 * the same `overdue` mark the Hỗ trợ page shows (handoff/schema, hours `pastTarget`: working time
 * only), so a request left on Friday evening is reported on Monday morning, not at night.
 *
 * Runs often in working hours (src/jobs/schedule.ts) and does nothing outside them: staff are not
 * there to read it. Exactly once per handoff, also when runs repeat or overlap: a claim per
 * handoff (SET NX, kept as long as the handoff is) is taken BEFORE sending; a failed send frees it
 * so the next run tries again. Only the channel, the wait and a console link go to the group,
 * nothing the citizen wrote (as for the opening notice).
 */
import type { JobContext } from './job';
import type { CountingJob } from './history';
import type { Outbound, Reply, SendResult } from '../core/types';
import type { Texts } from '../core/texts';
import { describeError } from '../log';
import { handoffKeys, supportLink, type Handoffs } from '../handoff/service';
import { isWorkingTime, localParts, workingSecondsBetween } from '../handoff/hours';

export const HANDOFF_OVERDUE_JOB_ID = 'handoff-overdue';

export interface HandoffOverdueJobOptions {
  handoffs: Handoffs;
  outbound: Outbound;
  texts: Texts;
  /** The staff group and the public origin for the console link (as for the opening notice). */
  staffGroup: { chatId: string; publicBaseUrl?: string };
  /** How long a claim lasts: as long as the handoff itself is kept (HISTORY_TTL_DAYS). */
  retentionSeconds: number;
}

export interface HandoffOverdueCounts extends Record<string, number> {
  /** 1 when the run fell outside working hours (and so looked at nothing). */
  outsideHours: number;
  /** Open (untaken) handoffs. */
  open: number;
  /** Of those, waiting past the target of working time. */
  overdue: number;
  /** Notices sent to the staff group. */
  notified: number;
  /** Overdue handoffs already notified (or being notified by an overlapping run). */
  skipped: number;
  /** Notices the group did not receive (retried on the next run). */
  failed: number;
}

export function handoffOverdueJob(opts: HandoffOverdueJobOptions): CountingJob<HandoffOverdueCounts> {
  return { id: HANDOFF_OVERDUE_JOB_ID, run: (ctx) => runOverdue(ctx, opts) };
}

async function runOverdue(ctx: JobContext, opts: HandoffOverdueJobOptions): Promise<HandoffOverdueCounts> {
  const counts: HandoffOverdueCounts = { outsideHours: 0, open: 0, overdue: 0, notified: 0, skipped: 0, failed: 0 };
  const { handoffs } = opts;
  if (!isWorkingTime(ctx.at, handoffs.hours)) {
    counts.outsideHours = 1;
    return counts;
  }
  // Only open ones: a taken handoff has an operator on it (their reply clears the mark anyway).
  const open = await handoffs.list('open');
  counts.open = open.length;
  const runId = crypto.randomUUID().slice(0, 8);
  for (const h of open) {
    // The Hỗ trợ page's own mark (handoff/schema toView): no reply after the target of working time.
    if (!h.overdue) continue;
    const openedAt = new Date(h.openedAt);
    counts.overdue++;
    const key = handoffKeys.overdue(h.id);
    try {
      if (!(await ctx.store.claim(key, opts.retentionSeconds, runId))) {
        counts.skipped++;
        continue;
      }
      const sent = await send(opts, overdueNotice(opts, h.id, h.channel, openedAt, ctx.at));
      if (sent.ok) {
        counts.notified++;
        continue;
      }
      counts.failed++;
      await ctx.store.del(key);
      ctx.log.warn('handoff-overdue: staff group not notified', { handoff: h.id, permanent: sent.permanent, reason: sent.reason });
    } catch (e) {
      counts.failed++;
      ctx.log.error('handoff-overdue: handoff failed', { handoff: h.id, error: describeError(e) });
    }
  }
  ctx.log.info('handoff-overdue ran', { ...counts });
  return counts;
}

function overdueNotice(opts: HandoffOverdueJobOptions, id: string, channel: string, openedAt: Date, at: Date): Reply {
  const { texts, handoffs, staffGroup } = opts;
  const opened = localParts(openedAt);
  const text = texts.get('vi', 'handoff-overdue-notice', {
    minutes: Math.floor(workingSecondsBetween(openedAt, at, handoffs.hours) / 60),
    target: handoffs.hours.targetMinutes,
    channel: texts.get('vi', `handoff-channel-${channel}`),
    opened: texts.get('vi', 'handoff-overdue-opened', { time: opened.time, date: opened.date }),
    link: supportLink(id, staffGroup.publicBaseUrl),
  });
  return { intent: 'handoff-overdue-notice', blocks: [{ type: 'text', text }], citations: [] };
}

/** A send that throws is a failure to retry, never a crash of the run. */
async function send(opts: HandoffOverdueJobOptions, reply: Reply): Promise<SendResult> {
  try {
    return await opts.outbound.send({ channel: 'telegram', chatId: opts.staffGroup.chatId, locale: 'vi' }, reply);
  } catch (e) {
    return { ok: false, permanent: false, reason: describeError(e) };
  }
}
