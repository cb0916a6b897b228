/**
 * KPI views and texts for the chart tests (Node and workerd): definitions checked by the real
 * schema, values judged by the real status rule (kpi/service kpiView), at a fixed instant.
 */
import bundle from '../../src/generated/bundle.json';
import { Texts, type TextTable } from '../../src/core/texts';
import { KpiDefinitionSchema, type KpiDefinition, type Observation } from '../../src/kpi/schema';
import { kpiView, type KpiView } from '../../src/kpi/service';

export const texts = new Texts((bundle as { prompts: TextTable }).prompts);
export const NOW = new Date('2026-11-21T08:00:00+07:00');
export const TODAY = '2026-11-21';

export function definition(over: Partial<KpiDefinition> = {}): KpiDefinition {
  return KpiDefinitionSchema.parse({
    id: 'dvc-toan-trinh',
    name: 'Tỷ lệ dịch vụ công trực tuyến toàn trình',
    nameEn: 'Share of fully online public services',
    short: 'DVC trực tuyến toàn trình',
    shortEn: 'Fully online services',
    aliases: ['dvc toàn trình'],
    region: 'Bình Dương',
    group: 'target',
    unit: 'percent',
    direction: 'up',
    target: 50,
    deadline: '2027-06-30',
    cadence: 'monthly',
    visibility: 'public',
    source: { title: 'Kế hoạch cải cách hành chính', publisher: 'UBND tỉnh' },
    ...over,
  });
}

/** values: [period, value] oldest first, each recorded on the 28th of its month (or its day). */
export function view(def: KpiDefinition, values: Array<[string, number]>, at: Date = NOW): KpiView {
  const history: Observation[] = values.map(([period, value]) => ({
    kpi: def.id,
    unit: def.unit,
    period,
    value,
    source: 'Sở Nội vụ',
    recordedAt: period.length === 7 ? `${period}-28` : period.length === 4 ? `${period}-12-31` : period,
    origin: 'admin',
  }));
  return kpiView(def, history, at);
}

/** 30 → 44% over five months: projected to reach 76,24% by 30/6/2027, on track. */
export const rising = () => view(definition(), [['2026-05', 30], ['2026-06', 33], ['2026-07', 37], ['2026-08', 41], ['2026-09', 44]]);
/** Falling away from a 90% target: off track, projected well under it. */
export const falling = () => view(definition({ target: 90 }), [['2026-06', 60], ['2026-07', 58], ['2026-08', 55], ['2026-09', 53]]);
/** Rank 22 → 19 with top 10 due 31/12/2026: improving too slowly, at risk. */
export const ranked = () =>
  view(definition({ id: 'par-index', short: 'PAR Index', unit: 'rank', outOf: 63, direction: 'down', target: 10, deadline: '2026-12-31', cadence: 'yearly' }), [['2023', 22], ['2024', 20], ['2025', 19]]);
export const empty = () => view(definition({ id: 'so-hoa', short: 'Số hóa hồ sơ cấp tỉnh' }), []);
