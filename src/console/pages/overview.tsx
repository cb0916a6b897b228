/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/overview
 * Tổng quan: what is live (store, model, channels, the last scheduled runs), today's questions,
 * the answered share, 👍/👎, tokens spent of the day's budget, and two 30-day charts drawn on the
 * server (media/series-chart): questions per day by channel, and the answered share.
 */
import { raw } from 'hono/html';
import type { StatsReport } from '../../analytics/report';
import type { JobRun } from '../../jobs/job';
import { addDays, vnDay } from '../../core/vn-time';
import { budgetKey } from '../../llm/budget';
import { seriesChartSvg } from '../../media/series-chart';
import { describeError } from '../../log';
import type { PageContext } from '../deps';
import { count, percent, Table, vnDateTime, type Notice } from '../view';

const DAYS = 30;
const CHANNELS = ['telegram', 'zalo', 'web'] as const;

export async function overviewPage(ctx: PageContext) {
  const { v, api, deps, locale } = ctx;
  const { t } = v;
  const today = vnDay(deps.now());
  const days = Array.from({ length: DAYS }, (_, i) => addDays(today, i - (DAYS - 1)));
  const notices: Notice[] = [];
  // One stats call for the month: its perDay carries each day's split by channel.
  const [stats, jobs, tokens] = await Promise.all([
    api.get<StatsReport>(`/stats?from=${days[0]}&to=${today}&top=1`),
    api.get<{ last: Record<string, JobRun>; lastRun: string | null }>('/jobs?limit=1'),
    tokensSpent(ctx, today),
  ]);
  const byDay = new Map((stats.ok ? stats.data.perDay : []).map((d) => [d.day, d]));
  const reports = days.map((d) => byDay.get(d) ?? null);
  const storeUp = jobs.ok && stats.ok;
  if (!storeUp) notices.push({ kind: 'error', text: t('console-store-down'), detail: jobs.error ?? stats.error });

  const todayReport = reports[reports.length - 1];
  const month = stats.ok ? stats.data : null;
  const monthQuestions = month?.totals.questions ?? 0;
  const monthAnswered = month?.totals.answered ?? 0;
  const up = month?.feedback.up ?? 0;
  const down = month?.feedback.down ?? 0;
  const services = deps.services();
  const knowledge = deps.knowledge();

  const byChannel = CHANNELS.map((ch) => ({ name: t(`console-channel-${ch}`), values: reports.map((r) => (r ? (r.byChannel[ch] ?? 0) : null)) }));
  const barChart = seriesChartSvg(
    { title: t('console-chart-questions', { n: DAYS }), days, series: byChannel, unit: 'count', kind: 'bar' },
    { locale, texts: deps.texts, text: 'native' },
  );
  const shareChart = seriesChartSvg(
    {
      title: t('console-chart-answered', { n: DAYS }),
      days,
      series: [{ name: t('console-answered-share'), values: reports.map((r) => (r && r.questions > 0 ? (r.answered / r.questions) * 100 : null)) }],
      unit: 'percent',
      kind: 'line',
    },
    { locale, texts: deps.texts, text: 'native' },
  );

  const serviceRows: Array<[string, string]> = [
    [t('console-part-store'), `${String(services.store)} — ${storeUp ? t('console-live') : t('console-down')}`],
    [t('console-part-model'), String(services.model)],
    [t('console-channel-telegram'), services.telegram ? t('console-on') : t('console-off-short')],
    [t('console-channel-zalo'), services.zalo ? t('console-on') : t('console-off-short')],
    [t('console-channel-web'), t('console-on')],
    [t('console-part-knowledge'), t('console-knowledge-size', { documents: knowledge.documentCount, chunks: knowledge.size })],
  ];
  const lastRuns = jobs.ok ? Object.values(jobs.data.last) : [];

  const body = (
    <>
      <ul class="tiles" aria-label={t('console-today')}>
        <li>
          <span class="label">{t('console-questions-today')}</span>
          <span class="value">{todayReport ? count(todayReport.questions, locale) : '—'}</span>
        </li>
        <li>
          <span class="label">{t('console-answered-today')}</span>
          <span class="value">{percent(todayReport && todayReport.questions > 0 ? todayReport.answered / todayReport.questions : null, locale)}</span>
        </li>
        <li>
          <span class="label">{t('console-answered-month', { n: DAYS })}</span>
          <span class="value">{percent(monthQuestions ? monthAnswered / monthQuestions : null, locale)}</span>
        </li>
        <li>
          <span class="label">{t('console-votes', { n: DAYS })}</span>
          <span class="value">
            👍 {count(up, locale)} / 👎 {count(down, locale)}
          </span>
        </li>
        <li>
          <span class="label">{t('console-tokens')}</span>
          <span class="value">{tokens}</span>
        </li>
      </ul>

      <h2>{t('console-charts')}</h2>
      <div class="charts">
        <figure>
          {raw(barChart.svg)}
          <figcaption>{t('console-chart-questions-caption', { total: count(monthQuestions, locale) })}</figcaption>
        </figure>
        <figure>
          {raw(shareChart.svg)}
          <figcaption>{t('console-chart-answered-caption')}</figcaption>
        </figure>
      </div>

      <h2>{t('console-live-parts')}</h2>
      <dl class="facts card">
        {serviceRows.map(([k, val]) => (
          <>
            <dt>{k}</dt>
            <dd>{val}</dd>
          </>
        ))}
      </dl>

      <h2>{t('console-last-runs')}</h2>
      <Table
        label={t('console-last-runs')}
        columns={[t('console-job'), t('console-when'), t('console-outcome'), t('console-counts')]}
        empty={t('console-no-runs')}
        rows={lastRuns}
        row={(r) => (
          <tr>
            <td>{r.job}</td>
            <td>{vnDateTime(r.at)}</td>
            <td>{r.ok ? t('console-run-ok') : t('console-run-failed')}</td>
            <td>{Object.entries(r.counts).map(([k, n]) => `${k}: ${n}`).join(', ')}</td>
          </tr>
        )}
      />
    </>
  );
  return { title: t('console-nav-overview'), body, notices };
}

/** "12.345 / 2.000.000" of today's tokens, or why there is no figure. */
async function tokensSpent(ctx: PageContext, today: string): Promise<string> {
  const { deps, v, locale } = ctx;
  if (deps.dailyTokenBudget === undefined) return v.t('console-tokens-no-model');
  try {
    // The budget's own counter (llm/budget): no admin route reports it.
    const spent = Number((await deps.store.get(budgetKey(deps.now()))) ?? 0);
    return `${count(spent, locale)} / ${count(deps.dailyTokenBudget, locale)}`;
  } catch (e) {
    deps.log.warn('console: token counter unreadable', { day: today, error: describeError(e) });
    return '—';
  }
}
