/**
 * @module knowledge/extract/zip
 * Reads the few entries a DOCX needs out of a ZIP held in memory, defensively: the central
 * directory is bounds-checked, the number of entries is capped, and an entry is inflated in
 * small slices while its output is counted, so a zip bomb (or a lying size field) is stopped
 * within about a megabyte of the limit instead of after it has filled memory.
 * Inflation is fflate's (pure JS: runs on Workers and Node alike).
 */
import { Inflate } from 'fflate';
import { concatBytes } from '../../text/bounded-read';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated; anything else cannot be read here. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** As the directory claims it: checked while inflating, never trusted. */
  size: number;
  localHeaderOffset: number;
}

type ZipErrorKind = 'corrupt' | 'too-large';

export class ZipError extends Error {
  override name = 'ZipError';
  constructor(
    readonly kind: ZipErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** Compressed bytes given to the inflater at once: deflate expands at most ~1032:1, so ≤ ~1 MiB out. */
const INFLATE_SLICE = 1024;

/** True when the bytes start like a ZIP archive (a local file header or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/** Lists the archive's entries from its central directory. */
export function readZipDirectory(bytes: Uint8Array, maxEntries: number): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfDirectory(view);
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new ZipError('corrupt', 'ZIP64 archives are not supported');
  if (count > maxEntries) throw new ZipError('too-large', `the archive holds ${count} entries (at most ${maxEntries})`);
  if (dirOffset + dirSize > eocd) throw new ZipError('corrupt', 'the central directory lies outside the file');

  const entries: ZipEntry[] = [];
  let p = dirOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL_SIGNATURE) {
      throw new ZipError('corrupt', 'a central directory entry is damaged');
    }
    const flags = view.getUint16(p + 8, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength > bytes.length) throw new ZipError('corrupt', 'an entry name runs past the end of the file');
    entries.push({
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)),
      method: view.getUint16(p + 10, true),
      encrypted: (flags & 1) === 1,
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  const last = view.byteLength - 22;
  const first = Math.max(0, last - 0xffff);
  for (let p = last; p >= first; p--) {
    if (view.getUint32(p, true) === EOCD_SIGNATURE) return p;
  }
  throw new ZipError('corrupt', 'no end of central directory record (truncated or not a ZIP)');
}

/**
 * The entry's uncompressed bytes, refusing (kind 'too-large') as soon as more than `maxBytes`
 * come out, whatever the directory claimed.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array {
  if (entry.encrypted) throw new ZipError('corrupt', `${entry.name} is encrypted`);
  if (entry.size > maxBytes) throw new ZipError('too-large', `${entry.name} unpacks to ${entry.size} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const local = entry.localHeaderOffset;
  if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_SIGNATURE) {
    throw new ZipError('corrupt', `the local header of ${entry.name} is damaged`);
  }
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipError('corrupt', `${entry.name} runs past the end of the file`);
  const data = bytes.subarray(start, end);

  if (entry.method === 0) {
    if (data.length > maxBytes) throw new ZipError('too-large', `${entry.name} is larger than ${maxBytes} bytes`);
    return data.slice();
  }
  if (entry.method !== 8) throw new ZipError('corrupt', `${entry.name} uses compression method ${entry.method}`);

  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new ZipError('too-large', `${entry.name} unpacks to more than ${maxBytes} bytes`);
    parts.push(chunk);
  });
  try {
    // The last push is marked final, so a deflate stream cut short throws instead of ending quietly.
    let p = 0;
    do {
      const next = Math.min(p + INFLATE_SLICE, data.length);
      inflater.push(data.subarray(p, next), next === data.length);
      p = next;
    } while (p < data.length);
  } catch (e) {
    if (e instanceof ZipError) throw e;
    throw new ZipError('corrupt', `${entry.name} cannot be inflated (${(e as Error).message})`);
  }
  return concatBytes(parts, total);
}
