/**
 * The task data: knowledge/tasks/*.json validate, build into the bundled file byte for byte,
 * and keep what the sources say (owners, deadlines, statuses).
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASKS_OUT, buildTasksBundle } from '../../scripts/build-tasks';
import { bundledTasks, unitsOf } from '../../src/tasks/repository';

describe('the bundled tasks', () => {
  it('are up to date with knowledge/tasks (run npx tsx scripts/build-tasks.ts when this fails)', () => {
    const { content, errors } = buildTasksBundle();
    expect(errors).toEqual([]);
    expect(readFileSync(TASKS_OUT, 'utf8')).toBe(content);
  });

  it('include the merger of the provincial public service portal and the one-stop system, due 30/9/2023', () => {
    const merge = bundledTasks().find((t) => t.id === 'bd-hop-nhat-cong-dvc-mot-cua-2023');
    expect(merge).toMatchObject({
      deadline: '2023-09-30',
      deadlineText: 'trước 30/9/2023',
      owner: 'Ban chỉ đạo chuyển đổi số tỉnh Bình Dương',
      status: 'open',
      source: { outlet: 'Báo Lao Động', date: '2023-08-21', docId: 'bd-nhiem-vu-cchc-cds-cuoi-nam-2023' },
    });
  });

  it('keep the Party-agency targets for 2023, 2025 and 2030 and the 50% end-to-end online services target', () => {
    const byId = new Map(bundledTasks().map((t) => [t.id, t]));
    expect(byId.get('bd-dang-quy-trinh-tthc-2023')?.deadline).toBe('2023-12-31');
    expect(byId.get('bd-dang-ho-so-dien-tu-80-2025')?.deadline).toBe('2025-12-31');
    expect(byId.get('bd-dang-ho-so-dien-tu-100-2030')?.deadline).toBe('2030-12-31');
    expect(byId.get('bd-dvc-toan-trinh-50-2023')?.deadline).toBe('2023-12-31');
    expect(byId.get('bd-ra-soat-30-tthc-2023')?.title).toContain('30%');
  });

  it('name each unit with one owner and keep ids short enough for chat buttons', () => {
    const tasks = bundledTasks();
    for (const u of unitsOf(tasks)) {
      expect(new Set(tasks.filter((t) => t.unit === u.id).map((t) => t.owner)).size).toBe(1);
      expect(`/nhacviec chon don-vi:${u.id}`.length).toBeLessThanOrEqual(60);
    }
    for (const t of tasks) expect(`/nhacviec chon viec:${t.id}`.length).toBeLessThanOrEqual(60);
  });

  it('mark every task open, since no source says one was finished', () => {
    expect(new Set(bundledTasks().map((t) => t.status))).toEqual(new Set(['open']));
  });
});

describe('build-tasks', () => {
  function folder(files: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), 'tasks-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'doc-a.md'), '# a\n');
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
    return dir;
  }
  const base = {
    id: 'viec-a',
    title: 'Một nhiệm vụ',
    owner: 'Sở A',
    unit: 'so-a',
    deadline: '2026-12-01',
    source: { title: 'Bài A', outlet: 'Báo A', date: '2026-01-01', docId: 'doc-a' },
  };

  it('refuses a repeated id, a unit with two owners and a source document that does not exist', () => {
    const dir = folder({
      'a.json': { tasks: [base, { ...base, owner: 'Sở B' }] },
      'b.json': { tasks: [{ ...base, id: 'viec-b', source: { ...base.source, docId: 'khong-co' } }] },
    });
    const { content, errors } = buildTasksBundle(dir, join(dir, 'docs'));
    expect(content).toBeUndefined();
    expect(errors.join('\n')).toMatch(/"viec-a" is used twice/);
    expect(errors.join('\n')).toMatch(/unit "so-a" names two owners/);
    expect(errors.join('\n')).toMatch(/"khong-co" is not a knowledge document/);
  });

  it('refuses a date that is not on the calendar, naming the file and field', () => {
    const dir = folder({ 'a.json': { tasks: [{ ...base, deadline: '2023-02-29' }] } });
    const { errors } = buildTasksBundle(dir, join(dir, 'docs'));
    expect(errors).toEqual(['a.json: tasks.0.deadline: is not a calendar date']);
  });

  it('writes the same bytes whatever the file order, with status open by default', () => {
    const build = (dir: string) => buildTasksBundle(dir, join(dir, 'docs'));
    const one = build(folder({ 'a.json': { tasks: [base] }, 'b.json': { tasks: [{ ...base, id: 'viec-0' }] } }));
    const two = build(folder({ 'z.json': { tasks: [base] }, 'a.json': { tasks: [{ ...base, id: 'viec-0' }] } }));
    expect(one.errors).toEqual([]);
    expect(one.content).toBe(two.content);
    expect(JSON.parse(one.content!).tasks.map((t: { id: string; status: string }) => `${t.id}:${t.status}`)).toEqual(['viec-0:open', 'viec-a:open']);
  });
});
