/**
 * @module knowledge/sharded-head
 * How a sharded segment's head is stored. Every cold isolate reads it before its first answer,
 * so it is kept small: format 3 stores the documents as columns, each holding its distinct
 * values once (thousands of documents share a source, a date, a kind), and which document each
 * chunk belongs to as runs. At 50,000 chunks in 8,072 documents that is about a fifth of
 * format 2 (whole document objects and one number per chunk), which is still read.
 * Checked by hand, not zod: thousands of values, and this code wrote them when it published.
 */
import type { DocumentMeta } from './schema';
import type { ShardedHead } from '../search/live-index';

/** One column: a key, its distinct values, and for each document the index of its value (-1: absent); no rows: every document has values[0]. */
type Column = [key: string, values: unknown[], rows?: number[]];

interface StoredHeadV3 {
  format: 3;
  fingerprint: string;
  documentCount: number;
  columns: Column[];
  /** [document position, chunk count] for each run of consecutive chunks of one document. */
  runs: number[];
  shards: number;
  blockSize: number;
  /** 'terms': each shard is a hash with a field per term (search/sharded-postings); absent: whole shards as strings. */
  postings?: 'terms';
}

export function encodeHead(head: ShardedHead): StoredHeadV3 {
  const n = head.documents.length;
  const keys = new Set<string>();
  for (const d of head.documents) for (const k of Object.keys(d)) keys.add(k);
  const columns: Column[] = [];
  for (const key of keys) {
    const values: unknown[] = [];
    const seen = new Map<string, number>();
    const rows = head.documents.map((d) => {
      const v = (d as unknown as Record<string, unknown>)[key];
      if (v === undefined) return -1;
      const text = JSON.stringify(v);
      let i = seen.get(text);
      if (i === undefined) {
        i = values.push(v) - 1;
        seen.set(text, i);
      }
      return i;
    });
    columns.push(values.length === 1 && rows.every((r) => r === 0) ? [key, values] : [key, values, rows]);
  }
  const runs: number[] = [];
  for (const d of head.docOf) {
    if (runs.length && runs[runs.length - 2] === d) runs[runs.length - 1]!++;
    else runs.push(d, 1);
  }
  return { format: 3, fingerprint: head.fingerprint, documentCount: n, columns, runs, shards: head.shards, blockSize: head.blockSize, ...(head.termLists ? { postings: 'terms' as const } : {}) };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** A stored head (format 2 or 3) as the search keeps it; throws on anything malformed. */
export function decodeHead(raw: unknown): ShardedHead {
  if (typeof raw !== 'object' || raw === null) throw new Error('sharded head: not an object');
  const h = raw as Record<string, unknown>;
  if (typeof h.fingerprint !== 'string' || !isCount(h.shards) || !isCount(h.blockSize)) throw new Error('sharded head: fingerprint, shards or blockSize malformed');
  if (h.postings !== undefined && (h.format !== 3 || h.postings !== 'terms')) throw new Error('sharded head: unknown postings layout');
  const base = { format: 2 as const, fingerprint: h.fingerprint, shards: h.shards, blockSize: h.blockSize, ...(h.postings === 'terms' ? { termLists: true } : {}) };
  let documents: DocumentMeta[];
  let docOf: number[];
  if (h.format === 2) {
    if (!Array.isArray(h.documents) || !Array.isArray(h.docOf) || !h.docOf.every(isIndex)) throw new Error('sharded head: documents or docOf malformed');
    documents = h.documents as DocumentMeta[];
    docOf = h.docOf;
  } else if (h.format === 3) {
    ({ documents, docOf } = decodeV3(h));
  } else {
    throw new Error('sharded head: unknown format');
  }
  for (const d of documents) {
    if (typeof d !== 'object' || d === null || typeof d.id !== 'string' || typeof d.title !== 'string' || typeof d.source !== 'string' || typeof d.date !== 'string' || typeof d.kind !== 'string') {
      throw new Error('sharded head: a document lacks id, title, source, date or kind');
    }
  }
  if (docOf.some((d) => d >= documents.length)) throw new Error('sharded head: a chunk names no document');
  return { ...base, documents, docOf };
}

function decodeV3(h: Record<string, unknown>): { documents: DocumentMeta[]; docOf: number[] } {
  const n = h.documentCount;
  if (!isIndex(n) || !Array.isArray(h.columns) || !Array.isArray(h.runs) || h.runs.length % 2 !== 0) throw new Error('sharded head: columns or runs malformed');
  const docs: Array<Record<string, unknown>> = Array.from({ length: n }, () => ({}));
  for (const col of h.columns as unknown[]) {
    if (!Array.isArray(col) || typeof col[0] !== 'string' || !Array.isArray(col[1])) throw new Error('sharded head: a column is malformed');
    const [key, values, rows] = col as [string, unknown[], unknown];
    // A key an object prototype answers to would not be a plain field.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new Error('sharded head: a column has a forbidden key');
    if (rows === undefined) {
      if (values.length !== 1) throw new Error('sharded head: a shared column must hold one value');
      for (const d of docs) d[key] = values[0];
      continue;
    }
    if (!Array.isArray(rows) || rows.length !== n) throw new Error('sharded head: a column has the wrong number of rows');
    for (let i = 0; i < n; i++) {
      const r = rows[i] as unknown;
      if (r === -1) continue;
      if (!isIndex(r) || r >= values.length) throw new Error('sharded head: a row points at no value');
      docs[i]![key] = values[r];
    }
  }
  const docOf: number[] = [];
  const runs = h.runs as unknown[];
  for (let i = 0; i < runs.length; i += 2) {
    const [d, count] = [runs[i], runs[i + 1]];
    if (!isIndex(d) || !isCount(count) || count > 1_000_000) throw new Error('sharded head: a run is malformed');
    for (let k = 0; k < count; k++) docOf.push(d);
  }
  return { documents: docs as unknown as DocumentMeta[], docOf };
}
