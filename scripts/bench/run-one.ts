/**
 * @module scripts/bench/run-one
 * One bench measurement in a fresh process (so heap figures belong to one engine): builds
 * the corpus at the asked size, indexes it with one engine, and prints one JSON line with
 * build time, heap, serialised size, load time, query latencies and answer quality.
 * Run by scripts/bench-search.ts as:
 *   node --expose-gc --import tsx scripts/bench/run-one.ts <engine> <chunks|0> <max rounds> [sample]
 * With a sample size, every k-th question is used (the same ones for every engine).
 */
import { readFileSync } from 'node:fs';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { DEFAULT_OUT, loadAnalyzerData } from '../ingest';
import { scaleBundle } from './corpus';
import { engineByName } from './engines';
import { isInScope, isUnaccented, loadQuestions, metrics, rankOfAnswer, type Outcome } from './eval-set';

export interface RunResult {
  engine: string;
  settings: string;
  chunks: number;
  buildMs: number;
  /** Median of several restores from the parsed serialised form. */
  loadMs: number;
  /** The first restore in the process (code not yet optimised). */
  coldLoadMs: number;
  /** Median JSON.parse of the serialised form. */
  parseMs: number;
  serializedBytes: number;
  heapBytes: number;
  /** Percentiles over questions of each question's median time over the rounds. */
  p50Ms: number;
  p99Ms: number;
  /** 99th percentile over every single timed query (includes preemption by other processes). */
  p99AllMs: number;
  queries: number;
  /** Timed rounds run (0: the quality pass was timed instead). */
  rounds: number;
  /** Questions asked (all of test/eval, or the sample). */
  questions: number;
  accented: { recallAt5: number; mrr: number };
  unaccented: { recallAt5: number; mrr: number };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapNow(): number {
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Timed rounds stop once this much time has gone into them. */
const TIMING_BUDGET_MS = 20_000;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main(): Promise<void> {
  const [engineName, chunksArg, roundsArg, sampleArg] = process.argv.slice(2);
  const engine = engineByName(engineName ?? '');
  const data = loadAnalyzerData();
  const base = KnowledgeBundleSchema.parse(JSON.parse(readFileSync(DEFAULT_OUT, 'utf8')));
  const { index: _stored, ...plain } = base;
  const target = Number(chunksArg ?? 0);
  const bundle = target > 0 ? scaleBundle(plain, target) : plain;
  const allQuestions = loadQuestions();
  const sample = Number(sampleArg ?? 0);
  const step = sample > 0 ? Math.max(1, Math.floor(allQuestions.length / sample)) : 1;
  const questions = allQuestions.filter((_, i) => i % step === 0).slice(0, sample > 0 ? sample : undefined);
  const maxRounds = Math.max(1, Number(roundsArg ?? 5));

  const before = heapNow();
  let t = performance.now();
  let built = await engine.build(bundle, data);
  const buildMs = performance.now() - t;
  const heapBytes = heapNow() - before;

  const serialized = built.serialize();
  built = undefined as never;
  heapNow();
  const loads: number[] = [];
  const parses: number[] = [];
  let loaded = undefined as unknown as Awaited<ReturnType<typeof engine.load>>;
  const loadRuns = bundle.chunks.length >= 50_000 ? 1 : 5;
  for (let i = 0; i < loadRuns; i++) {
    loaded = undefined as never;
    if (i > 0) heapNow();
    t = performance.now();
    const parsed: unknown = JSON.parse(serialized);
    parses.push(performance.now() - t);
    t = performance.now();
    loaded = await engine.load(parsed, data);
    loads.push(performance.now() - t);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const coldLoadMs = loads[0]!;
  const loadMs = median(loads);
  const parseMs = median(parses);

  // Quality (first pass also warms up), then timed rounds.
  const qualityTimes: number[] = [];
  const outcomes: Outcome[] = questions.map((question) => {
    const s = performance.now();
    const ids = loaded.search(question.question, 10);
    qualityTimes.push(performance.now() - s);
    const passages = ids.map((i) => {
      const c = bundle.chunks[i]!;
      return { docId: c.docId, heading: c.heading, text: c.text };
    });
    return { question, rank: isInScope(question) ? rankOfAnswer(question, passages) : 0, relevant: true };
  });
  // Timed rounds within a budget: a slow engine (a peer at 100k chunks) stops early, and
  // when not even one round fits, its quality pass is the timed pass.
  const qualityMs = qualityTimes.reduce((a, b) => a + b, 0);
  const perQuestion: number[][] = questions.map(() => []);
  const all: number[] = [];
  let rounds = 0;
  let spent = 0;
  while (rounds < maxRounds && spent + qualityMs <= TIMING_BUDGET_MS) {
    const start = performance.now();
    questions.forEach((q, i) => {
      const s = performance.now();
      loaded.search(q.question, 10);
      const d = performance.now() - s;
      perQuestion[i]!.push(d);
      all.push(d);
    });
    spent += performance.now() - start;
    rounds++;
  }
  if (rounds === 0) {
    qualityTimes.forEach((d, i) => perQuestion[i]!.push(d));
    all.push(...qualityTimes);
  }
  const medians = perQuestion.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!).sort((a, b) => a - b);
  all.sort((a, b) => a - b);
  const pick = (unaccented: boolean) => {
    const m = metrics(outcomes.filter((o) => isUnaccented(o.question) === unaccented));
    return { recallAt5: m.recallAt5, mrr: m.mrr };
  };
  const result: RunResult = {
    engine: engine.name,
    settings: engine.settings,
    chunks: bundle.chunks.length,
    buildMs,
    loadMs,
    coldLoadMs,
    parseMs,
    serializedBytes: Buffer.byteLength(serialized),
    heapBytes,
    p50Ms: quantile(medians, 0.5),
    p99Ms: quantile(medians, 0.99),
    p99AllMs: quantile(all, 0.99),
    queries: all.length,
    rounds,
    questions: questions.length,
    accented: pick(false),
    unaccented: pick(true),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
