/**
 * @module scripts/ingest
 * Builds the search index the app bundles from a folder of .md/.txt/.json knowledge files.
 * Every file is validated first; one bad file stops the run and nothing is written.
 * The output (src/generated/knowledge.json) holds the documents' metadata, the section chunks
 * and the BM25F posting lists, and is deterministic: the same files give the same bytes.
 * The default knowledge (knowledge/documents) also takes in the procedure catalogue
 * (src/generated/procedures.json, built by `npm run ingest:procedures`) as documents, one
 * section per field (src/procedures/documents.ts), so free questions find procedures too.
 *
 * With OPENAI_API_KEY set it also embeds the chunks (OPENAI_EMBEDDING_MODEL, default
 * text-embedding-3-small, at OPENAI_BASE_URL) into src/generated/embeddings.json, reusing the
 * stored vector of every chunk whose text and model are unchanged. Without a key that file is
 * left as it is, so knowledge.json never depends on whether a key was set.
 *
 * Usage: npm run ingest -- [folder=knowledge/documents] [--out file] [--embeddings file]
 *        [--no-embed] [--check]
 */
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseKnowledgeFile } from '../src/knowledge/parse';
import { buildKnowledgeBundle } from '../src/knowledge/build';
import { AbbreviationsSchema, StopwordsSchema, type KnowledgeBundle, type KnowledgeDocument } from '../src/knowledge/schema';
import type { AnalyzerData } from '../src/search/analyzer';
import { serializeIndex } from '../src/search/knowledge-index';
import {
  EmbeddingsFileSchema,
  EMPTY_EMBEDDINGS,
  decodeEmbeddings,
  embeddingText,
  encodeEmbeddings,
  textHash,
  type EmbeddingsFile,
} from '../src/search/vectors';
import { loadConfig } from '../src/config';
import { procedureDocuments } from '../src/procedures/documents';
import { bundledProcedures } from '../src/procedures/load';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SOURCE = join(root, 'knowledge/documents');
export const DEFAULT_OUT = join(root, 'src/generated/knowledge.json');
export const DEFAULT_EMBEDDINGS = join(root, 'src/generated/embeddings.json');
const DEFAULT_OPENAI_BASE = 'https://api.openai.com/v1';
const EMBED_BATCH = 64;

/** The analyzer's data files, validated: the same data build-bundle.ts ships to the app. */
export function loadAnalyzerData(): AnalyzerData {
  const read = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8')) as unknown;
  return {
    abbreviations: AbbreviationsSchema.parse(read('knowledge/abbreviations.json')),
    stopwords: StopwordsSchema.parse(read('knowledge/stopwords.json')),
  };
}

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

/** Documents that join the default knowledge besides its files: the procedure catalogue. */
export function catalogueDocuments(): KnowledgeDocument[] {
  return procedureDocuments(bundledProcedures());
}

/**
 * Reads and validates every file (plus `extra` documents: the procedure catalogue for the
 * default folder, nothing for any other); returns the serialised bundle or the problems.
 */
export function ingestFolder(
  folder: string,
  analyzer: AnalyzerData = loadAnalyzerData(),
  extra: KnowledgeDocument[] = resolve(folder) === DEFAULT_SOURCE ? catalogueDocuments() : [],
): { content?: string; bundle?: KnowledgeBundle; errors: string[]; documents: number } {
  const errors: string[] = [];
  const documents: KnowledgeDocument[] = [...extra];
  for (const file of listFiles(folder)) {
    try {
      documents.push(...parseKnowledgeFile(relative(folder, file), readFileSync(file, 'utf8')));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) return { errors, documents: documents.length };
  try {
    const plain = buildKnowledgeBundle(documents);
    const bundle: KnowledgeBundle = { ...plain, index: serializeIndex(plain, analyzer) };
    return { content: JSON.stringify(bundle) + '\n', bundle, errors, documents: documents.length };
  } catch (e) {
    return { errors: [(e as Error).message], documents: documents.length };
  }
}

export interface EmbeddingsClient {
  apiKey: string;
  /** e.g. https://api.openai.com/v1 or a loopback OpenAI-compatible server */
  baseUrl: string;
  model: string;
  fetch?: typeof fetch;
}

const EmbeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/** One POST /embeddings call; vectors come back in input order. Throws with the HTTP status on failure. */
export async function fetchEmbeddings(client: EmbeddingsClient, input: string[], signal?: AbortSignal): Promise<number[][]> {
  const res = await (client.fetch ?? fetch)(`${client.baseUrl.replace(/\/+$/, '')}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.apiKey}` },
    body: JSON.stringify({ model: client.model, input }),
    signal,
  });
  if (!res.ok) throw new Error(`embeddings request failed: HTTP ${res.status}`);
  const parsed = EmbeddingsResponseSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error('embeddings response is not in the OpenAI format');
  const out: number[][] = new Array(input.length);
  for (const d of parsed.data.data) out[d.index] = d.embedding;
  if (out.length !== input.length || out.some((v) => !v)) throw new Error('embeddings response is missing vectors');
  return out;
}

/**
 * Embeds the bundle's chunks, reusing vectors from `previous` whose chunk text hash and model
 * match. Returns the new file content and how many chunks were sent to the API.
 */
export async function embedBundle(
  bundle: KnowledgeBundle,
  client: EmbeddingsClient,
  previous: EmbeddingsFile = EMPTY_EMBEDDINGS,
): Promise<{ file: EmbeddingsFile; embedded: number }> {
  const docs = new Map(bundle.documents.map((d) => [d.id, d]));
  const reuse = previous.model === client.model ? decodeEmbeddings(previous) : new Map();
  const entries = bundle.chunks.map((c) => {
    const text = embeddingText(docs.get(c.docId)?.title ?? '', c.heading, c.text);
    const hash = textHash(text);
    const old = reuse.get(c.id);
    return { id: c.id, hash, text, vector: old && old.hash === hash ? old.vector : undefined };
  });
  const todo = entries.filter((e) => !e.vector);
  for (let i = 0; i < todo.length; i += EMBED_BATCH) {
    const batch = todo.slice(i, i + EMBED_BATCH);
    const vectors = await fetchEmbeddings(client, batch.map((e) => e.text));
    batch.forEach((e, k) => (e.vector = vectors[k]));
  }
  const file = encodeEmbeddings(
    client.model,
    entries.map((e) => ({ id: e.id, hash: e.hash, vector: e.vector! })),
  );
  return { file, embedded: todo.length };
}

function readEmbeddingsFile(path: string): EmbeddingsFile {
  if (!existsSync(path)) return EMPTY_EMBEDDINGS;
  const parsed = EmbeddingsFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : EMPTY_EMBEDDINGS;
}

function optionValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const out = resolve(optionValue(argv, '--out') ?? DEFAULT_OUT);
  const embeddingsOut = resolve(optionValue(argv, '--embeddings') ?? DEFAULT_EMBEDDINGS);
  const positional = argv.filter((a, i) => !a.startsWith('--') && !['--out', '--embeddings'].includes(argv[i - 1] ?? ''));
  const folder = positional[0] ? resolve(positional[0]) : DEFAULT_SOURCE;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    console.error(`ingest: not a folder: ${folder}`);
    return 2;
  }
  const result = ingestFolder(folder);
  if (!result.content || !result.bundle) {
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
  if (!existsSync(embeddingsOut)) writeFileSync(embeddingsOut, JSON.stringify(EMPTY_EMBEDDINGS) + '\n');
  const chunks = result.bundle.chunks.length;
  console.log(
    `ingest: ${result.documents} documents, ${chunks} chunks, ${result.bundle.index!.terms.split('\n').length} terms -> ${relative(process.cwd(), out)}`,
  );

  const openai = loadConfig(env).openai;
  if (!openai || argv.includes('--no-embed')) {
    console.log('ingest: OPENAI_API_KEY not set (or --no-embed): embeddings left unchanged');
    return 0;
  }
  const client: EmbeddingsClient = {
    apiKey: openai.apiKey,
    baseUrl: openai.baseUrl ?? DEFAULT_OPENAI_BASE,
    model: openai.embeddingModel,
  };
  try {
    const { file, embedded } = await embedBundle(result.bundle, client, readEmbeddingsFile(embeddingsOut));
    writeFileSync(embeddingsOut, JSON.stringify(file) + '\n');
    console.log(
      `ingest: embeddings (${client.model}, ${file.dimensions} dimensions): ${embedded} embedded, ${chunks - embedded} reused -> ${relative(process.cwd(), embeddingsOut)}`,
    );
    return 0;
  } catch (e) {
    // The knowledge index is already written and valid; only the vectors are missing.
    console.error(`ingest: embeddings not updated: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
