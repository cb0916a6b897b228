/**
 * @module kpi/observations
 * Where KPI values live: one store hash per KPI, one field per unit and period, so writing a
 * value is a single atomic HSET (a row is never half-written) and writing the same value again
 * changes nothing. Reading merges the bundled historical values; a stored value for the same
 * unit and period replaces the bundled one.
 */
import type { Store } from '../store/store';
import { parsePeriod } from './period';
import { ObservationSchema, type KpiUnit, type Observation } from './schema';
import type { KpiCatalog } from './definitions';

const obsKey = (kpi: string): string => `kpi:obs:${kpi}`;
const field = (unit: KpiUnit, period: string): string => `${unit}|${period}`;

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** What is stored in a field: the observation without the parts its key already says. */
type StoredValue = Omit<Observation, 'kpi' | 'unit' | 'period'>;

export class ObservationStore {
  constructor(
    private readonly store: Store,
    private readonly catalog: KpiCatalog,
  ) {}

  /**
   * Writes one value unless the same value from the same source is already there (then
   * nothing is written and the first recordedAt stands).
   */
  async upsert(obs: Observation): Promise<UpsertOutcome> {
    const key = obsKey(obs.kpi);
    const f = field(obs.unit, obs.period);
    const existing = (await this.store.hashGetAll(key))[f];
    if (existing !== undefined) {
      const prev = decode(obs.kpi, f, existing);
      if (prev && sameValue(prev, obs)) return 'unchanged';
    }
    const stored: StoredValue = {
      value: obs.value,
      source: obs.source,
      ...(obs.url ? { url: obs.url } : {}),
      ...(obs.note ? { note: obs.note } : {}),
      recordedAt: obs.recordedAt,
      origin: obs.origin,
    };
    await this.store.hashSet(key, { [f]: JSON.stringify(stored) });
    return existing === undefined ? 'created' : 'updated';
  }

  /** Only the stored (live) values of a KPI. */
  async stored(kpi: string): Promise<Observation[]> {
    const fields = await this.store.hashGetAll(obsKey(kpi));
    return Object.entries(fields).flatMap(([f, v]) => {
      const o = decode(kpi, f, v);
      return o ? [o] : [];
    });
  }

  /** Every value of a KPI, bundled and stored, oldest period first. */
  async history(kpi: string): Promise<Observation[]> {
    const merged = new Map<string, Observation>();
    for (const o of this.catalog.bundledObservations(kpi)) merged.set(field(o.unit, o.period), o);
    for (const o of await this.stored(kpi)) merged.set(field(o.unit, o.period), o);
    return sortByPeriod([...merged.values()]);
  }
}

function sameValue(a: Observation, b: Observation): boolean {
  return a.value === b.value && a.source === b.source && (a.url ?? '') === (b.url ?? '') && (a.note ?? '') === (b.note ?? '');
}

/** A stored field back into an observation; a corrupt one is skipped, not fatal. */
function decode(kpi: string, f: string, raw: string): Observation | null {
  const [unit, period] = f.split('|');
  try {
    const parsed = ObservationSchema.safeParse({ ...(JSON.parse(raw) as object), kpi, unit, period });
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Oldest first by the period's last day, then its first day (a month before the year it ends). */
function sortByPeriod(list: Observation[]): Observation[] {
  const span = (o: Observation) => parsePeriod(o.period) ?? { start: o.period, end: o.period };
  return [...list].sort((a, b) => {
    const pa = span(a);
    const pb = span(b);
    return pa.end.localeCompare(pb.end) || pb.start.localeCompare(pa.start);
  });
}
