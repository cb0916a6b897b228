/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/audit
 * Nhật ký: who did what and when (GET /admin/audit), newest first, over a range of days. Console
 * actions are there under the operator's own name, beside those of scripts.
 */
import type { AuditEntry } from '../../admin/audit';
import { addDays, dayStart, isIsoDay, vnDay } from '../../core/vn-time';
import type { PageContext } from '../deps';
import { DateRangeFields, FilterSelect, Table, vnDateTime, type Notice } from '../view';

const DEFAULT_DAYS = 7;

export async function auditPage(ctx: PageContext) {
  const { v, api, deps, query } = ctx;
  const { t } = v;
  const notices: Notice[] = [];
  const today = vnDay(deps.now());
  let to = isIsoDay(query('to') ?? '') ? query('to')! : today;
  let from = isIsoDay(query('from') ?? '') ? query('from')! : addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) [from, to] = [to, from];
  const actor = query('actor')?.slice(0, 64) || undefined;
  // Whole Vietnamese days: from 00:00 of the first to the last moment of the last.
  const range = `from=${encodeURIComponent(dayStart(from).toISOString())}&to=${encodeURIComponent(new Date(dayStart(addDays(to, 1)).getTime() - 1).toISOString())}`;
  const res = await api.get<{ entries: AuditEntry[] }>(`/audit?${range}`);
  if (!res.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: res.error });
  const all = res.ok ? res.data.entries : [];
  const actors = [...new Set(all.map((e) => e.actor))].sort();
  const entries = all.filter((e) => !actor || e.actor === actor).reverse();

  const body = (
    <>
      <form method="get" action="/console/audit" class="card row">
        <DateRangeFields fromLabel={t('console-from')} toLabel={t('console-to')} from={from} to={to} />
        <FilterSelect id="actor" label={t('console-audit-actor')} all={t('console-all')} value={actor} options={actors.map((a) => ({ value: a, label: a }))} />
        <button type="submit">{t('console-filter')}</button>
      </form>
      <Table
        label={t('console-nav-audit')}
        columns={[t('console-when'), t('console-audit-actor'), t('console-audit-action'), t('console-audit-target'), t('console-audit-detail')]}
        empty={t('console-none')}
        rows={entries}
        row={(e) => (
          <tr>
            <td>{vnDateTime(e.at)}</td>
            <td>{e.actor}</td>
            <td>{e.action}</td>
            <td>{e.target ?? ''}</td>
            <td>
              <code>{e.detail ? JSON.stringify(e.detail) : ''}</code>
            </td>
          </tr>
        )}
      />
    </>
  );
  return { title: t('console-nav-audit'), body, notices };
}
