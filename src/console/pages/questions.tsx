/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/questions
 * Câu hỏi: the most asked and the unanswered questions over a range of days (GET /admin/stats),
 * and the questions themselves filtered by channel, intent, outcome and vote, 👎 first. Every
 * text is as analytics keeps it: masked, tied to no one. From a question, one click opens Tài
 * liệu with it kept: to add the document that answers it, or to try it again in the search tester.
 */
import type { StatsReport, StoredQuestion, TopQuestion } from '../../analytics/report';
import { readDay } from '../../analytics/questions';
import { aggregate } from '../../analytics/report';
import { addDays, daySpan, isIsoDay, vnDay } from '../../core/vn-time';
import type { PageContext } from '../deps';
import { count, Scroll, vnDateTime, type Notice, type View } from '../view';

const DEFAULT_DAYS = 7;
/** The list of single questions reads each day whole: a month at most. */
const MAX_LIST_DAYS = 31;
const MAX_LISTED = 200;
const CHANNELS = ['telegram', 'zalo', 'web'] as const;

export async function questionsPage(ctx: PageContext) {
  const { v, api, deps, locale, query } = ctx;
  const { t } = v;
  const notices: Notice[] = [];
  const today = vnDay(deps.now());
  let to = isIsoDay(query('to') ?? '') ? query('to')! : today;
  let from = isIsoDay(query('from') ?? '') ? query('from')! : addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) [from, to] = [to, from];
  const channel = CHANNELS.find((c) => c === query('channel'));
  const intent = query('intent')?.slice(0, 40) || undefined;
  const outcome = query('outcome') === 'unanswered' || query('outcome') === 'down' ? query('outcome') : undefined;

  const stats = await api.get<StatsReport>(`/stats?from=${from}&to=${to}&top=20`);
  if (!stats.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: stats.error });
  let report: Omit<StatsReport, 'from' | 'to'> | null = stats.ok ? stats.data : null;

  // The single questions: analytics as stored (masked). The stats API gives aggregates only.
  let listed: Array<StoredQuestion & { vote?: 'up' | 'down' }> = [];
  const listFrom = daySpan(from, to) > MAX_LIST_DAYS ? addDays(to, -(MAX_LIST_DAYS - 1)) : from;
  if (listFrom !== from) notices.push({ kind: 'warn', text: t('console-list-capped', { n: MAX_LIST_DAYS }) });
  try {
    const days = [];
    for (let d = listFrom; d <= to; d = addDays(d, 1)) days.push(d);
    const read = await Promise.all(days.map((d) => readDay(deps.store, d)));
    // A channel or intent filter: the same aggregation the stats API runs, over the matching questions.
    if (channel || intent) {
      const only = (q: StoredQuestion) => (!channel || q.channel === channel) && (!intent || q.intent === intent);
      const intents = report?.byIntent ?? {};
      report = { ...aggregate(read.map((d) => ({ ...d, questions: d.questions.filter(only) })), { top: 20 }), byIntent: intents };
    }
    listed = read
      .flatMap((d) => d.questions.map((q) => ({ ...q, vote: d.feedback[q.id] })))
      .filter((q) => (!channel || q.channel === channel) && (!intent || q.intent === intent))
      .filter((q) => (outcome === 'unanswered' ? !q.found : outcome === 'down' ? q.vote === 'down' : true))
      .sort((a, b) => Number(b.vote === 'down') - Number(a.vote === 'down') || b.at - a.at)
      .slice(0, MAX_LISTED);
  } catch {
    notices.push({ kind: 'error', text: t('console-store-down') });
  }
  const intents = Object.keys(report?.byIntent ?? {}).sort();

  const body = (
    <>
      <form method="get" action="/console/questions" class="card">
        <div class="row">
          <div class="field">
            <label for="from">{t('console-from')}</label>
            <input id="from" name="from" type="date" value={from} />
          </div>
          <div class="field">
            <label for="to">{t('console-to')}</label>
            <input id="to" name="to" type="date" value={to} />
          </div>
          <div class="field">
            <label for="channel">{t('console-channel')}</label>
            <select id="channel" name="channel">
              <option value="">{t('console-all')}</option>
              {CHANNELS.map((c) => (
                <option value={c} selected={c === channel}>
                  {t(`console-channel-${c}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="intent">{t('console-intent')}</label>
            <select id="intent" name="intent">
              <option value="">{t('console-all')}</option>
              {intents.map((i) => (
                <option value={i} selected={i === intent}>
                  {i}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="outcome">{t('console-outcome')}</label>
            <select id="outcome" name="outcome">
              <option value="">{t('console-all')}</option>
              <option value="unanswered" selected={outcome === 'unanswered'}>
                {t('console-unanswered')}
              </option>
              <option value="down" selected={outcome === 'down'}>
                {t('console-voted-down')}
              </option>
            </select>
          </div>
          <button type="submit">{t('console-filter')}</button>
        </div>
      </form>

      {report ? (
        <ul class="tiles" aria-label={t('console-range-totals')}>
          <li>
            <span class="label">{t('console-questions')}</span>
            <span class="value">{count(report.totals.questions, locale)}</span>
          </li>
          <li>
            <span class="label">{t('console-unanswered')}</span>
            <span class="value">{count(report.totals.unanswered, locale)}</span>
          </li>
          <li>
            <span class="label">👍 / 👎</span>
            <span class="value">
              {count(report.feedback.up, locale)} / {count(report.feedback.down, locale)}
            </span>
          </li>
        </ul>
      ) : null}

      <h2>{t('console-unanswered-top')}</h2>
      <TopTable v={v} rows={report?.unanswered ?? []} label={t('console-unanswered-top')} withActions />

      <h2>{t('console-top-questions')}</h2>
      <TopTable v={v} rows={report?.topQuestions ?? []} label={t('console-top-questions')} />

      <h2>{t('console-question-list')}</h2>
      <p class="muted">{t('console-question-list-hint')}</p>
      {listed.length === 0 ? (
        <p class="muted">{t('console-none')}</p>
      ) : (
        <Scroll label={t('console-question-list')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('console-when')}</th>
                <th scope="col">{t('console-question')}</th>
                <th scope="col">{t('console-channel')}</th>
                <th scope="col">{t('console-intent')}</th>
                <th scope="col">{t('console-outcome')}</th>
                <th scope="col">{t('console-actions')}</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((q) => (
                <tr>
                  <td>{vnDateTime(new Date(q.at).toISOString())}</td>
                  <td>{q.text}</td>
                  <td>{t(`console-channel-${q.channel}`)}</td>
                  <td>{q.intent}</td>
                  <td>
                    {q.found ? t('console-answered') : t('console-unanswered')}
                    {q.vote ? ` · ${q.vote === 'up' ? '👍' : '👎'}` : ''}
                  </td>
                  <td>
                    <Actions v={v} text={q.text} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  );
  return { title: t('console-nav-questions'), body, notices };
}

const Actions = ({ v, text }: { v: View; text: string }) => {
  const q = encodeURIComponent(text);
  return (
    <>
      <a href={`/console/knowledge?q=${q}#documents`}>{v.t('console-add-document')}</a>
      {' · '}
      <a href={`/console/knowledge?q=${q}#tester`}>{v.t('console-try-again')}</a>
    </>
  );
};

const TopTable = ({ v, rows, label, withActions }: { v: View; rows: TopQuestion[]; label: string; withActions?: boolean }) =>
  rows.length === 0 ? (
    <p class="muted">{v.t('console-none')}</p>
  ) : (
    <Scroll label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">{v.t('console-question')}</th>
            <th scope="col" class="num">
              {v.t('console-times')}
            </th>
            <th scope="col" class="num">
              {v.t('console-unanswered')}
            </th>
            <th scope="col">{v.t('console-last-asked')}</th>
            {withActions ? <th scope="col">{v.t('console-actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>{r.text}</td>
              <td class="num">{r.count}</td>
              <td class="num">{r.unanswered}</td>
              <td>{vnDateTime(r.lastAt)}</td>
              {withActions ? (
                <td>
                  <Actions v={v} text={r.text} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
