/**
 * @module procedures/schema
 * The shape of one administrative procedure (thủ tục hành chính) record, following the fields of
 * the national procedure database: code, name, level, field, agency, who may apply, steps,
 * channels (each with its own time limit and fee), documents, result, legal basis, online level,
 * portal link and as-of date, plus where every fact came from. The data files in
 * knowledge/procedures/, the import script, the bundled catalogue and the tests all validate
 * with these schemas. A fact nobody could confirm is left out, never guessed: every field that
 * carries a fact is optional, and the card says "no information" for it. Besides the catalogue's
 * fields, a record holds what citizens ask and the catalogue hides: their own deadline, how long
 * the result stays valid, documents no longer required, and fees with the period they hold for.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');
const text = z.string().trim().min(1, 'must not be empty');
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/**
 * Where a procedure is handled. Since 1/7/2025 local government has two levels (province and
 * commune), so there is deliberately no district value: a record that still says "huyện" fails.
 */
export const LEVELS = ['commune', 'province', 'central'] as const;
export type Level = (typeof LEVELS)[number];

const LevelSchema = z.strictObject({
  value: z.enum(LEVELS),
  /** The date this level applies from (e.g. 2025-07-01 when a district procedure moved down). */
  since: isoDate.optional(),
  note: text.optional(),
});

const CHANNEL_KINDS = ['in-person', 'online', 'post'] as const;

/** One way to submit (in person, online, by post), with the time limit and fee for that way. */
export const ChannelSchema = z.strictObject({
  kind: z.enum(CHANNEL_KINDS),
  /** Where, for this channel: an office, a portal, an app. */
  where: text.optional(),
  timeLimit: text.optional(),
  fee: text.optional(),
  note: text.optional(),
});
export type Channel = z.infer<typeof ChannelSchema>;

/** One document to bring or upload: how many originals and copies, which form, and when it applies. */
const DocumentItemSchema = z.strictObject({
  name: text,
  originals: z.number().int().min(0).max(20).optional(),
  copies: z.number().int().min(0).max(20).optional(),
  /** The form's code or name, e.g. "CT01 (Thông tư 66/2023/TT-BCA)". */
  form: text.optional(),
  /** The case it applies to ("nếu ..."); absent means always. */
  when: text.optional(),
});
export type DocumentItem = z.infer<typeof DocumentItemSchema>;

/** Where a record's facts came from and when someone last checked them. */
const SourceSchema = z.strictObject({
  title: text,
  url: httpUrl.optional(),
  checkedAt: isoDate,
  /** How the source was read (e.g. a secondary summary), so a reviewer knows how much to trust it. */
  note: text.optional(),
});
export type Source = z.infer<typeof SourceSchema>;

/** A rule the law sets (the citizen's deadline, the result's validity) and where it is written. */
const RuleSchema = z.strictObject({
  value: text,
  /** The article it comes from ("Luật Hộ tịch 2014, Điều 15"). */
  basis: text.optional(),
});
export type Rule = z.infer<typeof RuleSchema>;

/**
 * A document people used to bring that is no longer required, or only shown: the office reads it
 * from a national database instead (e.g. the parents' marriage certificate for a birth).
 */
const NotRequiredSchema = z.strictObject({
  name: text,
  /** What the citizen does instead ("chỉ cần cho biết số định danh cá nhân"), or the case it covers. */
  note: text.optional(),
  /** The date the change applies from, when a source gives it. */
  since: isoDate.optional(),
  basis: text.optional(),
});
export type NotRequired = z.infer<typeof NotRequiredSchema>;

/**
 * A fee that holds for a period only (a reduction until a date): read against today, so an
 * expired reduction is never offered as the current fee.
 */
const FeePeriodSchema = z
  .strictObject({
    value: text,
    from: isoDate.optional(),
    /** The last day it holds (inclusive). */
    until: isoDate.optional(),
    basis: text.optional(),
    /** Where sources disagree (another end date), say so here rather than pick silently. */
    note: text.optional(),
  })
  .refine((f) => !f.from || !f.until || f.from <= f.until, { message: 'from must not be after until', path: ['until'] });
export type FeePeriod = z.infer<typeof FeePeriodSchema>;

/** Telegram limits callback data to 64 bytes; "/thutuc <id> giayto" must fit. */
const MAX_ID = 40;

export const ProcedureSchema = z
  .strictObject({
    id: z
      .string()
      .max(MAX_ID, `must be at most ${MAX_ID} characters`)
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case kebab-case ascii'),
    /** The code in the national procedure database, e.g. "1.001193". */
    code: z
      .string()
      .regex(/^\d\.\d{6}$/, 'must look like 1.001193')
      .optional(),
    name: text,
    /** Other ways people say it ("làm giấy khai sinh", "nhập hộ khẩu"); used for matching only. */
    aliases: z.array(text).default([]),
    field: text,
    level: LevelSchema.optional(),
    agency: text.optional(),
    applicants: z.array(text).default([]),
    steps: z.array(text).default([]),
    channels: z.array(ChannelSchema).default([]),
    documents: z.array(DocumentItemSchema).default([]),
    result: text.optional(),
    legalBasis: z.array(text).default([]),
    /** The citizen's own deadline ("trong 60 ngày kể từ ngày sinh"), not the office's time limit. */
    deadline: RuleSchema.optional(),
    /** How long the result stays valid ("06 tháng kể từ ngày cấp"). */
    validity: RuleSchema.optional(),
    /** Documents no longer to be submitted (read from a database instead) or only shown. */
    notRequired: z.array(NotRequiredSchema).default([]),
    /** Fees that hold for a period (a reduction until a date), besides each channel's fee. */
    feePeriods: z.array(FeePeriodSchema).default([]),
    /** "toàn trình" (fully online) or "một phần" (partly online), when a source says so. */
    onlineLevel: z.enum(['toan-trinh', 'mot-phan']).optional(),
    /** The procedure's own page on the national portal, only when a source showed that address. */
    portalUrl: httpUrl.optional(),
    notes: z.array(text).default([]),
    asOf: isoDate,
    sources: z.array(SourceSchema).min(1, 'every record must say where its facts come from'),
  })
  .superRefine((p, ctx) => {
    const kinds = p.channels.map((c) => c.kind);
    if (new Set(kinds).size !== kinds.length) {
      ctx.addIssue({ code: 'custom', path: ['channels'], message: 'each channel kind may appear once' });
    }
    const latestCheck = p.sources.map((s) => s.checkedAt).sort().at(-1)!;
    if (p.asOf > latestCheck) {
      ctx.addIssue({ code: 'custom', path: ['asOf'], message: 'as-of date is later than any source check' });
    }
  });
export type Procedure = z.infer<typeof ProcedureSchema>;
/** A record as written in a file, before defaults are filled in. */
export type ProcedureInput = z.input<typeof ProcedureSchema>;

/** The generated catalogue the app bundles (src/generated/procedures.json). */
export const ProcedureCatalogSchema = z
  .strictObject({
    version: z.literal(1),
    procedures: z.array(ProcedureSchema),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, string>();
    c.procedures.forEach((p, i) => {
      for (const key of [p.id, p.code].filter((k): k is string => k !== undefined)) {
        const other = seen.get(key);
        if (other) {
          ctx.addIssue({ code: 'custom', path: ['procedures', i], message: `${key} is used by ${other} too` });
        }
        seen.set(key, p.id);
      }
    });
  });

/** A one-line reason for the first few problems of a failed parse, with their paths. */
export function describeIssues(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
