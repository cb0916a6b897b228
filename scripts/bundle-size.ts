/**
 * @module scripts/bundle-size
 * Prints the Workers bundle's raw and gzipped size (the free plan's limit is on the gzipped
 * size, 3 MiB), from the output folder of `wrangler deploy --dry-run --outdir`.
 * Usage: tsx scripts/bundle-size.ts dist
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
let raw = 0;
let gz = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || name.endsWith('.map')) continue;
  const data = readFileSync(path);
  raw += data.length;
  gz += gzipSync(data, { level: 9 }).length;
}
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Workers bundle: ${kib(raw)} raw, ${kib(gz)} gzipped (limit 3072 KiB on the free plan)`);
