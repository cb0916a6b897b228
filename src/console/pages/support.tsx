/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/support
 * Hỗ trợ: conversations a citizen handed to a person (/admin/handoffs). The inbox lists the open
 * and taken ones, oldest first, each with its channel, waiting time, a mark when it waited past
 * the target in working hours, and its last masked turns; one conversation's page shows the
 * whole (masked) transcript with the take, reply and close forms. The stats (opened per day,
 * time to the first human reply) close the inbox. Everything goes through the admin API, so a
 * click is audited with the operator's name like a script's call.
 */
import type { Child } from 'hono/jsx';
import type { PageContext } from '../deps';
import type { T, View } from '../view';
import { CsrfField, Table, count, vnDate, vnDateTime, type Notice } from '../view';

/** Longest reply the form takes: the admin API's limit (MAX_REPLY_CHARS). */
const MAX_REPLY = 4000;
/** Turns shown per conversation in the inbox; the conversation page shows all. */
const RECENT_TURNS = 3;
/** Conversations whose turns the inbox fetches (one request each); the rest are listed bare. */
const WITH_TURNS = 30;

interface HandoffView {
  id: string;
  channel: 'telegram' | 'zalo' | 'web';
  status: 'open' | 'taken' | 'closed';
  reason: 'asked' | 'offered';
  openedAt: string;
  waitingSeconds: number;
  overdue: boolean;
  assignee: string | null;
  takenAt: string | null;
  firstReplyAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
}

interface MessageView {
  from: 'citizen' | 'assistant' | 'operator' | 'system';
  text: string;
  at: number;
  operator?: string;
  undelivered?: boolean;
}

interface StatsView {
  opened: number;
  perDay: Array<{ day: string; count: number }>;
  firstReply: { count: number; medianSeconds: number | null; p90Seconds: number | null };
}

export interface SupportResult {
  title: string;
  body: Child;
  notices: Notice[];
  status?: number;
}

/** The status marks use the stylesheet's existing colours (each meets contrast on white text). */
const STATUS_CLASS: Record<HandoffView['status'], string> = { open: 'open', taken: 'used', closed: 'cancelled' };

/** 45 giây, 12 phút, 2 giờ 5 phút, 3 ngày 2 giờ. */
export function duration(seconds: number | null | undefined, t: T): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('console-support-seconds', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('console-support-minutes', { m });
  const h = Math.floor(m / 60);
  if (h < 24) return t('console-support-hours', { h, m: m % 60 });
  return t('console-support-days', { d: Math.floor(h / 24), h: h % 24 });
}

const path = (id: string) => `/console/support/${encodeURIComponent(id)}`;

const StatusMark = ({ h, t }: { h: HandoffView; t: T }) => (
  <>
    <span class={`status ${STATUS_CLASS[h.status]}`}>{t(`console-support-status-${h.status}`)}</span>
    {h.overdue ? (
      <>
        {' '}
        <span class="status off_track" data-overdue="true">
          {t('console-support-overdue')}
        </span>
      </>
    ) : null}
  </>
);

function who(m: MessageView, t: T): string {
  if (m.from === 'operator') return t('console-support-from-operator', { name: m.operator ?? '?' });
  return t(`console-support-from-${m.from}`);
}

const Turns = ({ messages, t }: { messages: MessageView[]; t: T }) => (
  <ol class="hits" data-transcript="true">
    {messages.map((m) => (
      <li data-from={m.from}>
        <strong>{who(m, t)}</strong> <span class="muted">{vnDateTime(new Date(m.at).toISOString())}</span>
        {m.undelivered ? (
          <>
            {' '}
            <span class="status off_track">{t('console-support-undelivered')}</span>
          </>
        ) : null}
        <blockquote>{m.text}</blockquote>
      </li>
    ))}
  </ol>
);

const TakeForm = ({ h, v }: { h: HandoffView; v: View }) =>
  h.status !== 'closed' && h.assignee !== v.operator ? (
    <form method="post" action={`${path(h.id)}/take`} class="inline">
      <CsrfField v={v} />
      <button type="submit" class="secondary" aria-label={v.t('console-support-take-named', { id: h.id.slice(0, 8) })}>
        {v.t('console-support-take')}
      </button>
    </form>
  ) : null;

const CloseForm = ({ h, v }: { h: HandoffView; v: View }) =>
  h.status !== 'closed' ? (
    <form method="post" action={`${path(h.id)}/close`} class="inline">
      <CsrfField v={v} />
      <button type="submit" class="danger" aria-label={v.t('console-support-close-named', { id: h.id.slice(0, 8) })}>
        {v.t('console-support-close')}
      </button>
    </form>
  ) : null;

/** The inbox: open and taken conversations oldest first, then the stats. */
export async function supportPage(ctx: PageContext, extra: { notices?: Notice[] } = {}): Promise<SupportResult> {
  const { v, api } = ctx;
  const { t, locale } = v;
  const notices: Notice[] = [...(extra.notices ?? [])];
  const [open, taken, stats] = await Promise.all([
    api.get<{ handoffs: HandoffView[] }>('/handoffs?status=open'),
    api.get<{ handoffs: HandoffView[] }>('/handoffs?status=taken'),
    api.get<StatsView & { from: string; to: string }>('/handoffs/stats'),
  ]);
  for (const r of [open, taken, stats]) if (!r.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: r.error });
  const active = [...(open.ok ? open.data.handoffs : []), ...(taken.ok ? taken.data.handoffs : [])].sort(
    (a, b) => a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id),
  );
  const transcripts = await Promise.all(
    active.slice(0, WITH_TURNS).map((h) => api.get<{ messages: MessageView[] }>(`/handoffs/${encodeURIComponent(h.id)}`)),
  );
  const recent = (i: number) =>
    (transcripts[i]?.ok ? transcripts[i]!.data.messages : []).filter((m) => m.from !== 'system').slice(-RECENT_TURNS);
  const overdue = active.filter((h) => h.overdue).length;
  const s = stats.ok ? stats.data : undefined;

  const body = (
    <>
      <p class="muted">{t('console-support-intro')}</p>
      <ul class="tiles">
        <li>
          <span class="label">{t('console-support-waiting')}</span>
          <span class="value" data-count="active">
            {count(active.length, locale)}
          </span>
        </li>
        <li>
          <span class="label">{t('console-support-overdue-count')}</span>
          <span class="value" data-count="overdue">
            {count(overdue, locale)}
          </span>
        </li>
        <li>
          <span class="label">{t('console-support-first-median')}</span>
          <span class="value" data-stat="median">
            {duration(s?.firstReply.medianSeconds, t)}
          </span>
        </li>
        <li>
          <span class="label">{t('console-support-first-p90')}</span>
          <span class="value" data-stat="p90">
            {duration(s?.firstReply.p90Seconds, t)}
          </span>
        </li>
      </ul>

      <h2 id="inbox-h">{t('console-support-inbox')}</h2>
      {active.length === 0 ? (
        <p class="muted">{t('console-support-empty')}</p>
      ) : (
        <ol class="hits" aria-labelledby="inbox-h" id="inbox">
          {active.map((h, i) => (
            <li>
              <article class="card" data-handoff={h.id} aria-labelledby={`h-${h.id}`}>
                <h3 id={`h-${h.id}`}>
                  <a href={path(h.id)}>{t('console-support-conversation', { channel: t(`console-channel-${h.channel}`), at: vnDateTime(h.openedAt) })}</a>
                </h3>
                <p>
                  <StatusMark h={h} t={t} /> · {t('console-support-waited', { time: duration(h.waitingSeconds, t) })}
                  {h.assignee ? <> · {t('console-support-assignee', { name: h.assignee })}</> : null}
                  {h.reason === 'offered' ? <> · {t('console-support-reason-offered')}</> : null}
                </p>
                {i < WITH_TURNS ? <Turns messages={recent(i)} t={t} /> : null}
                <div class="row">
                  <a class="button secondary" href={path(h.id)}>
                    {t('console-support-open')}
                  </a>
                  <TakeForm h={h} v={v} />
                  <CloseForm h={h} v={v} />
                </div>
              </article>
            </li>
          ))}
        </ol>
      )}

      <h2 id="stats-h">{t('console-support-stats')}</h2>
      {s ? (
        <>
          <p class="muted">
            {t('console-support-stats-range', { from: vnDate(stats.data.from), to: vnDate(stats.data.to), opened: count(s.opened, locale), replied: count(s.firstReply.count, locale) })}
          </p>
          <Table
            label={t('console-support-per-day')}
            caption={t('console-support-per-day')}
            captionClass="muted"
            columns={[t('console-support-day'), { label: t('console-support-opened'), num: true }]}
            empty={t('console-none')}
            rows={s.perDay}
            row={(d) => (
              <tr>
                <td>{vnDate(d.day)}</td>
                <td class="num">{count(d.count, locale)}</td>
              </tr>
            )}
          />
        </>
      ) : null}
    </>
  );
  return { title: t('console-nav-support'), body, notices };
}

/** One conversation: its facts, the whole masked transcript, and the forms. */
export async function conversationPage(ctx: PageContext, id: string, extra: { notices?: Notice[]; draft?: string; status?: number } = {}): Promise<SupportResult> {
  const { v, api } = ctx;
  const { t } = v;
  const notices: Notice[] = [...(extra.notices ?? [])];
  const res = await api.get<{ handoff: HandoffView; messages: MessageView[] }>(`/handoffs/${encodeURIComponent(id)}`);
  if (!res.ok) {
    notices.push({ kind: 'error', text: res.status === 404 ? t('console-support-not-found') : t('console-failed'), detail: res.error });
    return {
      title: t('console-support-title'),
      body: (
        <p>
          <a href="/console/support">{t('console-support-back')}</a>
        </p>
      ),
      notices,
      status: res.status === 404 ? 404 : 500,
    };
  }
  const { handoff: h, messages } = res.data;
  const channel = t(`console-channel-${h.channel}`);
  const body = (
    <>
      <p>
        <a href="/console/support">{t('console-support-back')}</a>
      </p>
      <section class="card" aria-labelledby="facts-h">
        <h2 id="facts-h">{t('console-support-conversation', { channel, at: vnDateTime(h.openedAt) })}</h2>
        <dl class="facts">
          <dt>{t('console-task-status')}</dt>
          <dd data-status={h.status}>
            <StatusMark h={h} t={t} />
          </dd>
          <dt>{t('console-channel')}</dt>
          <dd>{channel}</dd>
          <dt>{t('console-support-opened-at')}</dt>
          <dd>{vnDateTime(h.openedAt)}</dd>
          <dt>{t('console-support-wait')}</dt>
          <dd>{duration(h.waitingSeconds, t)}</dd>
          <dt>{t('console-support-assignee-label')}</dt>
          <dd data-assignee={h.assignee ?? ''}>{h.assignee ?? '—'}</dd>
          <dt>{t('console-support-first-reply')}</dt>
          <dd>{vnDateTime(h.firstReplyAt)}</dd>
          {h.closedAt ? (
            <>
              <dt>{t('console-support-closed-at')}</dt>
              <dd>
                {vnDateTime(h.closedAt)} ({h.closedBy === 'citizen' ? t('console-support-from-citizen') : h.closedBy})
              </dd>
            </>
          ) : null}
        </dl>
        <div class="row">
          <TakeForm h={h} v={v} />
          <CloseForm h={h} v={v} />
        </div>
      </section>

      <h2 id="transcript-h">{t('console-support-transcript')}</h2>
      <p class="muted">{t('console-support-masked')}</p>
      {messages.length ? <Turns messages={messages} t={t} /> : <p class="muted">{t('console-none')}</p>}

      {h.status !== 'closed' ? (
        <section class="card" aria-labelledby="reply-h">
          <h2 id="reply-h">{t('console-support-reply')}</h2>
          <form method="post" action={`${path(h.id)}/reply`} class="stack">
            <CsrfField v={v} />
            <div class="field">
              <label for="reply-text">
                {t('console-support-reply-label')} <span class="hint">{t('console-support-reply-hint', { channel, max: count(MAX_REPLY, v.locale) })}</span>
              </label>
              <textarea id="reply-text" name="text" required maxlength={MAX_REPLY}>
                {extra.draft ?? ''}
              </textarea>
            </div>
            <div>
              <button type="submit">{t('console-support-send')}</button>
            </div>
          </form>
        </section>
      ) : null}
    </>
  );
  return { title: t('console-support-title'), body, notices, ...(extra.status ? { status: extra.status } : {}) };
}
