/**
 * @module kpi/schema
 * zod schemas for KPIs: a definition (what is measured, its target, deadline, cadence, who may
 * see it and where it comes from), an observation (one value for one period, with its source
 * and when it was recorded), the data files in knowledge/kpis/ and the bundle built from them.
 * The build script, the app and the tests validate with these same schemas.
 */
import { z } from 'zod';
import { parsePeriod, PERIOD_FORMATS } from './period';

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');
const KpiId = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case kebab-case ascii');

const KPI_UNITS = ['percent', 'rank', 'points', 'count'] as const;
export const KpiUnit = z.enum(KPI_UNITS);
export type KpiUnit = z.infer<typeof KpiUnit>;

const CADENCES = ['weekly', 'monthly', 'quarterly', 'yearly'] as const;
export const Cadence = z.enum(CADENCES);
export type Cadence = z.infer<typeof Cadence>;

/** Days after which a value is stale when the definition does not say otherwise. */
export const CADENCE_DAYS: Record<Cadence, number> = { weekly: 7, monthly: 31, quarterly: 92, yearly: 366 };

export const Direction = z.enum(['up', 'down']);
export type Direction = z.infer<typeof Direction>;

const Visibility = z.enum(['public', 'internal']);
type Visibility = z.infer<typeof Visibility>;

const PeriodText = z
  .string()
  .refine((s) => parsePeriod(s) !== null, { message: `period must be one of ${PERIOD_FORMATS}` });

/** Where a definition or a value comes from: a knowledge document, an article, a decision. */
export const SourceRef = z.object({
  title: z.string().min(3),
  publisher: z.string().min(2),
  /** Publication date; absent when the source does not show one. */
  date: isoDate.optional(),
  /** The knowledge document (knowledge/documents/<docId>.md) that restates the source. */
  docId: KpiId.optional(),
  url: z.url().optional(),
  note: z.string().optional(),
});
export type SourceRef = z.infer<typeof SourceRef>;

export const Milestone = z.object({
  target: z.number().finite(),
  deadline: isoDate,
  note: z.string().optional(),
});
export type Milestone = z.infer<typeof Milestone>;

/** How an indicator of Decision 766/QĐ-TTg turns into points. */
const FullScore = z.object({
  /** The value at or beyond which the indicator earns its full points; null when unknown. */
  threshold: z.number().finite().nullable(),
  /** False when the threshold could not be checked against a published text of the decision. */
  thresholdConfirmed: z.boolean(),
  /** The indicator's (or group's) maximum points; null when unknown. */
  points: z.number().finite().nullable(),
  pointsConfirmed: z.boolean(),
  /** How points are given, in words, with what is unconfirmed said plainly. */
  rule: z.string().min(3),
  source: SourceRef,
});
type FullScore = z.infer<typeof FullScore>;

export const KpiDefinitionSchema = z
  .object({
    id: KpiId,
    name: z.string().min(3),
    nameEn: z.string().min(3),
    /** The name on a one-line summary (at most 48 characters). */
    short: z.string().min(2).max(48),
    shortEn: z.string().min(2).max(48),
    /** Phrases people use for it (any diacritics): they route free questions here. */
    aliases: z.array(z.string().min(2)).min(1),
    region: z.string().min(2),
    /** `target` = the province's reform targets; `766` = the live service index of Decision 766/QĐ-TTg. */
    group: z.enum(['target', '766']),
    unit: KpiUnit,
    /** The scale: a rank out of 63 provinces, points out of 18, … */
    outOf: z.number().positive().optional(),
    direction: Direction,
    /** Null when the sources set no number (the KPI is tracked, not judged). */
    target: z.number().finite().nullable(),
    deadline: isoDate.nullable(),
    /** Why the deadline is what it is when the source does not say it outright. */
    deadlineNote: z.string().optional(),
    /** Later stages of the same target (e.g. 80% by 2025, then 100% by 2030). */
    milestones: z.array(Milestone).default([]),
    cadence: Cadence,
    /** Overrides the cadence when values are published late (annual indices appear mid-year). */
    staleAfterDays: z.number().int().positive().optional(),
    visibility: Visibility,
    source: SourceRef,
    formula: z.string().optional(),
    fullScore: FullScore.optional(),
    /** What is inferred or unconfirmed, said plainly. */
    notes: z.array(z.string()).default([]),
  })
  .superRefine((d, ctx) => {
    if (d.unit === 'rank' && !d.outOf) ctx.addIssue({ code: 'custom', message: 'a rank needs outOf', path: ['outOf'] });
    if (d.target === null && (d.deadline !== null || d.milestones.length > 0)) {
      ctx.addIssue({ code: 'custom', message: 'a deadline without a target means nothing', path: ['deadline'] });
    }
    const deadlines = [d.deadline, ...d.milestones.map((m) => m.deadline)];
    for (let i = 1; i < deadlines.length; i++) {
      if (!deadlines[i - 1] || deadlines[i - 1]! >= deadlines[i]!) {
        ctx.addIssue({ code: 'custom', message: 'milestones must come after the deadline, in order', path: ['milestones'] });
      }
    }
  });
export type KpiDefinition = z.infer<typeof KpiDefinitionSchema>;

/** A historical value restated from a source, bundled with the app. */
const BundledObservationSchema = z.object({
  kpi: KpiId,
  period: PeriodText,
  value: z.number().finite(),
  /** Who published the number. */
  source: z.string().min(2),
  url: z.url().optional(),
  docId: KpiId.optional(),
  /** When the source published it (the "recorded" date of a bundled value). */
  recordedAt: isoDate,
  note: z.string().optional(),
});

/** One file in knowledge/kpis/. */
export const KpiFileSchema = z.object({
  /**
   * What the place of the file's KPIs has become since the 2025 reorganisation, said once per
   * file; the build puts it first in each definition's notes (and checks it against the registry).
   */
  placeNote: z.string().min(3).optional(),
  definitions: z.array(KpiDefinitionSchema).default([]),
  observations: z.array(BundledObservationSchema).default([]),
});

/** src/generated/kpis.json: every file merged, in file order. */
export const KpiBundleSchema = z.object({
  version: z.literal(1),
  definitions: z.array(KpiDefinitionSchema),
  observations: z.array(BundledObservationSchema),
});
export type KpiBundle = z.infer<typeof KpiBundleSchema>;

export const ObservationOrigin = z.enum(['bundled', 'admin', 'pull']);
export type ObservationOrigin = z.infer<typeof ObservationOrigin>;

/** A value as the app holds it: bundled or stored, keyed by kpi + unit + period. */
export const ObservationSchema = z.object({
  kpi: KpiId,
  unit: KpiUnit,
  period: PeriodText,
  value: z.number().finite(),
  source: z.string().min(1).max(300),
  url: z.url().optional(),
  note: z.string().max(500).optional(),
  /** ISO instant the value was recorded (a bundled value: its source's publication date). */
  recordedAt: z.string().min(10),
  origin: ObservationOrigin,
});
export type Observation = z.infer<typeof ObservationSchema>;
