/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/tasks
 * Nhiệm vụ: reform tasks by unit with their deadlines and days left (GET /admin/tasks), add one
 * (POST), extend its deadline or close it (PUT /admin/tasks/:id), and the reminder runs with
 * their counts (GET /admin/jobs?job=reminders). Forms post to the console, which calls the
 * admin API with the operator's token.
 */
import type { Task } from '../../tasks/schema';
import type { Unit } from '../../tasks/repository';
import type { JobRecord } from '../../jobs/history';
import { daySpan, vnDay } from '../../core/vn-time';
import type { PageContext } from '../deps';
import { CsrfField, FilterSelect, Table, vnDate, vnDateTime, type Notice } from '../view';

const STATUSES = ['open', 'done', 'cancelled'] as const;
const REMINDERS_JOB = 'reminders';

export async function tasksPage(ctx: PageContext, extra: { notices?: Notice[] } = {}) {
  const { v, api, deps, query } = ctx;
  const { t } = v;
  const notices: Notice[] = [...(extra.notices ?? [])];
  const status = STATUSES.find((s) => s === (query('status') ?? 'open'));
  const unit = query('unit') || undefined;
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  const [tasks, runs] = await Promise.all([
    api.get<{ tasks: Task[]; units: Unit[] }>(`/tasks${params.size ? `?${params}` : ''}`),
    api.get<{ runs: JobRecord[]; totals: Record<string, Record<string, number>> }>(`/jobs?job=${REMINDERS_JOB}&limit=30`),
  ]);
  if (!tasks.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: tasks.error });
  const all = tasks.ok ? tasks.data.tasks : [];
  const units = tasks.ok ? tasks.data.units : [];
  const today = vnDay(deps.now());
  const groups = units
    .filter((u) => !unit || u.id === unit)
    .map((u) => ({ unit: u, tasks: all.filter((x) => x.unit === u.id) }))
    .filter((g) => g.tasks.length > 0);
  const statusQuery = status ? `status=${status}&` : '';

  const body = (
    <>
      <form method="get" action="/console/tasks" class="card row">
        <div class="field">
          <label for="status">{t('console-task-status')}</label>
          <select id="status" name="status">
            {STATUSES.map((s) => (
              <option value={s} selected={s === status}>
                {t(`console-task-${s}`)}
              </option>
            ))}
          </select>
        </div>
        <FilterSelect
          id="unit"
          label={t('console-task-unit')}
          all={t('console-all')}
          value={unit}
          options={units.map((u) => ({ value: u.id, label: t('console-task-unit-option', { name: u.name, open: u.open }) }))}
        />
        <button type="submit">{t('console-filter')}</button>
      </form>

      {groups.length === 0 ? <p class="muted">{t('console-none')}</p> : null}
      {groups.map((g) => (
        <section class="card" aria-labelledby={`unit-${g.unit.id}`}>
          <h2 id={`unit-${g.unit.id}`}>
            {g.unit.name} <span class="muted">({t('console-task-open-count', { n: g.unit.open })})</span>
          </h2>
          <Table
            label={g.unit.name}
            columns={[t('console-task'), t('console-task-deadline'), t('console-task-status'), t('console-actions')]}
            rows={g.tasks}
            row={(task) => {
              const left = daySpan(today, task.deadline) - 1;
              const id = `${task.id}`;
              return (
                <tr id={`task-${id}`}>
                  <td>
                    {task.title}
                    <div class="muted">
                      {task.source.outlet}, {vnDate(task.source.date)}
                    </div>
                  </td>
                  <td>
                    {vnDate(task.deadline)}
                    <div class="muted">
                      {task.status !== 'open'
                        ? ''
                        : left >= 0
                          ? t('console-task-days-left', { n: left })
                          : t('console-task-overdue', { n: daySpan(task.deadline, today) - 1 })}
                    </div>
                  </td>
                  <td>
                    <span class={`status ${task.status}`}>{t(`console-task-${task.status}`)}</span>
                  </td>
                  <td>
                    {task.status === 'open' ? (
                      <>
                        <form method="post" action={`/console/tasks/${encodeURIComponent(id)}?${statusQuery}`} class="row">
                          <CsrfField v={v} />
                          <input type="hidden" name="action" value="extend" />
                          <div class="field">
                            <label for={`deadline-${id}`}>{t('console-task-new-deadline')}</label>
                            <input id={`deadline-${id}`} name="deadline" type="date" required value={task.deadline} />
                          </div>
                          <button type="submit" class="secondary">
                            {t('console-task-extend')}
                          </button>
                        </form>
                        <form method="post" action={`/console/tasks/${encodeURIComponent(id)}?${statusQuery}`} class="inline">
                          <CsrfField v={v} />
                          <input type="hidden" name="action" value="close" />
                          <button type="submit" aria-label={t('console-task-close-named', { title: task.title.slice(0, 80) })}>
                            {t('console-task-close')}
                          </button>
                        </form>
                      </>
                    ) : (
                      <form method="post" action={`/console/tasks/${encodeURIComponent(id)}?${statusQuery}`} class="inline">
                        <CsrfField v={v} />
                        <input type="hidden" name="action" value="reopen" />
                        <button type="submit" class="secondary">
                          {t('console-task-reopen')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            }}
          />
        </section>
      ))}

      <section class="card" aria-labelledby="add-h">
        <h2 id="add-h">{t('console-task-add')}</h2>
        <form method="post" action="/console/tasks" class="stack">
          <CsrfField v={v} />
          <div class="field">
            <label for="title">{t('console-task-title')}</label>
            <input id="title" name="title" type="text" required minlength={5} maxlength={400} />
          </div>
          <div class="field">
            <label for="owner">
              {t('console-task-owner')} <span class="hint">{t('console-task-owner-hint')}</span>
            </label>
            <input id="owner" name="owner" type="text" required minlength={2} maxlength={200} list="owners" />
            <datalist id="owners">
              {units.map((u) => (
                <option value={u.name} />
              ))}
            </datalist>
          </div>
          <div class="field">
            <label for="deadline">{t('console-task-deadline')}</label>
            <input id="deadline" name="deadline" type="date" required />
          </div>
          <div class="field">
            <label for="source-title">{t('console-task-source-title')}</label>
            <input id="source-title" name="sourceTitle" type="text" required minlength={3} maxlength={300} />
          </div>
          <div class="row">
            <div class="field">
              <label for="source-outlet">{t('console-task-source-outlet')}</label>
              <input id="source-outlet" name="sourceOutlet" type="text" required minlength={2} maxlength={160} />
            </div>
            <div class="field">
              <label for="source-date">{t('console-task-source-date')}</label>
              <input id="source-date" name="sourceDate" type="date" required />
            </div>
          </div>
          <div>
            <button type="submit">{t('console-task-add-button')}</button>
          </div>
        </form>
      </section>

      <h2>{t('console-reminder-runs')}</h2>
      {runs.ok && runs.data.runs.length > 0 ? (
        <>
          <p class="muted">
            {Object.entries(runs.data.totals[REMINDERS_JOB] ?? {})
              .map(([k, n]) => `${k}: ${n}`)
              .join(' · ')}
          </p>
          <Table
            label={t('console-reminder-runs')}
            columns={[t('console-when'), t('console-outcome'), t('console-counts')]}
            rows={runs.data.runs.slice().reverse()}
            row={(r) => (
              <tr>
                <td>{vnDateTime(r.at)}</td>
                <td>{r.ok ? t('console-run-ok') : t('console-run-failed')}</td>
                <td>{Object.entries(r.counts).map(([k, n]) => `${k}: ${n}`).join(', ')}</td>
              </tr>
            )}
          />
        </>
      ) : (
        <p class="muted">{t('console-no-runs')}</p>
      )}
    </>
  );
  return { title: t('console-nav-tasks'), body, notices };
}
