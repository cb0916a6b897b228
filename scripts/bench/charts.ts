/**
 * @module scripts/bench/charts
 * What charts cost: CPU per chart on Node (building the SVG, and SVG to PNG with resvg's
 * WebAssembly, encoded by zlib as on Node and by resvg as on Workers), p50/p99 over many renders
 * after a warm-up; the memory resvg takes (RSS and heap
 * before, after its set-up, and the process's peak); and what the chart module adds to the
 * Worker bundle, from two `wrangler deploy --dry-run` builds: the plain entry and one that uses
 * the card, the PNG path and the font (scripts/bench/charts-worker-entry.ts).
 *
 * Charts measured: the /kpi card of the KPIs in the catalogue's `target` group with the bundled
 * values (the card draws the first CARD_MAX_ITEMS), and a history chart of 24 monthly values with target, deadline and projection.
 * Usage: npm run bench:charts [-- --renders 200] [--no-bundle]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import bundle from '../../src/generated/bundle.json';
import { Texts, type TextTable } from '../../src/core/texts';
import { MemoryStore } from '../../src/store/memory';
import { evaluate, KpiService, type KpiView } from '../../src/kpi/service';
import { asOfDate } from '../../src/kpi/status';
import type { Observation } from '../../src/kpi/schema';
import type { Chart } from '../../src/media/chart-parts';
import { CARD_MAX_ITEMS, kpiCardSvg } from '../../src/media/kpi-card';
import { kpiHistorySvg } from '../../src/media/kpi-history';
import { svgToPng, type PngPlatform } from '../../src/media/png';
import { nodePng } from '../../src/media/png-node';
import { runMain } from '../lib/run-main';
import { kib, mib, ms, pass, summarize, type Summary } from './stats';
import { buildWorker } from './workerd';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
/** The targets: CPU per chart on Node, and what charts may add to the Worker (gzipped). */
export const TARGET_CHART_CPU_MS = 50;
export const TARGET_ADDED_GZIP_BYTES = 700 * 1000;
const WORKERS_GZIP_LIMIT_BYTES = 3 * 1024 * 1024;

export interface ChartCost {
  name: string;
  width: number;
  height: number;
  svgBytes: number;
  pngBytes: number;
  /** CPU ms per render, p50/p99: the SVG alone, SVG to PNG, and both. */
  svg: Summary;
  png: Summary;
  total: Summary;
}

export interface ChartsBench {
  renders: number;
  setupMs: number;
  charts: ChartCost[];
  memory: { before: NodeJS.MemoryUsage; afterSetup: NodeJS.MemoryUsage; peakRssBytes: number; peakHeapBytes: number };
  files: { wasmRaw: number; wasmGzip: number; fontRaw: number; fontGzip: number };
  bundle?: { plain: { raw: number; gzip: number }; withCharts: { raw: number; gzip: number } };
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function fixtures(): Promise<Array<{ name: string; make: () => Chart; platform: PngPlatform }>> {
  const texts = new Texts((bundle as { prompts: TextTable }).prompts);
  const now = () => new Date('2026-11-21T08:00:00+07:00');
  const kpi = new KpiService({ store: new MemoryStore({ now: () => now().getTime() }), now });
  const views = await kpi.views(kpi.catalog.all().filter((d) => d.group === 'target'));
  const def = { ...kpi.catalog.all().find((d) => d.unit === 'percent' && d.target !== null)!, deadline: '2027-12-31' };
  const history: Observation[] = Array.from({ length: 24 }, (_, i) => {
    const period = `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
    return { kpi: def.id, unit: def.unit, period, value: 20 + i * 0.9 + (i % 3), source: 'bench', recordedAt: `${period}-28`, origin: 'admin' };
  });
  const latest = history[history.length - 1]!;
  const historyView: KpiView = { def, history, latest, asOf: asOfDate(latest.period, latest.recordedAt), evaluation: evaluate(def, history, now()) };
  const opts = { locale: 'vi' as const, texts };
  const card = () => kpiCardSvg(views, { ...opts, today: '2026-11-21' });
  const cardName = `KPI card (${views.length} KPIs asked, ${Math.min(views.length, CARD_MAX_ITEMS)} drawn)`;
  const historyChart = () => kpiHistorySvg(historyView, opts);
  const historyName = 'KPI history (24 values, target, deadline, projection)';
  // Workers have no synchronous zlib: there resvg encodes the PNG (media/png-worker), measured here on Node.
  const asOnWorkers: PngPlatform = { loadWasm: nodePng.loadWasm };
  return [
    { name: cardName, make: card, platform: nodePng },
    { name: historyName, make: historyChart, platform: nodePng },
    { name: `${cardName}, resvg's encoder as on Workers`, make: card, platform: asOnWorkers },
    { name: `${historyName}, resvg's encoder as on Workers`, make: historyChart, platform: asOnWorkers },
  ];
}

export async function measureCharts(opts: { renders: number; bundle: boolean; log?: (s: string) => void }): Promise<ChartsBench> {
  const log = opts.log ?? (() => {});
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const charts = await fixtures();

  // The first render sets resvg up (compiles the WebAssembly): counted apart, once per process.
  const setupStart = process.cpuUsage();
  const first = charts[0]!.make();
  await svgToPng(first.svg, { width: first.width, platform: nodePng });
  const setupMs = cpuMs(setupStart);
  gc?.();
  const afterSetup = process.memoryUsage();
  let peakHeap = afterSetup.heapUsed;

  const results: ChartCost[] = [];
  for (const c of charts) {
    log(`${c.name}: ${opts.renders} renders after 20 of warm-up`);
    const svgCpu: number[] = [];
    const pngCpu: number[] = [];
    let last: { chart: Chart; png: Uint8Array } | undefined;
    for (let i = -20; i < opts.renders; i++) {
      const t0 = process.cpuUsage();
      const chart = c.make();
      const svgMs = cpuMs(t0);
      const t1 = process.cpuUsage();
      const png = await svgToPng(chart.svg, { width: chart.width, platform: c.platform });
      const pngMs = cpuMs(t1);
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (i < 0) continue;
      svgCpu.push(svgMs);
      pngCpu.push(pngMs);
      last = { chart, png };
    }
    results.push({
      name: c.name,
      width: last!.chart.width,
      height: last!.chart.height,
      svgBytes: last!.chart.svg.length,
      pngBytes: last!.png.length,
      svg: summarize(svgCpu),
      png: summarize(pngCpu),
      total: summarize(svgCpu.map((s, i) => s + pngCpu[i]!)),
    });
  }

  const wasm = readFileSync(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm'));
  const font = readFileSync(join(root, 'src/generated/chart-font.json'));
  const out: ChartsBench = {
    renders: opts.renders,
    setupMs,
    charts: results,
    memory: { before, afterSetup, peakRssBytes: process.resourceUsage().maxRSS * 1024, peakHeapBytes: peakHeap },
    files: { wasmRaw: wasm.length, wasmGzip: gzipSync(wasm, { level: 9 }).length, fontRaw: font.length, fontGzip: gzipSync(font, { level: 9 }).length },
  };
  if (opts.bundle) {
    log('Workers bundle: wrangler deploy --dry-run, plain entry and with charts');
    out.bundle = { plain: dryRun(), withCharts: dryRun('scripts/bench/charts-worker-entry.ts') };
  }
  return out;
}

/** `wrangler deploy --dry-run` of the entry (wrangler.toml's when none), sized like scripts/bundle-size.ts. */
function dryRun(entry?: string): { raw: number; gzip: number } {
  const built = buildWorker(entry);
  built.remove();
  return { raw: built.rawBytes, gzip: built.gzipBytes };
}

export function chartsReport(r: ChartsBench): { markdown: string; checks: Array<[string, boolean]> } {
  const checks: Array<[string, boolean]> = [];
  const lines = [
    `### Charts (\`npm run bench:charts\`)`,
    ``,
    `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; CPU time of this process per render, ${r.renders} renders after 20 of warm-up. ` +
      `resvg set-up (compiling its WebAssembly, once per process or isolate): ${ms(r.setupMs)} ms CPU.`,
    ``,
    `| chart | size | SVG / PNG bytes | SVG p50 / p99 | PNG p50 / p99 | total p50 / p99 |`,
    `| --- | --- | --- | --- | --- | --- |`,
  ];
  for (const c of r.charts) {
    lines.push(
      `| ${c.name} | ${c.width}×${c.height} | ${kib(c.svgBytes)} / ${kib(c.pngBytes)} | ${ms(c.svg.p50)} / ${ms(c.svg.p99)} ms | ${ms(c.png.p50)} / ${ms(c.png.p99)} ms | ${ms(c.total.p50)} / ${ms(c.total.p99)} ms |`,
    );
    if (!c.name.includes('as on Workers')) {
      checks.push([`${c.name}: CPU per chart p50 ≤ ${TARGET_CHART_CPU_MS} ms on Node (measured ${ms(c.total.p50)} ms, p99 ${ms(c.total.p99)} ms)`, c.total.p50 <= TARGET_CHART_CPU_MS]);
    }
  }
  const m = r.memory;
  lines.push(
    ``,
    `Memory: RSS ${mib(m.before.rss)} before, ${mib(m.afterSetup.rss)} after resvg's set-up, peak ${mib(m.peakRssBytes)} (the process's maxRSS); ` +
      `heap ${mib(m.before.heapUsed)} before, peak ${mib(m.peakHeapBytes)}; array buffers after set-up ${mib(m.afterSetup.arrayBuffers)}.`,
    ``,
    `Files: resvg WebAssembly ${kib(r.files.wasmRaw)} raw, ${kib(r.files.wasmGzip)} gzipped; chart font (outlines, 2 weights) ${kib(r.files.fontRaw)} raw, ${kib(r.files.fontGzip)} gzipped.`,
  );
  if (r.bundle) {
    const added = r.bundle.withCharts.gzip - r.bundle.plain.gzip;
    lines.push(
      ``,
      `Workers bundle (wrangler deploy --dry-run, gzip -9, source maps excluded): plain ${kib(r.bundle.plain.gzip)} gzipped (${kib(r.bundle.plain.raw)} raw); ` +
        `with charts ${kib(r.bundle.withCharts.gzip)} gzipped (${kib(r.bundle.withCharts.raw)} raw): **charts add ${kib(added)} gzipped** (${(added / 1000).toFixed(0)} kB).`,
    );
    checks.push([`charts add ≤ ${TARGET_ADDED_GZIP_BYTES / 1000} kB to the gzipped Worker (measured ${(added / 1000).toFixed(0)} kB)`, added <= TARGET_ADDED_GZIP_BYTES]);
    checks.push([`Worker with charts under the free plan's ${kib(WORKERS_GZIP_LIMIT_BYTES)} gzipped (measured ${kib(r.bundle.withCharts.gzip)})`, r.bundle.withCharts.gzip <= WORKERS_GZIP_LIMIT_BYTES]);
  }
  lines.push(``, ...checks.map(([what, ok]) => `- ${pass(ok)} ${what}`));
  return { markdown: lines.join('\n'), checks };
}

async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf('--renders');
  const renders = i >= 0 ? Number(argv[i + 1]) : 200;
  if (!Number.isInteger(renders) || renders < 1) throw new Error('--renders takes a positive integer');
  const result = await measureCharts({ renders, bundle: !argv.includes('--no-bundle'), log: (s) => process.stderr.write(`bench:charts: ${s}\n`) });
  const report = chartsReport(result);
  console.log(report.markdown);
  return report.checks.every(([, ok]) => ok) ? 0 : 1;
}

runMain(import.meta.url, main);
