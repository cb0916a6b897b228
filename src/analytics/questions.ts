/**
 * @module analytics/questions
 * What people ask, kept for the operator without personal data: each question with its masked
 * text, intent, whether a source was found, latency, channel and (later) feedback. Nothing here
 * holds a user or chat id, so analytics cannot be linked back to a person and survive /xoadulieu.
 *
 * Store layout, one Vietnamese day per key, each key expiring `retentionDays` after its day:
 *   analytics:q:<yyyy-mm-dd>    sorted set, score = epoch ms, member = JSON StoredQuestion
 *   analytics:fb:<yyyy-mm-dd>   hash, question id -> "up" | "down"
 *   analytics:down:<yyyy-mm-dd> hash, question id -> the masked reply that got 👎
 * and, per answered question, while a vote on it is likely:
 *   analytics:reply:<id>        the masked reply, for REPLY_WAIT_DAYS; a 👎 copies it into the
 *                               day's `down` hash (kept as long as the day), a 👍 leaves it to expire.
 * Replies wait in keys of their own, not in a day hash, so a vote reads one short value; and only
 * a few days, so a province does not keep every reply for the whole retention.
 * A question id carries its own time (base-36 ms), so feedback finds its question with one
 * exact score lookup instead of reading the whole day.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import type { QuestionEvent as AssistantQuestion, QuestionRecorder } from '../core/assistant';
import { maskPersonalData } from '../privacy/mask';
import { daysBetween, dayStart, vnDay } from '../core/vn-time';
import { aggregate, type DayData, type ReportOptions, type StatsReport, type StoredQuestion } from './report';

const MAX_QUESTION_CHARS = 300;
/** A reply is kept up to this long (it is what the operator reads beside the 👎). */
const MAX_REPLY_CHARS = 2000;
/** How long a reply waits for a vote: a 👎 later than this still counts, without its reply. */
export const REPLY_WAIT_DAYS = 7;

export const questionsKey = (day: string) => `analytics:q:${day}`;
export const feedbackKey = (day: string) => `analytics:fb:${day}`;
export const downRepliesKey = (day: string) => `analytics:down:${day}`;
export const pendingReplyKey = (questionId: string) => `analytics:reply:${questionId}`;

/** The assistant's question event (its text is masked again here, whatever the caller did), and how long to keep it. */
export interface QuestionEvent extends AssistantQuestion {
  retentionDays: number;
}

const FeedbackValueSchema = z.enum(['up', 'down']);
export type FeedbackValue = z.infer<typeof FeedbackValueSchema>;

/** The stored member: short field names, because a busy day holds thousands of them. */
const MemberSchema = z.object({
  id: z.string(),
  c: z.enum(['telegram', 'zalo', 'web']),
  i: z.string(),
  f: z.boolean(),
  ms: z.number(),
  q: z.string(),
});

const QUESTION_ID = /^([0-9a-z]{1,11})\.([0-9a-f]{6})$/;

/**
 * Records one answered question and returns its id (for feedback buttons). Call it after the
 * reply is built; it never throws for bad text, only for a store failure.
 * @example
 *   const id = await recordQuestion(store, { at, channel: 'telegram', intent: reply.intent,
 *     found: reply.found !== false, latencyMs, text: inbound.text, retentionDays: 90 });
 */
export async function recordQuestion(store: Store, e: QuestionEvent): Promise<string> {
  // Six hex digits of a v4 UUID are random: two questions in one millisecond stay apart.
  const id = `${e.at.getTime().toString(36)}.${crypto.randomUUID().slice(0, 6)}`;
  const day = vnDay(e.at);
  const member = {
    id,
    c: e.channel,
    i: e.intent.slice(0, 40),
    f: e.found,
    ms: Math.max(0, Math.round(e.latencyMs)),
    q: maskPersonalData(e.text.normalize('NFC')).replace(/\s+/g, ' ').trim().slice(0, MAX_QUESTION_CHARS),
  } satisfies z.infer<typeof MemberSchema>;
  const key = questionsKey(day);
  const reply = e.reply === undefined ? '' : maskText(e.reply, MAX_REPLY_CHARS);
  const waitSeconds = Math.min(REPLY_WAIT_DAYS * 86_400, retentionSeconds(day, e.retentionDays, e.at));
  // Together, so they share a round trip; the EXPIRE lands after the ZADD (same request, in order).
  await Promise.all([
    store.zAdd(key, e.at.getTime(), JSON.stringify(member)),
    store.expire(key, retentionSeconds(day, e.retentionDays, e.at)),
    ...(reply ? [store.set(pendingReplyKey(id), reply, waitSeconds)] : []),
  ]);
  return id;
}

/** Masked, NFC, blank runs of a line squeezed (line breaks kept: a reply has lists), trimmed, capped. */
function maskText(text: string, max: number): string {
  return maskPersonalData(text.normalize('NFC'))
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .slice(0, max);
}

/**
 * Links a 👍/👎 to a recorded question; the last vote stands. False (nothing written) when the
 * id is malformed or the question is unknown or past retention. Holds no user id either.
 */
export async function attachFeedback(store: Store, questionId: string, value: FeedbackValue): Promise<boolean> {
  const m = QUESTION_ID.exec(questionId);
  const vote = FeedbackValueSchema.safeParse(value);
  if (!m || !vote.success) return false;
  const at = parseInt(m[1]!, 36);
  const day = vnDay(new Date(at));
  const key = questionsKey(day);
  const rows = await store.zRangeByScore(key, at, at);
  if (!rows.some((r) => readMember(r.member)?.id === questionId)) return false;
  const ttl = await store.ttl(key);
  if (ttl <= 0) return false;
  await store.hashSet(feedbackKey(day), { [questionId]: vote.data });
  await store.expire(feedbackKey(day), ttl);
  if (vote.data === 'down') {
    // The reply that was voted on, kept beside the vote for as long as the day's questions.
    const reply = await store.get(pendingReplyKey(questionId));
    if (reply) {
      await store.hashSet(downRepliesKey(day), { [questionId]: reply });
      await store.expire(downRepliesKey(day), ttl);
    }
  } else {
    await store.hashDel(downRepliesKey(day), questionId);
  }
  return true;
}

/** The questions and votes of one day. */
export async function readDay(store: Store, day: string): Promise<DayData> {
  const [rows, votes, replies] = await Promise.all([
    store.zRangeByScore(questionsKey(day), -Infinity, Infinity),
    store.hashGetAll(feedbackKey(day)),
    store.hashGetAll(downRepliesKey(day)),
  ]);
  const questions: StoredQuestion[] = rows.flatMap((r) => {
    const m = readMember(r.member);
    return m ? [{ id: m.id, at: r.score, channel: m.c, intent: m.i, found: m.f, latencyMs: m.ms, text: m.q }] : [];
  });
  const feedback: Record<string, FeedbackValue> = {};
  for (const [id, v] of Object.entries(votes)) {
    const parsed = FeedbackValueSchema.safeParse(v);
    if (parsed.success) feedback[id] = parsed.data;
  }
  return { day, questions, feedback, replies };
}

/** The report for the Vietnamese days from..to (YYYY-MM-DD, both included). */
export async function stats(store: Store, from: string, to: string, opts: Partial<ReportOptions> = {}): Promise<StatsReport> {
  const days = await Promise.all(daysBetween(from, to).map((d) => readDay(store, d)));
  return { from, to, ...aggregate(days, { ...opts, top: opts.top ?? 10 }) };
}

/**
 * Which turns are questions worth keeping: not a bare command (/start, /help), not an unknown
 * one, not a refused burst. (Sensitive handlers, such as /xacthuc, the assistant skips itself.)
 */
export function shouldRecord(turn: { via: string; args: string; intent: string }): boolean {
  if (turn.intent === 'rate-limited' || turn.via === 'unknown-command') return false;
  return !(turn.via === 'command' && turn.args.trim() === '');
}

/**
 * The channels whose answers carry 👍/👎 buttons (Telegram's inline keyboard): only their replies
 * are kept waiting for a vote, as nobody else can vote on one.
 */
const VOTING_CHANNELS: ReadonlySet<string> = new Set(['telegram']);

/** The assistant's question recorder (core/assistant.ts), kept in `store` for `retentionDays`. */
export function questionRecorder(store: Store, retentionDays: number): QuestionRecorder {
  return {
    shouldRecord,
    record: ({ reply, ...e }) => recordQuestion(store, { ...e, ...(VOTING_CHANNELS.has(e.channel) && reply !== undefined ? { reply } : {}), retentionDays }),
  };
}

/** Seconds from `at` until the day's key may go: the whole day stays `retentionDays` days. */
function retentionSeconds(day: string, retentionDays: number, at: Date): number {
  const end = dayStart(day).getTime() + (retentionDays + 1) * 86_400_000;
  return Math.max(1, Math.ceil((end - at.getTime()) / 1000));
}

function readMember(raw: string): z.infer<typeof MemberSchema> | null {
  try {
    const parsed = MemberSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

