/**
 * @module config-pull-sources
 * The shape of KPI_PULL_SOURCES and its parser. A leaf module (zod only) beside config.ts, so it can
 * validate the variable at start-up without importing the rest of the KPI feature.
 */
import { z } from 'zod';

const MappingField = z.string().trim().min(1).max(100);

const PullSourceSchema = z
  .object({
    name: z.string().trim().min(1).max(40).optional(),
    url: z.url({ protocol: /^https?$/ }),
    format: z.enum(['json', 'csv']),
    mapping: z
      .object({ kpi: MappingField, period: MappingField, value: MappingField, unit: MappingField.optional() })
      .strict(),
    /** Sent as "Authorization: Bearer <token>"; never logged. */
    token: z.string().min(1).optional(),
    path: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type PullSource = z.infer<typeof PullSourceSchema>;

const PullSourcesSchema = z.array(PullSourceSchema).max(20);

/**
 * KPI_PULL_SOURCES parsed and checked; throws an Error naming what is wrong (by position and
 * field, never echoing the value, which may hold a token).
 */
export function parsePullSources(raw: string | undefined): PullSource[] {
  if (!raw || !raw.trim()) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('KPI_PULL_SOURCES: must be a JSON array');
  }
  const parsed = PullSourcesSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`KPI_PULL_SOURCES: ${problems.join('; ')}`);
  }
  return parsed.data;
}
