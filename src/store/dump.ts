/**
 * @module store/dump
 * All keys under given prefixes as NDJSON lines and back: the backup of state that cannot be
 * rebuilt (admin/backup says which prefixes). One line per key, with its type, remaining TTL and
 * value, so any store (memory, Upstash, Redis) restores what any other exported. Restoring
 * validates every line before it writes one, and refuses a store that already holds any key
 * it would write; it writes a bounded size at a time and takes back what it wrote if a write fails.
 */
import { z } from 'zod';
import type { Store } from './store';

export const DUMP_FORMAT = 'tro-ly-cchc/export';
const DUMP_VERSION = 1;

const HeaderSchema = z.object({ format: z.literal(DUMP_FORMAT), version: z.literal(DUMP_VERSION), exportedAt: z.string(), keys: z.number().int().nonnegative().optional() });

const EndSchema = z.strictObject({ end: z.literal(true), keys: z.number().int().nonnegative() });

const base = { key: z.string().min(1).max(1024), ttl: z.number().int().min(-1) };
const LineSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('string'), value: z.string() }),
  z.object({ ...base, type: z.literal('list'), value: z.array(z.string()).min(1) }),
  z.object({ ...base, type: z.literal('set'), value: z.array(z.string()).min(1) }),
  z.object({ ...base, type: z.literal('hash'), value: z.record(z.string(), z.string()) }),
  z.object({ ...base, type: z.literal('zset'), value: z.array(z.tuple([z.string(), z.number()])).min(1) }),
]);
type Line = z.infer<typeof LineSchema>;

/** The keys under the prefixes, minus those `skip` names, in a stable order. */
async function keysUnder(store: Store, prefixes: readonly string[], skip: (key: string) => boolean): Promise<string[]> {
  const lists = await Promise.all(prefixes.map((p) => store.keysWithPrefix(p)));
  return [...new Set(lists.flat())].filter((k) => !skip(k)).sort();
}

async function readKey(store: Store, key: string): Promise<Line | undefined> {
  const [type, ttl] = await Promise.all([store.type(key), store.ttl(key)]);
  if (ttl === -2) return undefined;
  switch (type) {
    case 'string': {
      const value = await store.get(key);
      return value === null ? undefined : { key, type, ttl, value };
    }
    case 'list':
      return { key, type, ttl, value: await store.listRange(key, 0, -1) };
    case 'set':
      return { key, type, ttl, value: await store.setMembers(key) };
    case 'hash':
      return { key, type, ttl, value: await store.hashGetAll(key) };
    case 'zset': {
      const members = await store.zRangeByScore(key, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      return { key, type, ttl, value: members.map((m): [string, number] => [m.member, m.score]) };
    }
    default:
      return undefined;
  }
}

/**
 * The export as a stream of NDJSON lines: a header, one line per key, and an end line with the
 * count, so a file cut short (the stream failed half-way) is never taken for a whole backup.
 * Keys are read a few at a time, so a large store never sits in memory whole.
 */
export function dumpStream(store: Store, prefixes: readonly string[], opts: { now: Date; skip?: (key: string) => boolean }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let keys: string[] | undefined;
  let at = 0;
  let written = 0;
  const BATCH = 50;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!keys) {
        keys = await keysUnder(store, prefixes, opts.skip ?? (() => false));
        controller.enqueue(encoder.encode(`${JSON.stringify({ format: DUMP_FORMAT, version: DUMP_VERSION, exportedAt: opts.now.toISOString(), keys: keys.length })}\n`));
        return;
      }
      if (at >= keys.length) {
        controller.enqueue(encoder.encode(`${JSON.stringify({ end: true, keys: written })}\n`));
        controller.close();
        return;
      }
      const batch = keys.slice(at, at + BATCH);
      at += batch.length;
      const lines = await Promise.all(batch.map((k) => readKey(store, k)));
      const kept = lines.filter((l): l is Line => l !== undefined);
      written += kept.length;
      const text = kept.map((l) => `${JSON.stringify(l)}\n`).join('');
      if (text) controller.enqueue(encoder.encode(text));
    },
  });
}

/** Why an import was refused: the status and a reason, with the line when one line is at fault. */
export class DumpError extends Error {
  constructor(
    readonly status: 400 | 409,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(reason);
    this.name = 'DumpError';
  }
}

/** Reads an export: every line checked before anything is written (400 naming the first bad line). */
export function parseDump(text: string, prefixes: readonly string[]): Line[] {
  const rows = text.split('\n');
  const lines: Line[] = [];
  let header = false;
  let end: number | undefined;
  rows.forEach((raw, i) => {
    if (!raw.trim()) return;
    if (end !== undefined) throw new DumpError(400, `Dòng ${i + 1} đứng sau dòng kết thúc. — Line ${i + 1} follows the end line.`, i + 1);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new DumpError(400, `Dòng ${i + 1} không phải JSON. — Line ${i + 1} is not JSON.`, i + 1);
    }
    if (!header) {
      if (!HeaderSchema.safeParse(json).success) {
        throw new DumpError(400, `Dòng đầu phải là tiêu đề của bản xuất (${DUMP_FORMAT}). — The first line must be the export header.`, i + 1);
      }
      header = true;
      return;
    }
    const closing = EndSchema.safeParse(json);
    if (closing.success) {
      end = closing.data.keys;
      return;
    }
    const parsed = LineSchema.safeParse(json);
    if (!parsed.success) throw new DumpError(400, `Dòng ${i + 1} không đúng định dạng: ${parsed.error.issues[0]?.message ?? ''}. — Line ${i + 1} is malformed.`, i + 1);
    if (!prefixes.some((p) => parsed.data.key.startsWith(p))) {
      throw new DumpError(400, `Dòng ${i + 1}: khóa "${parsed.data.key}" không thuộc dữ liệu được sao lưu. — Line ${i + 1}: key outside the backed-up state.`, i + 1);
    }
    lines.push(parsed.data);
  });
  if (!header) throw new DumpError(400, 'Tệp trống hoặc thiếu tiêu đề. — The export is empty or has no header.');
  if (end === undefined || end !== lines.length) {
    throw new DumpError(400, `Bản xuất không trọn vẹn (thiếu dòng kết thúc hoặc số khóa không khớp: ${lines.length}). — The export is incomplete (no end line, or its count does not match).`);
  }
  return lines;
}

/** Characters of values written together at most (3-byte letters and JSON escapes stay under 10 MB). */
const RESTORE_BATCH_CHARS = 1_000_000;

/** Consecutive lines whose values add up to at most `maxChars` (a larger line goes alone). */
function batchesBySize(lines: readonly Line[], maxChars: number): Line[][] {
  const batches: Line[][] = [];
  let batch: Line[] = [];
  let chars = 0;
  for (const l of lines) {
    const size = l.key.length + JSON.stringify(l.value).length;
    if (batch.length && chars + size > maxChars) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(l);
    chars += size;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/**
 * Writes parsed lines into a store that holds none of their keys (409 otherwise, nothing
 * written). A sorted set `mergeable` names (a log) may already exist: its members are added.
 */
export async function restoreDump(store: Store, lines: readonly Line[], mergeable: (key: string) => boolean = () => false): Promise<number> {
  const existing = await Promise.all(lines.map((l) => store.type(l.key)));
  const taken = lines.filter((l, i) => existing[i] !== 'none' && !(l.type === 'zset' && existing[i] === 'zset' && mergeable(l.key)));
  if (taken.length) {
    throw new DumpError(409, `Kho dữ liệu không trống (đã có ${taken.length} khóa, ví dụ "${taken[0]!.key}"); chỉ nhập vào kho trống. — The store is not empty; import only restores into an empty store.`);
  }
  const ttlOf = (l: Line) => (l.ttl > 0 ? l.ttl : undefined);
  const write = async (l: Line): Promise<void> => {
    switch (l.type) {
      case 'string':
        await store.set(l.key, l.value, ttlOf(l));
        return;
      case 'list':
        await store.listPush(l.key, l.value, { maxLen: l.value.length, ttlSeconds: ttlOf(l) });
        return;
      case 'set':
        await store.setAdd(l.key, ...l.value);
        break;
      case 'hash':
        if (Object.keys(l.value).length) await store.hashSet(l.key, l.value);
        break;
      case 'zset':
        await Promise.all(l.value.map(([member, score]) => store.zAdd(l.key, score, member)));
        break;
    }
    // Strings and lists took their TTL as they were written; the rest take it now.
    const ttl = ttlOf(l);
    if (ttl) await store.expire(l.key, ttl);
  };
  try {
    // A few lines at a time: the commands written together go out as one Upstash request,
    // which must stay under its size limit (10 MB) however large the segments are.
    for (const batch of batchesBySize(lines, RESTORE_BATCH_CHARS)) {
      const settled = await Promise.allSettled(batch.map(write));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (e) {
    // All or nothing: take back the keys this import created (none existed before it).
    const created = lines.filter((_, i) => existing[i] === 'none').map((l) => l.key);
    if (created.length) await store.del(...created).catch(() => undefined);
    throw e;
  }
  return lines.length;
}
