/**
 * @module knowledge/live-view
 * The compact view of the document manifest that a cold isolate loads instead of the manifest:
 * for each document only what the search reads (status, segment, parts, visibility, successor),
 * without titles, dates and audit fields.
 *
 * Store layout:
 *   kb:live       hash    docId → row, for the documents switched since the last fold, and `_rev`:
 *                         written in the same atomic step as kb:manifest (same revision)
 *   kb:live:snap  string  JSON {docId: row} of every document folded in
 * A row is [status p|r|s, segment, parts, internal 0|1, supersededBy?].
 *
 * Why two keys: over Upstash REST one GET of a 400 KB string costs about a tenth of an HGETALL of
 * the same 8,000 rows (9 against 90 ms on loopback, `npm run bench:knowledge`'s corpus), but a
 * string cannot be changed one document at a time. So a switch writes its rows to the hash, and
 * once the hash holds more than FOLD_AT rows they are folded into the snapshot: a publish costs
 * its own rows, and one in FOLD_AT also rewrites the snapshot.
 *
 * Readers read the hash, then the snapshot (one pipelined request). A fold (one at a time, under
 * a lock) writes the snapshot first, then removes from the hash only the rows that still hold the
 * value it folded; a row switched meanwhile stays. So a reader never misses a row: if it saw the
 * hash before the removal it has the row there, and otherwise it reads the snapshot written before.
 */
import type { Store } from '../store/store';
import { REVISION_FIELD, safeJson } from '../store/live-records';
import type { LiveEntry } from '../search/live-index';

const DELTA_KEY = 'kb:live';
const SNAP_KEY = 'kb:live:snap';
const FOLD_LOCK = 'kb:lock:.live-fold';
/** Rows the hash may hold before they are folded into the snapshot. */
export const FOLD_AT = 256;
const FOLD_LOCK_SECONDS = 60;

type Row = [status: 'p' | 'r' | 's', segment: string | null, parts: number, internal: 0 | 1, supersededBy?: string];
const STATUS_CODES = { published: 'p', retired: 'r', superseded: 's' } as const;
const STATUS_OF: Record<string, LiveEntry['status']> = { p: 'published', r: 'retired', s: 'superseded' };

export function encodeRow(e: LiveEntry): Row {
  const row: Row = [STATUS_CODES[e.status], e.segment, e.parts, e.visibility === 'internal' ? 1 : 0];
  if (e.supersededBy) row.push(e.supersededBy);
  return row;
}

/** The entry back, checked by hand (thousands on a cold start); undefined for anything else. */
export function decodeRow(docId: string, row: unknown): LiveEntry | undefined {
  if (!Array.isArray(row) || row.length < 4) return undefined;
  const [s, segment, parts, internal, supersededBy] = row as unknown[];
  const status = typeof s === 'string' ? STATUS_OF[s] : undefined;
  if (!status || !(segment === null || typeof segment === 'string') || typeof parts !== 'number' || !(internal === 0 || internal === 1)) return undefined;
  if (supersededBy !== undefined && typeof supersededBy !== 'string') return undefined;
  return { docId, status, segment, parts, visibility: internal ? 'internal' : 'public', ...(supersededBy ? { supersededBy } : {}) };
}

/** The snapshot's rows; {} when there is none; throws when it cannot be read (never half a view). */
function parseSnapshot(raw: string | null): Record<string, unknown> {
  if (raw === null) return {};
  const parsed = safeJson(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${SNAP_KEY} cannot be read`);
  return parsed as Record<string, unknown>;
}

export class LiveView {
  constructor(private readonly store: Store) {}

  /** Every document's entry, sorted by id; undefined while this store has no view (read the manifest). */
  async read(): Promise<LiveEntry[] | undefined> {
    return (await this.readWithRevision())?.entries;
  }

  /** The entries and the revision they belong to (the hash's, switched with its rows). */
  async readWithRevision(): Promise<{ revision: string; entries: LiveEntry[] } | undefined> {
    // Called in this order in one turn: the hash is read before the snapshot (see above).
    const deltaRead = this.store.hashGetAll(DELTA_KEY);
    const snapRead = this.store.get(SNAP_KEY);
    const [delta, snap] = await Promise.all([deltaRead, snapRead]);
    const revision = delta[REVISION_FIELD];
    if (revision === undefined) return undefined;
    const rows = parseSnapshot(snap);
    const out: LiveEntry[] = [];
    for (const [docId, value] of Object.entries(delta)) {
      if (docId === REVISION_FIELD) continue;
      const e = decodeRow(docId, safeJson(value));
      if (e) out.push(e);
    }
    const seen = new Set(out.map((e) => e.docId));
    for (const [docId, row] of Object.entries(rows)) {
      if (seen.has(docId)) continue;
      const e = decodeRow(docId, row);
      if (e) out.push(e);
    }
    // Code-point order: ids are ASCII, and localeCompare costs tens of ms over thousands.
    return { revision, entries: out.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0)) };
  }

  /**
   * The view's part of a manifest switch (to be written in the same atomic step): the rows of
   * these entries. On a store without a view yet, every other entry (`manifest()`) is written
   * to the snapshot first: nobody reads it before the switch gives the hash its revision.
   * `fold` says whether foldIfLarge should run after the switch.
   */
  async prepare(entries: readonly LiveEntry[], manifest: () => Promise<LiveEntry[]>): Promise<{ write: [string, Record<string, string>]; fold: boolean }> {
    const delta = await this.store.hashGetAll(DELTA_KEY);
    if (delta[REVISION_FIELD] === undefined) {
      const all = await manifest();
      await this.store.set(SNAP_KEY, JSON.stringify(Object.fromEntries(all.map((e) => [e.docId, encodeRow(e)]))));
    }
    const fields: Record<string, string> = {};
    for (const e of entries) fields[e.docId] = JSON.stringify(encodeRow(e));
    const held = new Set(Object.keys(delta).filter((k) => k !== REVISION_FIELD));
    for (const id of Object.keys(fields)) held.add(id);
    return { write: [DELTA_KEY, fields], fold: held.size > FOLD_AT };
  }

  /**
   * Folds the hash's rows into the snapshot. One fold at a time (a second caller returns: the
   * first folds for it). Safe beside publishes: see the module comment.
   */
  async fold(): Promise<void> {
    const token = crypto.randomUUID();
    if (!(await this.store.claim(FOLD_LOCK, FOLD_LOCK_SECONDS, token))) return;
    try {
      const delta = await this.store.hashGetAll(DELTA_KEY);
      const rows = parseSnapshot(await this.store.get(SNAP_KEY));
      const folded: Record<string, string> = {};
      for (const [docId, value] of Object.entries(delta)) {
        // (Document ids are kebab-case; this keeps a hand-edited store from reaching the prototype.)
        if (docId === REVISION_FIELD || docId === '__proto__') continue;
        const row = safeJson(value);
        if (!decodeRow(docId, row)) continue;
        rows[docId] = row;
        folded[docId] = value;
      }
      if (!Object.keys(folded).length) return;
      await this.store.set(SNAP_KEY, JSON.stringify(rows));
      await this.store.hashDelIfEqual(DELTA_KEY, folded);
    } finally {
      await this.store.release(FOLD_LOCK, token);
    }
  }
}
