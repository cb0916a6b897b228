/**
 * @module scripts/bench/knowledge-scale
 * `npm run bench:knowledge`: living knowledge at a province's size. Generates about 50,000 chunks
 * (the bundled corpus scaled with perturbed copies: 2,000 procedure-sized and 5,000 document-sized
 * records), publishes them live into a store, then measures what an isolate pays:
 *   cold: a fresh LiveKnowledge loading the manifest and segments, plus its first query; over
 *   Upstash also in 7 fresh processes (scripts/bench/cold-isolate);
 *   memory: heap growth for the live index (after GC);
 *   warm: in a process of the isolate's own, V8 single-threaded (scripts/bench/warm-isolate),
 *   after a warm-up, wall and CPU per query over the eval questions, p50 and p99
 *   (scripts/bench/warm-rounds), and the index's memory after them;
 *   recall: R@1 / R@5 of the eval questions answered through the live index;
 *   publish: CPU and store commands to publish two 50-page documents (PDFs printed by Chromium
 *   when /usr/bin/chromium exists, else the same text as TXT), on a corpus of that size.
 * Stores: in-memory, and Upstash REST on a redis-server of the bench's own (loopback: a lower
 * bound for a real network).
 *
 * Usage: node --expose-gc --import tsx scripts/bench/knowledge-scale.ts [--chunks 50000] [--rounds 3]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../lib/run-main';
import { liveCorpus } from './corpus';
import { WARMUP_QUESTIONS } from './warm-rounds';
import type { WarmProcessFigures } from './warm-isolate';
import { percentile, ms, mib, pass } from './stats';
import { loadQuestions, isInScope } from './eval-set';
import { startRedisProcess } from './redis-process';
import { Catalogue } from '../../src/knowledge/catalogue';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import { KnowledgeBundleSchema, type KnowledgeBundle } from '../../src/knowledge/schema';
import { createIndex } from '../../src/search/knowledge-index';
import { LiveKnowledge } from '../../src/search/live-index';
import type { AnalyzerData } from '../../src/search/analyzer';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { UpstashStore } from '../../src/store/upstash';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
/** Fresh processes the Upstash cold start is measured in (one question each). */
const COLD_PROCESSES = 7;
/** Warm processes per store: the table gives the one with the highest CPU p99, the text all of them. */
const WARM_PROCESSES = 3;
/** Fresh processes that read the bench's PDFs as the PDF reader Worker does (scripts/bench/pdf-reader-process). */
const READER_PROCESSES = 3;
const TARGETS = { memoryMb: 64, warmP99Ms: 25, warmCpuP99Ms: 3, coldMs: 300, publishCpuMs: 2000, publishRequests: 50 };

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Counts every store call (what a REST store would send, before batching). */
function counting(store: Store): { store: Store; calls: () => number } {
  let n = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'requestsMade') return v;
      return (...args: unknown[]) => {
        n++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls: () => n };
}

/** A Nghị định-shaped text of about `pages` pages (≈ 3,000 characters each); each `number` gives other articles. */
function longLegalText(pages: number, number = 999): string {
  const base = KnowledgeBundleSchema.parse(knowledgeJson).chunks.map((c) => c.text.replace(/\s+/g, ' '));
  const lines = ['CHÍNH PHỦ', '', `Số: ${number}/2026/NĐ-CP`, '', 'Hà Nội, ngày 1 tháng 12 năm 2026', '', 'NGHỊ ĐỊNH', 'Quy định về thử nghiệm quy mô của trợ lý', ''];
  let size = 0;
  let article = 1;
  for (let chapter = 1; size < pages * 3000; chapter++) {
    lines.push(`Chương ${['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'][(chapter - 1) % 10]}`, `QUY ĐỊNH PHẦN ${chapter}`, '');
    for (let k = 0; k < 8 && size < pages * 3000; k++, article++) {
      const body = [1, 2, 3].map((c) => `${c}. ${base[(article * 3 + c + number) % base.length]!.slice(0, 400)}`);
      lines.push(`Điều ${article}. Nội dung ${article}`, ...body, '');
      size += body.join('').length;
    }
  }
  return lines.join('\n');
}

function pdfOf(text: string): Uint8Array | undefined {
  if (!existsSync('/usr/bin/chromium')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kb-bench-'));
  const html = `<!doctype html><meta charset="utf-8"><body style="font:12pt serif">${text
    .split('\n')
    .map((l) => `<p>${l.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
    .join('')}</body>`;
  writeFileSync(join(dir, 'doc.html'), html);
  try {
    execFileSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--print-to-pdf=${join(dir, 'doc.pdf')}`, '--no-pdf-header-footer', join(dir, 'doc.html')], { stdio: 'ignore', timeout: 60_000 });
    return new Uint8Array(readFileSync(join(dir, 'doc.pdf')));
  } catch {
    return undefined;
  }
}

/** Runs a script of scripts/bench in a fresh Node process (V8 `flags` first) and reads the JSON line it prints last. */
function childFigures<T>(flags: string[], script: string, args: string[], timeoutMs: number): T {
  const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', join(import.meta.dirname, script), ...args], { encoding: 'utf8', timeout: timeoutMs });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/**
 * The PDF reader Worker's share of publishing, each time in a fresh process of its own
 * (scripts/bench/pdf-reader-process) that reads the PDFs in order: its first compiles PDF.js.
 */
function readerProcesses(pdfs: Uint8Array[]): Array<{ cpuMs: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kb-reader-'));
  const files = pdfs.map((pdf, i) => {
    const file = join(dir, `${i}.pdf`);
    writeFileSync(file, pdf);
    return file;
  });
  try {
    return Array.from({ length: READER_PROCESSES }, () => childFigures<{ cpuMs: number[] }>([], 'pdf-reader-process.ts', files, 120_000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Cold first queries in fresh processes (scripts/bench/cold-isolate), one per question: each a
 * new isolate with nothing compiled and nothing loaded, over Upstash REST.
 */
function coldProcesses(url: string, token: string, questions: string[]): Array<{ bundleMs: number; fetchInitMs: number; coldMs: number }> {
  return questions.map((q) => childFigures<{ bundleMs: number; fetchInitMs: number; coldMs: number }>([], 'cold-isolate.ts', [url, token, q], 60_000));
}

/**
 * The warm rounds in a process of the isolate's own (scripts/bench/warm-isolate), V8
 * single-threaded: over Upstash REST (`upstash <url> <token>`) or a MemoryStore of its own
 * holding the same corpus (`memory <chunks>`).
 */
function warmProcess(rounds: number, store: string[]): WarmProcessFigures {
  return childFigures<WarmProcessFigures>(['--single-threaded', '--expose-gc'], 'warm-isolate.ts', [String(rounds), ...store], 600_000);
}

interface Measured {
  store: string;
  coldMs: number;
  /** The index's memory after the cold query (MB). */
  memoryMb: number;
  /** The warm rounds, in a process of the isolate's own (over Upstash: with the Node entry's socket sender, store/node-send): the process with the highest CPU p99 of WARM_PROCESSES. */
  warm: WarmProcessFigures;
  /** Every warm process's CPU p99. */
  warmCpuP99s: number[];
  /** Upstash: the same over Node's fetch (undici). */
  warmFetch?: WarmProcessFigures;
  /** Upstash: cold first queries in fresh processes (median, max), and their bundled index build (median). */
  coldProcess?: { median: number; max: number; bundleMs: number; fetchInitMs: number; runs: number };
}

/** A fresh isolate's cold first query in this process, and the index's memory after it. */
async function measureCold(catalogue: Catalogue, forget = () => {}): Promise<{ coldMs: number; memoryMb: number }> {
  const questions = loadQuestions().filter(isInScope);
  const base = createIndex(KnowledgeBundleSchema.parse(knowledgeJson), analyzer);
  gc();
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const heap0 = used();
  const live = new LiveKnowledge(base, catalogue, { analyzer, refreshMs: 5000 });
  const t0 = performance.now();
  await live.hybridSearch(questions[0]!.question, { limit: 5 });
  const coldMs = performance.now() - t0;
  forget();
  gc();
  const memoryMb = (used() - heap0) / 1024 / 1024;
  void live;
  return { coldMs, memoryMb };
}

/**
 * Upstash REST (the test bridge) on a redis-server of its own, started for the bench. The bridge
 * runs in a process of its own (scripts/bench/bridge-process), as Upstash is a server of its
 * own: what is measured here is the isolate's side of the REST round trips.
 */
async function upstashStore(): Promise<{ store: UpstashStore; close: () => Promise<void>; url: string; token: string } | undefined> {
  try {
    const redis = await startRedisProcess();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bridge-process.ts'), redis.host, String(redis.port), 'bench-token'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`bridge exited with ${code}`)));
    });
    return {
      store: new UpstashStore({ url, token: 'bench-token', batching: 'event-loop-turn' }),
      url,
      token: 'bench-token',
      close: async () => {
        child.stdin!.end();
        await new Promise((r) => child.once('exit', r));
        await redis.close();
      },
    };
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const target = Number(option(argv, '--chunks') ?? 50_000);
  const rounds = Number(option(argv, '--rounds') ?? 3);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const seed = KnowledgeBundleSchema.parse(knowledgeJson);
  log(`bench:knowledge: scaling ${seed.chunks.length} chunks to ${target}`);
  const corpus: KnowledgeBundle = liveCorpus(seed, target);
  const now = () => new Date();
  const rows: Measured[] = [];
  const publishRows: string[] = [];
  /** CPU of each PDF publish but its reading: on Workers, the assistant Worker's share. */
  const publishRestsMs: number[] = [];
  // Two documents per store: the process's first PDF compiles PDF.js, later ones find it compiled.
  const documents = [998, 999].map((number) => {
    const text = longLegalText(50, number);
    return { number, text, pdf: pdfOf(text) };
  });
  let pdfsRead = 0;

  const stores: Array<{ name: string; make: () => Promise<{ store: Store; close?: () => Promise<void>; forget?: () => void; url?: string; token?: string } | undefined> }> = [
    { name: 'memory', make: async () => ({ store: new MemoryStore() }) },
    { name: 'upstash (loopback redis)', make: upstashStore },
  ];
  for (const s of stores) {
    const made = await s.make();
    if (!made) {
      log(`  ${s.name}: not available, skipped`);
      continue;
    }
    const catalogue = new Catalogue({ store: made.store, analyzer, now, maxUploadMb: 50 });
    log(`  ${s.name}: publishing ${corpus.documents.length} documents, ${corpus.chunks.length} chunks`);
    const t = performance.now();
    await catalogue.publishBundle(corpus, 'bench');
    log(`  ${s.name}: published in ${ms(performance.now() - t)}`);
    made.forget?.();
    const cold = await measureCold(catalogue, made.forget);
    log(`  ${s.name}: warm rounds in a process of the isolate's own`);
    const runs = Array.from({ length: WARM_PROCESSES }, () => warmProcess(rounds, made.url && made.token ? ['upstash', made.url, made.token, 'node-http'] : ['memory', String(target)]));
    const worst = runs.reduce((a, b) => (b.cpuP99 > a.cpuP99 ? b : a));
    const row: Measured = { store: s.name, ...cold, warm: worst, warmCpuP99s: runs.map((r) => r.cpuP99) };
    if (made.url && made.token) {
      row.warmFetch = warmProcess(rounds, ['upstash', made.url, made.token, 'fetch']);
      const questions = loadQuestions().filter(isInScope).slice(0, COLD_PROCESSES).map((q) => q.question);
      const runs = coldProcesses(made.url, made.token, questions);
      const colds = runs.map((r) => r.coldMs).sort((a, b) => a - b);
      const bundles = runs.map((r) => r.bundleMs).sort((a, b) => a - b);
      const fetchInits = runs.map((r) => r.fetchInitMs).sort((a, b) => a - b);
      row.coldProcess = { median: percentile(colds, 50), max: colds[colds.length - 1]!, bundleMs: percentile(bundles, 50), fetchInitMs: percentile(fetchInits, 50), runs: runs.length };
    }
    rows.push(row);

    // 50-page documents on top of the corpus, one after the other.
    for (const { number, text, pdf } of documents) {
      const counted = counting(made.store);
      // The PDF read in process, as the Node entry reads it (on Workers the PDF reader Worker
      // reads it): its CPU is also given apart.
      let readCpuMs = 0;
      const readPdf: typeof extractPdf = async (bytes, maxPages) => {
        const r0 = process.cpuUsage();
        try {
          return await extractPdf(bytes, maxPages);
        } finally {
          const r = process.cpuUsage(r0);
          readCpuMs += (r.user + r.system) / 1000;
        }
      };
      const cat2 = new Catalogue({ store: counted.store, analyzer, now, maxUploadMb: 50, readPdf });
      const requests0 = (made.store as Store).requestsMade?.() ?? 0;
      const c0 = process.cpuUsage();
      const prepared = await cat2.prepare(
        pdf
          ? { bytes: pdf, filename: `nghi-dinh-${number}.pdf`, contentType: 'application/pdf', fields: { supersedes: [], visibility: 'public' } }
          : { bytes: new TextEncoder().encode(text), filename: `nghi-dinh-${number}.txt`, contentType: 'text/plain', fields: { supersedes: [], visibility: 'public' } },
      );
      await cat2.publish(prepared, 'bench', 'create');
      const c = process.cpuUsage(c0);
      const requests = ((made.store as Store).requestsMade?.() ?? 0) - requests0;
      const cpuMs = (c.user + c.system) / 1000;
      if (pdf) publishRestsMs.push(cpuMs - readCpuMs);
      const which = pdf ? (pdfsRead++ === 0 ? "the process's first PDF" : 'a later PDF') : 'TXT (no Chromium)';
      publishRows.push(
        `| ${s.name} | ${which}, ${prepared.pages ?? '–'} pages | ${prepared.chunks.length} | ${ms(cpuMs)} | ${pdf ? ms(readCpuMs) : '–'} / ${ms(cpuMs - readCpuMs)} | ${counted.calls()} | ${s.name === 'memory' ? '–' : requests} | ${pass(cpuMs <= TARGETS.publishCpuMs && counted.calls() <= TARGETS.publishRequests)} |`,
      );
    }
    await made.close?.();
  }

  const out: string[] = [];
  out.push(`## Living knowledge at scale (${corpus.documents.length.toLocaleString('en')} documents, ${corpus.chunks.length.toLocaleString('en')} chunks published live)`);
  out.push(
    `Node ${process.version}; cold = a fresh isolate's manifest + segment load + first query, in the bench's process. ` +
      `Warm = in a process of the isolate's own with V8 single-threaded (scripts/bench/warm-isolate: every compile and collection runs on the answering thread and is counted in its query's CPU, exactly): ${WARMUP_QUESTIONS} questions typed as citizens type them, made of the corpus's sentences, warm the isolate (not measured), then ${rounds} rounds of ${rows[0]?.warm.questions ?? 0} eval questions are measured; the index's memory is the growth of the heap and of array buffers (where decoded posting lists keep their numbers) after them. ${WARM_PROCESSES} such processes per store: the table gives the one with the highest CPU p99. ` +
      'The Upstash row talks to the REST bridge (test/support/upstash-bridge.ts) running in a process of its own, as Upstash is a server of its own: the figures are the isolate\'s side of the round trips, over loopback.',
  );
  out.push('| Store | Cold first query | Index memory (cold / after the warm rounds) | Warm p50 / p99 wall | Warm p50 / p99 CPU | R@1 / R@5 |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const w = r.warm;
    out.push(
      `| ${r.store} | ${ms(r.coldMs)} ${pass(r.coldMs <= TARGETS.coldMs)} | ${mib(r.memoryMb * 1024 * 1024)} / ${mib(w.indexMb * 1024 * 1024)} ${pass(Math.max(r.memoryMb, w.indexMb) <= TARGETS.memoryMb)} | ${ms(w.warmP50)} / ${ms(w.warmP99)} ${pass(w.warmP99 <= TARGETS.warmP99Ms)} | ${ms(w.cpuP50)} / ${ms(w.cpuP99)} ${pass(w.cpuP99 <= TARGETS.warmCpuP99Ms)} | ${(w.r1 * 100).toFixed(1)}% / ${(w.r5 * 100).toFixed(1)}% |`,
    );
  }
  for (const r of rows) {
    const w = r.warm;
    out.push(`Warm CPU over ${r.store}${r.warmFetch ? " (REST calls through the Node entry's socket sender)" : ''}, p50 / p99: first asking of each question (${w.firstReads ?? '?'} of ${w.questions} read terms or texts from the store) ${ms(w.cpuFirst[0])} / ${ms(w.cpuFirst[1])}; asked again ${ms(w.cpuAgain[0])} / ${ms(w.cpuAgain[1])}. CPU p99 of each of the ${r.warmCpuP99s.length} warm processes: ${r.warmCpuP99s.map(ms).join(', ')}. The warm process's heap after the rounds: ${mib(w.heapMb * 1024 * 1024)} (the bundled index included${r.store === 'memory' ? ', and the in-memory store holding the corpus' : ''}).`);
  }
  for (const r of rows) {
    const f = r.warmFetch;
    if (!f) continue;
    out.push(
      `The same over ${r.store} through Node's fetch (undici, an HTTP client written in JavaScript; a Workers isolate's fetch is the runtime's own): wall p50 / p99 ${ms(f.warmP50)} / ${ms(f.warmP99)}; CPU p50 / p99 ${ms(f.cpuP50)} / ${ms(f.cpuP99)} ${pass(f.cpuP99 <= TARGETS.warmCpuP99Ms)}; first asking ${ms(f.cpuFirst[0])} / ${ms(f.cpuFirst[1])}; asked again ${ms(f.cpuAgain[0])} / ${ms(f.cpuAgain[1])}; index memory ${mib(f.indexMb * 1024 * 1024)}.`,
    );
  }
  for (const r of rows) {
    const c = r.coldProcess;
    if (!c) continue;
    out.push(
      `Cold first query of a fresh process over ${r.store} (${c.runs} processes, one question each; the process builds the bundled index first, ${ms(c.bundleMs)} median, and makes Node's fetch ready, ${ms(c.fetchInitMs)} median, neither counted): median ${ms(c.median)}, max ${ms(c.max)} ${pass(c.max <= TARGETS.coldMs)}.`,
    );
  }
  out.push('Publishing 50-page documents on that corpus (CPU of the whole publish, and split: reading the PDF, which PDF.js does and on Workers the PDF reader Worker does, / the rest):');
  out.push('| Store | File | Chunks | CPU | Reading the PDF / the rest | Store commands | REST requests | ≤ 2 s CPU, ≤ 50 requests |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  out.push(...publishRows);
  const pdfs = documents.flatMap((d) => (d.pdf ? [d.pdf] : []));
  if (pdfs.length > 1) {
    const reads = readerProcesses(pdfs);
    const firsts = reads.map((r) => r.cpuMs[0]!).sort((a, b) => a - b);
    const laters = reads.flatMap((r) => r.cpuMs.slice(1)).sort((a, b) => a - b);
    const worstRead = Math.max(firsts[firsts.length - 1]!, laters[laters.length - 1]!);
    const worstRest = Math.max(...publishRestsMs);
    out.push(
      `On Workers a publish is split: the PDF reader Worker reads the PDF in an isolate of its own, the assistant Worker does the rest. The reader's share, in ${reads.length} fresh processes of its own that read the same PDFs in order (scripts/bench/pdf-reader-process: the reader Worker's handler, in the closest stand-in for its isolate that this machine can time): the first PDF median ${ms(percentile(firsts, 50))}, max ${ms(firsts[firsts.length - 1]!)}; the next median ${ms(percentile(laters, 50))}, max ${ms(laters[laters.length - 1]!)} ${pass(worstRead <= TARGETS.publishCpuMs)}. The assistant's share (the rest, above): at most ${ms(worstRest)} ${pass(worstRest <= TARGETS.publishCpuMs)}.`,
    );
  }
  out.push(`Targets: cold ≤ ${TARGETS.coldMs} ms, memory ≤ ${TARGETS.memoryMb} MB, warm p99 ≤ ${TARGETS.warmP99Ms} ms wall and ≤ ${TARGETS.warmCpuP99Ms} ms CPU.`);
  process.stdout.write(`${out.join('\n\n')}\n`);
  return 0;
}

runMain(import.meta.url, main);
