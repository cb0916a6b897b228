/**
 * @module jobs/handoff-overdue
 * Tells the staff group (HANDOFF_TELEGRAM_CHAT_ID) about the conversations that have waited for a
 * person longer than the target of working time (30 minutes by default) and nobody has taken:
 * the same `overdue` mark the Hỗ trợ page shows (handoff/schema, hours `pastTarget`: working time
 * only), so a request left on Friday evening is reported on Monday morning, not at night.
 *
 * Runs often in working hours (src/jobs/schedule.ts) and does nothing outside them: staff are not
 * there to read it. One message per run lists every newly overdue handoff (a busy morning is one
 * digest, not a flood). Exactly once per handoff, also when runs repeat or overlap: a claim per
 * handoff (SET NX, kept as long as the handoff is) is taken BEFORE sending, all at once; a send
 * that failed for a reason that may pass frees them so the next run tries again, a permanent one
 * (the bot was removed from the group) keeps them: retrying every ten minutes would not help,
 * and the Hỗ trợ page marks them all the same. Only the channel, the wait and a console link go
 * to the group, nothing the citizen wrote (as for the opening notice).
 */
import type { JobContext } from './job';
import type { CountingJob } from './history';
import type { Outbound, Reply, SendResult } from '../core/types';
import type { Texts } from '../core/texts';
import { describeError } from '../log';
import { handoffKeys, supportLink, type Handoffs } from '../handoff/service';
import type { Handoff } from '../handoff/schema';
import { isWorkingTime, localParts, workingSecondsBetween } from '../handoff/hours';

/** Handoffs named in one digest at most (a Telegram message is read on a phone); the rest are counted. */
export const MAX_LISTED = 15;

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
  /** Overdue handoffs named in the digest the staff group received. */
  notified: number;
  /** Overdue handoffs already notified (or being notified by an overlapping run). */
  skipped: number;
  /** Overdue handoffs the group was not told about (retried next run unless the failure is permanent). */
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
  // The Hỗ trợ page's own mark (handoff/schema toView): no reply after the target of working time.
  const overdue = open.filter((h) => h.overdue);
  counts.overdue = overdue.length;
  if (overdue.length === 0) return logged(ctx, counts);
  const runId = crypto.randomUUID().slice(0, 8);
  const claims = await Promise.all(
    overdue.map((h) =>
      ctx.store.claim(handoffKeys.overdue(h.id), opts.retentionSeconds, runId).catch((e: unknown) => {
        ctx.log.error('handoff-overdue: claim failed', { handoff: h.id, error: describeError(e) });
        return undefined;
      }),
    ),
  );
  const mine = overdue.filter((_, i) => claims[i] === true);
  counts.skipped = claims.filter((c) => c === false).length;
  counts.failed = claims.filter((c) => c === undefined).length;
  if (mine.length === 0) return logged(ctx, counts);
  const sent = await send(opts, digest(opts, mine, ctx.at));
  if (sent.ok) {
    counts.notified = mine.length;
    return logged(ctx, counts);
  }
  counts.failed += mine.length;
  ctx.log.warn('handoff-overdue: staff group not notified', { handoffs: mine.length, permanent: sent.permanent, reason: sent.reason });
  // A failure that may pass: free the claims so the next run sends them again.
  if (!sent.permanent) {
    await Promise.all(mine.map((h) => ctx.store.del(handoffKeys.overdue(h.id)).catch(() => 0)));
  }
  return logged(ctx, counts);
}

function logged(ctx: JobContext, counts: HandoffOverdueCounts): HandoffOverdueCounts {
  ctx.log.info('handoff-overdue ran', { ...counts });
  return counts;
}

/** One message naming each overdue handoff: its wait, channel, when it was asked, and its link. */
function digest(opts: HandoffOverdueJobOptions, overdue: Handoff[], at: Date): Reply {
  const { texts, handoffs, staffGroup } = opts;
  const items = overdue.slice(0, MAX_LISTED).map((h) => {
    const openedAt = new Date(h.openedAt);
    const opened = localParts(openedAt);
    return texts.get('vi', 'handoff-overdue-item', {
      minutes: Math.floor(workingSecondsBetween(openedAt, at, handoffs.hours) / 60),
      channel: texts.get('vi', `handoff-channel-${h.channel}`),
      opened: texts.get('vi', 'handoff-overdue-opened', { time: opened.time, date: opened.date }),
      link: supportLink(h.id, staffGroup.publicBaseUrl),
    });
  });
  if (overdue.length > MAX_LISTED) items.push(texts.get('vi', 'handoff-overdue-more', { n: overdue.length - MAX_LISTED, link: `${staffGroup.publicBaseUrl ?? ''}/console/support` }));
  const text = texts.get('vi', 'handoff-overdue-digest', { n: overdue.length, target: handoffs.hours.targetMinutes });
  return { intent: 'handoff-overdue-notice', blocks: [{ type: 'text', text }, { type: 'list', items }], citations: [] };
}

/** A send that throws is a failure to retry, never a crash of the run. */
async function send(opts: HandoffOverdueJobOptions, reply: Reply): Promise<SendResult> {
  try {
    return await opts.outbound.send({ channel: 'telegram', chatId: opts.staffGroup.chatId, locale: 'vi' }, reply);
  } catch (e) {
    return { ok: false, permanent: false, reason: describeError(e) };
  }
}
