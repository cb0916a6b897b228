/**
 * @module kpi/definitions
 * The KPI catalogue: the definitions and historical values bundled in src/generated/kpis.json
 * (built from knowledge/kpis/ by scripts/build-kpis.ts), who may see which KPI, and finding a
 * KPI from what someone typed ("dvc toan trinh", "PAR Index", an id).
 */
import { hasRole } from '../core/roles';
import type { Role } from '../core/types';
import { fold } from '../text/normalize';
import kpisJson from '../generated/kpis.json';
import { KpiBundleSchema, type KpiBundle, type KpiDefinition, type Observation } from './schema';

/** Who is looking: internal KPIs are for officials, and never shown in a group chat. */
export interface Viewer {
  role: Role;
  isGroup?: boolean;
}

export function canSee(def: KpiDefinition, viewer: Viewer): boolean {
  return def.visibility === 'public' || (hasRole(viewer.role, 'official') && !viewer.isGroup);
}

/** Lower-case, diacritics folded (đ→d), split into letters-and-digits words. */
export function words(text: string): string[] {
  return fold(text.normalize('NFC').toLowerCase()).split(/[^a-z0-9]+/).filter(Boolean);
}

interface KpiMatch {
  def: KpiDefinition;
  /** How many words of the best alias were found (an exact id scores highest). */
  score: number;
}

const ID_SCORE = 100;

export class KpiCatalog {
  private readonly byId: Map<string, KpiDefinition>;
  private readonly aliasWords: Map<string, string[][]>;
  private readonly bundledByKpi = new Map<string, Observation[]>();

  constructor(bundle: KpiBundle) {
    this.byId = new Map(bundle.definitions.map((d) => [d.id, d]));
    this.aliasWords = new Map(bundle.definitions.map((d) => [d.id, d.aliases.map(words).filter((w) => w.length > 0)]));
    for (const o of bundle.observations) {
      const def = this.byId.get(o.kpi);
      if (!def) continue;
      const list = this.bundledByKpi.get(o.kpi) ?? [];
      list.push({
        kpi: o.kpi,
        unit: def.unit,
        period: o.period,
        value: o.value,
        source: o.docId ? `${o.source} (${o.docId})` : o.source,
        ...(o.url ? { url: o.url } : {}),
        ...(o.note ? { note: o.note } : {}),
        recordedAt: o.recordedAt,
        origin: 'bundled',
      });
      this.bundledByKpi.set(o.kpi, list);
    }
  }

  all(): KpiDefinition[] {
    return [...this.byId.values()];
  }

  get(id: string): KpiDefinition | undefined {
    return this.byId.get(id);
  }

  /** The historical values restated from the sources, as observations. */
  bundledObservations(id: string): Observation[] {
    return this.bundledByKpi.get(id) ?? [];
  }

  /**
   * The KPIs a text names, best first: an exact id wins; otherwise a KPI scores the word count
   * of its longest alias whose words all appear in the text. Only the top score is kept, so
   * "số hóa hồ sơ cấp xã" names one KPI and "số hóa hồ sơ" names the three levels.
   */
  match(text: string, among: KpiDefinition[] = this.all()): KpiMatch[] {
    const trimmed = text.trim().toLowerCase();
    const exact = among.find((d) => d.id === trimmed);
    if (exact) return [{ def: exact, score: ID_SCORE }];
    const present = new Set(words(text));
    if (present.size === 0) return [];
    const scored: KpiMatch[] = [];
    for (const def of among) {
      let best = 0;
      for (const alias of this.aliasWords.get(def.id) ?? []) {
        if (alias.every((w) => present.has(w))) best = Math.max(best, new Set(alias).size);
      }
      if (best > 0) scored.push({ def, score: best });
    }
    const top = Math.max(0, ...scored.map((s) => s.score));
    return scored.filter((s) => s.score === top);
  }
}

let bundled: KpiCatalog | undefined;

/** The catalogue from the bundled file, parsed once per isolate/process. */
export function loadCatalog(): KpiCatalog {
  bundled ??= new KpiCatalog(KpiBundleSchema.parse(kpisJson));
  return bundled;
}
