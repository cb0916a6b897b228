/**
 * @module handoff/erase
 * The /xoadulieu eraser for conversations with a person: every handoff of the person's chat,
 * its transcript and claims, the failed-answer counter and a web chat's waiting replies.
 */
import type { UserDataEraser } from '../privacy/erase';
import { eraseHandoffs } from './service';

export const handoffEraser: UserDataEraser = {
  name: 'handoff',
  erase: (store, who) => eraseHandoffs(store, who.channel, who.chatId),
};
