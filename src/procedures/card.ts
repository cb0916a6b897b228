/**
 * @module procedures/card
 * Replies about procedures, built from a record and nothing else: the card (name, where, how
 * long, how much, whether it can be done online), one field answered directly (the fee, the
 * documents …), and the pick-list when several procedures match. Buttons carry
 * "/thutuc <id> <field>" so Telegram shows them as a keyboard and Zalo as numbered choices.
 * Every reply cites the record and reminds that fees and time limits must be confirmed on the
 * national portal; a fact the record does not hold is said to be missing, never filled in.
 */
import type { Block, Button, Citation, Locale, Reply } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import { FIELD_KEYS, type Field } from './intent';
import type { Channel, DocumentItem, Procedure } from './schema';
import type { ProcedureMatch } from './match';

export const INTENT = 'procedure';
const PORTAL_URL = 'https://dichvucong.gov.vn';
/** Notes shown on a card; the rest stay in the record (a card must fit one Zalo message). */
const MAX_NOTES = 3;

type T = (key: string, vars?: Record<string, string | number>) => string;

function translator(texts: Texts, locale: Locale): T {
  return (key, vars) => texts.get(locale, key, vars);
}

/** The summary card for one procedure. */
export function procedureCard(p: Procedure, texts: Texts, locale: Locale): Reply {
  const t = translator(texts, locale);
  const lines = [
    t('proc-where', { value: whereSummary(p, t) }),
    t('proc-time', { value: channelSummary(p.channels, 'timeLimit', t) ?? t('proc-none') }),
    t('proc-fee', { value: channelSummary(p.channels, 'fee', t) ?? t('proc-none') }),
    t('proc-online', { value: onlineSummary(p, t) }),
  ];
  const blocks: Block[] = [{ type: 'heading', text: p.name }];
  if (p.code) blocks.push({ type: 'text', text: t('proc-code', { code: p.code }) });
  blocks.push({ type: 'list', items: lines });
  if (p.notes.length) {
    blocks.push({ type: 'text', text: t('proc-notes') }, { type: 'list', items: p.notes.slice(0, MAX_NOTES) });
  }
  return finish(p, blocks, fieldButtons(p, t, undefined), texts, locale);
}

/** A direct answer to one or more fields ("làm căn cước mất bao lâu" → the time limit). */
export function fieldAnswer(p: Procedure, fields: readonly Field[], texts: Texts, locale: Locale): Reply {
  const t = translator(texts, locale);
  const blocks: Block[] = [];
  for (const field of fields) {
    blocks.push({ type: 'heading', text: t(`proc-field-${field}`, { name: p.name }) });
    blocks.push(...fieldBlocks(p, field, t));
  }
  return finish(p, blocks, fieldButtons(p, t, fields), texts, locale);
}

/** Several close matches: their names as a numbered list and one button each. */
export function pickList(matches: readonly ProcedureMatch[], fields: readonly Field[], texts: Texts, locale: Locale): Reply {
  const t = translator(texts, locale);
  const suffix = fields[0] ? ` ${FIELD_KEYS[fields[0]]}` : '';
  return {
    intent: INTENT,
    blocks: [
      { type: 'text', text: t('proc-pick-intro') },
      { type: 'list', ordered: true, items: matches.map((m) => m.procedure.name) },
    ],
    citations: [],
    buttons: matches.map((m) => [{ label: m.procedure.name, action: `/thutuc ${m.procedure.id}${suffix}` }]),
    found: true,
  };
}

export function notFound(texts: Texts, locale: Locale): Reply {
  return { intent: INTENT, blocks: [{ type: 'text', text: texts.get(locale, 'proc-not-found') }], citations: [], found: false };
}

export function emptyQuery(texts: Texts, locale: Locale): Reply {
  return { intent: INTENT, blocks: [{ type: 'text', text: texts.get(locale, 'proc-empty') }], citations: [], found: false };
}

/** The record as a citation: its name, how many sources it was compiled from, its as-of date. */
function procedureCitation(p: Procedure, texts: Texts, locale: Locale): Citation {
  return {
    id: p.id,
    title: p.name,
    source: texts.get(locale, 'proc-source', { count: p.sources.length }),
    date: p.asOf,
    url: p.portalUrl ?? p.sources.find((s) => s.url)?.url,
  };
}

function finish(p: Procedure, blocks: Block[], buttons: Button[][], texts: Texts, locale: Locale): Reply {
  const t = translator(texts, locale);
  const reminder: Block[] = [{ type: 'text', text: t('proc-reminder') }];
  if (!p.portalUrl) {
    const code = p.code ? t('proc-portal-code', { code: p.code }) : '';
    reminder.push({ type: 'text', text: t('proc-portal-search', { url: PORTAL_URL, code }) });
  }
  return {
    intent: INTENT,
    blocks: [...blocks, ...reminder],
    citations: [procedureCitation(p, texts, locale)],
    buttons,
    found: true,
  };
}

function fieldBlocks(p: Procedure, field: Field, t: T): Block[] {
  const missing: Block[] = [{ type: 'text', text: t('proc-field-missing', { url: p.portalUrl ?? PORTAL_URL }) }];
  switch (field) {
    case 'time':
    case 'fee': {
      const key = field === 'time' ? 'timeLimit' : 'fee';
      const items = p.channels.filter((c) => c[key]).map((c) => `${t(`proc-channel-${c.kind}`)}: ${c[key]}`);
      return items.length ? [{ type: 'list', items }] : missing;
    }
    case 'documents':
      return p.documents.length ? [{ type: 'list', ordered: true, items: p.documents.map((d) => documentLine(d, t)) }] : missing;
    case 'steps':
      return p.steps.length ? [{ type: 'list', ordered: true, items: p.steps }] : missing;
    case 'where': {
      const items = [whereSummary(p, t), ...p.channels.filter((c) => c.where).map((c) => `${t(`proc-channel-${c.kind}`)}: ${c.where}`)];
      if (p.level?.note) items.push(p.level.note);
      return [{ type: 'list', items }];
    }
    case 'online': {
      const online = p.channels.find((c) => c.kind === 'online');
      if (!online) return missing;
      const items = [onlineSummary(p, t)];
      if (online.timeLimit) items.push(`${t('proc-channel-online')}: ${online.timeLimit}`);
      if (online.note) items.push(online.note);
      return [{ type: 'list', items }];
    }
  }
}

function documentLine(d: DocumentItem, t: T): string {
  const details: string[] = [];
  if (d.originals !== undefined || d.copies !== undefined) {
    details.push(t('proc-doc-counts', { originals: d.originals ?? 0, copies: d.copies ?? 0 }));
  }
  if (d.form) details.push(t('proc-doc-form', { form: d.form }));
  const when = d.when ? ` — ${d.when}` : '';
  return `${d.name}${details.length ? ` (${details.join('; ')})` : ''}${when}`;
}

function whereSummary(p: Procedure, t: T): string {
  const parts: string[] = [];
  if (p.agency) parts.push(p.agency);
  if (p.level) {
    const since = p.level.since ? `, ${t('proc-level-since', { date: formatDate(p.level.since) })}` : '';
    parts.push(`(${t(`proc-level-${p.level.value}`)}${since})`);
  }
  return parts.length ? parts.join(' ') : t('proc-none');
}

/**
 * One channel's value when only one channel has it or all say the same; otherwise
 * "Trực tiếp: …; Trực tuyến: …". Values that defer to another channel ("Như nộp trực tiếp.")
 * count as the same.
 */
export function channelSummary(channels: readonly Channel[], key: 'timeLimit' | 'fee', t: T): string | undefined {
  const withValue = channels.filter((c) => c[key]);
  if (withValue.length === 0) return undefined;
  const own = withValue.filter((c) => !/^(như|nhu) /i.test(c[key]!.trim()));
  const distinct = [...new Set(own.map((c) => c[key]!.trim()))];
  if (distinct.length <= 1) return (own[0] ?? withValue[0]!)[key]!.trim();
  return own.map((c) => `${t(`proc-channel-${c.kind}`)}: ${c[key]!.trim().replace(/[.;]+$/, '')}`).join('; ');
}

function onlineSummary(p: Procedure, t: T): string {
  const online = p.channels.find((c) => c.kind === 'online');
  if (!online) return t('proc-none');
  const level = p.onlineLevel ? ` (${t(`proc-online-level-${p.onlineLevel}`)})` : '';
  return `${t('proc-online-yes', { where: online.where ?? PORTAL_URL })}${level}`;
}

/** Buttons for the fields the record can answer, minus the ones just answered, plus the card. */
function fieldButtons(p: Procedure, t: T, answered: readonly Field[] | undefined): Button[][] {
  const has: Record<Field, boolean> = {
    documents: p.documents.length > 0,
    steps: p.steps.length > 0,
    fee: p.channels.some((c) => c.fee),
    time: p.channels.some((c) => c.timeLimit),
    where: true,
    online: p.channels.some((c) => c.kind === 'online'),
  };
  const order: Field[] = answered ? ['documents', 'steps', 'fee', 'time', 'where', 'online'] : ['documents', 'steps', 'fee'];
  const buttons: Button[] = order
    .filter((f) => has[f] && !answered?.includes(f))
    .slice(0, 3)
    .map((f) => ({ label: t(`proc-button-${f}`), action: `/thutuc ${p.id} ${FIELD_KEYS[f]}` }));
  if (answered) buttons.push({ label: t('proc-button-card'), action: `/thutuc ${p.id}` });
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}
