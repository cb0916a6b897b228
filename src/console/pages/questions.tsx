/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/questions
 * Câu hỏi: the most asked and the unanswered questions over a range of days, the answers that got
 * 👎 with the reply that was given, and the questions themselves filtered by channel, intent,
 * outcome and vote, 👎 first: all from one GET /admin/stats call, as a script would make it.
 * Every text is as analytics keeps it: masked, tied to no one. From a question, one click opens
 * Tài liệu with it kept: to add the document that answers it, or to try it again in the tester.
 */
import type { ListedQuestion, StatsReport, TopQuestion } from '../../analytics/report';
import { REPLY_WAIT_DAYS } from '../../analytics/questions';
import { addDays, isIsoDay, vnDay } from '../../core/vn-time';
import type { PageContext } from '../deps';
import { count, DateRangeFields, FilterSelect, Table, vnDateTime, type Notice, type View } from '../view';

const DEFAULT_DAYS = 7;
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

  const params = new URLSearchParams({ from, to, top: '20', list: String(MAX_LISTED) });
  if (channel) params.set('channel', channel);
  if (intent) params.set('intent', intent);
  if (outcome) params.set('outcome', outcome);
  const stats = await api.get<StatsReport>(`/stats?${params}`);
  if (!stats.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: stats.error });
  const report = stats.ok ? stats.data : null;
  const listed: ListedQuestion[] = report?.questions ?? [];
  const intents = Object.keys(report?.byIntent ?? {}).sort();

  const body = (
    <>
      <form method="get" action="/console/questions" class="card">
        <div class="row">
          <DateRangeFields fromLabel={t('console-from')} toLabel={t('console-to')} from={from} to={to} />
          <FilterSelect
            id="channel"
            label={t('console-channel')}
            all={t('console-all')}
            value={channel}
            options={CHANNELS.map((c) => ({ value: c, label: t(`console-channel-${c}`) }))}
          />
          <FilterSelect id="intent" label={t('console-intent')} all={t('console-all')} value={intent} options={intents.map((i) => ({ value: i, label: i }))} />
          <FilterSelect
            id="outcome"
            label={t('console-outcome')}
            all={t('console-all')}
            value={outcome}
            options={[
              { value: 'unanswered', label: t('console-unanswered') },
              { value: 'down', label: t('console-voted-down') },
            ]}
          />
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

      <h2>{t('console-downvoted')}</h2>
      <p class="muted">{t('console-downvoted-hint', { n: REPLY_WAIT_DAYS })}</p>
      {(report?.downvoted ?? []).length === 0 ? (
        <p class="muted">{t('console-none')}</p>
      ) : (
        <div>
          {report!.downvoted.map((d) => (
            <article class="card">
              <p>
                <strong>{d.question}</strong>
                <br />
                <span class="muted">
                  {vnDateTime(d.at)} · {t(`console-channel-${d.channel}`)} · {d.intent}
                </span>
              </p>
              <Reply v={v} reply={d.reply} />
              <p>
                <Actions v={v} text={d.question} />
              </p>
            </article>
          ))}
        </div>
      )}

      <h2>{t('console-question-list')}</h2>
      <p class="muted">{t('console-question-list-hint')}</p>
      <Table
        label={t('console-question-list')}
        columns={[t('console-when'), t('console-question'), t('console-channel'), t('console-intent'), t('console-outcome'), t('console-actions')]}
        empty={t('console-none')}
        rows={listed}
        row={(q) => (
          <tr>
            <td>{vnDateTime(q.at)}</td>
            <td>
              {q.text}
              {q.vote === 'down' ? (
                <details>
                  <summary>{t('console-reply-given')}</summary>
                  <Reply v={v} reply={q.reply ?? null} />
                </details>
              ) : null}
            </td>
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
        )}
      />
    </>
  );
  return { title: t('console-nav-questions'), body, notices };
}

/** The reply that got 👎, as kept (masked), or why it is not there. */
const Reply = ({ v, reply }: { v: View; reply: string | null }) =>
  reply === null ? (
    <p class="muted">{v.t('console-reply-not-kept', { n: REPLY_WAIT_DAYS })}</p>
  ) : (
    <blockquote aria-label={v.t('console-reply-given')}>{reply}</blockquote>
  );

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

const TopTable = ({ v, rows, label, withActions }: { v: View; rows: TopQuestion[]; label: string; withActions?: boolean }) => (
  <Table
    label={label}
    columns={[v.t('console-question'), { label: v.t('console-times'), num: true }, { label: v.t('console-unanswered'), num: true }, v.t('console-last-asked'), ...(withActions ? [v.t('console-actions')] : [])]}
    empty={v.t('console-none')}
    rows={rows}
    row={(r) => (
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
    )}
  />
);
