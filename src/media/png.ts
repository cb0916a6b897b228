/**
 * @module media/png
 * SVG to PNG: drawn by resvg compiled to WebAssembly (@resvg/resvg-wasm 2.4.1: 528 KB gzipped,
 * the build without a text engine; charts draw their text as outlines, see media/svg). The same
 * code runs on Workers and Node; what differs is passed in by the entry as a PngPlatform
 * (media/png-node, media/png-worker) rather than sniffed here: how the .wasm is obtained, and
 * on Node a native deflate that encodes the PNG in a fraction of resvg's own encoder's CPU.
 * resvg is compiled and instantiated once per isolate or process. On Workers this runs in the
 * chart renderer Worker (src/media-worker/png); the assistant Worker only holds a PngRenderer (media/png-renderer).
 */
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import type { PngRenderer } from './png-renderer';

/** What resvg's initWasm accepts: a compiled module (Workers) or the file's bytes (Node). */
type ResvgWasm = WebAssembly.Module | BufferSource;
type ResvgWasmLoader = () => Promise<ResvgWasm>;

export interface PngPlatform {
  loadWasm: ResvgWasmLoader;
  /** zlib-wrapped deflate (RFC 1950), synchronous; without it resvg encodes the PNG itself. */
  deflate?: (data: Uint8Array) => Uint8Array;
}

/** Widest PNG rendered: a bound on memory (4096 × height × 4 bytes), whatever a caller asks. */
const MAX_PNG_WIDTH = 4096;

let ready: Promise<void> | undefined;

/** Instantiates resvg once; a failed attempt is forgotten so that a later call can try again. */
export function initResvg(load: ResvgWasmLoader): Promise<void> {
  ready ??= load()
    .then((wasm) => initWasm(wasm))
    .catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
  return ready;
}

interface PngOptions {
  /** Output width in px; the height follows the SVG's aspect ratio. */
  width: number;
  platform: PngPlatform;
  /** Painted under the chart (charts draw their own background; this covers the corners). */
  background?: string;
}

/** Renders an SVG document to PNG bytes; throws when the SVG cannot be read or rendered. */
export async function svgToPng(svg: string, opts: PngOptions): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(opts.width) || opts.width < 1 || opts.width > MAX_PNG_WIDTH) {
    throw new RangeError(`PNG width must be an integer from 1 to ${MAX_PNG_WIDTH}, not ${opts.width}`);
  }
  await initResvg(opts.platform.loadWasm);
  const { deflate } = opts.platform;
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: opts.width }, background: opts.background ?? '#ffffff' });
  try {
    const image = resvg.render();
    try {
      // asPng copies the bytes out of wasm memory into an ArrayBuffer of their own.
      return deflate ? encodePng(image.width, image.height, image.pixels, deflate) : (image.asPng() as Uint8Array<ArrayBuffer>);
    } finally {
      image.free();
    }
  } finally {
    // wasm memory is not garbage-collected: free what each render allocated.
    resvg.free();
  }
}

export type { PngRenderer };

export function pngRenderer(platform: PngPlatform): PngRenderer {
  return (chart) => svgToPng(chart.svg, { width: chart.width, platform });
}

/**
 * RGBA pixels as a PNG. Rows are left unfiltered: charts are mostly flat colour, which deflate
 * packs well as it is.
 */
export function encodePng(width: number, height: number, rgba: Uint8Array, deflate: (data: Uint8Array) => Uint8Array): Uint8Array<ArrayBuffer> {
  const stride = width * 4;
  if (rgba.length !== stride * height) throw new RangeError(`expected ${stride * height} bytes of RGBA, got ${rgba.length}`);
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits a channel, RGBA, deflate, standard filters, no interlace
  return concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0))]);
}

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

let crcTable: Uint32Array | undefined;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
