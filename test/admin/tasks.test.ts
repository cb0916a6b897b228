/**
 * /admin/tasks (add, extend, close, delete tasks; bearer token; audited) and /admin/jobs (each
 * scheduled run's counts), through the composed app (createApp), as operators reach them.
 */
import { describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { readAudit } from '../../src/admin/audit';
import { silentLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import { slugify } from '../../src/text/normalize';
import { TaskRepository } from '../../src/tasks/repository';
import type { Task } from '../../src/tasks/schema';
import { makeHarness } from '../tasks/support/harness';

const TOKEN = 'admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'x-admin-actor': 'Lan' };

function setup(store = new MemoryStore(), now = () => new Date('2026-11-21T01:00:00Z')) {
  const app = createApp(createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store, now, log: silentLogger }));
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { store, call };
}

const newTask = {
  id: 'bd-cong-dvc-2027',
  title: 'Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính tỉnh',
  owner: 'Sở Thông tin và Truyền thông tỉnh Bình Dương',
  unit: 'so-tttt-bd',
  deadline: '2027-03-31',
  source: { title: 'Kế hoạch năm 2027', outlet: 'UBND tỉnh Bình Dương', date: '2026-11-01' },
};

describe('/admin/tasks', () => {
  it('refuses a request without the bearer token', async () => {
    const { call } = setup();
    expect((await call('POST', '/admin/tasks', newTask, {})).status).toBe(401);
    expect((await call('GET', '/admin/tasks', undefined, {})).status).toBe(401);
  });

  it('lists the bundled tasks with their units', async () => {
    const { call } = setup();
    const res = await call('GET', '/admin/tasks?status=open');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tasks: Task[]; units: Array<{ id: string; open: number }> };
    expect(body.tasks).toHaveLength(17);
    expect(body.tasks[0]!.deadline <= body.tasks[16]!.deadline).toBe(true);
    expect(body.units.find((u) => u.id === 'ban-cds-bd')?.open).toBe(3);
  });

  it('adds a task, audits who added it, and refuses the same id twice with 409', async () => {
    const { call, store } = setup();
    const res = await call('POST', '/admin/tasks', newTask);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { task: Task }).task).toMatchObject({ id: 'bd-cong-dvc-2027', status: 'open' });
    expect(await new TaskRepository(store).get('bd-cong-dvc-2027')).toMatchObject({ deadline: '2027-03-31' });
    expect((await call('POST', '/admin/tasks', newTask)).status).toBe(409);
    const audit = await readAudit(store, new Date('2026-01-01'), new Date('2027-01-01'));
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'Lan', action: 'tasks.create', target: 'bd-cong-dvc-2027', detail: { deadline: '2027-03-31', unit: 'so-tttt-bd', status: 'open' } }),
    ]);
  });

  it('derives the id from the title and the unit from the owner when they are left out', async () => {
    const { call } = setup();
    const { id: _id, unit: _unit, ...rest } = newTask;
    const res = await call('POST', '/admin/tasks', { ...rest, owner: 'Sở Nội vụ tỉnh Bình Dương' });
    expect(res.status).toBe(201);
    const { task } = (await res.json()) as { task: Task };
    expect(task.id).toBe('nang-cap-he-thong-thong-tin-giai-quyet');
    expect(task.unit).toBe('so-noi-vu-tinh-binh-duong');
  });

  it('refuses an invalid task with 400 and the reasons, writing nothing', async () => {
    const { call, store } = setup();
    const res = await call('POST', '/admin/tasks', { ...newTask, deadline: '2027-02-30', status: 'late', extra: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: string }> };
    expect(body.issues.map((i) => i.path).sort()).toEqual(['', 'deadline', 'status']);
    expect((await call('POST', '/admin/tasks', 'not json')).status).toBe(400);
    expect(await store.hashGetAll('tasks:overrides')).toEqual({});
  });

  it('refuses a unit id that already names another owner', async () => {
    const { call } = setup();
    const res = await call('POST', '/admin/tasks', { ...newTask, owner: 'Sở Tài chính tỉnh Bình Dương' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('unit "so-tttt-bd" already names "Sở Thông tin và Truyền thông tỉnh Bình Dương"');
  });

  it('extends a bundled task and closes it, auditing both changes with before and after', async () => {
    const { call, store } = setup();
    const extended = await call('PUT', '/admin/tasks/bd-kho-du-lieu-so-2023', { deadline: '2027-06-30', note: 'Gia hạn theo kế hoạch mới' });
    expect(extended.status).toBe(200);
    expect(((await extended.json()) as { task: Task; changed: string[] })).toMatchObject({
      task: { id: 'bd-kho-du-lieu-so-2023', deadline: '2027-06-30', owner: 'Ban chỉ đạo chuyển đổi số tỉnh Bình Dương' },
      changed: ['deadline', 'note'],
    });
    const closed = await call('PUT', '/admin/tasks/bd-kho-du-lieu-so-2023', { status: 'done' });
    expect(((await closed.json()) as { task: Task }).task).toMatchObject({ status: 'done', deadline: '2027-06-30' });
    const audit = await readAudit(store, new Date('2026-01-01'), new Date('2027-01-01'));
    expect(audit.map((a) => a.detail)).toEqual(
      expect.arrayContaining([
        { changed: ['deadline', 'note'], deadline: { from: '2023-12-31', to: '2027-06-30' } },
        { changed: ['status'], status: { from: 'open', to: 'done' } },
      ]),
    );
  });

  it('refuses an empty or unknown change, an id in the body, and an unknown task', async () => {
    const { call } = setup();
    expect((await call('PUT', '/admin/tasks/bd-kho-du-lieu-so-2023', {})).status).toBe(400);
    expect((await call('PUT', '/admin/tasks/bd-kho-du-lieu-so-2023', { id: 'other' })).status).toBe(400);
    expect((await call('PUT', '/admin/tasks/bd-kho-du-lieu-so-2023', { deadline: 'cuối năm' })).status).toBe(400);
    expect((await call('PUT', '/admin/tasks/khong-co', { status: 'done' })).status).toBe(404);
  });

  it('deletes an added task for good and hides a bundled one, and both are gone from the list', async () => {
    const { call } = setup();
    await call('POST', '/admin/tasks', newTask);
    expect((await call('DELETE', '/admin/tasks/bd-cong-dvc-2027')).status).toBe(200);
    expect((await call('DELETE', '/admin/tasks/bd-papi-2022-tang-bac')).status).toBe(200);
    expect((await call('DELETE', '/admin/tasks/bd-papi-2022-tang-bac')).status).toBe(404);
    const body = (await (await call('GET', '/admin/tasks')).json()) as { tasks: Task[] };
    expect(body.tasks.map((t) => t.id)).not.toContain('bd-papi-2022-tang-bac');
    expect(body.tasks.map((t) => t.id)).not.toContain('bd-cong-dvc-2027');
    expect((await call('GET', '/admin/tasks/bd-papi-2022-tang-bac')).status).toBe(404);
  });
});

describe('/admin/jobs', () => {
  it("shows each reminder run's counts, newest first, with totals", async () => {
    const h = makeHarness({ day: '2026-11-21' });
    await h.say('/nhacviec chon tat-ca');
    await h.runJob();
    h.setDay('2026-11-21', 9);
    await h.runJob();
    const { call } = setup(h.store as MemoryStore, () => new Date('2026-11-21T03:00:00Z'));
    const res = await call('GET', '/admin/jobs?job=reminders');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      runs: Array<{ job: string; at: string; ok: boolean; counts: Record<string, number> }>;
      totals: Record<string, Record<string, number>>;
    };
    expect(body.runs.map((r) => r.at)).toEqual(['2026-11-21T02:00:00.000Z', '2026-11-21T01:00:00.000Z']);
    expect(body.runs[1]!.counts).toMatchObject({ sent: 1, skipped: 0, failed: 0, items: 16 });
    expect(body.runs[0]!.counts).toMatchObject({ sent: 0, skipped: 1, failed: 0 });
    expect(body.totals.reminders).toMatchObject({ runs: 2, sent: 1, skipped: 1, failed: 0 });
  });

  it('refuses a bad range or limit with 400', async () => {
    const { call } = setup();
    expect((await call('GET', '/admin/jobs?from=2026-12-01&to=2026-11-01')).status).toBe(400);
    expect((await call('GET', '/admin/jobs?limit=0')).status).toBe(400);
    expect((await call('GET', '/admin/jobs?from=yesterday')).status).toBe(400);
  });
});

describe('slugify', () => {
  it('folds Vietnamese and cuts at a word boundary', () => {
    expect(slugify('Đề án 06: Dữ liệu dân cư', 40)).toBe('de-an-06-du-lieu-dan-cu');
    expect(slugify('Sở Thông tin và Truyền thông tỉnh Bình Dương', 32)).toBe('so-thong-tin-va-truyen-thong');
  });
});
