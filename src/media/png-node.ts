/**
 * @module media/png-node
 * The PNG platform for Node, imported by the Node entry (and Node tests and benches) and passed
 * to svgToPng: resvg's WebAssembly read from node_modules, and zlib's deflate at level 3, which
 * on the KPI card takes about 6 ms where resvg's own encoder takes 25 (npm run bench:charts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import type { PngPlatform } from './png';

export const nodePng: PngPlatform = {
  loadWasm: async () => new Uint8Array(await readFile(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm'))),
  deflate: (data) => deflateSync(data, { level: 3 }),
};
