/**
 * @module store/live-records
 * Small structured records published live by operators (procedure records, KPI definitions),
 * kept in the store the way the document catalogue keeps its manifest, and read by every
 * isolate at most every few seconds. Generic over the record's zod schema; the domain modules
 * (procedures/live, kpi/live) say what a record is and how it merges with the bundled ones.
 *
 * Store layout (all under one prefix, e.g. `proc:`):
 *   <p>manifest       hash  id → LiveRecordEntry (status, the segment holding it) and `_rev`,
 *                     the revision isolates poll (one HGET), written in the same HSET
 *   <p>seg:<seg>:<k>  string parts of one immutable segment: the JSON array of one publish's records
 *   lock:<p>          claim held while a publish or retire runs (outside the prefix: never exported)
 *
 * A publish writes its segment first (new keys nothing names yet), then switches every entry of
 * the batch in one HSET together with the revision: a failure before
 * the HSET leaves the previous records answering, and a batch is seen whole or not at all.
 */
import { z } from 'zod';
import type { Store } from './store';
import { Refresher, type RefresherOptions } from './refresher';

export const REVISION_FIELD = '_rev';
/** A stored segment part stays well under a REST request's size limit (Upstash: 1 MB). */
export const PART_CHARS = 256_000;
/** A publish holds the lock at most this long (a crashed one frees it after). */
const LOCK_SECONDS = 60;

export const LiveRecordEntrySchema = z.object({
  id: z.string(),
  /** retired: hidden from every answer; its record stays in its segment for audit. */
  status: z.enum(['published', 'retired']),
  segment: z.string().nullable(),
  parts: z.number().int().nonnegative(),
  /** How many times this id was published (0 for a bundled record retired before any publish). */
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
  actor: z.string(),
  /** The id is also a bundled record's: published replaces it, retired hides it. */
  bundled: z.boolean().optional(),
});
export type LiveRecordEntry = z.infer<typeof LiveRecordEntrySchema>;

/** A refusal the admin routes turn into a status and a reason (Vietnamese first). */
export class LiveRecordError extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'LiveRecordError';
  }
}

interface LiveRecordSetOptions<T> {
  store: Store;
  /** Every key of this set starts with it (export/import). */
  prefix: string;
  schema: z.ZodType<T>;
  idOf: (record: T) => string;
  now: () => Date;
  /** What one record is called in messages ("thủ tục" / "procedure"). */
  noun: { vi: string; en: string };
}

export class LiveRecordSet<T> {
  constructor(private readonly opts: LiveRecordSetOptions<T>) {}

  private get manifestKey() {
    return `${this.opts.prefix}manifest`;
  }
  private get lockKey() {
    return `lock:${this.opts.prefix}`;
  }
  private segmentKey(segment: string, part: number) {
    return `${this.opts.prefix}seg:${segment}:${part}`;
  }

  /** A token that changes whenever the manifest does; null before anything was published. */
  revision(): Promise<string | null> {
    return this.opts.store.hashGet(this.manifestKey, REVISION_FIELD);
  }

  /** Every entry, sorted by id. */
  manifest(): Promise<LiveRecordEntry[]> {
    return readManifest(this.opts.store, this.manifestKey, LiveRecordEntrySchema, (e) => e.id);
  }

  /** The records of one segment, validated again (a hand-edited store never reaches an answer). */
  async segment(segment: string, parts: number): Promise<T[]> {
    const text = await readParts(this.opts.store, (k) => this.segmentKey(segment, k), parts, segment);
    return z.array(this.opts.schema).parse(JSON.parse(text));
  }

  /** The current record of one id, when it was published live and is not retired. */
  async record(entry: LiveRecordEntry): Promise<T | undefined> {
    if (entry.status !== 'published' || !entry.segment) return undefined;
    return (await this.segment(entry.segment, entry.parts)).find((r) => this.opts.idOf(r) === entry.id);
  }

  /**
   * Publishes records (already validated) all together: one segment, one manifest switch.
   * `bundled(id)` says whether an id is also a bundled record's. 409 while another publish runs.
   */
  async publish(records: readonly T[], actor: string, bundled: (id: string) => boolean): Promise<LiveRecordEntry[]> {
    const { store, now } = this.opts;
    return this.locked(async () => {
      const before = new Map((await this.manifest()).map((e) => [e.id, e]));
      const at = now().toISOString();
      const segment = `${now().getTime().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
      const serialized = JSON.stringify(records);
      // Nothing names these keys yet.
      const parts = await writeParts(store, (k) => this.segmentKey(segment, k), serialized);
      const entries = records.map((r): LiveRecordEntry => {
        const id = this.opts.idOf(r);
        return {
          id,
          status: 'published',
          segment,
          parts,
          version: (before.get(id)?.version ?? 0) + 1,
          updatedAt: at,
          actor,
          ...(bundled(id) ? { bundled: true } : {}),
        };
      });
      await this.switchManifest(Object.fromEntries(entries.map((e) => [e.id, JSON.stringify(e)])));
      return entries;
    });
  }

  /** Hides a record from every answer: a live one, or a bundled one (`bundled(id)`). 404 for neither. */
  async retire(id: string, actor: string, bundled: (id: string) => boolean): Promise<LiveRecordEntry> {
    return this.locked(async () => {
      const before = (await this.manifest()).find((e) => e.id === id);
      if (!before && !bundled(id)) throw this.notFound(id);
      const entry: LiveRecordEntry = {
        id,
        status: 'retired',
        // Kept so the record it last held can still be shown (isolates load published segments only).
        segment: before?.segment ?? null,
        parts: before?.parts ?? 0,
        version: before?.version ?? 0,
        updatedAt: this.opts.now().toISOString(),
        actor,
        ...(bundled(id) ? { bundled: true } : {}),
      };
      await this.switchManifest({ [id]: JSON.stringify(entry) });
      return entry;
    });
  }

  notFound(id: string): LiveRecordError {
    const { vi, en } = this.opts.noun;
    return new LiveRecordError(404, 'not-found', `Không có ${vi} "${id}". — No ${en} "${id}".`);
  }

  private async locked<R>(run: () => Promise<R>): Promise<R> {
    const { store } = this.opts;
    const token = crypto.randomUUID();
    if (!(await store.claim(this.lockKey, LOCK_SECONDS, token))) {
      const { vi, en } = this.opts.noun;
      throw new LiveRecordError(409, 'busy', `Danh mục ${vi} đang được cập nhật bởi một thao tác khác; thử lại sau. — The ${en} catalogue is being changed by another request; try again.`);
    }
    try {
      return await run();
    } finally {
      // Only our own lock: one that expired and was taken since is left alone.
      await store.release(this.lockKey, token).catch(() => undefined);
    }
  }

  /** One HSET: the entries and the revision isolates poll change together, or not at all. */
  private switchManifest(fields: Record<string, string>): Promise<void> {
    return switchManifest(this.opts.store, this.manifestKey, fields, this.opts.now());
  }

}

/** What one isolate answers from: the manifest and the current record of every published id. */
export interface LiveRecordState<T> {
  revision: string | null;
  entries: ReadonlyMap<string, LiveRecordEntry>;
  /** Published ids only. */
  records: ReadonlyMap<string, T>;
}

/** The revision is checked at most every `refreshMs`. */
type CacheOptions = RefresherOptions;

/**
 * One isolate's copy of a LiveRecordSet: `refresh()` GETs the revision at most every
 * `refreshMs` and, when it moved, reads the manifest and the segments it lacks; the new state is
 * one assignment. Never throws: a store failure keeps the last good state answering.
 */
export class LiveRecordCache<T> {
  private current: LiveRecordState<T> = { revision: null, entries: new Map(), records: new Map() };
  private segments = new Map<string, ReadonlyMap<string, T>>();
  private readonly refresher: Refresher;

  constructor(
    private readonly set: LiveRecordSet<T>,
    private readonly idOf: (record: T) => string,
    opts: CacheOptions,
  ) {
    this.refresher = new Refresher(() => this.load(), opts);
  }

  get state(): LiveRecordState<T> {
    return this.current;
  }

  refresh(force = false): Promise<void> {
    return this.refresher.refresh(force);
  }

  private async load(): Promise<void> {
    const revision = await this.set.revision();
    if (revision === this.current.revision) return;
    const list = await this.set.manifest();
    const wanted = new Map<string, number>();
    for (const e of list) if (e.status === 'published' && e.segment) wanted.set(e.segment, e.parts);
    const segments = new Map<string, ReadonlyMap<string, T>>();
    await Promise.all(
      [...wanted].map(async ([id, parts]) => {
        const loaded = this.segments.get(id) ?? new Map((await this.set.segment(id, parts)).map((r) => [this.idOf(r), r] as const));
        segments.set(id, loaded);
      }),
    );
    const records = new Map<string, T>();
    for (const e of list) {
      if (e.status !== 'published' || !e.segment) continue;
      const r = segments.get(e.segment)?.get(e.id);
      if (!r) throw new Error(`segment ${e.segment} does not hold ${e.id}`);
      records.set(e.id, r);
    }
    this.segments = segments;
    // One assignment: a reader sees the old state or the new one.
    this.current = { revision, entries: new Map(list.map((e) => [e.id, e])), records };
  }
}

export function safeJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

// The manifest pattern shared with the document catalogue (knowledge/catalogue): a hash of
// entries plus a revision field, switched in one HSET, and segments stored in parts.

/** A manifest hash's entries (its revision field left out), each checked; unreadable ones skipped; sorted by id. */
export async function readManifest<T>(store: Store, key: string, schema: z.ZodType<T>, idOf: (entry: T) => string): Promise<T[]> {
  const raw = await store.hashGetAll(key);
  const out: T[] = [];
  for (const [field, value] of Object.entries(raw)) {
    if (field === REVISION_FIELD) continue;
    const parsed = schema.safeParse(safeJson(value));
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => idOf(a).localeCompare(idOf(b)));
}

/**
 * One HSET: the entries and the revision isolates poll change together, or not at all. `views`:
 * other hashes (a compact view of the same entries) switched in the same atomic step, each
 * given the same revision.
 */
export async function switchManifest(store: Store, key: string, fields: Record<string, string>, now: Date, views: ReadonlyArray<readonly [string, Record<string, string>]> = []): Promise<void> {
  const revision = `${now.getTime().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  if (!views.length) return store.hashSet(key, { ...fields, [REVISION_FIELD]: revision });
  await store.hashSetMany([[key, { ...fields, [REVISION_FIELD]: revision }], ...views.map(([k, f]): [string, Record<string, string>] => [k, { ...f, [REVISION_FIELD]: revision }])]);
}

/** Stores a segment's text in parts of PART_CHARS, one part at a time (each request stays small). */
export async function writeParts(store: Store, keyOf: (part: number) => string, text: string): Promise<number> {
  const parts = Math.max(1, Math.ceil(text.length / PART_CHARS));
  for (let k = 0; k < parts; k++) await store.set(keyOf(k), text.slice(k * PART_CHARS, (k + 1) * PART_CHARS));
  return parts;
}

/** The text of a segment stored in `parts` keys, joined; an error names a missing part. */
export async function readParts(store: Store, keyOf: (part: number) => string, parts: number, name: string): Promise<string> {
  const texts = await Promise.all(Array.from({ length: parts }, (_, k) => store.get(keyOf(k))));
  if (texts.some((t) => t === null)) throw new Error(`segment ${name} is missing a part`);
  return texts.join('');
}
