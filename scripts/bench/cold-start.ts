/**
 * @module scripts/bench/cold-start
 * Cold start in Node: fresh processes that import the app, build the runtime (the search index
 * is loaded here) and answer one request. Two ways of running it are measured: bundled into one
 * ES module (what a deployment that builds ahead would run), and through tsx (`npm start`, which
 * compiles TypeScript as it loads; its cache is warm after the first run, as on a server that
 * restarts). Each figure is the median of several processes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median } from './stats';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface NodeColdStart {
  runs: number;
  importMs: number;
  runtimeMs: number;
  firstRequestMs: number;
  totalMs: number;
}

interface ChildTimes {
  importMs: number;
  runtimeMs: number;
  firstRequestMs: number;
}

function summarizeRuns(runs: ChildTimes[]): NodeColdStart {
  return {
    runs: runs.length,
    importMs: median(runs.map((r) => r.importMs)),
    runtimeMs: median(runs.map((r) => r.runtimeMs)),
    firstRequestMs: median(runs.map((r) => r.firstRequestMs)),
    totalMs: median(runs.map((r) => r.importMs + r.runtimeMs + r.firstRequestMs)),
  };
}

function runChild(args: string[]): ChildTimes {
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildTimes;
}

export async function measureNodeColdStart(runs: number): Promise<{ bundled: NodeColdStart; tsx: NodeColdStart; bundleBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cchc-cold-'));
  try {
    // CommonJS dependencies (grammY) require Node built-ins: give the ES module a require.
    const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
    const common = { bundle: true, platform: 'node' as const, format: 'esm' as const, target: 'node20', logLevel: 'silent' as const, banner };
    const app = await build({ ...common, entryPoints: [join(here, 'cold-start-entry.ts')], outfile: join(dir, 'app.mjs'), metafile: true });
    await build({ ...common, entryPoints: [join(here, 'cold-start-child.ts')], outfile: join(dir, 'child.mjs') });
    const bundleBytes = Object.values(app.metafile!.outputs).reduce((a, o) => a + o.bytes, 0);
    const bundled: ChildTimes[] = [];
    const viaTsx: ChildTimes[] = [];
    // One unmeasured tsx run fills its compile cache, as on any server after its first start.
    runChild(['--import', 'tsx', join(here, 'cold-start-child.ts'), pathToFileURL(join(here, 'cold-start-entry.ts')).href]);
    for (let i = 0; i < runs; i++) {
      bundled.push(runChild([join(dir, 'child.mjs'), pathToFileURL(join(dir, 'app.mjs')).href]));
      viaTsx.push(runChild(['--import', 'tsx', join(here, 'cold-start-child.ts'), pathToFileURL(join(here, 'cold-start-entry.ts')).href]));
    }
    return { bundled: summarizeRuns(bundled), tsx: summarizeRuns(viaTsx), bundleBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
