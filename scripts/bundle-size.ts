/**
 * @module scripts/bundle-size
 * Prints each Worker bundle's raw and gzipped size from the output folders of
 * `wrangler deploy --dry-run --outdir` (Cloudflare's limits are on the gzipped size: 3 MiB on
 * the free plan). With --max-kib N it exits 1 when any of them is above N KiB gzipped, after
 * printing them all: `npm run build` holds the assistant Worker and both companion Workers to
 * 1024 KiB (issue #17; PDF.js and resvg each live in a companion Worker of their own for that).
 * Usage: tsx scripts/bundle-size.ts dist/assistant [dist/pdf-reader …] [--max-kib 1024]
 */
import { bundleBytes } from './lib/bundle-bytes';

const args = process.argv.slice(2);
const flag = args.indexOf('--max-kib');
const maxKib = flag >= 0 ? Number(args[flag + 1]) : undefined;
if (maxKib !== undefined && !(maxKib > 0)) {
  console.error('--max-kib needs a positive number of KiB');
  process.exit(2);
}
const dirs = args.filter((a, i) => !a.startsWith('--') && (flag < 0 || i !== flag + 1));
if (dirs.length === 0) dirs.push('dist');
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const over: string[] = [];
for (const dir of dirs) {
  const { raw, gzip: gz } = bundleBytes(dir);
  console.log(`Workers bundle ${dir}: ${kib(raw)} raw, ${kib(gz)} gzipped (limit 3072 KiB on the free plan${maxKib !== undefined ? `; target ${maxKib} KiB` : ''})`);
  if (maxKib !== undefined && gz > maxKib * 1024) over.push(`${dir} is ${kib(gz)} gzipped, above the ${maxKib} KiB target`);
}
if (over.length > 0) {
  for (const line of over) console.error(line);
  process.exit(1);
}
