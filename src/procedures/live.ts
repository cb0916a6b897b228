/**
 * @module procedures/live
 * Procedure records published live by operators (POST /admin/procedures), kept in the store
 * under `proc:` (layout in store/live-records), merged with the bundled catalogue by id: a
 * published record replaces the bundled one with its id or adds a new one; a retired id is
 * hidden from every answer, bundled or not. Each isolate checks the revision at most every
 * refresh interval (one GET) and rebuilds its merged list only when it moved.
 */
import type { Store } from '../store/store';
import { LiveRecordCache, LiveRecordSet, type LiveRecordEntry, type LiveRecordState } from '../store/live-records';
import { bundledProcedures } from './load';
import type { RowError } from './import';
import { ProcedureSchema, type Procedure } from './schema';

/** Every key of the live procedures starts with this (export/import). */
export const PROCEDURES_PREFIX = 'proc:';

/** One procedure as the admin list shows it: where it comes from and whether it answers. */
export interface ProcedureListing {
  id: string;
  name: string;
  code?: string;
  field: string;
  /** bundled: shipped with the app; live: published by an operator (replacing a bundled one when `bundled`). */
  origin: 'bundled' | 'live';
  status: 'published' | 'retired';
  /** The id is also a bundled record's. */
  bundled: boolean;
  version?: number;
  updatedAt?: string;
  actor?: string;
}

interface LiveProceduresOptions {
  store: Store;
  now: () => Date;
  /** The revision is checked at most this often (ms). */
  refreshMs: number;
  clock?: () => number;
  onError?: (error: unknown) => void;
  /** Defaults to the bundled catalogue. */
  bundled?: readonly Procedure[];
}

export class LiveProcedures {
  readonly set: LiveRecordSet<Procedure>;
  readonly bundled: readonly Procedure[];
  private readonly cache: LiveRecordCache<Procedure>;
  private readonly bundledIds: ReadonlySet<string>;
  private merged?: { state: LiveRecordState<Procedure>; procedures: readonly Procedure[] };

  constructor(opts: LiveProceduresOptions) {
    this.bundled = opts.bundled ?? bundledProcedures();
    this.bundledIds = new Set(this.bundled.map((p) => p.id));
    this.set = new LiveRecordSet<Procedure>({
      store: opts.store,
      prefix: PROCEDURES_PREFIX,
      schema: ProcedureSchema,
      idOf: (p) => p.id,
      now: opts.now,
      noun: { vi: 'thủ tục', en: 'procedure' },
    });
    this.cache = new LiveRecordCache(this.set, (p) => p.id, { refreshMs: opts.refreshMs, clock: opts.clock, onError: opts.onError });
  }

  /** Brings this isolate up to the stored records (throttled unless `force`); never throws. */
  refresh(force = false): Promise<void> {
    return this.cache.refresh(force);
  }

  isBundled = (id: string): boolean => this.bundledIds.has(id);

  /** The catalogue answers come from: bundled (replaced or hidden by id) plus the live ones. */
  current(): readonly Procedure[] {
    const state = this.cache.state;
    if (this.merged?.state !== state) this.merged = { state, procedures: mergeProcedures(this.bundled, state) };
    return this.merged.procedures;
  }

  /**
   * Bundled procedures an operator replaced or retired live: the knowledge search hides its
   * bundled copy of their text (search/live-index `hidden`), so a stale record is never quoted.
   */
  overridden(): ReadonlySet<string> {
    const state = this.cache.state;
    if (this.overrides?.state !== state) {
      this.overrides = { state, ids: new Set([...state.entries.keys()].filter((id) => this.bundledIds.has(id))) };
    }
    return this.overrides.ids;
  }
  private overrides?: { state: unknown; ids: ReadonlySet<string> };

  /** Every procedure, bundled and live, retired ones included, read from the store now. */
  async listing(): Promise<ProcedureListing[]> {
    await this.refresh(true);
    const { entries, records } = this.cache.state;
    const out: ProcedureListing[] = [];
    for (const p of this.bundled) {
      const e = entries.get(p.id);
      out.push(listingOf(records.get(p.id) ?? p, e, true));
    }
    for (const e of entries.values()) {
      if (this.bundledIds.has(e.id)) continue;
      // A retired live record keeps its name from the segment it was last published in.
      const record = records.get(e.id) ?? (await this.lastPublished(e));
      out.push(listingOf(record, e, false));
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** One procedure (bundled or live, retired included) with where it comes from; undefined when unknown. */
  async one(id: string): Promise<{ listing: ProcedureListing; record?: Procedure } | undefined> {
    const listing = (await this.listing()).find((l) => l.id === id);
    if (!listing) return undefined;
    const entry = this.cache.state.entries.get(id);
    const record = this.cache.state.records.get(id) ?? this.bundled.find((p) => p.id === id) ?? (entry ? await this.lastPublished(entry) : undefined);
    return { listing, record };
  }

  /** The records a retired live id held when it was last published (kept in its segment). */
  private async lastPublished(e: LiveRecordEntry): Promise<Procedure | undefined> {
    return e.segment ? this.set.record({ ...e, status: 'published' }) : undefined;
  }

  /**
   * What would clash in the catalogue these records join (checked against the stored state):
   * a national code already used by another procedure. `lines[i]` is where record i starts.
   */
  async conflicts(records: readonly Procedure[], lines: readonly number[]): Promise<RowError[]> {
    await this.refresh(true);
    const incoming = new Set(records.map((r) => r.id));
    const owner = new Map<string, string>();
    for (const p of this.current()) if (p.code && !incoming.has(p.id)) owner.set(p.code, p.id);
    const errors: RowError[] = [];
    records.forEach((r, i) => {
      const other = r.code ? owner.get(r.code) : undefined;
      if (other) errors.push({ line: lines[i] ?? 1, id: r.id, reason: `code ${r.code} is already used by ${other}` });
    });
    return errors;
  }

  /** Publishes validated records all together; this isolate answers from them at once. */
  async publish(records: readonly Procedure[], actor: string): Promise<LiveRecordEntry[]> {
    const entries = await this.set.publish(records, actor, this.isBundled);
    await this.refresh(true);
    return entries;
  }

  /** Hides a procedure (live or bundled) from every answer. */
  async retire(id: string, actor: string): Promise<LiveRecordEntry> {
    const entry = await this.set.retire(id, actor, this.isBundled);
    await this.refresh(true);
    return entry;
  }
}

/** Bundled records in their order (replaced in place, retired left out), then new live ones by id. */
export function mergeProcedures(bundled: readonly Procedure[], state: LiveRecordState<Procedure>): readonly Procedure[] {
  if (state.entries.size === 0) return bundled;
  const out: Procedure[] = [];
  const known = new Set<string>();
  for (const p of bundled) {
    known.add(p.id);
    const e = state.entries.get(p.id);
    if (!e) out.push(p);
    else if (e.status === 'published') out.push(state.records.get(p.id) ?? p);
  }
  const added = [...state.records.values()].filter((p) => !known.has(p.id)).sort((a, b) => a.id.localeCompare(b.id));
  return Object.freeze([...out, ...added]);
}

function listingOf(p: Procedure | undefined, e: LiveRecordEntry | undefined, bundled: boolean): ProcedureListing {
  const live = e !== undefined && e.version > 0;
  return {
    id: e?.id ?? p!.id,
    name: p?.name ?? e!.id,
    ...(p?.code ? { code: p.code } : {}),
    field: p?.field ?? '',
    origin: live ? 'live' : 'bundled',
    status: e?.status ?? 'published',
    bundled,
    ...(e ? { version: e.version, updatedAt: e.updatedAt, actor: e.actor } : {}),
  };
}
