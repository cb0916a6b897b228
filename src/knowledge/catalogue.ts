/**
 * @module knowledge/catalogue
 * The documents operators publish, kept in the store: what /admin/documents reads and writes and
 * what every isolate's live search (search/live-index) loads.
 *
 * Store layout (all under `kb:`):
 *   kb:manifest        hash  docId → ManifestEntry (current version, status, segment) and `_rev`,
 *                      the revision isolates poll (one HGET): written in the same step as the entries
 *   kb:live, kb:live:snap  the manifest cut to what the search reads, switched in the same atomic
 *                      step: what a cold isolate loads (knowledge/live-view)
 *   kb:doc:<id>        hash  `v<n>` → VersionRecord (every version ever published, for audit)
 *   kb:seg:<seg>:<k>   string parts of one immutable segment (a KnowledgeBundle with postings)
 *   kb:hash:<sha256>   string: the document id a file's content was published as
 *   kb:lock:<id>       claim held while a version of <id> is being published or retired
 *
 * A publish writes the new segment first (new keys, nothing points at them), then the version
 * record, then switches the manifest and its compact view in one atomic step (the new entry and
 * any entries it supersedes together, and the revision). A failure before that step leaves the old version
 * answering; two publishes of one id at once cannot both hold the lock (409 for the second).
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import { PART_CHARS, readManifest, readParts, REVISION_FIELD, safeJson, switchManifest, writeParts } from '../store/live-records';
import { slugify } from '../text/normalize';
import { createIndex, serializeIndex } from '../search/knowledge-index';
import { LazyPostings } from '../search/postings';
import { decodeShard, shardCount, shardTermLists, termListsOf } from '../search/sharded-postings';
import type { AnalyzerData } from '../search/analyzer';
import { shardedChunks, type LiveEntry, type ManifestSource, type ShardedHead, type ShardedSource } from '../search/live-index';
import { extractLimits, extractText, type DocumentWarning, type PdfReader } from './extract/index';
import { extractLegalMetadata, legalKindName, LegalMetadataSchema } from './legal-metadata';
import { chunkLegalText } from './legal-chunks';
import { decodeHead, encodeHead } from './sharded-head';
import { LiveView } from './live-view';
import { KnowledgeBundleSchema, type Chunk, type DocumentMeta, type KnowledgeBundle, type SerializedIndex } from './schema';

const MANIFEST_KEY = 'kb:manifest';
const docKey = (id: string) => `kb:doc:${id}`;
const hashKey = (hash: string) => `kb:hash:${hash}`;
const lockKey = (id: string) => `kb:lock:${id}`;
const segmentKey = (segment: string, part: number) => `kb:seg:${segment}:${part}`;
const headKey = (segment: string) => `kb:seg:${segment}:h`;
const shardKey = (segment: string, k: number) => `kb:seg:${segment}:s${k}`;
const blockKey = (segment: string, b: number) => `kb:seg:${segment}:t${b}`;
/**
 * Chunks per text block of a sharded segment: a hit fetches its block, about 1 KB of text (64
 * chunks made every hit fetch, parse and keep about 15 KB, most of it never quoted). Each
 * segment's head says its own block size, so segments written with another still read.
 */
const TEXT_BLOCK = 4;

const TextBlockSchema = z.array(z.tuple([z.string(), z.string()]));

/** Every key the catalogue owns starts with this (export/import). */
export const CATALOGUE_PREFIX = 'kb:';

/** Above this many live segments, compaction merges them into one. */
const DEFAULT_MAX_SEGMENTS = 8;
/** Segments of more parts than this (about 2 MB) are large enough to be left as they are. */
const MAX_MERGE_PARTS = 8;
/** The lock compaction holds (not a document id: ids are kebab-case, this has a dot). */
const COMPACTION_LOCK = '.compaction';
/** A publish holds its lock at most this long (a crashed publish frees the id after it). */
const LOCK_SECONDS = 120;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');
export const DocumentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'must be lower-case kebab-case ascii, at most 80 characters');

const VisibilitySchema = z.enum(['public', 'internal']);
const StatusSchema = z.enum(['published', 'retired', 'superseded']);
export type DocumentStatus = z.infer<typeof StatusSchema>;

/** The form fields of an upload (all optional: what the text says fills the rest). */
export const UploadFieldsSchema = z.strictObject({
  title: LegalMetadataSchema.shape.title,
  number: LegalMetadataSchema.shape.number,
  kind: LegalMetadataSchema.shape.kind,
  issuer: LegalMetadataSchema.shape.issuer,
  signer: LegalMetadataSchema.shape.signer,
  issuedAt: isoDate.optional(),
  effectiveAt: isoDate.optional(),
  expiresAt: isoDate.optional(),
  /** Ids of the documents this one replaces. */
  supersedes: z.array(DocumentIdSchema).max(50).default([]),
  source: z.string().trim().min(2).max(200).optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
  visibility: VisibilitySchema.default('public'),
});
export type UploadFields = z.infer<typeof UploadFieldsSchema>;

/** What a published version says about itself (operator's fields win over what the text says). */
const PublishedMetadataSchema = z.object({
  title: z.string(),
  number: z.string().optional(),
  kind: z.string().optional(),
  issuer: z.string().optional(),
  signer: z.string().optional(),
  issuedAt: isoDate.optional(),
  effectiveAt: isoDate.optional(),
  expiresAt: isoDate.optional(),
  supersedes: z.array(z.string()).default([]),
  source: z.string(),
  url: z.string().optional(),
  visibility: VisibilitySchema,
});
type PublishedMetadata = z.infer<typeof PublishedMetadataSchema>;

const ManifestEntrySchema = z.object({
  docId: z.string(),
  version: z.number().int().nonnegative(),
  status: StatusSchema,
  segment: z.string().nullable(),
  parts: z.number().int().nonnegative(),
  visibility: VisibilitySchema,
  title: z.string(),
  number: z.string().optional(),
  supersededBy: z.string().optional(),
  effectiveAt: isoDate.optional(),
  expiresAt: isoDate.optional(),
  updatedAt: z.string(),
  /** Set for a document that was bundled at build time (its versions start live). */
  bundled: z.boolean().optional(),
});
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

/** The part of a manifest entry the search reads (zod drops the rest). */
const LiveEntrySchema = z.object({
  docId: z.string(),
  status: StatusSchema,
  segment: z.string().nullable(),
  parts: z.number(),
  visibility: VisibilitySchema,
  supersededBy: z.string().optional(),
}) satisfies z.ZodType<LiveEntry>;

const WarningSchema = z.object({ code: z.string(), vi: z.string(), en: z.string() });
const VersionRecordSchema = z.object({
  version: z.number().int().positive(),
  hash: z.string(),
  createdAt: z.string(),
  actor: z.string(),
  metadata: PublishedMetadataSchema,
  found: z.array(z.string()),
  format: z.string(),
  pages: z.number().int().optional(),
  bytes: z.number().int().nonnegative(),
  filename: z.string().optional(),
  chunks: z.number().int().nonnegative(),
  segment: z.string(),
  parts: z.number().int().positive(),
  warnings: z.array(WarningSchema),
});
export type VersionRecord = z.infer<typeof VersionRecordSchema>;

/** An upload's content and what the operator said about it. */
export interface UploadInput {
  bytes: Uint8Array;
  filename?: string;
  contentType?: string;
  fields: UploadFields;
}

/** An upload read and chunked, not yet written anywhere (what ?dryRun=1 shows). */
export interface Prepared {
  id: string;
  hash: string;
  format: string;
  pages?: number;
  bytes: number;
  filename?: string;
  metadata: PublishedMetadata;
  found: string[];
  chunks: Array<Chunk & { headingPath: string[] }>;
  warnings: DocumentWarning[];
}

/** A refusal the admin route turns into a status and a reason (Vietnamese first). */
export class CatalogueError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'CatalogueError';
  }
}

interface CatalogueDeps {
  store: Store;
  analyzer: AnalyzerData;
  now: () => Date;
  maxUploadMb: number;
  /** Reads a PDF's text layer (in process on Node, the PDF reader Worker on Workers); without it PDFs are refused. */
  readPdf?: PdfReader;
  /** Ids of the documents bundled at build time (a new upload never takes one by accident). */
  bundledIds?: ReadonlySet<string>;
}

export class Catalogue implements ManifestSource {
  private readonly view: LiveView;

  constructor(private readonly deps: CatalogueDeps) {
    this.view = new LiveView(deps.store);
  }

  // ---- what isolates read (ManifestSource) -----------------------------------------------

  revision(): Promise<string | null> {
    return this.deps.store.hashGet(MANIFEST_KEY, REVISION_FIELD);
  }

  /**
   * What every isolate reads on a manifest change: only the fields the search needs, each line
   * checked by the small LiveEntrySchema (thousands of lines on a cold start; the full entry's
   * checks are for the operator's views).
   */
  async current(): Promise<{ revision: string | null; entries: LiveEntry[] }> {
    const view = await this.view.readWithRevision();
    if (view) return view;
    // A store from before the view: the manifest itself (entries() would read the view again).
    const [revision, entries] = await Promise.all([this.revision(), this.liveFromManifest()]);
    return { revision, entries };
  }

  /** What the search reads of every entry, from the full manifest (a store without the view). */
  private liveFromManifest(): Promise<LiveEntry[]> {
    return readManifest(this.deps.store, MANIFEST_KEY, LiveEntrySchema, (e) => e.docId);
  }

  async entries(): Promise<LiveEntry[]> {
    // A store written before the compact view existed (or restored from such an export): the
    // full manifest, until the next switch writes the view.
    return (await this.view.read()) ?? this.liveFromManifest();
  }

  async segment(id: string, parts: number): Promise<KnowledgeBundle> {
    if (parts === 0) return this.wholeSharded(id);
    return KnowledgeBundleSchema.parse(JSON.parse(await readParts(this.deps.store, (k) => segmentKey(id, k), parts, id)));
  }

  /** A sharded segment read whole (its documents and chunks; no postings): for an operator's view. */
  private async wholeSharded(id: string): Promise<KnowledgeBundle> {
    const source = await this.openSharded(id);
    const { head } = source;
    const blocks = await source.blocks(Array.from({ length: Math.ceil(head.docOf.length / head.blockSize) }, (_, b) => b));
    return { version: 1, documents: head.documents, chunks: shardedChunks(head, blocks.flat()) };
  }

  /** Every entry of the manifest, sorted by id. */
  manifest(): Promise<ManifestEntry[]> {
    return readManifest(this.deps.store, MANIFEST_KEY, ManifestEntrySchema, (e) => e.docId);
  }

  private async entry(id: string): Promise<ManifestEntry | undefined> {
    return (await this.entriesOf([id])).get(id);
  }

  /** The manifest entries of these ids: one HGET each, sent together (one request on Upstash). */
  private async entriesOf(ids: readonly string[]): Promise<Map<string, ManifestEntry>> {
    const unique = [...new Set(ids)].filter((id) => id !== REVISION_FIELD);
    const raw = await Promise.all(unique.map((id) => this.deps.store.hashGet(MANIFEST_KEY, id)));
    const out = new Map<string, ManifestEntry>();
    unique.forEach((id, i) => {
      const parsed = ManifestEntrySchema.safeParse(safeJson(raw[i] ?? undefined));
      if (parsed.success) out.set(id, parsed.data);
    });
    return out;
  }

  /** `id`, or `id-2`, `id-3`… the first that neither the manifest nor the bundle uses (looked up eight at a time). */
  private async unusedId(id: string): Promise<string> {
    for (let n = 1; ; n += 8) {
      const candidates = Array.from({ length: 8 }, (_, k) => (n + k === 1 ? id : `${id.slice(0, 75)}-${n + k}`));
      const taken = await this.entriesOf(candidates);
      const free = candidates.find((c) => !taken.has(c) && !this.deps.bundledIds?.has(c));
      if (free) return free;
    }
  }

  // ---- reading an upload -------------------------------------------------------------------

  /**
   * Reads, checks and chunks an upload without writing anything: the text (413/415/422 for what
   * cannot be read), the metadata (fields given win; `found` lists what came from the text), the
   * chunks along the legal structure. `id` is the id it would be published as.
   */
  async prepare(input: UploadInput, id?: string): Promise<Prepared> {
    const limits = extractLimits(this.deps.maxUploadMb);
    const extracted = await extractText(input.bytes, { filename: input.filename, contentType: input.contentType }, limits, this.deps.readPdf);
    const f = input.fields;
    const legal = extractLegalMetadata(extracted.text, {
      number: f.number,
      kind: f.kind,
      issuer: f.issuer,
      issuedAt: f.issuedAt,
      title: f.title,
      signer: f.signer,
    });
    const m = legal.metadata;
    const hash = await sha256(input.bytes);
    const title = displayTitle(m.kind, m.number, m.title, input.filename);
    const metadata: PublishedMetadata = {
      title,
      number: m.number,
      kind: m.kind,
      issuer: m.issuer,
      signer: m.signer,
      issuedAt: m.issuedAt,
      effectiveAt: f.effectiveAt ?? m.issuedAt,
      expiresAt: f.expiresAt,
      supersedes: f.supersedes,
      source: f.source ?? m.issuer ?? 'Tài liệu do quản trị viên đăng',
      url: f.url,
      visibility: f.visibility,
    };
    if (metadata.expiresAt && metadata.effectiveAt && metadata.expiresAt < metadata.effectiveAt) {
      throw new CatalogueError(422, 'bad-validity', 'Ngày hết hiệu lực đứng trước ngày có hiệu lực. — expiresAt is before effectiveAt.');
    }
    const docId = id ?? proposeId(metadata, hash);
    if (metadata.supersedes.includes(docId)) {
      throw new CatalogueError(422, 'supersedes-itself', 'Một văn bản không thể thay thế chính nó. — A document cannot supersede itself.');
    }
    const chunks = chunkLegalText({ id: docId, title, text: extracted.text }).map((c) => ({
      id: c.id,
      docId: c.docId,
      heading: c.heading,
      headingPath: c.headingPath,
      text: c.text,
    }));
    return {
      id: docId,
      hash,
      format: extracted.format,
      pages: extracted.pages,
      bytes: input.bytes.length,
      filename: input.filename,
      metadata,
      found: legal.found,
      chunks,
      warnings: extracted.warnings,
    };
  }

  // ---- writing -------------------------------------------------------------------------------

  /**
   * Publishes a prepared upload: as a new document (`mode: 'create'`, its id made unique) or as
   * a new version of `prepared.id` (`mode: 'version'`, 404 when there is no such document). The
   * same content as the current version answers `created: false` with that version.
   */
  async publish(prepared: Prepared, actor: string, mode: 'create' | 'version'): Promise<{ created: boolean; entry: ManifestEntry; record: VersionRecord }> {
    const { store, now } = this.deps;
    // Only the entries this publish touches are read (never the whole manifest): its cost grows
    // with the document, not with the corpus.
    const same = await store.get(hashKey(prepared.hash));
    const byId = await this.entriesOf([prepared.id, ...(same ? [same] : []), ...prepared.metadata.supersedes]);
    if (same) {
      const existing = byId.get(same);
      if (existing && existing.status !== 'retired' && (mode === 'create' || same === prepared.id)) {
        const record = await this.version(same, existing.version);
        if (record && record.hash === prepared.hash) return { created: false, entry: existing, record };
      }
    }
    let id = prepared.id;
    if (mode === 'version') {
      if (!byId.has(id) && !this.deps.bundledIds?.has(id)) throw notFound(id);
    } else {
      id = await this.unusedId(id);
    }
    for (const old of prepared.metadata.supersedes) {
      if (!byId.has(old) && !this.deps.bundledIds?.has(old)) {
        throw new CatalogueError(422, 'unknown-supersedes', `Không có văn bản "${old}" để thay thế. — No document "${old}" to supersede.`);
      }
    }
    // The documents it supersedes change too: locked with it, so a version of one published
    // meanwhile is never rolled back by this switch.
    const ids = [id, ...prepared.metadata.supersedes.filter((old) => old !== id)];
    const token = crypto.randomUUID();
    const claims = await Promise.all(ids.map((k) => store.claim(lockKey(k), LOCK_SECONDS, token)));
    const held = ids.filter((_, i) => claims[i]);
    if (held.length < ids.length) {
      await releaseAll(store, held.map(lockKey), token);
      const busy = ids.find((_, i) => !claims[i])!;
      throw new CatalogueError(409, 'busy', `Văn bản "${busy}" đang được cập nhật bởi một thao tác khác; thử lại sau. — Document "${busy}" is being changed by another request; try again.`);
    }
    try {
      // Read again under the locks: a version published meanwhile counts.
      const locked = await this.entriesOf(ids);
      const current = locked.get(id);
      // A new document whose id another publish took meanwhile is told, never made a version of it.
      if (mode === 'create' && current) {
        throw new CatalogueError(409, 'busy', `Mã "${id}" vừa được một văn bản khác dùng; hãy gửi lại. — Id "${id}" was just taken by another document; send it again.`);
      }
      const version = (current?.version ?? 0) + 1;
      const at = now().toISOString();
      const segment = `${id}.v${version}.${prepared.hash.slice(0, 12)}`;
      const bundle = this.segmentBundle(id, version, prepared);
      const parts = await this.writeSegment(segment, bundle);
      const record: VersionRecord = {
        version,
        hash: prepared.hash,
        createdAt: at,
        actor,
        metadata: prepared.metadata,
        found: prepared.found,
        format: prepared.format,
        pages: prepared.pages,
        bytes: prepared.bytes,
        filename: prepared.filename,
        chunks: prepared.chunks.length,
        segment,
        parts,
        warnings: prepared.warnings.map((w) => ({ code: w.code, vi: w.vi, en: w.en })),
      };
      await store.hashSet(docKey(id), { [`v${version}`]: JSON.stringify(record) });
      const m = prepared.metadata;
      const entry: ManifestEntry = {
        docId: id,
        version,
        status: 'published',
        segment,
        parts,
        visibility: m.visibility,
        title: m.title,
        number: m.number,
        effectiveAt: m.effectiveAt,
        expiresAt: m.expiresAt,
        updatedAt: at,
        ...(this.deps.bundledIds?.has(id) ? { bundled: true } : {}),
      };
      const fields: Record<string, string> = { [id]: JSON.stringify(entry) };
      for (const old of m.supersedes) {
        const before = locked.get(old) ?? bundledEntry(old, at);
        fields[old] = JSON.stringify({ ...before, status: before.status === 'retired' ? 'retired' : 'superseded', supersededBy: id, updatedAt: at });
      }
      await this.switchManifest(fields);
      await store.set(hashKey(prepared.hash), id);
      return { created: true, entry, record };
    } finally {
      await releaseAll(store, ids.map(lockKey), token);
    }
  }

  /** Retires a document: never searched or cited again; its versions stay for audit. */
  async retire(id: string): Promise<ManifestEntry> {
    const { store, now } = this.deps;
    const current = await this.entry(id);
    if (!current && !this.deps.bundledIds?.has(id)) throw notFound(id);
    const token = crypto.randomUUID();
    if (!(await store.claim(lockKey(id), LOCK_SECONDS, token))) {
      throw new CatalogueError(409, 'busy', `Văn bản "${id}" đang được cập nhật bởi một thao tác khác; thử lại sau. — Document "${id}" is being changed by another request; try again.`);
    }
    try {
      const at = now().toISOString();
      const before = (await this.entry(id)) ?? bundledEntry(id, at);
      const entry: ManifestEntry = { ...before, status: 'retired', segment: null, parts: 0, updatedAt: at };
      await this.switchManifest({ [id]: JSON.stringify(entry) });
      return entry;
    } finally {
      await releaseAll(store, [lockKey(id)], token);
    }
  }

  /**
   * Publishes documents that are already chunked (a migration from another document system,
   * the scale bench): one segment for all of them and one manifest switch, so they appear
   * together or not at all. Each becomes a new version of its id; their version records say so.
   */
  async publishBundle(bundle: KnowledgeBundle, actor: string): Promise<{ documents: number; chunks: number; segment: string }> {
    for (const d of bundle.documents) DocumentIdSchema.parse(d.id);
    const { store } = this.deps;
    // Every id it switches, and compaction, are locked with it (claims sent together).
    const token = crypto.randomUUID();
    const keys = [lockKey(COMPACTION_LOCK), ...bundle.documents.map((d) => lockKey(d.id))];
    const claims = await Promise.all(keys.map((k) => store.claim(k, LOCK_SECONDS * 5, token)));
    if (claims.includes(false)) {
      await releaseAll(store, keys.filter((_, i) => claims[i]), token);
      throw new CatalogueError(409, 'busy', 'Một số văn bản đang được cập nhật bởi thao tác khác; thử lại sau. — Some documents are being changed by another request; try again.');
    }
    try {
      return await this.publishBundleLocked(bundle, actor);
    } finally {
      await releaseAll(store, keys, token);
    }
  }

  private async publishBundleLocked(bundle: KnowledgeBundle, actor: string): Promise<{ documents: number; chunks: number; segment: string }> {
    const at = this.deps.now().toISOString();
    const before = new Map((await this.manifest()).map((e) => [e.docId, e]));
    const segment = `b.${this.deps.now().getTime().toString(36)}.${crypto.randomUUID().slice(0, 8)}`;
    const versions = new Map(bundle.documents.map((d) => [d.id, (before.get(d.id)?.version ?? 0) + 1]));
    const documents = bundle.documents.map((d) => ({ ...d, version: versions.get(d.id)! }));
    // Numbered within each document (as a publish numbers them), so a sharded segment can rebuild the ids.
    const seen = new Map<string, number>();
    const chunks = bundle.chunks.map((c) => {
      const k = (seen.get(c.docId) ?? 0) + 1;
      seen.set(c.docId, k);
      return { id: `${c.docId}@${versions.get(c.docId)}#${k}`, docId: c.docId, heading: c.heading, text: c.text };
    });
    const plain: KnowledgeBundle = { version: 1, documents, chunks };
    const parts = await this.writeSegment(segment, { ...plain, index: serializeIndex(plain, this.deps.analyzer) });
    const counts = new Map<string, number>();
    for (const c of chunks) counts.set(c.docId, (counts.get(c.docId) ?? 0) + 1);
    await Promise.all(
      documents.map((d) => {
        const record: VersionRecord = {
          version: d.version,
          hash: `bundle:${segment}`,
          createdAt: at,
          actor,
          metadata: { title: d.title, number: d.number, kind: d.kind, issuer: d.issuer, signer: d.signer, issuedAt: d.issuedAt, effectiveAt: d.effectiveAt, expiresAt: d.expiresAt, supersedes: [], source: d.source, url: d.url, visibility: 'public' },
          found: [],
          format: 'bundle',
          bytes: 0,
          chunks: counts.get(d.id) ?? 0,
          segment,
          parts,
          warnings: [],
        };
        return this.deps.store.hashSet(docKey(d.id), { [`v${d.version}`]: JSON.stringify(record) });
      }),
    );
    const fields: Record<string, string> = {};
    for (const d of documents) {
      const entry: ManifestEntry = {
        docId: d.id,
        version: d.version,
        status: 'published',
        segment,
        parts,
        visibility: 'public',
        title: d.title,
        number: d.number,
        effectiveAt: d.effectiveAt,
        expiresAt: d.expiresAt,
        updatedAt: at,
        ...(this.deps.bundledIds?.has(d.id) ? { bundled: true } : {}),
      };
      fields[d.id] = JSON.stringify(entry);
    }
    await this.switchManifest(fields);
    return { documents: documents.length, chunks: chunks.length, segment };
  }

  /** Stores a segment in parts, one part at a time (each request stays small; nothing names these keys yet). */
  private async writeSegment(segment: string, bundle: KnowledgeBundle): Promise<number> {
    const serialized = JSON.stringify(bundle);
    // A large segment is sharded, so an isolate never loads it whole (parts 0 says so).
    if (serialized.length > MAX_MERGE_PARTS * PART_CHARS && bundle.index) {
      await this.writeSharded(segment, bundle as KnowledgeBundle & { index: SerializedIndex });
      return 0;
    }
    return writeParts(this.deps.store, (k) => segmentKey(segment, k), serialized);
  }

  /**
   * A large segment as an isolate reads it on demand: the postings cut by term hash into small
   * shards, each a hash with a field per term (search/sharded-postings), the chunks' headings and
   * texts in blocks of TEXT_BLOCK, and a head (the documents, which document each chunk belongs
   * to, the counts), written last.
   */
  private async writeSharded(segment: string, bundle: KnowledgeBundle & { index: SerializedIndex }): Promise<void> {
    const { store } = this.deps;
    const postings = new LazyPostings(bundle.index, bundle.chunks.length);
    const shards = shardTermLists(postings, shardCount(bundle.index.postings.length));
    const writes: Array<() => Promise<void>> = shards.map((terms, k) => () => store.hashSet(shardKey(segment, k), Object.fromEntries(terms)));
    for (let b = 0; b * TEXT_BLOCK < bundle.chunks.length; b++) {
      const block = bundle.chunks.slice(b * TEXT_BLOCK, (b + 1) * TEXT_BLOCK).map((c): [string, string] => [c.heading, c.text]);
      writes.push(() => store.set(blockKey(segment, b), JSON.stringify(block)));
    }
    // A few dozen keys at a time: each request stays well under a REST request's size limit.
    for (let i = 0; i < writes.length; i += 32) await Promise.all(writes.slice(i, i + 32).map((write) => write()));
    const docIndex = new Map(bundle.documents.map((d, i) => [d.id, i]));
    const head: ShardedHead = {
      format: 2,
      fingerprint: bundle.index.fingerprint,
      // Keywords and the source's headline only feed the postings, already built: every cold
      // start would read them for nothing.
      documents: bundle.documents.map(({ sourceTitle: _headline, ...d }) => ({ ...d, keywords: [] })),
      docOf: bundle.chunks.map((c) => docIndex.get(c.docId)!),
      shards: shards.length,
      blockSize: TEXT_BLOCK,
      termLists: true,
    };
    await store.set(headKey(segment), JSON.stringify(encodeHead(head)));
  }

  /** A sharded segment's head and readers for its shards and text blocks (search/live-index). */
  async openSharded(id: string): Promise<ShardedSource> {
    const raw = await this.deps.store.get(headKey(id));
    const head = decodeHead(safeJson(raw ?? undefined));
    const read = async <T>(keys: string[], decode: (raw: string) => T): Promise<T[]> => {
      const values = await Promise.all(keys.map((k) => this.deps.store.get(k)));
      return values.map((v, i) => {
        if (v === null) throw new Error(`segment ${id} is missing ${keys[i]}`);
        return decode(v);
      });
    };
    const chunkCount = head.docOf.length;
    return {
      head,
      // One HMGET a shard, of the terms asked; a segment stored as whole shards (before term
      // lists) is read whole and cut down to them.
      lists: async (wanted) => {
        const groups = [...wanted];
        if (head.termLists) {
          const values = await Promise.all(groups.map(([k, terms]) => this.deps.store.hashGetMany(shardKey(id, k), terms)));
          return groups.flatMap(([, terms], i) => terms.map((term, j): [string, string | null] => [term, values[i]![j] ?? null]));
        }
        const shards = await read(groups.map(([k]) => shardKey(id, k)), decodeShard);
        return groups.flatMap(([, terms], i) => termListsOf(shards[i]!, chunkCount, terms));
      },
      blocks: (bs) => read(bs.map((b) => blockKey(id, b)), (v) => TextBlockSchema.parse(JSON.parse(v))),
    };
  }

  /**
   * Merges the segments of the documents published live into one when there are more than
   * `maxSegments`, so an isolate loads and searches a few segments, not one per upload. Each
   * document merged is locked for the switch (a publish of it meanwhile is told 409) and merged
   * only if its entry did not change since it was read; per-version segments stay (the audit
   * keeps every version), older merged segments nothing names any more are deleted.
   */
  async compact(opts: { maxSegments?: number } = {}): Promise<{ merged: number; documents: number; segment?: string }> {
    const { store } = this.deps;
    const max = opts.maxSegments ?? DEFAULT_MAX_SEGMENTS;
    // Only small segments are merged: a merge costs what it merges, never the whole corpus.
    const live = (await this.manifest()).filter((e) => e.segment && e.status !== 'retired' && e.parts > 0 && e.parts <= MAX_MERGE_PARTS);
    const segments = new Set(live.map((e) => e.segment!));
    if (segments.size <= max) return { merged: 0, documents: 0 };
    const token = crypto.randomUUID();
    if (!(await store.claim(lockKey(COMPACTION_LOCK), LOCK_SECONDS * 5, token))) return { merged: 0, documents: 0 };
    const locked: string[] = [];
    try {
      const claims = await Promise.all(live.map((e) => store.claim(lockKey(e.docId), LOCK_SECONDS * 5, token)));
      live.forEach((e, i) => claims[i] && locked.push(e.docId));
      // Read again under the locks: only entries that did not move are merged.
      const now = new Map((await this.manifest()).map((e) => [e.docId, e]));
      const chosen = live.filter((e) => locked.includes(e.docId) && now.get(e.docId)?.segment === e.segment && now.get(e.docId)?.version === e.version);
      const bySegment = new Map<string, ManifestEntry[]>();
      for (const e of chosen) bySegment.set(e.segment!, [...(bySegment.get(e.segment!) ?? []), e]);
      const documents: DocumentMeta[] = [];
      const chunks: Chunk[] = [];
      for (const [id, entries] of bySegment) {
        const bundle = await this.segment(id, entries[0]!.parts);
        const wanted = new Map(entries.map((e) => [e.docId, e.version]));
        documents.push(...bundle.documents.filter((d) => wanted.has(d.id)));
        chunks.push(...bundle.chunks.filter((c) => c.id.startsWith(`${c.docId}@${wanted.get(c.docId)}#`)));
      }
      const at = this.deps.now().toISOString();
      const merged = `c.${this.deps.now().getTime().toString(36)}.${crypto.randomUUID().slice(0, 8)}`;
      const plain: KnowledgeBundle = { version: 1, documents, chunks };
      const parts = await this.writeSegment(merged, { ...plain, index: serializeIndex(plain, this.deps.analyzer) });
      const fields: Record<string, string> = {};
      for (const e of chosen) fields[e.docId] = JSON.stringify({ ...now.get(e.docId)!, segment: merged, parts, updatedAt: at });
      await this.switchManifest(fields);
      // Merged segments nothing names any more; per-version segments stay for the audit.
      const named = new Set((await this.manifest()).map((e) => e.segment));
      // A key is kb:seg:<segment>:<part, h, s<k> or t<b>>; segment ids hold no colon.
      const stale = (await store.keysWithPrefix('kb:seg:c.')).filter((k) => !named.has(k.slice('kb:seg:'.length).split(':')[0]!));
      if (stale.length) await store.del(...stale);
      return { merged: bySegment.size, documents: chosen.length, segment: merged };
    } finally {
      await releaseAll(store, [...locked.map(lockKey), lockKey(COMPACTION_LOCK)], token);
    }
  }

  /** One HSET: the entries and the revision isolates poll change together, or not at all. */
  private async switchManifest(fields: Record<string, string>): Promise<void> {
    const entries = Object.values(fields).flatMap((v) => {
      const parsed = LiveEntrySchema.safeParse(safeJson(v));
      return parsed.success ? [parsed.data] : [];
    });
    const view = await this.view.prepare(entries, () => this.liveFromManifest());
    await switchManifest(this.deps.store, MANIFEST_KEY, fields, this.deps.now(), [view.write]);
    // The switch is done; a fold that fails is tried again by the next switch.
    if (view.fold) await this.view.fold().catch(() => undefined);
  }

  private segmentBundle(id: string, version: number, prepared: Prepared): KnowledgeBundle {
    const m = prepared.metadata;
    const meta: DocumentMeta = {
      id,
      title: m.title,
      source: m.source,
      date: m.issuedAt ?? m.effectiveAt ?? this.deps.now().toISOString().slice(0, 10),
      kind: (m.kind as DocumentMeta['kind'] | undefined) ?? 'reference',
      ...(m.url ? { url: m.url } : {}),
      keywords: [m.number, m.kind ? legalKindName(m.kind as never) : undefined].filter((k): k is string => Boolean(k)),
      ...(m.number ? { number: m.number } : {}),
      ...(m.issuedAt ? { issuedAt: m.issuedAt } : {}),
      ...(m.issuer ? { issuer: m.issuer } : {}),
      ...(m.signer ? { signer: m.signer } : {}),
      ...(m.effectiveAt ? { effectiveAt: m.effectiveAt } : {}),
      ...(m.expiresAt ? { expiresAt: m.expiresAt } : {}),
      version,
    };
    // Chunk ids carry the version, so two versions' chunks never share an id.
    const chunks: Chunk[] = prepared.chunks.map((c, i) => ({ id: `${id}@${version}#${i + 1}`, docId: id, heading: c.heading, text: c.text }));
    const plain: KnowledgeBundle = { version: 1, documents: [meta], chunks };
    return { ...plain, index: serializeIndex(plain, this.deps.analyzer) };
  }

  // ---- reading ------------------------------------------------------------------------------

  async version(id: string, version: number): Promise<VersionRecord | undefined> {
    const raw = (await this.deps.store.hashGetAll(docKey(id)))[`v${version}`];
    const parsed = VersionRecordSchema.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async versions(id: string): Promise<VersionRecord[]> {
    const raw = await this.deps.store.hashGetAll(docKey(id));
    return Object.values(raw)
      .flatMap((v) => {
        const parsed = VersionRecordSchema.safeParse(safeJson(v));
        return parsed.success ? [parsed.data] : [];
      })
      .sort((a, b) => a.version - b.version);
  }

  /** The documents, with `q` matching id, title or number (accents and case ignored). */
  async list(q?: string): Promise<ManifestEntry[]> {
    const all = await this.manifest();
    if (!q?.trim()) return all;
    const needle = slugify(q);
    return all.filter((e) => slugify(`${e.docId} ${e.title} ${e.number ?? ''}`).includes(needle));
  }

  /** One document: its manifest entry, every version, and the chunks of the current one. */
  async get(id: string): Promise<{ entry: ManifestEntry; versions: VersionRecord[]; chunks: Chunk[] } | undefined> {
    const entry = await this.entry(id);
    if (!entry) return undefined;
    // A version above the manifest's never went live (its publish failed before the switch).
    const versions = (await this.versions(id)).filter((v) => v.version <= entry.version);
    // The current version's chunks, from whichever segment holds it now (its own or a merged one).
    if (!entry.segment || entry.status === 'retired') return { entry, versions, chunks: [] };
    const chunks =
      entry.parts === 0
        ? await this.shardedDocumentChunks(entry.segment, id)
        : (await this.segment(entry.segment, entry.parts)).chunks.filter((c) => c.id.startsWith(`${id}@${entry.version}#`));
    return { entry, versions, chunks };
  }

  /** One document's chunks in a sharded segment: only the text blocks that hold them are read. */
  private async shardedDocumentChunks(segment: string, id: string): Promise<Chunk[]> {
    const source = await this.openSharded(segment);
    const { head } = source;
    const d = head.documents.findIndex((doc) => doc.id === id);
    const mine = head.docOf.flatMap((doc, n) => (doc === d ? [n] : []));
    if (d < 0 || !mine.length) return [];
    const blocks = [...new Set(mine.map((n) => Math.floor(n / head.blockSize)))];
    const texts: Array<[string, string] | undefined> = [];
    (await source.blocks(blocks)).forEach((block, i) => block.forEach((t, j) => (texts[blocks[i]! * head.blockSize + j] = t)));
    const all = shardedChunks(head, texts);
    return mine.map((n) => all[n]!);
  }

  /** A search over one prepared upload alone (the console's preview), built like a segment. */
  previewIndex(prepared: Prepared) {
    return createIndex(this.segmentBundle(prepared.id, 1, prepared), this.deps.analyzer);
  }
}

/**
 * Frees the locks this caller holds (its token): one whose time ran out and that another
 * request took since is left alone. A failure is ignored: the lock then expires by itself.
 */
async function releaseAll(store: Store, keys: readonly string[], token: string): Promise<void> {
  await Promise.all(keys.map((k) => store.release(k, token))).catch(() => undefined);
}

function notFound(id: string): CatalogueError {
  return new CatalogueError(404, 'not-found', `Không có văn bản "${id}". — No document "${id}".`);
}

/** The manifest line for a bundled document the first time the manifest names it. */
function bundledEntry(id: string, at: string): ManifestEntry {
  return { docId: id, version: 0, status: 'published', segment: null, parts: 0, visibility: 'public', title: id, updatedAt: at, bundled: true };
}

/** "Chỉ thị 22-CT/TU về …" from what is known; the file name when nothing else is. */
function displayTitle(kind: string | undefined, number: string | undefined, subject: string | undefined, filename: string | undefined): string {
  const kindName = kind ? legalKindName(kind as never) : undefined;
  const head = [kindName, number].filter(Boolean).join(' ');
  const about = subject?.trim();
  // "về" is not ASCII, so \b cannot end it: a blank or the end does.
  if (head && about) return `${head} ${/^(về|v\/v)(\s|$)/iu.test(about) ? lowerFirst(about) : `về ${about}`}`.slice(0, 300);
  if (about) return about.slice(0, 300);
  if (head) return head;
  const base = (filename ?? '').replace(/\.[a-z0-9]+$/i, '').trim();
  return base.length >= 3 ? base.slice(0, 300) : 'Tài liệu không tên';
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** An id from the số ký hiệu ("22-CT/TU" → "22-ct-tu"), else the title, else the content hash. */
function proposeId(m: PublishedMetadata, hash: string): string {
  const fromNumber = m.number ? slugify(m.number, 60) : '';
  if (fromNumber.length >= 2) return /^[a-z0-9]/.test(fromNumber) ? fromNumber : `vb-${fromNumber}`;
  const fromTitle = slugify(m.title, 50);
  return fromTitle.length >= 3 ? `${fromTitle}-${hash.slice(0, 6)}` : `vb-${hash.slice(0, 12)}`;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

