/**
 * @module scripts/bench-search
 * Our search next to MiniSearch and Orama on the same chunks and the same eval questions
 * (test/eval/*.json), each peer with its defaults and with its best Vietnamese setting
 * (chosen here, on the real corpus, among the variants in scripts/bench/engines.ts). Prints
 * markdown tables: recall@5 and MRR typed with and without marks, p50/p99 query time, build
 * time, load time, serialised size and heap; first on the real corpus, then scaled up with
 * perturbed copies (scripts/bench/corpus.ts). Every measurement runs in its own process
 * (node --expose-gc), so heap figures belong to one engine.
 *
 * Usage: npm run bench:search -- [--full] [--scales 1000,10000] [--rounds 5]
 *   default scales 1k and 10k; --full adds 100k (several minutes; needs ~4 GB of memory).
 * Targets checked at the end: better R@5 and MRR than both peers typed without marks, not
 * worse with marks; p99 ≤ 2 ms at 10k chunks; load ≤ 50 ms.
 */
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { miniSearchVariants, oramaVariants, miniSearchDefault, oramaDefault, ours, type Engine } from './bench/engines';
import type { RunResult } from './bench/run-one';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_P99_MS = 2;
const TARGET_LOAD_MS = 50;
/** Questions used at 100k chunks (every k-th of the eval set). */
const HUGE_SAMPLE = 30;

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function runOne(engine: Engine, chunks: number, rounds: number, sample = 0): RunResult {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=6144', '--import', 'tsx', join(root, 'scripts/bench/run-one.ts'), engine.name, String(chunks), String(rounds), String(sample)],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as RunResult;
}

/** How a Vietnamese variant is chosen: mean of R@5 and MRR over both ways of typing. */
const quality = (r: RunResult) => (r.accented.recallAt5 + r.accented.mrr + r.unaccented.recallAt5 + r.unaccented.mrr) / 4;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const bytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} KB`);

function table(results: RunResult[]): string {
  const head =
    '| engine | R@5 marks | MRR marks | R@5 no marks | MRR no marks | p50 query | p99 query | build | load | JSON parse | serialised | heap | rounds |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map(
    (r) =>
      `| ${r.engine} | ${pct(r.accented.recallAt5)} | ${r.accented.mrr.toFixed(3)} | ${pct(r.unaccented.recallAt5)} | ${r.unaccented.mrr.toFixed(3)} | ` +
      `${ms(r.p50Ms)} ms | ${ms(r.p99Ms)} ms | ${ms(r.buildMs)} ms | ${ms(r.loadMs)} ms | ${ms(r.parseMs)} ms | ${bytes(r.serializedBytes)} | ${bytes(r.heapBytes)} | ${r.rounds} |`,
  );
  return [head, ...rows].join('\n');
}

function header(argv: string[], rounds: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return (
    `## Search bench\n\n` +
    `\`npm run bench:search${argv.length ? ' -- ' + argv.join(' ') : ''}\` on ${cpus().length} × ${cpu}, Node ${process.version}, ` +
    `load average ${loadavg()[0]!.toFixed(1)} at the start (the machine is shared). ` +
    `Recall@5/MRR: the right document with the fact in the passage (test/eval/*.json, in-scope questions; ranking only, no relevance rule). ` +
    `p50/p99 query: percentiles over the questions of each question's median time over the timed rounds, after a warm-up pass ` +
    `(up to ${rounds} rounds, stopping once 20 s went into timing; rounds run are in the last column, 0 = only the warm-up pass was timed); ` +
    `the median per question keeps other processes' preemption out. ` +
    `Build: index from the chunk texts. Load: restore a queryable index from the parsed serialised form, median of 5, 1 at 100k ` +
    `(what the first request pays on Workers); JSON parse: parsing that form (on Workers, when the module is evaluated). ` +
    `Serialised: index plus chunk texts (Orama stores its documents inside). Heap: heap used + array buffers after GC, index built.`
  );
}

async function main(argv: string[]): Promise<number> {
  const rounds = Number(option(argv, '--rounds') ?? 5);
  const scales = (option(argv, '--scales') ?? '1000,10000').split(',').map(Number).filter((n) => n > 0);
  if (argv.includes('--full') && !scales.includes(100_000)) scales.push(100_000);
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);

  log(`bench: real corpus, ${[ours, miniSearchDefault, ...miniSearchVariants, oramaDefault, ...oramaVariants].length} engine settings, ${rounds} timed rounds`);
  const base = (e: Engine) => {
    log(`  ${e.name}`);
    return runOne(e, 0, rounds);
  };
  const oursBase = base(ours);
  const msDefault = base(miniSearchDefault);
  const msVariants = miniSearchVariants.map(base);
  const oramaDefaultBase = base(oramaDefault);
  const oramaVariantResults = oramaVariants.map(base);
  const bestMs = msVariants.reduce((a, b) => (quality(b) > quality(a) ? b : a));
  const bestOrama = oramaVariantResults.reduce((a, b) => (quality(b) > quality(a) ? b : a));
  const engines = [ours, miniSearchDefault, [...miniSearchVariants].find((e) => e.name === bestMs.engine)!, oramaDefault, [...oramaVariants].find((e) => e.name === bestOrama.engine)!];

  const sections: string[] = [];
  sections.push(
    `### Real corpus (${oursBase.chunks} chunks, ${oursBase.questions} questions)\n\n` +
      table([oursBase, msDefault, bestMs, oramaDefaultBase, bestOrama]) +
      `\n\nPeers' Vietnamese variants tried (best by mean of R@5 and MRR, both ways of typing):\n\n` +
      table([...msVariants, ...oramaVariantResults]) +
      '\n\nSettings: ' +
      [ours, miniSearchDefault, ...miniSearchVariants, oramaDefault, ...oramaVariants].map((e) => `\`${e.name}\`: ${e.settings}`).join('; ') +
      '.',
  );

  const print = (s: string) => process.stdout.write(`${s}\n\n`);
  print(header(argv, rounds));
  print(sections[0]!);

  const atScale = new Map<number, RunResult[]>();
  for (const n of scales) {
    // At 100k the peers need 0.5-3 s per question: a fixed sample of questions, and only
    // their best Vietnamese settings (their defaults are far behind already at 10k).
    const huge = n >= 50_000;
    const list = huge ? [engines[0]!, engines[2]!, engines[4]!] : engines;
    log(`bench: ${n} chunks${huge ? `, ${HUGE_SAMPLE}-question sample` : ''}`);
    const results = list.map((e) => {
      log(`  ${e.name}`);
      return runOne(e, n, rounds, huge ? HUGE_SAMPLE : 0);
    });
    atScale.set(n, results);
    const title = `### ${n.toLocaleString('en')} chunks (real corpus + perturbed copies${huge ? `; ${results[0]!.questions} sampled questions, peers' defaults left out` : ''})`;
    sections.push(`${title}\n\n${table(results)}`);
    print(sections[sections.length - 1]!);
  }

  // Targets
  const checks: Array<[string, boolean]> = [];
  const peers = [msDefault, bestMs, oramaDefaultBase, bestOrama];
  checks.push([
    'R@5 and MRR without marks better than every peer',
    peers.every((p) => oursBase.unaccented.recallAt5 > p.unaccented.recallAt5 || (oursBase.unaccented.recallAt5 === 1 && p.unaccented.recallAt5 === 1)) &&
      peers.every((p) => oursBase.unaccented.mrr > p.unaccented.mrr),
  ]);
  checks.push([
    'R@5 and MRR with marks not worse than any peer',
    peers.every((p) => oursBase.accented.recallAt5 >= p.accented.recallAt5 && oursBase.accented.mrr >= p.accented.mrr),
  ]);
  const ten = atScale.get(10_000)?.[0];
  if (ten) {
    checks.push([`p99 query ≤ ${TARGET_P99_MS} ms at 10k chunks (measured ${ms(ten.p99Ms)} ms)`, ten.p99Ms <= TARGET_P99_MS]);
    checks.push([`index load ≤ ${TARGET_LOAD_MS} ms at 10k chunks (measured ${ms(ten.loadMs)} ms)`, ten.loadMs <= TARGET_LOAD_MS]);
  }
  checks.push([`index load ≤ ${TARGET_LOAD_MS} ms on the real corpus (measured ${ms(oursBase.loadMs)} ms)`, oursBase.loadMs <= TARGET_LOAD_MS]);

  print(`Targets:\n${checks.map(([label, ok]) => `- ${ok ? 'PASS' : 'FAIL'}: ${label}`).join('\n')}`);
  print(`(bench took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return checks.every(([, ok]) => ok) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
