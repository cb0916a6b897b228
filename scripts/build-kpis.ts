/**
 * @module scripts/build-kpis
 * Builds src/generated/kpis.json from knowledge/kpis/*.json: validates every file with the zod
 * schemas the app uses, then checks what a schema cannot see (unique ids, values that belong to
 * a known KPI, in its unit's range, recorded after their period began, knowledge documents that
 * exist, a former province's KPIs labelled as the former unit, with what it became). The output
 * is deterministic: files in name order, entries in file order.
 * Usage: npx tsx scripts/build-kpis.ts [--check]  (--check fails when the file is stale)
 */
import { writeGenerated } from './lib/generated';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KpiBundleSchema, KpiFileSchema, type KpiBundle, type KpiDefinition } from '../src/kpi/schema';
import { parsePeriod } from '../src/kpi/period';
import { valueProblem } from '../src/kpi/validate';
import { PlaceRegistry } from '../src/knowledge/places';
import { PlaceRegistrySchema } from '../src/knowledge/schema';
import { placeProblems as definitionPlaceProblems, type PlaceLabels } from '../src/kpi/definitions';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const KPI_OUT = join(root, 'src/generated/kpis.json');

export function buildKpis(dir = join(root, 'knowledge/kpis')): string {
  const bundle: KpiBundle = { version: 1, definitions: [], observations: [] };
  const problems: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
    const parsed = KpiFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) problems.push(`${file}: ${i.path.join('.')}: ${i.message}`);
      continue;
    }
    const { placeNote } = parsed.data;
    bundle.definitions.push(...parsed.data.definitions.map((d) => (placeNote ? { ...d, notes: [placeNote, ...d.notes] } : d)));
    bundle.observations.push(...parsed.data.observations);
  }
  problems.push(...crossCheck(bundle));
  if (problems.length) throw new Error(`knowledge/kpis is invalid:\n- ${problems.join('\n- ')}`);
  return JSON.stringify(KpiBundleSchema.parse(bundle), null, 1) + '\n';
}

function crossCheck(bundle: KpiBundle): string[] {
  const problems: string[] = [];
  const byId = new Map<string, KpiDefinition>();
  for (const d of bundle.definitions) {
    if (byId.has(d.id)) problems.push(`KPI ${d.id} is defined twice`);
    byId.set(d.id, d);
    for (const docId of [d.source.docId, d.fullScore?.source.docId]) {
      if (docId && !documentExists(docId)) problems.push(`${d.id}: knowledge document ${docId} does not exist`);
    }
  }
  problems.push(...placeProblems(bundle.definitions));
  const seen = new Set<string>();
  for (const o of bundle.observations) {
    const def = byId.get(o.kpi);
    const where = `value ${o.kpi} ${o.period}`;
    if (!def) {
      problems.push(`${where}: unknown KPI`);
      continue;
    }
    if (seen.has(`${o.kpi}|${o.period}`)) problems.push(`${where}: given twice`);
    seen.add(`${o.kpi}|${o.period}`);
    const valueIssue = valueProblem(def, o.value);
    if (valueIssue) problems.push(`${where}: ${valueIssue}`);
    const period = parsePeriod(o.period);
    if (period && o.recordedAt < period.start) problems.push(`${where}: recorded before its period began`);
    if (o.docId && !documentExists(o.docId)) problems.push(`${where}: knowledge document ${o.docId} does not exist`);
  }
  return problems;
}

/** The place checks (kpi/definitions#placeProblems), with the registry and place names from the files. */
function placeProblems(defs: KpiDefinition[]): string[] {
  const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, string>;
  const registry = new PlaceRegistry(PlaceRegistrySchema.parse(JSON.parse(readFileSync(join(root, 'knowledge/places.json'), 'utf8'))));
  const tables = { vi: read('prompts/vi/places.json'), en: read('prompts/en/places.json') };
  const labels: PlaceLabels = {
    registry,
    display: (locale, type, name) => tables[locale][`place-display-${type}`]!.replace('{{name}}', name),
  };
  return defs.flatMap((d) => definitionPlaceProblems(d, labels).map((p) => `${d.id}: ${p}`));
}

function documentExists(docId: string): boolean {
  return existsSync(join(root, 'knowledge/documents', `${docId}.md`));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = writeGenerated(KPI_OUT, buildKpis(), { check: process.argv.includes('--check'), command: 'npm run build:kpis' });
}
