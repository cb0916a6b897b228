/**
 * @module scripts/lib/bundle-bytes
 * The raw and gzipped bytes of a Worker bundle: every file `wrangler deploy --dry-run --outdir`
 * wrote that is uploaded (source maps and wrangler's README.md are written beside it, not sent).
 * Gzip level 9, as Cloudflare's size limits count it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function bundleBytes(dir: string): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isFile() || name.endsWith('.map') || name.endsWith('.md')) continue;
    const data = readFileSync(path);
    raw += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
  }
  return { raw, gzip };
}
