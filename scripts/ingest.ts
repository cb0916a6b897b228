/**
 * @module scripts/ingest
 * Builds the search index the app bundles from a folder of .md/.txt/.json knowledge files.
 * Every file is validated first; one bad file stops the run and nothing is written.
 * Usage: npm run ingest -- [folder=knowledge/documents] [--out file] [--check]
 */
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKnowledgeFile } from '../src/knowledge/parse';
import { buildKnowledgeBundle } from '../src/knowledge/build';
import type { KnowledgeDocument } from '../src/knowledge/schema';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SOURCE = join(root, 'knowledge/documents');
export const DEFAULT_OUT = join(root, 'src/generated/knowledge.json');

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listFiles(path);
      if (!/\.(md|txt|json)$/i.test(name) || /^readme\.md$/i.test(name)) return [];
      return [path];
    });
}

/** Reads and validates every file; returns the serialised bundle or the list of problems. */
export function ingestFolder(folder: string): { content?: string; errors: string[]; documents: number } {
  const errors: string[] = [];
  const documents: KnowledgeDocument[] = [];
  for (const file of listFiles(folder)) {
    try {
      documents.push(...parseKnowledgeFile(relative(folder, file), readFileSync(file, 'utf8')));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) return { errors, documents: documents.length };
  try {
    const bundle = buildKnowledgeBundle(documents);
    return { content: JSON.stringify(bundle) + '\n', errors, documents: documents.length };
  } catch (e) {
    return { errors: [(e as Error).message], documents: documents.length };
  }
}

function main(argv: string[]): number {
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? resolve(argv[outIdx + 1] ?? '') : DEFAULT_OUT;
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--out');
  const folder = positional[0] ? resolve(positional[0]) : DEFAULT_SOURCE;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    console.error(`ingest: not a folder: ${folder}`);
    return 2;
  }
  const result = ingestFolder(folder);
  if (!result.content) {
    console.error(`ingest: ${result.errors.length} problem(s), nothing written:`);
    for (const e of result.errors) console.error(`  - ${e}`);
    return 1;
  }
  if (argv.includes('--check')) {
    const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
    if (current !== result.content) {
      console.error(`${relative(root, out)} is stale: run npm run ingest`);
      return 1;
    }
    console.log('knowledge index is up to date');
    return 0;
  }
  writeFileSync(out, result.content);
  const chunks = (JSON.parse(result.content) as { chunks: unknown[] }).chunks.length;
  console.log(`ingest: ${result.documents} documents, ${chunks} chunks -> ${relative(process.cwd(), out)}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
