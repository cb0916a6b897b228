/**
 * @module tasks/schema
 * zod schemas for reform tasks with deadlines: the data files in knowledge/tasks/, the bundled
 * src/generated/tasks.json and the admin API all validate with these, so a task looks the same
 * wherever it comes from. Ids are short because they travel inside chat buttons (64 bytes).
 */
import { z } from 'zod';
import { isIsoDate } from './calendar';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD')
  .refine(isIsoDate, 'is not a calendar date');

const TASK_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;
const UNIT_ID = /^[a-z0-9][a-z0-9-]{1,31}$/;

export const TaskStatusSchema = z.enum(['open', 'done', 'cancelled']);

export const TaskSourceSchema = z.strictObject({
  /** The source's headline, verbatim. */
  title: z.string().trim().min(3).max(300),
  /** Outlet or issuer. */
  outlet: z.string().trim().min(2).max(160),
  /** When the source was published or issued. */
  date: isoDate,
  /** The directive, plan or meeting that set the task, when the source names it. */
  directive: z.string().trim().min(3).max(300).optional(),
  /** The knowledge document (knowledge/documents/<docId>.md) that writes up the same source. */
  docId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
});

export const TaskSchema = z.strictObject({
  id: z.string().regex(TASK_ID, 'must be kebab-case ascii, 2-40 characters'),
  title: z.string().trim().min(5).max(400),
  /** The body in charge, named as the source names it. */
  owner: z.string().trim().min(2).max(200),
  /** Short id of the owner; chats subscribe to units. */
  unit: z.string().regex(UNIT_ID, 'must be kebab-case ascii, 2-32 characters'),
  deadline: isoDate,
  /** How the source words the deadline ("trước 30/9/2023", "cuối năm 2023"). */
  deadlineText: z.string().trim().min(2).max(160).optional(),
  region: z.string().trim().min(2).max(80).optional(),
  status: TaskStatusSchema.default('open'),
  source: TaskSourceSchema,
  /** What was inferred and why, or what an admin changed. */
  note: z.string().trim().max(600).optional(),
});
export type Task = z.infer<typeof TaskSchema>;

/** One file in knowledge/tasks/. */
export const TaskFileSchema = z.strictObject({
  /** The seed article in shared/seeds/ the tasks were taken from. */
  sourceFile: z.string().min(3).optional(),
  tasks: z.array(TaskSchema).min(1),
});

/** src/generated/tasks.json. */
export const TaskBundleSchema = z.object({
  version: z.literal(1),
  tasks: z.array(TaskSchema),
});
export type TaskBundle = z.infer<typeof TaskBundleSchema>;

/** A stored JSON value read back through its schema; undefined when unreadable or not of that shape. */
export function parseStored<T>(json: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
