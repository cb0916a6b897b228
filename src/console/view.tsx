/** @jsxImportSource hono/jsx */
/**
 * @module console/view
 * What every console page shares: the page shell (skip link, header with the operator and
 * sign-out, the navigation in the order, main), notices, the CSRF field every form
 * carries, and dates written the Vietnamese way in Asia/Ho_Chi_Minh. Every text comes from
 * prompts/<locale>/console.json through `t`.
 */
import type { Child, FC } from 'hono/jsx';
import type { Locale } from '../core/types';
import type { Texts } from '../core/texts';

/** The navigation, in the order and with the labels the console is specified with. */
export const PAGES = [
  { id: 'overview', path: '/console' },
  { id: 'questions', path: '/console/questions' },
  { id: 'knowledge', path: '/console/knowledge' },
  { id: 'kpis', path: '/console/kpis' },
  { id: 'tasks', path: '/console/tasks' },
  { id: 'people', path: '/console/people' },
  { id: 'support', path: '/console/support' },
  { id: 'audit', path: '/console/audit' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

export type T = (key: string, vars?: Record<string, string | number>) => string;

/** The request as a page sees it. */
export interface View {
  locale: Locale;
  t: T;
  /** The signed-in operator; absent on the sign-in page. */
  operator?: string;
  /** The CSRF token every form carries. */
  csrf: string;
  /** This request's path and query, for the language switch to come back to. */
  here: string;
}

export function translator(texts: Texts, locale: Locale): T {
  return (key, vars) => texts.get(locale, key, vars);
}

export const CsrfField: FC<{ v: View }> = ({ v }) => <input type="hidden" name="_csrf" value={v.csrf} />;

export type NoticeKind = 'ok' | 'error' | 'warn';
export interface Notice {
  kind: NoticeKind;
  text: string;
  /** The API's own words (English), kept for whoever reads logs or scripts against it. */
  detail?: string;
}

export const Notices: FC<{ notices: Notice[]; v: View }> = ({ notices, v }) => (
  <>
    {notices.map((n) => (
      <div class={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
        <p>{n.text}</p>
        {n.detail ? (
          <p class="hint">
            {v.t('console-api-said')} <span lang="en">{n.detail}</span>
          </p>
        ) : null}
      </div>
    ))}
  </>
);

export const Layout: FC<{ v: View; page: PageId; title: string; notices?: Notice[]; children?: Child }> = ({ v, page, title, notices, children }) => {
  const other: Locale = v.locale === 'vi' ? 'en' : 'vi';
  return (
    <html lang={v.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${v.t('console-title')}`}</title>
        <link rel="stylesheet" href="/console/console.css" />
        <link rel="icon" href="data:," />
      </head>
      <body>
        <a class="skip" href="#main">
          {v.t('console-skip')}
        </a>
        <header class="top">
          <a class="brand" href="/console">
            {v.t('console-title')}
          </a>
          <a href={`/console/lang?to=${other}&back=${encodeURIComponent(v.here)}`} lang={other} hreflang={other}>
            {v.t('console-other-language')}
          </a>
          {v.operator ? (
            <>
              <span class="who">{v.t('console-signed-in-as', { name: v.operator })}</span>
              <form method="post" action="/console/signout">
                <CsrfField v={v} />
                <button type="submit">{v.t('console-signout')}</button>
              </form>
            </>
          ) : null}
        </header>
        <div class="shell">
          <nav class="pages" aria-label={v.t('console-nav')}>
            <ul>
              {PAGES.map((p) => (
                <li>
                  <a href={p.path} aria-current={p.id === page ? 'page' : undefined}>
                    {v.t(`console-nav-${p.id}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <main id="main" tabindex={-1}>
            <h1>{title}</h1>
            <Notices notices={notices ?? []} v={v} />
            {children}
          </main>
        </div>
      </body>
    </html>
  );
};

/** A table that scrolls sideways on its own on a phone, reachable and named for the keyboard. */
export const Scroll: FC<{ label: string; children?: Child }> = ({ label, children }) => (
  <div class="scroll" role="region" aria-label={label} tabindex={0}>
    {children}
  </div>
);

/**
 * A filter's drop-down: its label, an empty first choice (`all`: no filter) and the choices, the
 * one in force selected.
 */
export const FilterSelect: FC<{ id: string; label: string; all: string; value?: string; options: ReadonlyArray<{ value: string; label: string }> }> = ({
  id,
  label,
  all,
  value,
  options,
}) => (
  <div class="field">
    <label for={id}>{label}</label>
    <select id={id} name={id}>
      <option value="">{all}</option>
      {options.map((o) => (
        <option value={o.value} selected={o.value === value}>
          {o.label}
        </option>
      ))}
    </select>
  </div>
);

/** A filter's date range: two date fields named from and to. */
export const DateRangeFields: FC<{ fromLabel: string; toLabel: string; from?: string; to?: string }> = ({ fromLabel, toLabel, from, to }) => (
  <>
    <div class="field">
      <label for="from">{fromLabel}</label>
      <input id="from" name="from" type="date" value={from} />
    </div>
    <div class="field">
      <label for="to">{toLabel}</label>
      <input id="to" name="to" type="date" value={to} />
    </div>
  </>
);

/** An upload form's buttons: each submits the form with its own `mode` (a look first, then the write). */
export const ModeButtons: FC<{ buttons: ReadonlyArray<{ mode: string; label: string }> }> = ({ buttons }) => (
  <div class="row">
    {buttons.map((b, i) => (
      <button type="submit" name="mode" value={b.mode} class={i > 0 ? 'secondary' : undefined}>
        {b.label}
      </button>
    ))}
  </div>
);

/** A column heading; `num` right-aligns a column of numbers. */
export type Column = string | { label: string; num: true };

/**
 * The console's table: column headings with scope="col" inside a Scroll named `label`, one row
 * per item. With `empty`, no items show that text (muted) instead of an empty table.
 */
export function Table<R>(props: {
  label: string;
  columns: Column[];
  rows: readonly R[];
  row: (item: R) => Child;
  empty?: string;
  caption?: string;
  captionClass?: string;
}) {
  const { label, columns, rows, row, empty, caption, captionClass } = props;
  if (empty !== undefined && rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <Scroll label={label}>
      <table>
        {caption === undefined ? null : <caption class={captionClass}>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th scope="col">{c}</th>
              ) : (
                <th scope="col" class="num">
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{rows.map(row)}</tbody>
      </table>
    </Scroll>
  );
}

const VN_OFFSET_MS = 7 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** 30/9/2023 for an ISO day or instant, in Asia/Ho_Chi_Minh. */
export function vnDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return `${+iso.slice(8, 10)}/${+iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + VN_OFFSET_MS);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`;
}

/** 30/9/2023 08:05 in Asia/Ho_Chi_Minh. */
export function vnDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + VN_OFFSET_MS);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 85,5% the Vietnamese way (a decimal comma), 85.5% in English. */
export function percent(ratio: number | null | undefined, locale: Locale): string {
  if (ratio === null || ratio === undefined) return '—';
  const text = (Math.round(ratio * 1000) / 10).toString();
  return `${locale === 'vi' ? text.replace('.', ',') : text}%`;
}

/** 1.234.567 the Vietnamese way, 1,234,567 in English. */
export function count(n: number, locale: Locale): string {
  return n.toLocaleString(locale === 'vi' ? 'vi-VN' : 'en-US');
}
