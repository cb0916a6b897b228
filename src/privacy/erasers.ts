/**
 * @module privacy/erasers
 * The erasers for the state the core keeps per person: conversation memory, the bound role
 * (and failed invite attempts), rate-limit counters, and analytics (which by design hold nothing
 * linkable). Other features' erasers live with those features and join the list in app.ts.
 */
import { conversationKey } from '../core/conversation';
import { inviteFailKey, roleKey } from '../core/roles';
import { deleteKeysWithPrefix, type UserDataEraser } from './erase';

const conversationEraser: UserDataEraser = {
  name: 'conversation',
  erase: (store, who) => store.del(conversationKey(who.channel, who.chatId)),
};

const roleEraser: UserDataEraser = {
  name: 'role',
  erase: (store, who) => store.del(roleKey(who.channel, who.userId), inviteFailKey(who.channel, who.userId)),
};

/** RateLimiter keys are rl:<channel>:<userId>:<window> (the assistant limits per channel user). */
export const rateLimitEraser: UserDataEraser = {
  name: 'rate-limit',
  erase: (store, who) => deleteKeysWithPrefix(store, `rl:${who.channel}:${who.userId}:`),
};

/**
 * Analytics keep masked question text with no user or chat id (see analytics/questions), so
 * there is nothing to find by person: this eraser removes nothing, and exists so the list of
 * what is kept and what is erased stays complete in one place.
 */
const analyticsEraser: UserDataEraser = {
  name: 'analytics',
  erase: async () => 0,
};

export const coreErasers: readonly UserDataEraser[] = [conversationEraser, roleEraser, rateLimitEraser, analyticsEraser];
