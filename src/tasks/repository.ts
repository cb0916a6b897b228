/**
 * @module tasks/repository
 * The reform tasks the app knows: those bundled from knowledge/tasks/ (src/generated/tasks.json)
 * merged with what admins add, extend, close or delete, which lives in one store hash (field =
 * task id) so the whole list is one read. An admin change to a bundled task shadows it; deleting
 * a bundled task leaves a tombstone so it stays gone after a redeploy.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import { fold } from '../text/normalize';
import tasksJson from '../generated/tasks.json';
import { parseStored, TaskBundleSchema, TaskSchema, type Task } from './schema';

export const OVERRIDES_KEY = 'tasks:overrides';

const OverrideSchema = z.union([
  z.object({ origin: z.enum(['admin', 'bundled']), task: TaskSchema }),
  z.object({ origin: z.literal('bundled'), deleted: z.literal(true), id: z.string() }),
]);
export type Override = z.infer<typeof OverrideSchema>;

let bundledCache: readonly Task[] | undefined;

/** The tasks built from knowledge/tasks/, validated once per isolate. */
export function bundledTasks(): readonly Task[] {
  bundledCache ??= Object.freeze(TaskBundleSchema.parse(tasksJson).tasks);
  return bundledCache;
}

export interface Unit {
  id: string;
  name: string;
  /** Open tasks of this unit. */
  open: number;
}

type CreateResult = { ok: true; task: Task } | { ok: false; reason: 'exists' };

export class TaskRepository {
  constructor(
    private readonly store: Store,
    private readonly bundled: readonly Task[] = bundledTasks(),
  ) {}

  /** Every task (bundled merged with admin changes), soonest deadline first. */
  async all(): Promise<Task[]> {
    return mergeTasks(this.bundled, await this.overrides());
  }

  async get(id: string): Promise<Task | undefined> {
    return (await this.all()).find((t) => t.id === id);
  }

  async create(task: Task): Promise<CreateResult> {
    if (await this.get(task.id)) return { ok: false, reason: 'exists' };
    const origin = this.bundled.some((b) => b.id === task.id) ? 'bundled' : 'admin';
    await this.write(task.id, { origin, task });
    return { ok: true, task };
  }

  /** Replaces a task with `next` (same id); undefined when no such task is visible. */
  async replace(next: Task): Promise<Task | undefined> {
    if (!(await this.get(next.id))) return undefined;
    const origin = this.bundled.some((b) => b.id === next.id) ? 'bundled' : 'admin';
    await this.write(next.id, { origin, task: next });
    return next;
  }

  /** Removes a task from reminders and lists; false when there was none. */
  async remove(id: string): Promise<boolean> {
    if (!(await this.get(id))) return false;
    if (this.bundled.some((b) => b.id === id)) {
      await this.write(id, { origin: 'bundled', deleted: true, id });
    } else {
      await this.store.hashDel(OVERRIDES_KEY, id);
    }
    return true;
  }

  private async write(id: string, override: Override): Promise<void> {
    await this.store.hashSet(OVERRIDES_KEY, { [id]: JSON.stringify(override) });
  }

  private async overrides(): Promise<Map<string, Override>> {
    return parseOverrides(await this.store.hashGetAll(OVERRIDES_KEY));
  }
}

/** Bundled tasks with overrides applied: pure, shared by the repository and the reminder job. */
export function mergeTasks(bundled: readonly Task[], overrides: Map<string, Override>): Task[] {
  const byId = new Map<string, Task>();
  for (const t of bundled) byId.set(t.id, t);
  for (const [id, o] of overrides) {
    if ('deleted' in o) byId.delete(id);
    else byId.set(id, o.task);
  }
  return [...byId.values()].sort(byDeadline);
}

/** Reads the overrides hash into the map mergeTasks takes (for callers that batch their reads). */
export function parseOverrides(raw: Record<string, string>): Map<string, Override> {
  const out = new Map<string, Override>();
  for (const [id, json] of Object.entries(raw)) {
    const parsed = parseStored(json, OverrideSchema);
    // A field that no longer parses (the schema changed) is ignored rather than breaking every list.
    if (parsed) out.set(id, parsed);
  }
  return out;
}

export function byDeadline(a: Task, b: Task): number {
  if (a.deadline !== b.deadline) return a.deadline < b.deadline ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The units that own tasks, with how many of their tasks are open, by name (folded). */
export function unitsOf(tasks: readonly Task[]): Unit[] {
  const units = new Map<string, Unit>();
  for (const t of tasks) {
    const u = units.get(t.unit) ?? { id: t.unit, name: t.owner, open: 0 };
    if (t.status === 'open') u.open++;
    units.set(t.unit, u);
  }
  return [...units.values()].sort((a, b) => {
    const x = fold(a.name.toLowerCase());
    const y = fold(b.name.toLowerCase());
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
  });
}
