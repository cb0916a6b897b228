/**
 * @module handoff/service
 * Conversations with a person: a citizen opens one, an operator takes it, replies (delivered in
 * the citizen's chat through the Outbound port, rendered by its channel) and closes it; the
 * citizen can close it too. All state is in the Store, so it holds on memory, Upstash and Redis.
 *
 * The rules are held by atomic claims (SET NX), never by read-then-write:
 * - one open handoff per chat: opening claims `handoff:chat:<channel>:<chatId>` (the record and
 *   its index entries are written first, so the claim always names a record the console, the
 *   overdue job and erasure can find; a failure after the claim gives the claim back);
 * - one assignee: taking claims `handoff:h:<id>:take` with the operator's name; the loser is
 *   told who holds it, the holder may take again (a retried request);
 * - one close: closing claims `handoff:h:<id>:close`, and only that closer frees the chat (a
 *   close that fails halfway gives the claim back, so a retry can finish it).
 * The status is derived from the record's fields (closedAt, assignee), each written by HSET of
 * its own fields, so a take and a close racing cannot leave a closed handoff "taken". The status
 * sets are an index only: a listing checks each record's own status.
 *
 * Transcripts are masked before they are stored. Everything lives `retentionSeconds` (the
 * conversation history's TTL) after the last activity; closed ones then expire.
 */
import type { Store } from '../store/store';
import type { ChannelName, Locale, Outbound, Reply, SendResult } from '../core/types';
import type { Texts } from '../core/texts';
import type { Logger } from '../log';
import { describeError } from '../log';
import { maskPersonalData } from '../privacy/mask';
import { vnDay } from '../core/vn-time';
import {
  HandoffMessageSchema,
  HandoffRecordSchema,
  statusOf,
  toView,
  type Handoff,
  type HandoffMessage,
  type HandoffRecord,
  type HandoffStatus,
} from './schema';
import { WebMailbox, mailboxKeys, type Pending } from './mailbox';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from './hours';

/** Transcript lines kept per handoff (older ones drop off). */
export const MAX_MESSAGES = 100;
/** Longest transcript line kept, in characters. */
const MAX_LINE = 2000;
/** Failed answers in a row before a person is offered, and how long "in a row" lasts. */
export const MISSES_BEFORE_OFFER = 2;
const MISSES_TTL_SECONDS = 3600;

const STATUSES: readonly HandoffStatus[] = ['open', 'taken', 'closed'];

export const handoffKeys = {
  record: (id: string) => `handoff:h:${id}`,
  messages: (id: string) => `handoff:h:${id}:msgs`,
  take: (id: string) => `handoff:h:${id}:take`,
  close: (id: string) => `handoff:h:${id}:close`,
  /** Claimed by the job that tells the staff group a handoff waited past the target (once). */
  overdue: (id: string) => `handoff:h:${id}:overdue`,
  /** The chat's open handoff (claimed; its value is the id). */
  chat: (channel: ChannelName, chatId: string) => `handoff:chat:${channel}:${chatId}`,
  /** Every handoff id of the chat, for erasure. */
  byChat: (channel: ChannelName, chatId: string) => `handoff:bychat:${channel}:${chatId}`,
  status: (status: HandoffStatus) => `handoff:status:${status}`,
  misses: (channel: ChannelName, chatId: string) => `handoff:misses:${channel}:${chatId}`,
};

export interface HandoffDeps {
  store: Store;
  now: () => Date;
  texts: Texts;
  log: Logger;
  /** The live channels (app.ts); web chats are served from the mailbox instead. */
  outbound: Outbound;
  /** How long a handoff is kept after its last activity (HISTORY_TTL_DAYS). */
  retentionSeconds: number;
  /** When staff answer, and the target for a first reply (the deployment profile's). */
  hours?: WorkingHours;
  /**
   * HANDOFF_TELEGRAM_CHAT_ID: a Telegram staff group told (through `outbound`) when a handoff
   * opens, with a link to its console page (absolute with PUBLIC_BASE_URL, else the path).
   */
  staffNotice?: { chatId: string; publicBaseUrl?: string };
}

export interface OpenInput {
  channel: ChannelName;
  chatId: string;
  locale: Locale;
  reason: HandoffRecord['reason'];
  /** The chat's recent turns, shown to the operator (masked again here). */
  context?: ReadonlyArray<{ from: 'citizen' | 'assistant'; text: string; at: number }>;
}

export type TakeResult = { ok: true; handoff: Handoff } | { ok: false; problem: 'not-found' } | { ok: false; problem: 'closed' } | { ok: false; problem: 'taken'; assignee: string };

export type ReplyResult =
  | { ok: true; handoff: Handoff }
  | { ok: false; problem: 'not-found' }
  | { ok: false; problem: 'closed' }
  | { ok: false; problem: 'taken'; assignee: string }
  | { ok: false; problem: 'undelivered'; handoff: Handoff; permanent: boolean; reason: string };

export type CloseResult = { ok: true; handoff: Handoff } | { ok: false; problem: 'not-found' | 'closed' };

export interface HandoffStats {
  /** Handoffs opened in the range. */
  opened: number;
  /** Per Vietnamese day, every day of the range that had one. */
  perDay: Array<{ day: string; count: number }>;
  /** Time from opening to the first delivered operator reply, over those that have one. */
  firstReply: { count: number; medianSeconds: number | null; p90Seconds: number | null };
}

export class Handoffs {
  readonly mailbox: WebMailbox;
  readonly hours: WorkingHours;
  private readonly ttl: number;

  constructor(private readonly deps: HandoffDeps) {
    this.ttl = deps.retentionSeconds;
    this.hours = deps.hours ?? DEFAULT_WORKING_HOURS;
    this.mailbox = new WebMailbox(deps.store, deps.retentionSeconds, deps.now);
  }

  /** Opens a handoff for the chat, or returns the one already open there (created: false). */
  async open(input: OpenInput): Promise<{ created: boolean; handoff: Handoff }> {
    const { store } = this.deps;
    const chatKey = handoffKeys.chat(input.channel, input.chatId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = crypto.randomUUID();
      const record: HandoffRecord = { id, channel: input.channel, chatId: input.chatId, locale: input.locale, reason: input.reason, openedAt: this.deps.now().getTime() };
      const byChat = handoffKeys.byChat(input.channel, input.chatId);
      // Written before the claim, so a claim never names a record that is not there yet, nor one
      // the console, the overdue job or erasure cannot find (a listing drops ids whose record is
      // gone, so the loser of a race below leaves nothing visible).
      await store.hashSet(handoffKeys.record(id), encode(record));
      await Promise.all([
        store.expire(handoffKeys.record(id), this.ttl),
        store.setAdd(handoffKeys.status('open'), id),
        store.setAdd(byChat, id).then(() => store.expire(byChat, this.ttl)),
      ]);
      if (await store.claim(chatKey, this.ttl, id)) {
        const lines = (input.context ?? []).map((t) => line({ from: t.from, text: t.text, at: t.at }));
        try {
          if (lines.length) await store.listPush(handoffKeys.messages(id), lines, { maxLen: MAX_MESSAGES, ttlSeconds: this.ttl });
        } catch (e) {
          // Give the chat back (a retried request opens a new one) rather than hold it half-made.
          await this.forget(id, input.channel, input.chatId).catch(() => {});
          if ((await store.get(chatKey).catch(() => null)) === id) await store.del(chatKey).catch(() => 0);
          throw e;
        }
        const handoff = this.view(record);
        await this.notifyStaff(handoff);
        return { created: true, handoff };
      }
      await this.forget(id, input.channel, input.chatId);
      const existingId = await store.get(chatKey);
      const existing = existingId ? await this.record(existingId) : undefined;
      if (existing && statusOf(existing) !== 'closed') return { created: false, handoff: this.view(existing) };
      // The chat key outlived its record (erased or expired apart) or a close stopped halfway:
      // free it and claim again.
      if (existingId) await store.del(chatKey);
    }
    throw new Error('handoff: the chat key stayed taken');
  }

  /** The chat's handoff that is open or taken, if any. */
  async activeFor(channel: ChannelName, chatId: string): Promise<HandoffRecord | undefined> {
    const id = await this.deps.store.get(handoffKeys.chat(channel, chatId));
    if (!id) return undefined;
    const record = await this.record(id);
    return record && statusOf(record) !== 'closed' ? record : undefined;
  }

  async get(id: string): Promise<Handoff | undefined> {
    const record = await this.record(id);
    return record && this.view(record);
  }

  /** The transcript (masked), oldest first. */
  async messages(id: string): Promise<HandoffMessage[]> {
    const raw = await this.deps.store.listRange(handoffKeys.messages(id), 0, -1);
    return raw.flatMap((r) => {
      try {
        const parsed = HandoffMessageSchema.safeParse(JSON.parse(r));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }

  /** Handoffs with the status (all when absent), oldest first. */
  async list(status?: HandoffStatus): Promise<Handoff[]> {
    const { store } = this.deps;
    const wanted = status ? [status] : STATUSES;
    const sets = await Promise.all(wanted.map((s) => store.setMembers(handoffKeys.status(s))));
    const pairs = wanted.flatMap((s, i) => sets[i]!.map((id) => ({ s, id })));
    const records = await Promise.all(pairs.map((p) => this.record(p.id)));
    const stale = pairs.filter((_, i) => !records[i]);
    // Expired or erased records leave their id in the index: drop it now.
    await Promise.all(stale.map((p) => store.setRemove(handoffKeys.status(p.s), p.id)));
    const now = this.deps.now();
    const seen = new Set<string>();
    return records
      .filter((r, i): r is HandoffRecord => r !== undefined && statusOf(r) === pairs[i]!.s && !seen.has(r.id) && Boolean(seen.add(r.id)))
      .sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id))
      .map((r) => this.view(r, now));
  }

  /** Assigns the handoff to `operator`; exactly one operator wins when several try at once. */
  async take(id: string, operator: string): Promise<TakeResult> {
    const { store } = this.deps;
    const record = await this.record(id);
    if (!record) return { ok: false, problem: 'not-found' };
    if (statusOf(record) === 'closed') return { ok: false, problem: 'closed' };
    const won = await store.claim(handoffKeys.take(id), this.ttl, operator);
    if (!won) {
      const holder = await store.get(handoffKeys.take(id));
      if (holder !== operator) return { ok: false, problem: 'taken', assignee: holder ?? '?' };
    }
    if (record.assignee !== operator) {
      // Into the new index before the record says so, out of the old one after: a listing in
      // between finds it in both and keeps the one its status names.
      await store.setAdd(handoffKeys.status('taken'), id);
      await store.hashSet(handoffKeys.record(id), { assignee: operator, takenAt: String(this.deps.now().getTime()) });
      await store.setRemove(handoffKeys.status('open'), id);
    }
    const after = await this.record(id);
    if (!after) return { ok: false, problem: 'not-found' };
    if (statusOf(after) === 'closed') return { ok: false, problem: 'closed' };
    return { ok: true, handoff: this.view(after) };
  }

  /**
   * Sends `text` to the citizen's chat as `operator` (taking the handoff first when nobody has).
   * A send the channel refuses is kept in the transcript as undelivered and reported, not lost.
   */
  async reply(id: string, operator: string, text: string): Promise<ReplyResult> {
    let record = await this.record(id);
    if (!record) return { ok: false, problem: 'not-found' };
    if (statusOf(record) === 'closed') return { ok: false, problem: 'closed' };
    if (record.assignee !== operator) {
      const taken = await this.take(id, operator);
      if (!taken.ok) return taken;
      record = (await this.record(id)) ?? record;
    }
    const { texts } = this.deps;
    const reply: Reply = {
      intent: 'handoff-reply',
      blocks: [
        { type: 'heading', text: texts.get(record.locale, 'handoff-operator-heading') },
        { type: 'text', text },
      ],
      citations: [],
    };
    const sent = await this.send(record, reply);
    const at = this.deps.now().getTime();
    await Promise.all([
      this.append(record, { from: 'operator', text, at, operator, ...(sent.ok ? {} : { undelivered: true }) }),
      sent.ok && record.firstReplyAt === undefined ? this.deps.store.hashSet(handoffKeys.record(id), { firstReplyAt: String(at) }) : undefined,
    ]);
    const after = this.view((await this.record(id)) ?? record);
    if (!sent.ok) return { ok: false, problem: 'undelivered', handoff: after, permanent: sent.permanent, reason: sent.reason };
    return { ok: true, handoff: after };
  }

  /**
   * Closes the handoff: by "citizen" (they said "kết thúc") or by an operator, in which case the
   * citizen is told the assistant answers again. Only the first of several closes succeeds.
   */
  async close(id: string, by: string): Promise<CloseResult> {
    const { store } = this.deps;
    const record = await this.record(id);
    if (!record) return { ok: false, problem: 'not-found' };
    if (statusOf(record) === 'closed' || !(await store.claim(handoffKeys.close(id), this.ttl))) return { ok: false, problem: 'closed' };
    const at = this.deps.now().getTime();
    try {
      await store.setAdd(handoffKeys.status('closed'), id);
      await store.hashSet(handoffKeys.record(id), { closedAt: String(at), closedBy: by });
      await Promise.all([store.setRemove(handoffKeys.status('open'), id), store.setRemove(handoffKeys.status('taken'), id)]);
      const chatKey = handoffKeys.chat(record.channel, record.chatId);
      // Only this closer got here, and no other handoff can open in the chat until the key goes.
      if ((await store.get(chatKey)) === id) await store.del(chatKey);
      await this.append(record, { from: 'system', text: by === 'citizen' ? 'closed by the citizen' : `closed by ${by}`, at });
      await Promise.all([handoffKeys.record(id), handoffKeys.take(id), handoffKeys.close(id)].map((k) => store.expire(k, this.ttl)));
    } catch (e) {
      // Stopped halfway: give the close back so a retry finishes it (else the record could stay
      // open with nobody able to close it, and the citizen's messages go on into silence).
      await store.del(handoffKeys.close(id)).catch(() => 0);
      throw e;
    }
    if (by !== 'citizen') {
      const notice: Reply = { intent: 'handoff-closed', blocks: [{ type: 'text', text: this.deps.texts.get(record.locale, 'handoff-closed-by-staff') }], citations: [] };
      const sent = await this.send(record, notice);
      if (!sent.ok) this.deps.log.warn('handoff: close notice not delivered', { handoff: id, channel: record.channel, reason: sent.reason });
    }
    return { ok: true, handoff: this.view((await this.record(id)) ?? record) };
  }

  /**
   * What the web chat page asks while it waits (GET /api/chat/updates): the operator replies not
   * shown yet and whether the chat is still with a person (so the page knows to keep asking).
   */
  async webUpdates(chatId: string): Promise<{ pending: Pending; active: boolean }> {
    const [pending, active] = await Promise.all([this.mailbox.pending(chatId), this.activeFor('web', chatId)]);
    return { pending, active: active !== undefined };
  }

  /**
   * Keeps a citizen's message for the operator and keeps the handoff alive. Returns the record as
   * it is after the message was kept: a close racing it shows there (closedAt), so the caller can
   * tell the citizen rather than leave the message unanswered.
   */
  async citizenSaid(record: HandoffRecord, text: string): Promise<HandoffRecord | undefined> {
    const { store } = this.deps;
    await Promise.all([
      this.append(record, { from: 'citizen', text, at: this.deps.now().getTime() }),
      store.expire(handoffKeys.record(record.id), this.ttl),
      store.expire(handoffKeys.chat(record.channel, record.chatId), this.ttl),
      store.expire(handoffKeys.take(record.id), this.ttl),
    ]);
    return this.record(record.id);
  }

  /**
   * Counts an answer in the chat: a miss (nothing found) adds one, a found answer starts again.
   * Returns the misses in a row.
   */
  async countAnswer(channel: ChannelName, chatId: string, found: boolean): Promise<number> {
    const key = handoffKeys.misses(channel, chatId);
    if (found) {
      await this.deps.store.del(key);
      return 0;
    }
    return this.deps.store.incr(key, 1, MISSES_TTL_SECONDS);
  }

  /** Handoffs opened between from and to: how many, per day, and the time to a first human reply. */
  async stats(from: Date, to: Date): Promise<HandoffStats> {
    const all = (await this.list()).filter((h) => {
      const at = Date.parse(h.openedAt);
      return at >= from.getTime() && at <= to.getTime();
    });
    const perDay = new Map<string, number>();
    for (const h of all) {
      const day = vnDay(new Date(h.openedAt));
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const waits = all
      .filter((h) => h.firstReplyAt !== null)
      .map((h) => (Date.parse(h.firstReplyAt!) - Date.parse(h.openedAt)) / 1000)
      .sort((a, b) => a - b);
    return {
      opened: all.length,
      perDay: [...perDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, count })),
      firstReply: { count: waits.length, medianSeconds: percentile(waits, 0.5), p90Seconds: percentile(waits, 0.9) },
    };
  }

  private view(r: HandoffRecord, now = this.deps.now()): Handoff {
    return toView(r, now, this.hours);
  }

  private async record(id: string): Promise<HandoffRecord | undefined> {
    const fields = await this.deps.store.hashGetAll(handoffKeys.record(id));
    const parsed = HandoffRecordSchema.safeParse(fields);
    return parsed.success ? parsed.data : undefined;
  }

  /** Adds a transcript line; the chat's erasure index lives as long as what it points to. */
  private async append(record: HandoffRecord, message: HandoffMessage): Promise<void> {
    const { store } = this.deps;
    await Promise.all([
      store.listPush(handoffKeys.messages(record.id), line(message), { maxLen: MAX_MESSAGES, ttlSeconds: this.ttl }),
      store.expire(handoffKeys.byChat(record.channel, record.chatId), this.ttl),
    ]);
  }

  /** Removes a record that never became the chat's handoff, and its index entries. */
  private async forget(id: string, channel: ChannelName, chatId: string): Promise<void> {
    const { store } = this.deps;
    await Promise.all([
      store.del(handoffKeys.record(id), handoffKeys.messages(id)),
      store.setRemove(handoffKeys.status('open'), id),
      store.setRemove(handoffKeys.byChat(channel, chatId), id),
    ]);
  }

  /**
   * Tells the staff group a citizen asks for a person: the channel, why and a link to the
   * console page; nothing the citizen wrote (the group is not the place for personal data).
   * A failed notice is logged: the handoff is open and listed all the same.
   */
  private async notifyStaff(handoff: Handoff): Promise<void> {
    const notice = this.deps.staffNotice;
    if (!notice) return;
    const { texts } = this.deps;
    const text = texts.get('vi', 'handoff-staff-notice', {
      channel: texts.get('vi', `handoff-channel-${handoff.channel}`),
      reason: texts.get('vi', `handoff-reason-${handoff.reason}`),
      link: supportLink(handoff.id, notice.publicBaseUrl),
    });
    const reply: Reply = { intent: 'handoff-staff-notice', blocks: [{ type: 'text', text }], citations: [] };
    let sent: SendResult;
    try {
      sent = await this.deps.outbound.send({ channel: 'telegram', chatId: notice.chatId, locale: 'vi' }, reply);
    } catch (e) {
      sent = { ok: false, permanent: false, reason: describeError(e) };
    }
    if (!sent.ok) this.deps.log.warn('handoff: staff group not notified', { handoff: handoff.id, reason: sent.reason });
  }

  /** Through the chat's channel; a web chat's reply waits in its mailbox. */
  private async send(record: HandoffRecord, reply: Reply): Promise<SendResult> {
    const to = { channel: record.channel, chatId: record.chatId, locale: record.locale };
    try {
      return record.channel === 'web' ? await this.mailbox.send(to, reply) : await this.deps.outbound.send(to, reply);
    } catch (e) {
      return { ok: false, permanent: false, reason: describeError(e) };
    }
  }
}

/** The handoff's console page, absolute when the public origin is known (for staff notices). */
export function supportLink(id: string, publicBaseUrl?: string): string {
  const path = `/console/support/${encodeURIComponent(id)}`;
  return publicBaseUrl ? `${publicBaseUrl}${path}` : path;
}

/** A transcript line as stored: masked and capped. */
function line(message: HandoffMessage): string {
  return JSON.stringify({ ...message, text: maskPersonalData(message.text).slice(0, MAX_LINE) });
}

function encode(record: HandoffRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

/** Nearest-rank percentile of sorted values; null when there are none. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * Deletes every handoff of the chat (record, transcript, claims, index entries) and what the chat
 * keeps beside them (the miss counter, a web chat's mailbox): the /xoadulieu eraser.
 */
export async function eraseHandoffs(store: Store, channel: ChannelName, chatId: string): Promise<number> {
  const ids = await store.setMembers(handoffKeys.byChat(channel, chatId));
  const keys = ids.flatMap((id) => [handoffKeys.record(id), handoffKeys.messages(id), handoffKeys.take(id), handoffKeys.close(id), handoffKeys.overdue(id)]);
  const mail = mailboxKeys(chatId);
  const [removed] = await Promise.all([
    store.del(handoffKeys.chat(channel, chatId), handoffKeys.byChat(channel, chatId), handoffKeys.misses(channel, chatId), ...keys, ...(channel === 'web' ? [mail.items, mail.seq, mail.seen] : [])),
    ...(ids.length ? STATUSES.map((s) => store.setRemove(handoffKeys.status(s), ...ids)) : []),
  ]);
  return removed;
}
