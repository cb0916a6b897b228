/**
 * @module kpi/live
 * KPI definitions published live by operators (POST /admin/kpis), kept in the store under
 * `kpidef:` (layout in store/live-records); KpiService lays them over the bundled catalogue by
 * id. Reads the same files as scripts/build-kpis.ts (knowledge/kpis/*.json: one definition, an
 * array of them, or `{ placeNote?, definitions, observations? }`) and checks them the same way:
 * the schema, ids unique in the file, a region of the place registry, a former province
 * labelled as such (kpi/definitions#placeProblems), knowledge documents that exist. Every bad
 * definition is reported with the line where it starts.
 */
import type { Store } from '../store/store';
import { LiveRecordCache, LiveRecordSet, type LiveRecordEntry, type LiveRecordState } from '../store/live-records';
import { elementLines, firstLine, jsonErrorLine } from '../text/json-lines';
import { placeProblems, type PlaceLabels } from './definitions';
import { KpiDefinitionSchema, KpiFileSchema, type KpiDefinition } from './schema';

/** Every key of the live KPI definitions starts with this (export/import). */
export const KPI_DEFINITIONS_PREFIX = 'kpidef:';

export interface DefinitionRowError {
  /** 1-based line where the bad definition starts. */
  line: number;
  id?: string;
  reason: string;
}

export interface ParsedDefinitions {
  definitions: KpiDefinition[];
  /** Where each definition starts, in the same order. */
  lines: number[];
  errors: DefinitionRowError[];
  /** Historical values in the file: not definitions, so not published here (POST /admin/metrics takes values). */
  ignoredValues: number;
}

interface CheckOptions {
  labels: PlaceLabels;
  /** Whether a knowledge document exists (a definition's source.docId must name one). */
  documentExists?: (docId: string) => boolean;
}

/** Reads and checks a KPI definitions upload (JSON text), as the build script checks the data files. */
export function parseDefinitions(content: string, opts: CheckOptions): ParsedDefinitions {
  const text = content.replace(/^\uFEFF/, '').normalize('NFC');
  const none: ParsedDefinitions = { definitions: [], lines: [], errors: [], ignoredValues: 0 };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ...none, errors: [{ line: jsonErrorLine(text, e), reason: `not valid JSON: ${(e as Error).message}` }] };
  }
  let items: unknown[];
  let lines: number[];
  let placeNote: string | undefined;
  let ignoredValues = 0;
  if (Array.isArray(data)) {
    items = data;
    lines = elementLines(text);
  } else if (isObject(data) && 'definitions' in data) {
    const file = KpiFileSchema.pick({ placeNote: true }).safeParse({ placeNote: data.placeNote });
    if (!file.success || !Array.isArray(data.definitions)) {
      return { ...none, errors: [{ line: firstLine(text), reason: 'a KPI file holds "definitions" (an array) and an optional "placeNote" (text)' }] };
    }
    placeNote = file.data.placeNote;
    items = data.definitions;
    lines = elementLines(text, 'definitions');
    ignoredValues = Array.isArray(data.observations) ? data.observations.length : 0;
  } else {
    items = [data];
    lines = [firstLine(text)];
  }
  if (items.length === 0) return { ...none, errors: [{ line: firstLine(text), reason: 'the file holds no definitions' }] };

  const definitions: KpiDefinition[] = [];
  const okLines: number[] = [];
  const errors: DefinitionRowError[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const line = lines[i] ?? 1;
    const id = isObject(item) && typeof item.id === 'string' ? item.id : undefined;
    const parsed = KpiDefinitionSchema.safeParse(item);
    if (!parsed.success) {
      const reason = parsed.error.issues.slice(0, 3).map((x) => (x.path.length ? `${x.path.join('.')}: ${x.message}` : x.message)).join('; ');
      errors.push({ line, id, reason });
      return;
    }
    // As the build does: the file's place note comes first in each definition's notes.
    const def = placeNote ? { ...parsed.data, notes: [placeNote, ...parsed.data.notes] } : parsed.data;
    const problems = placeProblems(def, opts.labels);
    const first = seen.get(def.id);
    if (first !== undefined) problems.push(`${def.id} is already defined on line ${first}`);
    else seen.set(def.id, line);
    for (const docId of [def.source.docId, def.fullScore?.source.docId]) {
      if (docId && opts.documentExists && !opts.documentExists(docId)) problems.push(`knowledge document ${docId} does not exist`);
    }
    if (problems.length) errors.push({ line, id: def.id, reason: problems.join('; ') });
    else {
      definitions.push(def);
      okLines.push(line);
    }
  });
  return { definitions, lines: okLines, errors: errors.sort((a, b) => a.line - b.line), ignoredValues };
}

interface LiveKpiOptions {
  store: Store;
  now: () => Date;
  /** The revision is checked at most this often (ms). */
  refreshMs: number;
  clock?: () => number;
  onError?: (error: unknown) => void;
}

export class LiveKpiDefinitions {
  readonly set: LiveRecordSet<KpiDefinition>;
  private readonly cache: LiveRecordCache<KpiDefinition>;

  constructor(opts: LiveKpiOptions) {
    this.set = new LiveRecordSet<KpiDefinition>({
      store: opts.store,
      prefix: KPI_DEFINITIONS_PREFIX,
      schema: KpiDefinitionSchema,
      idOf: (d) => d.id,
      now: opts.now,
      noun: { vi: 'chỉ số', en: 'KPI' },
    });
    this.cache = new LiveRecordCache(this.set, (d) => d.id, { refreshMs: opts.refreshMs, clock: opts.clock, onError: opts.onError });
  }

  get state(): LiveRecordState<KpiDefinition> {
    return this.cache.state;
  }

  refresh(force = false): Promise<void> {
    return this.cache.refresh(force);
  }

  publish(definitions: readonly KpiDefinition[], actor: string, bundled: (id: string) => boolean): Promise<LiveRecordEntry[]> {
    return this.set.publish(definitions, actor, bundled);
  }

  retire(id: string, actor: string, bundled: (id: string) => boolean): Promise<LiveRecordEntry> {
    return this.set.retire(id, actor, bundled);
  }

  /** The definition a retired live id held when it was last published. */
  lastPublished(e: LiveRecordEntry): Promise<KpiDefinition | undefined> {
    return e.segment ? this.set.record({ ...e, status: 'published' }) : Promise.resolve(undefined);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
