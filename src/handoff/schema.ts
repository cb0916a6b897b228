/**
 * @module handoff/schema
 * The shapes of a conversation handed to a person: the record kept in the store (one hash per
 * handoff, one field per fact, so concurrent writers never overwrite each other's fields), its
 * transcript entries, and the view the admin API and the console show.
 */
import { z } from 'zod';
import { DEFAULT_WORKING_HOURS, pastTarget, type WorkingHours } from './hours';

export const HandoffStatusSchema = z.enum(['open', 'taken', 'closed']);
export type HandoffStatus = z.infer<typeof HandoffStatusSchema>;

const Millis = z.coerce.number().int().nonnegative();

/** The hash fields as stored (strings in the store; numbers are epoch milliseconds). */
export const HandoffRecordSchema = z.object({
  id: z.string(),
  channel: z.enum(['telegram', 'zalo', 'web']),
  chatId: z.string(),
  locale: z.enum(['vi', 'en']),
  /** asked: the citizen asked for a person; offered: they took the offer after failed answers. */
  reason: z.enum(['asked', 'offered']),
  openedAt: Millis,
  assignee: z.string().optional(),
  takenAt: Millis.optional(),
  firstReplyAt: Millis.optional(),
  closedAt: Millis.optional(),
  /** "citizen", or the operator's name. */
  closedBy: z.string().optional(),
});
export type HandoffRecord = z.infer<typeof HandoffRecordSchema>;

/** One line of the transcript, masked before it is stored. */
export const HandoffMessageSchema = z.object({
  from: z.enum(['citizen', 'assistant', 'operator', 'system']),
  text: z.string(),
  at: z.number(),
  /** The operator who wrote it. */
  operator: z.string().optional(),
  /** An operator reply the channel refused (the bot was blocked, the chat is gone). */
  undelivered: z.boolean().optional(),
});
export type HandoffMessage = z.infer<typeof HandoffMessageSchema>;

/** What the admin API and the console show of one handoff. */
export interface Handoff {
  id: string;
  channel: HandoffRecord['channel'];
  chatId: string;
  locale: HandoffRecord['locale'];
  reason: HandoffRecord['reason'];
  status: HandoffStatus;
  openedAt: string;
  /**
   * How long the citizen waited (or has been waiting) for a person: to the first reply, else to
   * the close, else until now; in seconds.
   */
  waitingSeconds: number;
  /**
   * Still waiting for a first reply after more than the target of working time (e.g. 30
   * minutes within working hours): the inbox marks it, the staff group may be told.
   */
  overdue: boolean;
  assignee: string | null;
  takenAt: string | null;
  firstReplyAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
}

export function statusOf(r: HandoffRecord): HandoffStatus {
  if (r.closedAt !== undefined) return 'closed';
  return r.assignee !== undefined ? 'taken' : 'open';
}

export function toView(r: HandoffRecord, now: Date, hours: WorkingHours = DEFAULT_WORKING_HOURS): Handoff {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const waitedUntil = r.firstReplyAt ?? r.closedAt ?? now.getTime();
  return {
    id: r.id,
    channel: r.channel,
    chatId: r.chatId,
    locale: r.locale,
    reason: r.reason,
    status: statusOf(r),
    openedAt: iso(r.openedAt)!,
    waitingSeconds: Math.max(0, Math.floor((waitedUntil - r.openedAt) / 1000)),
    overdue: r.closedAt === undefined && r.firstReplyAt === undefined && pastTarget(new Date(r.openedAt), now, hours),
    assignee: r.assignee ?? null,
    takenAt: iso(r.takenAt),
    firstReplyAt: iso(r.firstReplyAt),
    closedAt: iso(r.closedAt),
    closedBy: r.closedBy ?? null,
  };
}
