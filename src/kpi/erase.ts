/**
 * @module kpi/erase
 * What the KPI feature keeps about a person, and its eraser for /xoadulieu: the alert
 * subscription of their chat (which holds their user id) and the "already told" claims of
 * that chat. KPI values and definitions hold nothing about people.
 */
import type { Store } from '../store/store';
import type { UserDataEraser } from '../privacy/erase';
import { SUBSCRIBERS_KEY, SubscriberSchema, subscriberField } from './service';

const ALERT_CLAIM_PREFIX = 'kpi:alerted:';

/**
 * The eraser of one kind of KPI subscription (alerts, the weekly briefing): the person's
 * subscriptions (their chat's, and any they made elsewhere on the channel, which hold their user
 * id) and the "already sent" claims of those chats.
 */
export function subscriptionEraser(name: string, subscribersKey: string, claimPrefix: string): UserDataEraser {
  return {
    name,
    async erase(store: Store, who) {
      const subs = await store.hashGetAll(subscribersKey);
      const fields = Object.entries(subs)
        .filter(([field, raw]) => {
          if (field === subscriberField(who.channel, who.chatId)) return true;
          try {
            const sub = SubscriberSchema.safeParse(JSON.parse(raw));
            return sub.success && sub.data.channel === who.channel && sub.data.userId === who.userId;
          } catch {
            return false;
          }
        })
        .map(([field]) => field);
      const removed = fields.length ? await store.hashDel(subscribersKey, ...fields) : 0;
      const chats = new Set([who.chatId, ...fields.map((f) => f.slice(who.channel.length + 1))]);
      const claims = (await store.keysWithPrefix(claimPrefix)).filter((k) =>
        [...chats].some((chat) => k.endsWith(`:${subscriberField(who.channel, chat)}`)),
      );
      return removed + (claims.length ? await store.del(...claims) : 0);
    },
  };
}

export const kpiEraser = subscriptionEraser('kpi', SUBSCRIBERS_KEY, ALERT_CLAIM_PREFIX);
