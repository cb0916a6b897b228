/**
 * @module analytics/report
 * Turns stored questions into the operator's report: questions per day, by intent and channel,
 * the most asked questions, the ones nothing relevant was found for, latency and the feedback
 * ratio. Pure: the days come in, the report goes out.
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
  perDay: Array<{ day: string; questions: number; unanswered: number; up: number; down: number }>;
  byIntent: Record<string, number>;
  byChannel: Record<string, number>;
  topQuestions: TopQuestion[];
  unanswered: TopQuestion[];
  feedback: { up: number; down: number; /** up / (up + down), null without votes. */ ratio: number | null };
}

export function aggregate(days: DayData[], opts: { top: number }): Omit<StatsReport, 'from' | 'to'> {
  const all = days.flatMap((d) => d.questions);
  const unansweredQs = all.filter((q) => !q.found);
  const latencies = all.map((q) => q.latencyMs).sort((a, b) => a - b);
  const perDay = days.map((d) => {
    const votes = d.questions.map((q) => d.feedback[q.id]);
    return {
      day: d.day,
      questions: d.questions.length,
      unanswered: d.questions.filter((q) => !q.found).length,
      up: votes.filter((v) => v === 'up').length,
      down: votes.filter((v) => v === 'down').length,
    };
  });
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
    byIntent: countBy(all, (q) => q.intent),
    byChannel: countBy(all, (q) => q.channel),
    topQuestions: topGroups(all, opts.top),
    unanswered: topGroups(unansweredQs, opts.top),
    feedback: { up, down, ratio: ratio(up, up + down) },
  };
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
