/**
 * @module procedures/card
 * Replies about procedures, built from a record and nothing else: the card (name, where, how
 * long, how much, whether it can be done online), one field answered directly (the fee, the
 * documents …), and the pick-list when several procedures match. Buttons carry
 * "/thutuc <id> <field>" so Telegram shows them as a keyboard and Zalo as numbered choices.
 * Every reply cites the record and reminds that fees and time limits must be confirmed on the
 * national portal; a fact the record does not hold is said to be missing, never filled in.
 * A yes/no question the record settles gets "Có." or "Không." first; a fee that holds for a
 * period is read against today, so an ended reduction is never shown as the current fee; a
 * question naming two procedures gets both; one naming the former district level is told it ended.
 */
import type { Block, Button, Citation, Locale, Reply } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import { FIELD_KEYS, type Field, type YesNo } from './intent';
import type { Channel, DocumentItem, FeePeriod, NotRequired, Procedure, Rule } from './schema';
import { fold } from '../text/normalize';
import type { ProcedureMatch } from './match';

export const INTENT = 'procedure';
const PORTAL_URL = 'https://dichvucong.gov.vn';
/** Notes shown on a card; the rest stay in the record (a card must fit one Zalo message). */
const MAX_NOTES = 3;

type T = (key: string, vars?: Record<string, string | number>) => string;

function translator(texts: Texts, locale: Locale): T {
  return (key, vars) => texts.get(locale, key, vars);
}

/**
 * The summary card for one procedure. `today` (YYYY-MM-DD, Vietnam) reads fee periods: an ended
 * one is left off the card.
 */
export function procedureCard(p: Procedure, texts: Texts, locale: Locale, today?: string): Reply {
  const t = translator(texts, locale);
  return finish(p, cardBlocks(p, t, today), fieldButtons(p, t, undefined), texts, locale);
}

function cardBlocks(p: Procedure, t: T, today: string | undefined): Block[] {
  const lines = [
    t('proc-where', { value: whereSummary(p, t) }),
    t('proc-time', { value: channelSummary(p.channels, 'timeLimit', t) ?? t('proc-none') }),
    t('proc-fee', { value: channelSummary(p.channels, 'fee', t) ?? t('proc-none') }),
  ];
  for (const f of p.feePeriods) {
    if (periodStatus(f, today) !== 'ended') lines.push(t('proc-fee-period', { value: periodLine(f, t, today) }));
  }
  lines.push(t('proc-online', { value: onlineSummary(p, t) }));
  if (p.deadline) lines.push(t('proc-deadline', { value: p.deadline.value }));
  if (p.validity) lines.push(t('proc-validity', { value: p.validity.value }));
  const blocks: Block[] = [{ type: 'heading', text: p.name }];
  if (p.code) blocks.push({ type: 'text', text: t('proc-code', { code: p.code }) });
  blocks.push({ type: 'list', items: lines });
  if (p.notes.length) {
    blocks.push({ type: 'text', text: t('proc-notes') }, { type: 'list', items: p.notes.slice(0, MAX_NOTES) });
  }
  return blocks;
}

/**
 * A direct answer to one or more fields ("làm căn cước mất bao lâu" → the time limit), after
 * the answers to its yes/no questions ("có mất phí không" → "Có. …" / "Không. …").
 */
export function fieldAnswer(
  p: Procedure,
  fields: readonly Field[],
  texts: Texts,
  locale: Locale,
  opts: AnswerOptions = {},
): Reply {
  const t = translator(texts, locale);
  const blocks = [...levelGoneBlocks(opts.levelGone, t, p), ...answerBlocks(p, fields, opts.yesNo ?? [], t, opts.today)];
  return finish(p, blocks, fieldButtons(p, t, fields), texts, locale);
}

interface AnswerOptions {
  today?: string;
  yesNo?: readonly YesNo[];
  /**
   * The question named the former district level as if it worked now: say first that it ended
   * (on `since`, from the place registry, as shown), "Không." first when asked whether.
   */
  levelGone?: { since: string; yesNo: boolean };
}

/**
 * "The district level no longer exists" in the words the free-question answer uses
 * (ask-level-gone), then where the record says the procedure is done now.
 */
function levelGoneBlocks(gone: AnswerOptions['levelGone'], t: T, p?: Procedure): Block[] {
  if (!gone) return [];
  const ended = t('ask-level-gone', { since: gone.since });
  const text = p?.level ? t('proc-level-gone', { gone: ended, name: p.name, level: t(`proc-level-${p.level.value}`) }) : ended;
  return [{ type: 'text', text: gone.yesNo ? t('proc-no', { text }) : text }];
}

function answerBlocks(p: Procedure, fields: readonly Field[], yesNo: readonly YesNo[], t: T, today: string | undefined): Block[] {
  const blocks: Block[] = yesNo.flatMap((q) => {
    const said = yesNoAnswer(p, q, t, today);
    return said ? [{ type: 'text' as const, text: said }] : [];
  });
  for (const field of fields) {
    blocks.push({ type: 'heading', text: t(`proc-field-${field}`, { name: p.name }) });
    blocks.push(...fieldBlocks(p, field, t, today));
  }
  // A yes/no nobody could settle from the record still gets the record's card, not silence.
  return blocks.length ? blocks : cardBlocks(p, t, today);
}

/**
 * Several procedures named in one question ("khai sinh và khai tử cần giấy tờ gì"): each one
 * answered in turn (its fields, or its card), one reminder, every record cited.
 */
export function multiAnswer(
  procedures: readonly Procedure[],
  fieldsOf: (p: Procedure) => readonly Field[],
  texts: Texts,
  locale: Locale,
  opts: AnswerOptions = {},
): Reply {
  const t = translator(texts, locale);
  const blocks: Block[] = [...levelGoneBlocks(opts.levelGone, t), { type: 'text', text: t('proc-two-intro', { count: procedures.length }) }];
  for (const p of procedures) {
    const fields = fieldsOf(p);
    if (fields.length || opts.yesNo?.length) {
      // Field headings name the procedure; yes/no answers alone need its name above them.
      if (!fields.length) blocks.push({ type: 'heading', text: p.name });
      blocks.push(...answerBlocks(p, fields, opts.yesNo ?? [], t, opts.today));
    } else {
      blocks.push(...cardBlocks(p, t, opts.today));
    }
  }
  const buttons = procedures.map((p) => {
    const first = fieldsOf(p)[0];
    return [{ label: p.name, action: `/thutuc ${p.id}${first ? ` ${FIELD_KEYS[first]}` : ''}` }];
  });
  return {
    intent: INTENT,
    blocks: [...blocks, { type: 'text', text: t('proc-reminder') }],
    citations: procedures.map((p) => procedureCitation(p, texts, locale)),
    buttons,
    found: true,
  };
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

function fieldBlocks(p: Procedure, field: Field, t: T, today?: string): Block[] {
  const missing: Block[] = [{ type: 'text', text: t('proc-field-missing', { url: p.portalUrl ?? PORTAL_URL }) }];
  switch (field) {
    case 'deadline':
      if (p.deadline) return ruleBlocks(p.deadline, t);
      return [{ type: 'text', text: t('proc-deadline-none', { time: channelSummary(p.channels, 'timeLimit', t) ?? t('proc-none') }) }];
    case 'validity':
      return p.validity ? ruleBlocks(p.validity, t) : missing;
    case 'exempt':
      return p.notRequired.length ? [{ type: 'list', items: p.notRequired.map((n) => exemptLine(n, t)) }] : missing;
    case 'time':
    case 'fee': {
      const key = field === 'time' ? 'timeLimit' : 'fee';
      const items = p.channels.filter((c) => c[key]).map((c) => `${t(`proc-channel-${c.kind}`)}: ${c[key]}`);
      if (field === 'fee') items.push(...p.feePeriods.map((f) => periodLine(f, t, today)));
      return items.length ? [{ type: 'list', items }] : missing;
    }
    case 'documents': {
      if (!p.documents.length) return missing;
      const blocks: Block[] = [{ type: 'list', ordered: true, items: p.documents.map((d) => documentLine(d, t)) }];
      if (p.notRequired.length) blocks.push({ type: 'text', text: t('proc-exempt-intro') }, { type: 'list', items: p.notRequired.map((n) => exemptLine(n, t)) });
      return blocks;
    }
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

function ruleBlocks(rule: Rule, t: T): Block[] {
  return [{ type: 'list', items: [rule.value, ...(rule.basis ? [t('proc-basis', { basis: rule.basis })] : [])] }];
}

function exemptLine(n: NotRequired, t: T): string {
  const tail = [n.basis, n.since ? t('proc-exempt-since', { date: formatDate(n.since) }) : undefined].filter(Boolean).join(', ');
  return `${n.name}${n.note ? ` — ${n.note}` : ''}${tail ? ` (${tail})` : ''}`;
}

type PeriodStatus = 'active' | 'ended' | 'upcoming' | 'dated';

/** Where today falls against a fee period; without a day, only its dates are shown. */
function periodStatus(f: FeePeriod, today: string | undefined): PeriodStatus {
  if (!today) return 'dated';
  if (f.until && today > f.until) return 'ended';
  if (f.from && today < f.from) return 'upcoming';
  return 'active';
}

function periodLine(f: FeePeriod, t: T, today: string | undefined): string {
  const from = f.from && formatDate(f.from);
  const until = f.until && formatDate(f.until);
  const range = from && until ? t('proc-range-from-until', { from, until }) : until ? t('proc-range-until', { until }) : from ? t('proc-range-from', { from }) : '';
  const value = `${f.value.replace(/[.;]+$/, '')}${f.basis ? ` — ${f.basis}` : ''}.${f.note ? ` ${f.note}` : ''}`;
  return t(`proc-period-${periodStatus(f, today)}`, { range, value });
}

/** Words a document question carries that say nothing about which document. */
const DOC_FILLER = new Set(['giay', 'to', 'ban', 'cua', 'cho', 'nua', 'cac', 'nhung', 'mot', 'sao', 'chinh', 'co']);
/** Identity papers go by many names; the records call them "giấy tờ tùy thân". */
const IDENTITY = /\b(?:cccd|cmnd|can cuoc|chung minh|ho chieu|tuy than|dinh danh)\b/;

/** Whether a document the user named is this record's document (every telling word found). */
/** What people call a document, as the records name it. */
const DOC_SYNONYMS: Array<[RegExp, string]> = [[/\b(?:giay )?(?:xac nhan )?doc than\b/, 'xac nhan tinh trang hon nhan']];

function sameDocument(typed: string, name: string): boolean {
  let asked = fold(typed.normalize('NFC').toLowerCase()).replace(/[^a-z0-9]+/g, ' ').trim();
  for (const [re, as] of DOC_SYNONYMS) asked = asked.replace(re, as);
  const have = ` ${fold(name.normalize('NFC').toLowerCase()).replace(/[^a-z0-9]+/g, ' ')} `;
  if (IDENTITY.test(asked) && IDENTITY.test(have)) return true;
  const words = asked.split(' ').filter((w) => w && !DOC_FILLER.has(w));
  return words.length > 0 && words.every((w) => have.includes(` ${w} `));
}

/** "Có. …" or "Không. …" when the record settles it; undefined when it does not. */
function yesNoAnswer(p: Procedure, q: YesNo, t: T, today: string | undefined): string | undefined {
  switch (q.kind) {
    case 'fee': {
      const fee = channelSummary(p.channels, 'fee', t);
      if (!fee) return undefined;
      const active = p.feePeriods.filter((f) => periodStatus(f, today) === 'active').map((f) => periodLine(f, t, today));
      const text = [fee, ...active].join(' ');
      // "Miễn lệ phí khi đăng ký đúng hạn …": no, with the condition the text goes on to give.
      if (/^(?:mien|khong)\b/.test(fold(fee.toLowerCase()))) return t('proc-no', { text });
      if (/\d|hđnd|hdnd|có phí|co phi|theo mức|theo muc/i.test(fee)) return t('proc-yes', { text });
      return undefined;
    }
    case 'reduction': {
      // Whether a reduction still holds is read against today: an ended one is a "no".
      if (!p.feePeriods.length) return yesNoAnswer(p, { kind: 'fee' }, t, today);
      const lines = p.feePeriods.map((f) => periodLine(f, t, today)).join(' ');
      return t(p.feePeriods.some((f) => periodStatus(f, today) === 'active') ? 'proc-yes' : 'proc-no', { text: lines });
    }
    case 'online': {
      const online = p.channels.find((c) => c.kind === 'online');
      return online ? t('proc-yes', { text: t('proc-online-yes-short', { where: online.where ?? PORTAL_URL }) }) : undefined;
    }
    case 'document': {
      const exempt = p.notRequired.find((n) => sameDocument(q.document, n.name));
      if (exempt) return t('proc-no', { text: exemptLine(exempt, t) });
      const needed = p.documents.find((d) => sameDocument(q.document, d.name));
      if (needed) return needed.when ? t('proc-yes-when', { when: needed.when, name: needed.name }) : t('proc-yes', { text: t('proc-doc-needed', { name: needed.name }) });
      if (!p.documents.length) return undefined;
      return t('proc-no', { text: t('proc-doc-absent', { document: q.document, name: p.name }) });
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
    deadline: p.deadline !== undefined,
    validity: p.validity !== undefined,
    exempt: p.notRequired.length > 0,
    documents: p.documents.length > 0,
    steps: p.steps.length > 0,
    fee: p.channels.some((c) => c.fee),
    time: p.channels.some((c) => c.timeLimit),
    where: true,
    online: p.channels.some((c) => c.kind === 'online'),
  };
  const order: Field[] = answered
    ? ['documents', 'steps', 'fee', 'deadline', 'validity', 'time', 'where', 'online']
    : ['documents', 'steps', 'fee'];
  const buttons: Button[] = order
    .filter((f) => has[f] && !answered?.includes(f))
    .slice(0, 3)
    .map((f) => ({ label: t(`proc-button-${f}`), action: `/thutuc ${p.id} ${FIELD_KEYS[f]}` }));
  if (answered) buttons.push({ label: t('proc-button-card'), action: `/thutuc ${p.id}` });
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}
