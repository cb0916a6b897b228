/**
 * @module knowledge/build
 * Turns parsed documents into the bundle the app serves: metadata plus section chunks.
 * Pure, so the ingest script and the tests build the same thing.
 */
import { chunkDocument } from './parse';
import type { KnowledgeBundle, KnowledgeDocument } from './schema';

export function buildKnowledgeBundle(documents: KnowledgeDocument[]): KnowledgeBundle {
  const seen = new Set<string>();
  for (const d of documents) {
    if (seen.has(d.id)) throw new Error(`duplicate document id: ${d.id}`);
    seen.add(d.id);
  }
  const sorted = [...documents].sort((a, b) => a.id.localeCompare(b.id));
  return {
    version: 1,
    documents: sorted.map(({ text: _text, ...meta }) => meta),
    chunks: sorted.flatMap(chunkDocument),
  };
}
