/**
 * @module knowledge/schema
 * zod schemas for the data files in knowledge/ and for the bundled search index.
 * The ingest script, the app and the tests all validate with these same schemas.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');

export const DocumentKind = z.enum([
  'directive',
  'resolution',
  'plan',
  'project',
  'meeting',
  'target',
  'ranking',
  'organisation',
  'news',
  'procedure',
  'kpi',
  'task',
  'reference',
]);

export const DocumentSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case kebab-case ascii'),
  title: z.string().min(3),
  /** Outlet or issuer. */
  source: z.string().min(2),
  /** The original headline of the source, when the document restates an article. */
  sourceTitle: z.string().optional(),
  date: isoDate,
  kind: DocumentKind,
  url: z.url().optional(),
  region: z.string().optional(),
  keywords: z.array(z.string()).default([]),
  text: z.string().min(1),
});
export type KnowledgeDocument = z.infer<typeof DocumentSchema>;

export const ChunkSchema = z.object({
  id: z.string(),
  docId: z.string(),
  heading: z.string(),
  text: z.string(),
});
export type Chunk = z.infer<typeof ChunkSchema>;

/**
 * The search index built at ingest (src/search/knowledge-index.ts): the sorted terms and their posting
 * lists as base64 runs (see src/search/postings.ts).
 * Kept to a few strings so validating it at start-up costs nothing; the search module checks
 * the contents when it decodes them, and rebuilds from the chunks when `fingerprint` (the
 * analyzer version, its data and the ranking parameters) no longer matches.
 */
export const SerializedIndexSchema = z.object({
  format: z.literal(1),
  fingerprint: z.string(),
  chunks: z.number().int().nonnegative(),
  terms: z.string(),
  counts: z.string(),
  postings: z.string(),
});
export type SerializedIndex = z.infer<typeof SerializedIndexSchema>;

/** The serialised index the app bundles: documents' metadata, their section chunks, the postings. */
export const KnowledgeBundleSchema = z.object({
  version: z.literal(1),
  documents: z.array(DocumentSchema.omit({ text: true })),
  chunks: z.array(ChunkSchema),
  index: SerializedIndexSchema.optional(),
});
export type KnowledgeBundle = z.infer<typeof KnowledgeBundleSchema>;
export type DocumentMeta = KnowledgeBundle['documents'][number];

/**
 * knowledge/abbreviations.json: each short form and its long forms, expanded both ways at
 * index time; also holds a few synonyms (e.g. "online" / "trực tuyến"), marked by a note.
 */
export const AbbreviationsSchema = z.array(
  z.object({ short: z.string().min(1), long: z.array(z.string().min(1)).min(1), note: z.string().optional() }),
);
export const StopwordsSchema = z.array(z.string().min(1));

/** knowledge/places.json: province and city names (see search/places). */
export const PlacesSchema = z.object({ note: z.string().optional(), places: z.array(z.string().min(2)) });
