/**
 * @module knowledge/schema
 * zod schemas for the data files in knowledge/ and for the bundled search index.
 * The ingest script, the app and the tests all validate with these same schemas.
 */
import { z } from 'zod';
import { WorkingHoursSchema } from '../handoff/hours';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');

const DocumentKind = z.enum([
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
  // Kinds of official documents an operator publishes (knowledge/legal-metadata LEGAL_KINDS).
  'decision',
  'decree',
  'circular',
  'official-letter',
  'notice',
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
  /** Set for documents published live (knowledge/catalogue): what an answer says about them. */
  number: z.string().optional(),
  issuedAt: isoDate.optional(),
  issuer: z.string().optional(),
  signer: z.string().optional(),
  effectiveAt: isoDate.optional(),
  expiresAt: isoDate.optional(),
  /** The document that replaced this one (knowledge/catalogue), when one did. */
  supersededBy: z.string().optional(),
  /** The version of a live document this passage comes from. */
  version: z.number().int().positive().optional(),
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
const SerializedIndexSchema = z.object({
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

const placeId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case kebab-case ascii');
const docId = placeId;

/** A province-level unit: its name as people write it (without "tỉnh"/"TP."), and other ways they write it. */
const PlaceUnitSchema = z.strictObject({
  id: placeId,
  name: z.string().min(2),
  /** A province (tỉnh) or a centrally-run city (thành phố trực thuộc trung ương). */
  type: z.enum(['province', 'city']),
  aliases: z.array(z.string().min(2)).default([]),
  /** A knowledge document about this unit's place in the reorganisation, cited with answers about it. */
  docId: docId.optional(),
});

/**
 * knowledge/places.json: the place registry. Every province-level unit before the 2025
 * reorganisation (`old`) and after it (`current`), each current unit naming the old units it
 * was formed from, and the act and date that made it so. Its names and aliases also feed the
 * search's place check (search/places).
 */
export const PlaceRegistrySchema = z
  .strictObject({
    note: z.string().optional(),
    reorganisation: z.strictObject({
      /** The act, e.g. "Nghị quyết 202/2025/QH15", and who adopted it when. */
      basis: z.string().min(3),
      issuer: z.string().min(2),
      adopted: isoDate,
      /** The day the new units began to work. */
      effective: isoDate,
      /** The knowledge document that states the mapping, cited with every answer from the registry. */
      docId,
    }),
    old: z.array(PlaceUnitSchema).min(1),
    current: z
      .array(
        PlaceUnitSchema.extend({
          /** The old units it was formed from (itself, when unchanged). */
          from: z.array(placeId).min(1),
          /** Set when only one source gave this composition. */
          unconfirmed: z.boolean().optional(),
        }),
      )
      .min(1),
  })
  .superRefine((r, ctx) => {
    for (const list of ['old', 'current'] as const) {
      const ids = r[list].map((u) => u.id);
      ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `duplicate id ${id}` });
      });
    }
    // Every old unit became exactly one current unit.
    const became = new Map<string, string>();
    r.current.forEach((c, i) => {
      for (const id of c.from) {
        if (!r.old.some((o) => o.id === id)) ctx.addIssue({ code: 'custom', path: ['current', i, 'from'], message: `unknown old unit ${id}` });
        const other = became.get(id);
        if (other) ctx.addIssue({ code: 'custom', path: ['current', i, 'from'], message: `${id} is also part of ${other}` });
        became.set(id, c.id);
      }
    });
    r.old.forEach((o, i) => {
      if (!became.has(o.id)) ctx.addIssue({ code: 'custom', path: ['old', i], message: `${o.id} became no current unit` });
    });
  });
export type PlaceRegistryData = z.infer<typeof PlaceRegistrySchema>;
export type PlaceUnit = z.infer<typeof PlaceUnitSchema>;
export type CurrentPlaceUnit = PlaceRegistryData['current'][number];

/**
 * knowledge/profile.json: the deployment's profile, i.e. the area it serves and where a citizen
 * goes there. Every text that sends someone somewhere is filled from it (knowledge/profile).
 * A fact nobody confirmed is null and the texts say it is unknown; nothing is guessed.
 */
/** A name as Vietnamese and English texts write it. */
const LocalizedSchema = z.strictObject({ vi: z.string().min(3), en: z.string().min(3) });

export const ProfileSchema = z.strictObject({
  note: z.string().optional(),
  id: placeId,
  /** The date the profile's facts were last checked. */
  asOf: isoDate,
  /** The areas served: each a former unit (registry `old` id) and the current unit it is now part of. */
  areas: z
    .array(
      z.strictObject({
        former: placeId,
        current: placeId,
        /** The hotline for citizens' reports and questions (e.g. 1022); null where none was confirmed. */
        hotline: z.strictObject({ number: z.string().regex(/^\d{3,11}$/), docId: docId.optional() }).nullable(),
        /** Province-level public administration service centres, with their addresses. */
        centres: z
          .array(
            z.strictObject({
              name: LocalizedSchema,
              address: z.string().min(3),
              /** Opening hours as published; null when no published hours were found. */
              hours: z.string().min(3).nullable(),
              docId: docId.optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
  /** Online portals for applications, first the one to name. */
  portals: z.array(z.strictObject({ name: LocalizedSchema, url: z.url({ protocol: /^https$/ }) })).min(1),
  /**
   * When staff answer a citizen who asked for a person (handoff): periods, weekdays, days off and
   * the first-reply target; absent, the usual office hours (src/handoff/hours.ts) apply.
   */
  workingHours: WorkingHoursSchema.optional(),
});
export type Profile = z.infer<typeof ProfileSchema>;
