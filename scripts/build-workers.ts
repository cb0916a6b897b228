/**
 * @module scripts/build-workers
 * `npm run build`: bundles the assistant Worker and its two companion Workers (the PDF reader,
 * the chart renderer) as a deploy would (`wrangler deploy --dry-run`) into dist/assistant,
 * dist/pdf-reader and dist/chart-renderer, each folder emptied first (wrangler leaves stale
 * files there, which would be counted), then prints every size and exits 1 when any Worker is
 * above 1024 KiB gzipped (issue #17), through scripts/bundle-size.ts.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSISTANT, COMPANIONS, wranglerBuild } from './lib/companion-workers';
import { runMain } from './lib/run-main';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Issue #17: every deployed Worker at most 1 MB gzipped. */
const MAX_KIB = 1024;

runMain(import.meta.url, async () => {
  const workers = [ASSISTANT, ...COMPANIONS];
  for (const { config, outdir } of workers) {
    rmSync(join(root, outdir), { recursive: true, force: true });
    console.log(`wrangler deploy --dry-run -c ${config} --outdir ${outdir}`);
    wranglerBuild(config, outdir);
  }
  try {
    execFileSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts/bundle-size.ts'), ...workers.map((w) => w.outdir), '--max-kib', String(MAX_KIB)], { cwd: root, stdio: 'inherit' });
  } catch {
    return 1;
  }
  return 0;
});
