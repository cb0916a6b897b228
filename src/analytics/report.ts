/**
 * @module analytics/report
 * Turns stored questions into the operator's report: questions per day (split by channel), by
 * intent and channel, the most asked questions, the ones nothing relevant was found for, latency,
 * the feedback ratio, the answers that got 👎 with the reply that was given, and (on request) the
 * single questions. Filters by channel and intent narrow everything, except that `byIntent`
 * ignores the intent filter and `byChannel` the channel filter: they are the choices a filter
 * offers. Pure: the days come in, the report goes out.
 */
import type { ChannelName } from '../core/types';
import { fold } from '../text/normalize';

export interface StoredQuestion {
  id: string;
  /** Epoch ms. */
  at: number;
  channel: ChannelName;
  intent: string;
  found: boolean;
  latencyMs: number;
  /** Masked text. */
  text: string;
}

export interface DayData {
  day: string;
  questions: StoredQuestion[];
  /** Question id -> vote. */
  feedback: Record<string, 'up' | 'down'>;
  /** Question id -> the masked reply that got 👎 (kept only for those). */
  replies?: Record<string, string>;
}

/** An answer that got 👎, with what was answered. */
export interface DownvotedAnswer {
  id: string;
  at: string;
  channel: ChannelName;
  intent: string;
  /** Masked question. */
  question: string;
  /** The masked reply that was given; null when it was not kept (voted on after REPLY_WAIT_DAYS). */
  reply: string | null;
}

/** One question as listed (`list` > 0), masked and tied to no one. */
export interface ListedQuestion {
  id: string;
  at: string;
  channel: ChannelName;
  intent: string;
  found: boolean;
  latencyMs: number;
  text: string;
  vote?: 'up' | 'down';
  /** For a 👎: the reply that was given, when kept. */
  reply?: string;
}

export interface ReportFilter {
  channel?: ChannelName;
  intent?: string;
}

export interface ReportOptions extends ReportFilter {
  top: number;
  /** How many single questions to list (👎 first, then newest); 0 or absent lists none. */
  list?: number;
  /** Lists only unanswered questions, or only 👎 ones (the list alone: totals stay whole). */
  outcome?: 'unanswered' | 'down';
}

export interface TopQuestion {
  /** The wording seen most often among the questions grouped together. */
  text: string;
  count: number;
  /** How many of them found nothing relevant. */
  unanswered: number;
  lastAt: string;
}

export interface StatsReport {
  from: string;
  to: string;
  totals: {
    questions: number;
    answered: number;
    unanswered: number;
    /** answered / questions, null when there were none. */
    answeredRatio: number | null;
    avgLatencyMs: number | null;
    p95LatencyMs: number | null;
  };
  perDay: Array<{
    day: string;
    questions: number;
    unanswered: number;
    up: number;
    down: number;
    /** questions - unanswered. */
    answered: number;
    /** The day's questions per channel (channels without questions left out). */
    byChannel: Record<string, number>;
  }>;
  /** Per intent, over the questions of the channel filter (not the intent filter). */
  byIntent: Record<string, number>;
  /** Per channel, over the questions of the intent filter (not the channel filter). */
  byChannel: Record<string, number>;
  topQuestions: TopQuestion[];
  unanswered: TopQuestion[];
  feedback: { up: number; down: number; /** up / (up + down), null without votes. */ ratio: number | null };
  /** The filters applied (absent ones are null). */
  filter: { channel: ChannelName | null; intent: string | null };
  /** Answers that got 👎, newest first, at most `top`. */
  downvoted: DownvotedAnswer[];
  /** Only when `list` > 0. */
  questions?: ListedQuestion[];
}

export function aggregate(unfiltered: DayData[], opts: ReportOptions): Omit<StatsReport, 'from' | 'to'> {
  const { channel, intent } = opts;
  const byFilter = (q: StoredQuestion) => (!channel || q.channel === channel) && (!intent || q.intent === intent);
  const days = unfiltered.map((d) => ({ ...d, questions: d.questions.filter(byFilter) }));
  const all = days.flatMap((d) => d.questions);
  const unansweredQs = all.filter((q) => !q.found);
  const latencies = all.map((q) => q.latencyMs).sort((a, b) => a - b);
  const perDay = days.map((d) => {
    const votes = d.questions.map((q) => d.feedback[q.id]);
    const unanswered = d.questions.filter((q) => !q.found).length;
    return {
      day: d.day,
      questions: d.questions.length,
      unanswered,
      up: votes.filter((v) => v === 'up').length,
      down: votes.filter((v) => v === 'down').length,
      answered: d.questions.length - unanswered,
      byChannel: countBy(d.questions, (q) => q.channel),
    };
  });
  const everything = unfiltered.flatMap((d) => d.questions);
  const voted = days.flatMap((d) => d.questions.map((q) => ({ q, vote: d.feedback[q.id], reply: d.replies?.[q.id] })));
  const up = sum(perDay.map((d) => d.up));
  const down = sum(perDay.map((d) => d.down));
  return {
    totals: {
      questions: all.length,
      answered: all.length - unansweredQs.length,
      unanswered: unansweredQs.length,
      answeredRatio: ratio(all.length - unansweredQs.length, all.length),
      avgLatencyMs: latencies.length ? Math.round(sum(latencies) / latencies.length) : null,
      p95LatencyMs: latencies.length ? latencies[Math.ceil(0.95 * latencies.length) - 1]! : null,
    },
    perDay,
    byIntent: countBy(everything.filter((q) => !channel || q.channel === channel), (q) => q.intent),
    byChannel: countBy(everything.filter((q) => !intent || q.intent === intent), (q) => q.channel),
    topQuestions: topGroups(all, opts.top),
    unanswered: topGroups(unansweredQs, opts.top),
    feedback: { up, down, ratio: ratio(up, up + down) },
    filter: { channel: channel ?? null, intent: intent ?? null },
    downvoted: voted
      .filter((v) => v.vote === 'down')
      .sort((a, b) => b.q.at - a.q.at)
      .slice(0, opts.top)
      .map(({ q, reply }) => ({ id: q.id, at: new Date(q.at).toISOString(), channel: q.channel, intent: q.intent, question: q.text, reply: reply ?? null })),
    ...(opts.list ? { questions: listQuestions(voted, opts.list, opts.outcome) } : {}),
  };
}

/** The single questions, 👎 first, then newest. */
function listQuestions(
  voted: Array<{ q: StoredQuestion; vote?: 'up' | 'down'; reply?: string }>,
  max: number,
  outcome: ReportOptions['outcome'],
): ListedQuestion[] {
  return voted
    .filter(({ q, vote }) => (outcome === 'unanswered' ? !q.found : outcome === 'down' ? vote === 'down' : true))
    .sort((a, b) => Number(b.vote === 'down') - Number(a.vote === 'down') || b.q.at - a.q.at)
    .slice(0, max)
    .map(({ q, vote, reply }) => ({
      id: q.id,
      at: new Date(q.at).toISOString(),
      channel: q.channel,
      intent: q.intent,
      found: q.found,
      latencyMs: q.latencyMs,
      text: q.text,
      ...(vote ? { vote } : {}),
      ...(vote === 'down' && reply !== undefined ? { reply } : {}),
    }));
}

/**
 * The key questions are grouped by: case, diacritics, punctuation and spacing ignored, so
 * "Làm CCCD ở đâu?" and "lam cccd o dau" count as one question.
 */
export function questionKey(text: string): string {
  return fold(text.normalize('NFC').toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function topGroups(questions: StoredQuestion[], top: number): TopQuestion[] {
  const groups = new Map<string, { count: number; unanswered: number; lastAt: number; wordings: Map<string, number> }>();
  for (const q of questions) {
    const key = questionKey(q.text);
    if (!key) continue;
    const g = groups.get(key) ?? { count: 0, unanswered: 0, lastAt: 0, wordings: new Map() };
    g.count++;
    if (!q.found) g.unanswered++;
    g.lastAt = Math.max(g.lastAt, q.at);
    // Delete then set: the map stays in last-seen order, which breaks ties below.
    const seen = g.wordings.get(q.text) ?? 0;
    g.wordings.delete(q.text);
    g.wordings.set(q.text, seen + 1);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({ text: mostFrequent(g.wordings), count: g.count, unanswered: g.unanswered, lastAt: new Date(g.lastAt).toISOString() }))
    .sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt) || a.text.localeCompare(b.text))
    .slice(0, top);
}

/** The wording seen most often; among equals the one seen last (questions arrive in time order). */
function mostFrequent(counts: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [text, n] of counts) if (n >= bestCount) [best, bestCount] = [text, n];
  return best;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  // fromEntries defines own properties, so even an intent named "__proto__" stays a count.
  return Object.fromEntries(counts);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null;
}
