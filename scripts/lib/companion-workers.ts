/**
 * @module scripts/lib/companion-workers
 * The assistant Worker's companion Workers (src/media-worker: the PDF reader and the chart
 * renderer) built as a deploy builds them (`wrangler deploy --dry-run`, about two seconds each),
 * and described the way Miniflare takes an auxiliary Worker: its name (the `service` that
 * ./wrangler.toml's bindings name), its modules (worker.js first, then any .wasm) and the
 * compatibility settings of its own wrangler.toml. Used by the workers tests' global setup and
 * the workerd bench, so both run the real bundles behind the real bindings.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Each Worker's wrangler config, from the repository's root, and the folder `npm run build` writes it to. */
export const ASSISTANT = { config: 'wrangler.toml', outdir: 'dist/assistant' } as const;
export const COMPANIONS = [
  { config: 'src/media-worker/pdf/wrangler.toml', outdir: 'dist/pdf-reader' },
  { config: 'src/media-worker/png/wrangler.toml', outdir: 'dist/chart-renderer' },
] as const;

export interface WorkerModule {
  type: 'ESModule' | 'CompiledWasm';
  path: string;
}

/**
 * A companion Worker as Miniflare's `workers` option takes it (plain data: it crosses vitest's
 * provide/inject). A type, not an interface, so that it fits Miniflare's index-signature type.
 */
export type CompanionWorker = {
  name: string;
  modules: WorkerModule[];
  modulesRoot: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
};

/** `name`, `compatibility_date` and `compatibility_flags` of a wrangler.toml (top-level keys only). */
export function wranglerSettings(configPath: string): { name: string; compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(configPath, 'utf8');
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(toml)?.[1];
  const name = value('name');
  const compatibilityDate = value('compatibility_date');
  if (!name || !compatibilityDate) throw new Error(`${configPath}: no name or compatibility_date`);
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  return { name, compatibilityDate, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/**
 * `wrangler deploy --dry-run -c config --outdir outdir`, from the repository's root. `outdir` is
 * made absolute: wrangler reads a relative one from the config's folder, not from the cwd.
 */
export function wranglerBuild(config: string, outdir: string): void {
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '-c', config, '--outdir', resolve(root, outdir)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
}

/** The modules wrangler wrote to `dir`: worker.js, then each .wasm (wrangler's default rule makes them compiled modules). */
export function bundleModules(dir: string): WorkerModule[] {
  const wasm = readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  return [{ type: 'ESModule', path: join(dir, 'worker.js') }, ...wasm.map((f) => ({ type: 'CompiledWasm' as const, path: join(dir, f) }))];
}

/** Builds every companion into a temporary folder of its own; `remove` deletes them all. */
export function buildCompanions(): { workers: CompanionWorker[]; remove(): void } {
  const dirs: string[] = [];
  const remove = () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  try {
    const workers = COMPANIONS.map(({ config }) => {
      const configPath = join(root, config);
      const dir = mkdtempSync(join(tmpdir(), `cchc-${wranglerSettings(configPath).name}-`));
      dirs.push(dir);
      wranglerBuild(config, dir);
      return { ...wranglerSettings(configPath), modules: bundleModules(dir), modulesRoot: dir };
    });
    return { workers, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
