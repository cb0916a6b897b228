/**
 * @module scripts/build-tasks
 * Builds src/generated/tasks.json, the reform tasks the app bundles (Workers has no file
 * system), from knowledge/tasks/*.json. Every file is validated with the app's own schema, and
 * the set is checked as a whole: ids unique, one owner per unit id, every docId a knowledge
 * document. Output is deterministic (sorted by id), so a test can say when it is stale.
 * Usage: npx tsx scripts/build-tasks.ts [--check]
 */
import { writeGenerated } from './lib/generated';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskFileSchema, type Task, type TaskBundle } from '../src/tasks/schema';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TASKS_DIR = join(root, 'knowledge/tasks');
export const DOCUMENTS_DIR = join(root, 'knowledge/documents');
export const TASKS_OUT = join(root, 'src/generated/tasks.json');

/** The bundle's text, or the problems found (nothing is written when there are any). */
export function buildTasksBundle(dir = TASKS_DIR, documentsDir = DOCUMENTS_DIR): { content?: string; errors: string[] } {
  const errors: string[] = [];
  const tasks: Task[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8').normalize('NFC'));
    } catch (e) {
      errors.push(`${file}: not JSON (${(e as Error).message})`);
      continue;
    }
    const parsed = TaskFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
      continue;
    }
    tasks.push(...parsed.data.tasks);
  }
  errors.push(...checkSet(tasks, documentsDir));
  if (errors.length) return { errors };
  const bundle: TaskBundle = { version: 1, tasks: [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1)) };
  return { content: JSON.stringify(bundle, null, 1) + '\n', errors };
}

function checkSet(tasks: Task[], documentsDir: string): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  const ownerOfUnit = new Map<string, string>();
  for (const t of tasks) {
    if (ids.has(t.id)) errors.push(`task id "${t.id}" is used twice`);
    ids.add(t.id);
    const owner = ownerOfUnit.get(t.unit);
    if (owner !== undefined && owner !== t.owner) {
      errors.push(`unit "${t.unit}" names two owners: "${owner}" and "${t.owner}"`);
    }
    ownerOfUnit.set(t.unit, t.owner);
    if (t.source.docId && !existsSync(join(documentsDir, `${t.source.docId}.md`))) {
      errors.push(`task "${t.id}": source.docId "${t.source.docId}" is not a knowledge document`);
    }
  }
  return errors;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { content, errors } = buildTasksBundle();
  if (!content) {
    console.error(`build-tasks: ${errors.length} problem(s), nothing written:\n  ${errors.join('\n  ')}`);
    process.exit(1);
  }
  process.exitCode = writeGenerated(TASKS_OUT, content, { check: process.argv.includes('--check'), command: 'npm run build:tasks' });
}
