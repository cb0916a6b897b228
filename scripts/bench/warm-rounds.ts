/**
 * @module scripts/bench/warm-rounds
 * The warm part of bench:knowledge, shared by the bench's own process and by a process of the
 * isolate's own (scripts/bench/warm-isolate): questions made of the corpus's words warm the
 * isolate unmeasured, then the eval questions are asked `rounds` times, each timed (wall and the
 * process's CPU, every thread) and the first round scored for recall.
 */
import { rng } from './corpus';
import { percentile } from './stats';
import { loadQuestions, isInScope } from './eval-set';
import type { KnowledgeBundle } from '../../src/knowledge/schema';
import type { LiveKnowledge } from '../../src/search/live-index';

/** Questions a new isolate answers before the warm rounds are measured (not eval questions). */
export const WARMUP_QUESTIONS = 200;

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
}

/**
 * Questions a citizen might type, made of the corpus's own words (a fixed seed): what warms a new
 * isolate before it is measured, as the questions before them warm a Worker's isolate in service.
 */
function warmupQuestions(bundle: KnowledgeBundle, n: number): string[] {
  const r = rng(17);
  const words = [...new Set(bundle.chunks.flatMap((c) => c.text.split(/\s+/).filter((w) => /^\p{L}+$/u.test(w))))];
  return Array.from({ length: n }, () => Array.from({ length: 3 + Math.floor(r() * 10) }, () => words[Math.floor(r() * words.length)]!).join(' '));
}

export async function warmRounds(live: LiveKnowledge, seed: KnowledgeBundle, rounds: number): Promise<WarmFigures> {
  const questions = loadQuestions().filter(isInScope);
  for (const q of warmupQuestions(seed, WARMUP_QUESTIONS)) await live.hybridSearch(q, { limit: 5 });
  const walls: number[] = [];
  const cpus: number[] = [];
  let r1 = 0;
  let r5 = 0;
  for (let round = 0; round < rounds; round++) {
    for (const q of questions) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const result = await live.hybridSearch(q.question, { limit: 5 });
      walls.push(performance.now() - w0);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1000);
      if (round === 0) {
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
  };
}
