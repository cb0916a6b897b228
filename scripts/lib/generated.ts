/**
 * @module scripts/lib/generated
 * Writes a generated file that the app bundles, or with --check fails when the committed copy
 * is stale: the one behaviour every build script (bundle, KPIs, tasks) shares.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

/** Returns the process exit code: 0 when written or up to date, 1 when --check finds it stale. */
export function writeGenerated(path: string, content: string, opts: { check: boolean; command: string }): number {
  const name = relative(process.cwd(), path);
  if (opts.check) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (current !== content) {
      console.error(`${name} is stale: run ${opts.command}`);
      return 1;
    }
    console.log(`${name} is up to date`);
    return 0;
  }
  writeFileSync(path, content);
  console.log(`wrote ${name} (${content.length} bytes)`);
  return 0;
}
