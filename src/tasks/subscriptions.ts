/**
 * @module tasks/subscriptions
 * Who hears about which deadlines: one subscription per chat (a Telegram or Zalo chat), naming
 * units, single tasks or all units, with the Recipient to send to. All subscriptions live in one
 * store hash (field = "<channel>:<chatId>"), so the daily job reads every subscriber in one call
 * instead of one call each; the same goes for each chat's delivery state (failures, backoff,
 * paused), kept in a second hash that the job writes and a new /nhacviec clears.
 */
import type { UserDataEraser } from '../privacy/erase';
import { z } from 'zod';
import type { Store } from '../store/store';
import type { Recipient } from '../core/types';
import { parseStored, type Task } from './schema';

export const SUBSCRIPTIONS_KEY = 'remind:subs';
export const DELIVERY_KEY = 'remind:delivery';
/** The reminder job's record of what was sent (see reminders-job.ts); here so erasing can reach it. */
export const SENT_INDEX_KEY = 'remind:sent';

const RecipientSchema = z.object({
  channel: z.enum(['telegram', 'zalo', 'web']),
  chatId: z.string().min(1).max(128),
  locale: z.enum(['vi', 'en']),
});

const SubscriptionSchema = z.object({
  recipient: RecipientSchema,
  /** Every unit, including units added later. */
  allUnits: z.boolean().default(false),
  units: z.array(z.string()).default([]),
  tasks: z.array(z.string()).default([]),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** How sending to a chat has gone lately; absent means fine. */
const DeliveryStateSchema = z.object({
  /** Failed sends in a row. */
  failures: z.number().int().min(0),
  /** Epoch ms before which the next try waits (backoff). */
  nextAttemptAt: z.number(),
  /** Set when the chat is paused: no more sends until the chat uses /nhacviec again. */
  pausedAt: z.string().optional(),
  /** The last failure's reason, short and without personal data. */
  reason: z.string().max(200).optional(),
});
export type DeliveryState = z.infer<typeof DeliveryStateSchema>;

export type Change =
  | { op: 'add' | 'remove'; unit: string }
  | { op: 'add' | 'remove'; task: string }
  | { op: 'add' | 'remove'; all: true };

function subscriberId(r: Pick<Recipient, 'channel' | 'chatId'>): string {
  return `${r.channel}:${r.chatId}`;
}

function isEmpty(sub: Subscription): boolean {
  return !sub.allUnits && sub.units.length === 0 && sub.tasks.length === 0;
}

/** Whether a subscription asks for reminders about `task` (open tasks only). */
export function covers(sub: Subscription, task: Task): boolean {
  if (task.status !== 'open') return false;
  return sub.allUnits || sub.units.includes(task.unit) || sub.tasks.includes(task.id);
}

/** A subscription after one change: pure, so the chat handler and tests share it. */
export function applyChange(
  current: Subscription | undefined,
  recipient: Recipient,
  change: Change,
  nowIso: string,
): Subscription {
  const base: Subscription = current
    ? { ...current, recipient }
    : { recipient, allUnits: false, units: [], tasks: [], createdAt: nowIso, updatedAt: nowIso };
  const edit = (list: string[], item: string) =>
    change.op === 'add' ? (list.includes(item) ? list : [...list, item].sort()) : list.filter((x) => x !== item);
  const next = { ...base, updatedAt: nowIso };
  if ('all' in change) next.allUnits = change.op === 'add';
  else if ('unit' in change) next.units = edit(base.units, change.unit);
  else next.tasks = edit(base.tasks, change.task);
  return next;
}

export class Subscriptions {
  constructor(private readonly store: Store) {}

  async get(r: Pick<Recipient, 'channel' | 'chatId'>): Promise<Subscription | undefined> {
    const all = await this.store.hashGetAll(SUBSCRIPTIONS_KEY);
    const json = all[subscriberId(r)];
    return json === undefined ? undefined : parseSubscription(json);
  }

  /** Saves a subscription; an empty one is removed instead. */
  async save(sub: Subscription): Promise<void> {
    if (isEmpty(sub)) {
      await this.remove(sub.recipient);
      return;
    }
    await this.store.hashSet(SUBSCRIPTIONS_KEY, { [subscriberId(sub.recipient)]: JSON.stringify(sub) });
  }

  /** Stops every reminder for a chat; false when it had none. */
  async remove(r: Pick<Recipient, 'channel' | 'chatId'>): Promise<boolean> {
    const id = subscriberId(r);
    const removed = await this.store.hashDel(SUBSCRIPTIONS_KEY, id);
    await this.store.hashDel(DELIVERY_KEY, id);
    return removed > 0;
  }

  /** Clears failures and a pause, so the next run sends to the chat again. */
  async resume(r: Pick<Recipient, 'channel' | 'chatId'>): Promise<void> {
    await this.store.hashDel(DELIVERY_KEY, subscriberId(r));
  }

  async deliveryState(r: Pick<Recipient, 'channel' | 'chatId'>): Promise<DeliveryState | undefined> {
    const raw = (await this.store.hashGetAll(DELIVERY_KEY))[subscriberId(r)];
    return raw === undefined ? undefined : parseDeliveryState(raw);
  }

  /** Every subscription by subscriber id (one store call). */
  async all(): Promise<Map<string, Subscription>> {
    return parseSubscriptions(await this.store.hashGetAll(SUBSCRIPTIONS_KEY));
  }
}

export function parseSubscriptions(raw: Record<string, string>): Map<string, Subscription> {
  const out = new Map<string, Subscription>();
  for (const [id, json] of Object.entries(raw)) {
    const sub = parseSubscription(json);
    if (sub && subscriberId(sub.recipient) === id) out.set(id, sub);
  }
  return out;
}

export function parseDeliveryStates(raw: Record<string, string>): Map<string, DeliveryState> {
  const out = new Map<string, DeliveryState>();
  for (const [id, json] of Object.entries(raw)) {
    const state = parseDeliveryState(json);
    if (state) out.set(id, state);
  }
  return out;
}

function parseSubscription(json: string): Subscription | undefined {
  return parseStored(json, SubscriptionSchema);
}

function parseDeliveryState(json: string): DeliveryState | undefined {
  return parseStored(json, DeliveryStateSchema);
}

/**
 * Deletes everything reminders keep about one chat (for a user's request to erase their data):
 * its subscription, delivery state, sent records and claims. Returns how many entries went.
 */
export async function eraseReminderData(store: Store, r: Pick<Recipient, 'channel' | 'chatId'>): Promise<number> {
  const id = subscriberId(r);
  let removed = (await store.hashDel(SUBSCRIPTIONS_KEY, id)) + (await store.hashDel(DELIVERY_KEY, id));
  const sentFields = Object.keys(await store.hashGetAll(SENT_INDEX_KEY)).filter((f) => f.startsWith(`${id}|`));
  removed += await store.hashDel(SENT_INDEX_KEY, ...sentFields);
  removed += await store.del(...(await store.keysWithPrefix(`remind:claim:${id}:`)));
  return removed;
}

/** /xoadulieu: the chat's reminder subscription, delivery state, sent index and claims. */
export const reminderEraser: UserDataEraser = {
  name: 'reminders',
  erase: (store, who) => eraseReminderData(store, { channel: who.channel, chatId: who.chatId }),
};
