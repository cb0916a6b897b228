/**
 * @module analytics/feedback
 * 👍/👎 on an answer, for any channel with buttons. When an answer goes out, the channel notes
 * under the sent message what it answered: the intent, and the analytics question id when the
 * assistant recorded the question. A vote on that message counts once (an atomic claim, so a
 * second tap changes nothing), adds to the day's counters, and is attached to the question in
 * analytics, where the operator sees which answers helped. No question text is kept here; the
 * per-message note and claim hold only ids and expire with conversation memory.
 */
import { deleteKeysWithPrefix, type UserDataEraser } from '../privacy/erase';
import { z } from 'zod';
import type { Store } from '../store/store';
import type { ChannelName } from '../core/types';
import { attachFeedback, type FeedbackValue } from './questions';
import { vnDay } from '../core/vn-time';

export type { FeedbackValue };

/** Identifies one sent answer: the chat and the channel's id of the message (Telegram message_id). */
interface AnswerRef {
  channel: ChannelName;
  chatId: string;
  messageRef: string;
}

/** Daily counters are kept this long: they are aggregates, with nothing personal in them. */
const COUNTER_TTL_SECONDS = 400 * 86_400;

const AnswerNoteSchema = z.object({ intent: z.string(), questionId: z.string().optional() });

const chatPrefix = (channel: ChannelName, chatId: string) => `${channel}:${chatId}:`;
const noteKey = (r: AnswerRef) => `feedback:answer:${chatPrefix(r.channel, r.chatId)}${r.messageRef}`;
const voteKey = (r: AnswerRef) => `feedback:vote:${chatPrefix(r.channel, r.chatId)}${r.messageRef}`;

/** The prefixes of every key this module keeps about one chat (for erasing a user's data). */
export function feedbackKeyPrefixes(channel: ChannelName, chatId: string): string[] {
  return [`feedback:answer:${chatPrefix(channel, chatId)}`, `feedback:vote:${chatPrefix(channel, chatId)}`];
}

/** The counter of one Vietnamese day and value, e.g. feedback:count:2026-11-21:up. */
function feedbackCounterKey(at: Date, value: FeedbackValue): string {
  return `feedback:count:${vnDay(at)}:${value}`;
}

/** Notes what a sent answer was about, so a later vote on it can be tied to its question. */
export async function rememberAnswer(
  store: Store,
  ref: AnswerRef,
  answer: { intent: string; questionId?: string; ttlSeconds: number },
): Promise<void> {
  const note: z.infer<typeof AnswerNoteSchema> = { intent: answer.intent, ...(answer.questionId ? { questionId: answer.questionId } : {}) };
  await store.set(noteKey(ref), JSON.stringify(note), answer.ttlSeconds);
}

/**
 * Records one vote on a sent answer. 'duplicate' when this answer already has a vote: the first
 * one stands, whoever taps again (in a group, anyone may tap).
 */
export async function recordFeedback(
  store: Store,
  vote: AnswerRef & { value: FeedbackValue; now: Date; ttlSeconds: number },
): Promise<'recorded' | 'duplicate'> {
  if (!(await store.claim(voteKey(vote), vote.ttlSeconds, vote.value))) return 'duplicate';
  await store.incr(feedbackCounterKey(vote.now, vote.value), 1, COUNTER_TTL_SECONDS);
  const note = parseNote(await store.get(noteKey(vote)));
  // False when the question has left analytics (past retention): the counter still has the vote.
  if (note?.questionId) await attachFeedback(store, note.questionId, vote.value);
  return 'recorded';
}

/** The day's 👍 and 👎 counts. */
export async function feedbackCounts(store: Store, at: Date): Promise<Record<FeedbackValue, number>> {
  const [up, down] = await Promise.all([store.get(feedbackCounterKey(at, 'up')), store.get(feedbackCounterKey(at, 'down'))]);
  return { up: Number(up ?? 0), down: Number(down ?? 0) };
}

function parseNote(raw: string | null): z.infer<typeof AnswerNoteSchema> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = AnswerNoteSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** /xoadulieu: the answer notes and votes of the person's chat (daily counters hold no ids). */
export const feedbackEraser: UserDataEraser = {
  name: 'feedback',
  async erase(store, who) {
    let removed = 0;
    for (const prefix of feedbackKeyPrefixes(who.channel, who.chatId)) removed += await deleteKeysWithPrefix(store, prefix);
    return removed;
  },
};
