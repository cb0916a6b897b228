/**
 * @module kpi/definitions
 * The KPI catalogue: the definitions and historical values bundled in src/generated/kpis.json
 * (built from knowledge/kpis/ by scripts/build-kpis.ts), who may see which KPI, and finding a
 * KPI from what someone typed ("dvc toan trinh", "PAR Index", an id). Definitions published
 * live (kpi/live) lie over the bundled ones by id (`overlay`); the checks a definition must pass
 * beyond its schema (a known region, a former province labelled as such) are here, shared by the
 * build script and the admin API.
 */
import { hasRole } from '../core/roles';
import type { Locale, Role } from '../core/types';
import { formatDate } from '../core/texts';
import type { PlaceRegistry } from '../knowledge/places';
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
  private byId = new Map<string, KpiDefinition>();
  private aliasWords = new Map<string, string[][]>();
  private bundledByKpi = new Map<string, Observation[]>();
  private readonly bundledIds: ReadonlySet<string>;

  constructor(private readonly bundle: KpiBundle) {
    this.bundledIds = new Set(bundle.definitions.map((d) => d.id));
    this.apply(bundle.definitions);
  }

  /**
   * Definitions published live over the bundled ones: one with a bundled id replaces it in
   * place, a new one is added after them, a retired id is hidden. Replaces any earlier overlay.
   */
  overlay(live: readonly KpiDefinition[], retired: ReadonlySet<string>): void {
    const liveById = new Map(live.map((d) => [d.id, d]));
    const defs: KpiDefinition[] = [];
    for (const d of this.bundle.definitions) if (!retired.has(d.id)) defs.push(liveById.get(d.id) ?? d);
    for (const d of live) if (!this.bundledIds.has(d.id) && !retired.has(d.id)) defs.push(d);
    this.apply(defs);
  }

  /** Whether an id is a bundled definition's. */
  isBundled(id: string): boolean {
    return this.bundledIds.has(id);
  }

  /** The bundled definition of an id, whatever lies over it. */
  bundled(id: string): KpiDefinition | undefined {
    return this.bundle.definitions.find((d) => d.id === id);
  }

  private apply(definitions: readonly KpiDefinition[]): void {
    const byId = new Map(definitions.map((d) => [d.id, d]));
    const aliasWords = new Map(definitions.map((d) => [d.id, d.aliases.map(words).filter((w) => w.length > 0)]));
    const bundledByKpi = new Map<string, Observation[]>();
    for (const o of this.bundle.observations) {
      const def = byId.get(o.kpi);
      // A live definition in another unit makes the bundled values meaningless for it.
      if (!def || def.unit !== this.bundled(o.kpi)?.unit) continue;
      const list = bundledByKpi.get(o.kpi) ?? [];
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
      bundledByKpi.set(o.kpi, list);
    }
    // Assigned together (synchronously): a reader sees the old catalogue or the new one.
    this.byId = byId;
    this.aliasWords = aliasWords;
    this.bundledByKpi = bundledByKpi;
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

let bundledFile: KpiBundle | undefined;
let bundled: KpiCatalog | undefined;

/** The bundled definitions and values, parsed once per isolate/process. */
export function bundledKpis(): KpiBundle {
  bundledFile ??= KpiBundleSchema.parse(kpisJson);
  return bundledFile;
}

/** The catalogue from the bundled file, shared by the isolate (never overlaid: each KpiService makes its own). */
export function loadCatalog(): KpiCatalog {
  bundled ??= new KpiCatalog(bundledKpis());
  return bundled;
}

/** What the place checks need: the registry and how a place is written in each locale. */
export interface PlaceLabels {
  registry: PlaceRegistry;
  /** "tỉnh Bình Dương" / "Bình Dương province" for a unit's type and name. */
  display(locale: Locale, type: string, name: string): string;
}

/**
 * Why a definition's place is wrong, or [] when it is right: its region must be a unit of the
 * place registry, and a KPI of a unit that no longer exists on its own (Bình Dương, Hậu Giang
 * since 1/7/2025) says so wherever its place is shown: "tỉnh Bình Dương (cũ)" in its name,
 * "former Bình Dương province" in English, "(… cũ)" / "(former …)" in a short name that names
 * the place, and a first note saying what the unit is part of now and since when.
 */
export function placeProblems(d: KpiDefinition, labels: PlaceLabels): string[] {
  const { registry, display } = labels;
  const place = registry.namedIn(d.region)[0];
  if (!place) return [`region "${d.region}" is not a unit of knowledge/places.json`];
  if (!place.former || !place.old) return [];
  const { name, type } = place.old;
  const wanted: Array<[string, boolean]> = [
    [`name holding "${display('vi', type, name)} (cũ)"`, d.name.includes(`${display('vi', type, name)} (cũ)`)],
    [`nameEn holding "former ${display('en', type, name)}"`, d.nameEn.includes(`former ${display('en', type, name)}`)],
    ['a short name ending "cũ)" when it names a place', !/\)$/.test(d.short) || /cũ\)$/.test(d.short) || /^766 \(/.test(d.short)],
    ['a shortEn naming the place as "(former …)"', !/\)$/.test(d.shortEn) || /\(former [^()]+\)$/.test(d.shortEn) || /^766 \(/.test(d.shortEn)],
    [
      `a first note saying it is part of ${display('vi', place.now.type, place.now.name)} since ${formatDate(registry.since)}`,
      (d.notes[0] ?? '').includes(display('vi', place.now.type, place.now.name)) && (d.notes[0] ?? '').includes(formatDate(registry.since)),
    ],
  ];
  return wanted.filter(([, ok]) => !ok).map(([what]) => `${d.region} is a former unit: needs ${what}`);
}
