/**
 * @module jobs/reminders
 * The daily reminder run: each subscriber gets at most ONE digest per run, holding the tasks it
 * follows that entered a stage (7, 3, 1 days left, due today, overdue weekly) and were not yet
 * reminded at that stage.
 *
 * Exactly once per (subscriber, task, stage), also when runs overlap or repeat:
 * - A claim per item (SET NX, value "pending:<run>", TTL PENDING_TTL) is taken BEFORE sending, so
 *   of two overlapping runs only one sends an item; a failed send deletes its claims, so the next
 *   run retries; a run that dies between claim and send leaves a claim that expires, so the item
 *   is retried after PENDING_TTL instead of being lost.
 * - After a successful send the items are recorded in one sent-index hash (field per item, so two
 *   runs never overwrite each other's records). The index is what makes a re-run cheap: it is read
 *   once per run, and an item in it costs no store call. It outlives the claim, and PENDING_TTL is
 *   far longer than any run, so a run that read the index before another run's record cannot
 *   reach that item's claim after it expired.
 *
 * Failures: a failed send counts against the chat (delivery state hash): the next try waits
 * (backoff doubling from 30 minutes) and after MAX_FAILURES in a row, or at once when the failure
 * is permanent (bot blocked, chat gone), the chat is paused until it uses /nhacviec again.
 *
 * Limits (Workers): every store call and send is a subrequest. The run reads everything it needs
 * in five calls, then spends per subscriber roughly (items + 3) calls plus the send; when the
 * per-invocation budget or wall-clock allowance would be exceeded it stops, saves a cursor, and
 * the next invocation (another cron tick) continues from there. See README "Deadline reminders".
 *
 * Over ~350 lines on purpose: one run (plan, claims, sends, retries, cursor) that reads top to bottom; split, the exactly-once reasoning would span files.
 */
import type { JobContext } from './job';
import type { Outbound, Recipient, Reply, SendResult } from '../core/types';
import type { Texts } from '../core/texts';
import type { Store } from '../store/store';
import { fnv1a32 } from '../text/hash';
import { describeError } from '../log';
import { localDate } from '../tasks/calendar';
import { buildDigest, itemsFor, stagedTasks, type DueItem } from '../tasks/digest';
import { meteredStore } from '../tasks/metered-store';
import type { CountingJob } from './history';
import { bundledTasks, mergeTasks, parseOverrides, OVERRIDES_KEY } from '../tasks/repository';
import type { Task } from '../tasks/schema';
import {
  DELIVERY_KEY,
  SENT_INDEX_KEY,
  SUBSCRIPTIONS_KEY,
  parseDeliveryStates,
  parseSubscriptions,
  type DeliveryState,
  type Subscription,
} from '../tasks/subscriptions';

export const REMINDERS_JOB_ID = 'reminders';
/** How long an unconfirmed claim blocks its item: far longer than any run, short enough to retry the same day. */
const PENDING_TTL_SECONDS = 6 * 3600;
/** A confirmed claim, used only when the sent index could not be written: longer than any stage window. */
const SENT_TTL_SECONDS = 21 * 86_400;
const MAX_FAILURES = 4;
const CURSOR_TTL_SECONDS = 2 * 86_400;
/** Calls the run makes after the per-subscriber work: prune, cursor, history (2), slack. */
const CLOSING_CALLS = 6;
/** Store calls per subscriber besides its claims: sent index or release, delivery state, slack. */
const CALLS_PER_SUBSCRIBER = 3;
/** A digest never lists more items than this (a longer one is split into many chat messages). */
const MAX_ITEMS_PER_DIGEST = 30;
/** The five opening reads, one subscriber with one item, and the closing calls. */
const MIN_SUBREQUESTS = 5 + 1 + 3 + CALLS_PER_SUBSCRIBER + CLOSING_CALLS;

export interface RemindersJobOptions {
  outbound: Outbound;
  texts: Texts;
  /** The bundled tasks (default: src/generated/tasks.json); tests pass their own. */
  bundled?: readonly Task[];
  /** Subrequests (store calls + sends) one invocation may make; default unlimited (Node). */
  maxSubrequests?: number;
  /** Wall-clock milliseconds one invocation may spend before it hands over; default unlimited. */
  maxWallMs?: number;
  /** Subscribers worked on at once (Workers allows 6 open connections per invocation). */
  concurrency?: number;
  maxFailures?: number;
  /** Delay before retrying a chat after its n-th failure in a row. */
  backoffMs?: (failures: number) => number;
  /** Wall clock for maxWallMs (the run's date comes from JobContext.at). */
  clock?: () => number;
}

export interface ReminderCounts extends Record<string, number> {
  /** Subscribers known. */
  subscribers: number;
  /** Subscribers with at least one task in a stage today. */
  due: number;
  /** Digests sent. */
  sent: number;
  /** Task reminders in those digests. */
  items: number;
  /** Due subscribers not sent to: already reminded, paused, waiting for backoff, or claimed by another run. */
  skipped: number;
  /** Sends that failed (retried later). */
  failed: number;
  /** Chats paused in this run. */
  paused: number;
  /** Due subscribers left for the next invocation (budget or time). */
  deferred: number;
  /** Subscribers whose processing hit a store error. */
  errors: number;
  /** Store calls plus estimated outbound requests made. */
  subrequests: number;
}

/** 30 min, 1 h, 2 h, … capped at 12 h: the next daily run always retries. */
export function defaultBackoffMs(failures: number): number {
  return Math.min(30 * 60_000 * 2 ** Math.max(0, failures - 1), 12 * 3_600_000);
}

export function claimKey(subscriber: string, item: DueItem): string {
  return `remind:claim:${subscriber}:${item.key}`;
}

/** The sent-index field of one item: short (hashed) because the index is read whole every run. */
export function sentField(subscriber: string, item: DueItem): string {
  return `${subscriber}|${itemHash(item.key)}`;
}

export function cursorKey(today: string): string {
  return `remind:cursor:${today}`;
}

interface Work {
  id: string;
  sub: Subscription;
  fresh: DueItem[];
  state: DeliveryState | undefined;
}

export function createRemindersJob(opts: RemindersJobOptions): CountingJob<ReminderCounts> {
  const maxSubrequests = opts.maxSubrequests ?? Infinity;
  if (maxSubrequests < MIN_SUBREQUESTS) throw new Error(`maxSubrequests must be at least ${MIN_SUBREQUESTS}`);
  const settings = {
    maxSubrequests,
    maxWallMs: opts.maxWallMs ?? Infinity,
    concurrency: Math.max(1, opts.concurrency ?? 4),
    maxFailures: opts.maxFailures ?? MAX_FAILURES,
    backoffMs: opts.backoffMs ?? defaultBackoffMs,
    clock: opts.clock ?? Date.now,
  };
  return {
    id: REMINDERS_JOB_ID,
    run: (ctx) => runReminders(ctx, opts, settings),
  };
}

async function runReminders(
  ctx: JobContext,
  opts: RemindersJobOptions,
  s: Required<Pick<RemindersJobOptions, 'maxSubrequests' | 'maxWallMs' | 'concurrency' | 'maxFailures' | 'backoffMs' | 'clock'>>,
): Promise<ReminderCounts> {
  const started = s.clock();
  const today = localDate(ctx.at);
  const meter = meteredStore(ctx.store);
  const store = meter.store;
  const runId = crypto.randomUUID().slice(0, 8);
  let sendCalls = 0;
  const used = () => meter.subrequests() + sendCalls;

  const [overridesRaw, subsRaw, deliveryRaw, sentRaw, cursor] = await Promise.all([
    store.hashGetAll(OVERRIDES_KEY),
    store.hashGetAll(SUBSCRIPTIONS_KEY),
    store.hashGetAll(DELIVERY_KEY),
    store.hashGetAll(SENT_INDEX_KEY),
    store.get(cursorKey(today)),
  ]);
  const tasks = mergeTasks(opts.bundled ?? bundledTasks(), parseOverrides(overridesRaw));
  const subs = parseSubscriptions(subsRaw);
  const delivery = parseDeliveryStates(deliveryRaw);
  const sent = new Set(Object.keys(sentRaw));

  const counts: ReminderCounts = {
    subscribers: subs.size, due: 0, sent: 0, items: 0, skipped: 0, failed: 0, paused: 0, deferred: 0, errors: 0, subrequests: 0,
  };
  // Plan (pure): what each subscriber has due, and which index fields are still current.
  const staged = stagedTasks(tasks, today);
  const hashes = new Map(staged.map((item) => [item.key, itemHash(item.key)]));
  const field = (id: string, item: DueItem) => `${id}|${hashes.get(item.key)!}`;
  const current = new Set<string>();
  const work: Work[] = [];
  for (const id of rotate([...subs.keys()].sort(), cursor)) {
    const sub = subs.get(id)!;
    const items = itemsFor(staged, sub);
    if (items.length === 0) continue;
    counts.due++;
    for (const item of items) current.add(field(id, item));
    const fresh = items.filter((item) => !sent.has(field(id, item)));
    const state = delivery.get(id);
    if (fresh.length === 0 || waiting(state, ctx.at)) counts.skipped++;
    else work.push({ id, sub, fresh, state });
  }

  // Work in batches of up to `concurrency` subscribers while the budget and time allow; each
  // digest is capped so that one subscriber always fits in an invocation on its own.
  const limit = s.maxSubrequests - CLOSING_CALLS;
  const itemCap = itemCapFor(limit - used());
  const deps: ProcessDeps = { store, outbound: opts.outbound, texts: opts.texts, today, at: ctx.at, runId, itemCap, settings: s, counts, log: ctx.log };
  let nextCursor: string | undefined;
  const leftover: string[] = [];
  let i = 0;
  while (i < work.length) {
    const batch: Work[] = [];
    let estimate = 0;
    while (i + batch.length < work.length && batch.length < s.concurrency) {
      const w = work[i + batch.length]!;
      const cost = costOf(w.sub.recipient.channel, Math.min(w.fresh.length, itemCap));
      if (used() + estimate + cost > limit) break;
      batch.push(w);
      estimate += cost;
    }
    if (batch.length === 0 || s.clock() - started > s.maxWallMs) {
      counts.deferred = work.length - i;
      nextCursor = work[i]!.id;
      break;
    }
    const results = await Promise.all(batch.map((w) => processOne(w, deps)));
    sendCalls += results.reduce((a, b) => a + b, 0);
    // A digest cut at itemCap leaves items for the next invocation: that subscriber is not done.
    for (const w of batch) if (w.fresh.length > itemCap) leftover.push(w.id);
    i += batch.length;
  }
  if (leftover.length) {
    counts.deferred += leftover.length;
    nextCursor ??= leftover[0];
  }

  await finish(store, { today, cursor, nextCursor, sent, current, log: ctx.log });
  counts.subrequests = used() + 2; // + the history record written by withHistory
  ctx.log.info('reminders ran', { today, ...counts });
  return counts;
}

interface ProcessDeps {
  store: Store;
  outbound: Outbound;
  texts: Texts;
  today: string;
  at: Date;
  runId: string;
  itemCap: number;
  settings: { maxFailures: number; backoffMs: (failures: number) => number };
  counts: ReminderCounts;
  log: JobContext['log'];
}

/** One subscriber: claim, send one digest, record. Returns the outbound requests it made. */
async function processOne(w: Work, d: ProcessDeps): Promise<number> {
  const { counts } = d;
  try {
    const candidates = w.fresh.slice(0, d.itemCap);
    const claimed = await Promise.all(
      candidates.map((item) => d.store.claim(claimKey(w.id, item), PENDING_TTL_SECONDS, `pending:${d.runId}`)),
    );
    const won = candidates.filter((_, j) => claimed[j]);
    if (won.length === 0) {
      counts.skipped++; // another run holds or has sent every item
      return 0;
    }
    const reply = buildDigest(won, d.today, w.sub.recipient.locale, d.texts);
    const result = await safeSend(d.outbound, w.sub.recipient, reply);
    const outboundCalls = estimateSendCalls(reply, w.sub.recipient);
    if (result.ok) await recordSent(w, won, d);
    else await recordFailure(w, won, result, d);
    return outboundCalls;
  } catch (e) {
    counts.errors++;
    d.log.error('reminders: subscriber failed', { channel: w.sub.recipient.channel, error: describeError(e) });
    return 0;
  }
}

async function recordSent(w: Work, won: DueItem[], d: ProcessDeps): Promise<void> {
  d.counts.sent++;
  d.counts.items += won.length;
  // The value is not read (only the field matters); kept tiny because the index is read whole.
  const fields = Object.fromEntries(won.map((item) => [sentField(w.id, item), '1']));
  try {
    await d.store.hashSet(SENT_INDEX_KEY, fields);
  } catch (e) {
    // Without the index record the claims are the only proof of sending: make them outlast the stage.
    d.log.warn('reminders: sent index not written, confirming claims', { error: describeError(e) });
    await Promise.all(won.map((item) => d.store.set(claimKey(w.id, item), `sent:${d.runId}`, SENT_TTL_SECONDS)));
  }
  if (w.state) await d.store.hashDel(DELIVERY_KEY, w.id);
}

async function recordFailure(w: Work, won: DueItem[], result: Extract<SendResult, { ok: false }>, d: ProcessDeps): Promise<void> {
  d.counts.failed++;
  // Release first: the items must be free for the retry even if the state write below fails.
  await d.store.del(...won.map((item) => claimKey(w.id, item)));
  const failures = (w.state?.failures ?? 0) + 1;
  const pause = result.permanent || failures >= d.settings.maxFailures;
  const state: DeliveryState = {
    failures,
    nextAttemptAt: d.at.getTime() + d.settings.backoffMs(failures),
    reason: result.reason.slice(0, 200),
    ...(pause ? { pausedAt: d.at.toISOString() } : {}),
  };
  await d.store.hashSet(DELIVERY_KEY, { [w.id]: JSON.stringify(state) });
  if (pause) {
    d.counts.paused++;
    d.log.warn('reminders: chat paused', { channel: w.sub.recipient.channel, failures, permanent: result.permanent });
  }
}

async function finish(
  store: Store,
  f: { today: string; cursor: string | null; nextCursor?: string; sent: Set<string>; current: Set<string>; log: JobContext['log'] },
): Promise<void> {
  try {
    // Index records whose stage has passed (or whose chat unsubscribed) are no longer needed.
    const stale = [...f.sent].filter((field) => !f.current.has(field));
    if (stale.length) await store.hashDel(SENT_INDEX_KEY, ...stale);
    if (f.nextCursor) await store.set(cursorKey(f.today), f.nextCursor, CURSOR_TTL_SECONDS);
    else if (f.cursor) await store.del(cursorKey(f.today));
  } catch (e) {
    f.log.warn('reminders: bookkeeping not saved', { error: describeError(e) });
  }
}

/** Paused, or still in its backoff: not tried in this run. */
function waiting(state: DeliveryState | undefined, at: Date): boolean {
  return Boolean(state && (state.pausedAt || state.nextAttemptAt > at.getTime()));
}

/** A send that throws is a transient failure, never a crash of the run. */
async function safeSend(outbound: Outbound, to: Recipient, reply: Reply): Promise<SendResult> {
  try {
    return await outbound.send(to, reply);
  } catch (e) {
    return { ok: false, permanent: false, reason: describeError(e) };
  }
}

/** Subscribers from the cursor on, then those before it: a continuation starts where the last stopped. */
function rotate(sorted: string[], cursor: string | null): string[] {
  if (!cursor) return sorted;
  const at = sorted.findIndex((id) => id >= cursor);
  return at <= 0 ? sorted : [...sorted.slice(at), ...sorted.slice(0, at)];
}

/** Subrequests one subscriber's digest of `items` items costs: claims, send, bookkeeping. */
function costOf(channel: Recipient['channel'], items: number): number {
  // About 250 characters per item; Telegram splits at 4096, Zalo at 2000 and also stores its choices.
  const chars = 400 + items * 250;
  const send = channel === 'zalo' ? Math.ceil(chars / 1800) + 1 : Math.ceil(chars / 3500);
  return items + send + CALLS_PER_SUBSCRIBER;
}

/** The most items a digest may hold so that its subscriber alone fits in `room` subrequests. */
function itemCapFor(room: number): number {
  let cap = MAX_ITEMS_PER_DIGEST;
  while (cap > 1 && costOf('zalo', cap) > room) cap--;
  return cap;
}

/** Outbound requests a digest takes once rendered (for the budget). */
export function estimateSendCalls(reply: Reply, to: Recipient): number {
  const chars =
    reply.blocks.reduce((n, b) => n + (b.type === 'list' ? b.items.join('\n').length : b.text.length), 0) +
    reply.citations.reduce((n, c) => n + c.title.length + c.source.length + 20, 0);
  return to.channel === 'zalo' ? Math.ceil(chars / 1800) + 1 : Math.ceil(chars / 3500);
}

/** FNV-1a 32-bit in base 36: a short stable id for an item key inside one subscriber's fields (stored: keep the form). */
function itemHash(key: string): string {
  return fnv1a32(key).toString(36);
}
