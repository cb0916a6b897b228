/**
 * @module scripts/bench/warm-rounds
 * The warm part of bench:knowledge, run in a process of the isolate's own
 * (scripts/bench/warm-isolate): questions typed as citizens type them warm the isolate
 * unmeasured, then the eval questions are asked `rounds` times, each timed (wall and CPU) and the
 * first round scored for recall.
 *
 * CPU is process.cpuUsage(), which is exact only for the calling thread: Linux adds the time of
 * the process's other threads (V8's compiler and collector helpers) only at scheduler ticks, in
 * lumps of up to 4 ms that land on whichever query reads it (queries read 5.7 ms of CPU in 1.3 ms
 * of wall time on two cores). The isolate's process therefore runs V8 single-threaded
 * (--single-threaded): every compile and collection runs on the thread that answers, and is
 * counted, in full and exactly, in the query during which it ran.
 */
import { rng } from './corpus';
import { percentile } from './stats';
import { loadQuestions, isInScope } from './eval-set';
import type { KnowledgeBundle } from '../../src/knowledge/schema';
import type { AnalyzerData } from '../../src/search/analyzer';
import type { LiveKnowledge } from '../../src/search/live-index';
import { fold } from '../../src/text/normalize';

/**
 * Questions a new isolate answers before the warm rounds are measured (not eval questions). A
 * warm isolate in service has answered thousands: after 200 questions of the corpus's words
 * alone, V8 was still compiling and, meeting marks-free text and abbreviations for the first
 * time, throwing away and compiling again the query's own functions (plan 11 ms, analyzeQuery
 * 10 ms, fillTexts 11 ms) during the measured rounds. With questions typed as below it no longer
 * throws them away, but it compiles the live index's merge step only at about its 2,400th call
 * (10 ms, single-threaded): 4,000 left none of the query's functions to compile then.
 * Since the socket sender and the leaders' scoring, 4,000 no longer do (`--trace-opt`, session
 * 9): the live index's hybridSearch is first optimized between its 3,500th and 4,500th call
 * (6.4 ms), the sender's reply parser and socket release at 3,000–4,500 (5.6 and 3.3 ms),
 * closures until about 8,000 (up to 15 ms); and the first question of stopwords alone (the
 * 9,300th of these) gives the query's functions empty arrays they had not seen, so seven of them
 * are thrown away and compiled again by the 10,500th (lexical 35 ms, fillTexts 17 ms). After
 * 4,000, seven to nine compiles fell in the measured rounds (two to four over 1 ms); after
 * 12,000, two under 1 ms.
 */
export const WARMUP_QUESTIONS = 12000;

export interface WarmFigures {
  warmP50: number;
  warmP99: number;
  cpuP50: number;
  cpuP99: number;
  /** CPU p50 / p99 of each question's first asking (its shards fetched and decoded) and of the later rounds. */
  cpuFirst: [number, number];
  cpuAgain: [number, number];
  r1: number;
  r5: number;
  questions: number;
  /** First askings that read the store (terms or texts not held yet), when the caller counts reads. */
  firstReads?: number;
}

/** How citizens end a question. */
const ASKS = ['là gì', 'ở đâu', 'bao nhiêu', 'như thế nào', 'khi nào', 'ai', 'có không', 'cần gì', 'mấy ngày', 'phải làm gì'];

/**
 * Questions a citizen might type, made of the corpus's own sentences (a fixed seed): a few words
 * of a chunk and a question ending, half of them without marks, some with an abbreviation or in
 * capitals. What warms a new isolate before it is measured, as the questions before them warm a
 * Worker's isolate in service.
 */
export function citizenQuestions(bundle: KnowledgeBundle, analyzer: AnalyzerData, n: number): string[] {
  const r = rng(17);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  return Array.from({ length: n }, () => {
    const words = pick(bundle.chunks).text.split(/\s+/).filter(Boolean);
    const size = 3 + Math.floor(r() * 10);
    const at = Math.floor(r() * Math.max(1, words.length - size));
    let q = `${words.slice(at, at + size).join(' ')} ${pick(ASKS)}`;
    if (analyzer.abbreviations.length && r() < 0.3) {
      const short = pick(analyzer.abbreviations).short;
      q = r() < 0.5 ? `${q} ${short}` : `${short} ${q}`;
    }
    if (r() < 0.5) q = fold(q);
    if (r() < 0.2) q = q.toUpperCase();
    return q;
  });
}

/** `storeReads`: how many store reads so far (to count the first askings that read any). */
export async function warmRounds(live: LiveKnowledge, seed: KnowledgeBundle, analyzer: AnalyzerData, rounds: number, storeReads?: () => number): Promise<WarmFigures> {
  const questions = loadQuestions().filter(isInScope);
  for (const q of citizenQuestions(seed, analyzer, WARMUP_QUESTIONS)) await live.hybridSearch(q, { limit: 5 });
  const walls: number[] = [];
  const cpus: number[] = [];
  let r1 = 0;
  let r5 = 0;
  let firstReads = 0;
  for (let round = 0; round < rounds; round++) {
    for (const q of questions) {
      const reads0 = storeReads?.() ?? 0;
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const result = await live.hybridSearch(q.question, { limit: 5 });
      walls.push(performance.now() - w0);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1000);
      if (round === 0) {
        if ((storeReads?.() ?? 0) > reads0) firstReads++;
        const ids = result.hits.map((h) => h.doc.id);
        const expected = [q.doc, ...(q.also ?? [])];
        if (expected.includes(ids[0] ?? '')) r1++;
        if (ids.slice(0, 5).some((id) => expected.includes(id))) r5++;
      }
    }
  }
  const split = (values: number[], from: number, to: number): [number, number] => {
    const part = values.slice(from, to).sort((a, b) => a - b);
    return [percentile(part, 50), percentile(part, 99)];
  };
  const [warmP50, warmP99] = split(walls, 0, walls.length);
  const [cpuP50, cpuP99] = split(cpus, 0, cpus.length);
  return {
    warmP50,
    warmP99,
    cpuP50,
    cpuP99,
    cpuFirst: split(cpus, 0, questions.length),
    cpuAgain: split(cpus, questions.length, cpus.length),
    r1: r1 / questions.length,
    r5: r5 / questions.length,
    questions: questions.length,
    ...(storeReads ? { firstReads } : {}),
  };
}
