/**
 * @module admin/tasks
 * Admin routes for reform tasks, mounted by the composition root under /admin (bearer auth and
 * the actor come from the admin shell):
 *   GET    /admin/tasks[?status=&unit=]  every task (bundled + admin changes) and the units
 *   GET    /admin/tasks/:id
 *   POST   /admin/tasks                  add a task (201; 409 when the id exists)
 *   PUT    /admin/tasks/:id              change fields: extend (deadline), close (status), …
 *   DELETE /admin/tasks/:id              remove it from lists and reminders
 * Every write is validated with the task schema (one owner per unit id across all tasks) and
 * audited with who did what.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest, jsonBody, queryParams, type AdminEnv, type Audit } from './index';
import type { Store } from '../store/store';
import { slugify } from '../text/normalize';
import { TaskRepository, unitsOf } from '../tasks/repository';
import { TaskSchema, TaskSourceSchema, TaskStatusSchema, isoDate, type Task } from '../tasks/schema';

interface TasksAdminDeps {
  store: Store;
  now: () => Date;
  /** The admin shell's audit (one log, one retention for every admin route). */
  audit: Audit;
  /** The bundled tasks (default: src/generated/tasks.json); tests pass their own. */
  bundled?: readonly Task[];
}

/** POST body: a task whose id and unit may be left out (derived from title and owner). */
const CreateBody = TaskSchema.extend({
  id: TaskSchema.shape.id.optional(),
  unit: TaskSchema.shape.unit.optional(),
});

const ListQuerySchema = z.object({ status: TaskStatusSchema.optional(), unit: z.string().optional() });

/** PUT body: the fields to change; at least one. */
const PatchBody = z
  .strictObject({
    title: TaskSchema.shape.title,
    owner: TaskSchema.shape.owner,
    unit: TaskSchema.shape.unit,
    deadline: isoDate,
    deadlineText: TaskSchema.shape.deadlineText,
    region: TaskSchema.shape.region,
    status: TaskStatusSchema,
    source: TaskSourceSchema,
    note: TaskSchema.shape.note,
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');

export function tasksAdmin(deps: TasksAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const repo = new TaskRepository(deps.store, deps.bundled);
  const { audit } = deps;

  app.get('/', queryParams(ListQuerySchema), async (c) => {
    const { status, unit } = c.req.valid('query');
    const all = await repo.all();
    const tasks = all.filter((t) => (!status || t.status === status) && (!unit || t.unit === unit));
    return c.json({ tasks, units: unitsOf(all) });
  });

  app.get('/:id', async (c) => {
    const task = await repo.get(c.req.param('id'));
    return task ? c.json({ task }) : c.json({ error: `no task with id "${c.req.param('id')}"` }, 404);
  });

  app.post('/', jsonBody(CreateBody), async (c) => {
    const input = c.req.valid('json');
    const id = input.id ?? slugify(input.title, 40);
    const unit = input.unit ?? slugify(input.owner, 32);
    const parsed = TaskSchema.safeParse({ ...input, id, unit });
    if (!parsed.success) return invalidRequest(c, parsed.error, 'could not derive a valid id or unit: give them explicitly');
    const all = await repo.all();
    const clash = unitClash(all, parsed.data);
    if (clash) return c.json({ error: clash }, 400);
    const created = await repo.create(parsed.data);
    if (!created.ok) return c.json({ error: `a task with id "${id}" already exists: use PUT /admin/tasks/${id} or another id` }, 409);
    await audit({ actor: c.get('actor'), action: 'tasks.create', target: id, detail: { deadline: created.task.deadline, unit, status: created.task.status } });
    return c.json({ task: created.task }, 201);
  });

  app.put('/:id', jsonBody(PatchBody), async (c) => {
    const id = c.req.param('id');
    const patch = c.req.valid('json');
    const all = await repo.all();
    const current = all.find((t) => t.id === id);
    if (!current) return c.json({ error: `no task with id "${id}"` }, 404);
    const parsed = TaskSchema.safeParse({ ...current, ...patch });
    if (!parsed.success) return invalidRequest(c, parsed.error, 'the changed task is not valid');
    const clash = unitClash(all.filter((t) => t.id !== id), parsed.data);
    if (clash) return c.json({ error: clash }, 400);
    const saved = await repo.replace(parsed.data);
    if (!saved) return c.json({ error: `no task with id "${id}"` }, 404);
    const changed = Object.keys(patch);
    const detail: Record<string, unknown> = { changed };
    if (patch.deadline) detail.deadline = { from: current.deadline, to: saved.deadline };
    if (patch.status) detail.status = { from: current.status, to: saved.status };
    await audit({ actor: c.get('actor'), action: 'tasks.update', target: id, detail });
    return c.json({ task: saved, changed });
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await repo.remove(id))) return c.json({ error: `no task with id "${id}"` }, 404);
    await audit({ actor: c.get('actor'), action: 'tasks.delete', target: id });
    return c.json({ deleted: id });
  });

  return app;
}

/** A reason when `task` would give its unit id a second owner name. */
function unitClash(others: readonly Task[], task: Task): string | undefined {
  const other = others.find((t) => t.unit === task.unit && t.owner !== task.owner && t.id !== task.id);
  return other ? `unit "${task.unit}" already names "${other.owner}" (task ${other.id}): use that owner or another unit id` : undefined;
}
