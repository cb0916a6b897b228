/**
 * @module media/png-worker
 * The PNG platform for Workers, imported by the Worker entry and passed to svgToPng: wrangler's
 * default module rules turn a .wasm import into a compiled WebAssembly.Module at deploy time
 * (Workers cannot compile wasm from bytes at run time). Workers have no synchronous zlib, so
 * resvg encodes the PNG itself.
 */
/// <reference path="./wasm-module.d.ts" />
import resvgWasm from '@resvg/resvg-wasm/index_bg.wasm';
import type { PngPlatform } from './png';

export const workerPng: PngPlatform = { loadWasm: async () => resvgWasm };
