/**
 * @module tasks/digest
 * What one subscriber is sent in one run: the tasks it follows that are in a reminder stage
 * today and not yet reminded at that stage, as ONE Reply grouped by urgency, each item with its
 * days left, owner and source. Pure: no store, no clock (the date is passed in).
 */
import type { Block, Citation, Locale, Reply } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import type { Task } from './schema';
import { STAGE_ORDER, stageOf, type Stage, type StageKind } from './stages';
import { daysBetween } from './calendar';
import { covers, type Subscription } from './subscriptions';

export interface DueItem {
  task: Task;
  stage: Stage;
  /** The identity of this reminder: the task, the deadline it had, and the stage window. */
  key: string;
}

const DIGEST_INTENT = 'reminders-digest';

/** Every open task in a stage on `today`, most urgent first: computed once per run for all subscribers. */
export function stagedTasks(tasks: readonly Task[], today: string): DueItem[] {
  const items: DueItem[] = [];
  for (const task of tasks) {
    if (task.status !== 'open') continue;
    const stage = stageOf(task.deadline, today);
    if (stage) items.push({ task, stage, key: `${task.id}:${task.deadline}:${stage.key}` });
  }
  return items.sort(byUrgency);
}

/** The staged items one subscription follows (order kept). */
export function itemsFor(staged: readonly DueItem[], sub: Subscription): DueItem[] {
  return staged.filter((item) => covers(sub, item.task));
}

/** The tasks `sub` follows that are in a stage on `today`, most urgent first. */
export function dueItems(tasks: readonly Task[], sub: Subscription, today: string): DueItem[] {
  return itemsFor(stagedTasks(tasks, today), sub);
}

function byUrgency(a: DueItem, b: DueItem): number {
  if (a.stage.daysLeft !== b.stage.daysLeft) return a.stage.daysLeft - b.stage.daysLeft;
  return a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0;
}

/** One Reply holding every item, grouped overdue → due today → 1 day → 2-3 days → 4-7 days. */
export function buildDigest(items: readonly DueItem[], today: string, locale: Locale, texts: Texts): Reply {
  const blocks: Block[] = [{ type: 'heading', text: texts.get(locale, 'reminders-digest-heading', { date: formatDate(today) }) }];
  for (const kind of STAGE_ORDER) {
    const group = items.filter((i) => i.stage.kind === kind).sort(byUrgency);
    if (group.length === 0) continue;
    blocks.push({ type: 'heading', text: texts.get(locale, groupKey(kind)) });
    blocks.push({ type: 'list', items: group.map((i) => itemLine(i, locale, texts)) });
  }
  blocks.push({ type: 'text', text: texts.get(locale, 'reminders-digest-footer') });
  return {
    intent: DIGEST_INTENT,
    blocks,
    citations: citationsOf(items.map((i) => i.task)),
    buttons: [
      [
        { label: texts.get(locale, 'reminders-button-list'), action: '/nhacviec danh sach' },
        { label: texts.get(locale, 'reminders-button-stop'), action: '/huynhac' },
      ],
    ],
    found: true,
  };
}

/** "Title — hạn 30/9/2023 đã qua (quá hạn 8 ngày), chưa có tin đã hoàn thành. Chủ trì: … Nguồn: …, 21/8/2023." */
function itemLine(item: DueItem, locale: Locale, texts: Texts): string {
  const { task, stage } = item;
  return texts.get(locale, 'reminders-item', {
    title: task.title,
    when: deadlineText(task, stage.daysLeft, locale, texts),
    owner: task.owner,
    source: task.source.outlet,
    sourceDate: formatDate(task.source.date),
  });
}

/**
 * A task's deadline as of a day `daysLeft` before it (negative: after it), with what is known of
 * the result: an open task's coming deadline with the days left ("hạn 5/12/2026 (còn 7 ngày)"),
 * a passed one spoken of as past, saying no completion is known ("hạn 30/9/2023 đã qua (quá hạn
 * 1.148 ngày), chưa có tin đã hoàn thành"); a closed task's result as its status says.
 */
function deadlineText(task: Pick<Task, 'deadline' | 'status'>, daysLeft: number, locale: Locale, texts: Texts): string {
  const deadline = formatDate(task.deadline);
  if (task.status !== 'open') return texts.get(locale, `reminders-when-${task.status}`, { deadline });
  const left = daysLeftText(daysLeft, locale, texts);
  return texts.get(locale, daysLeft < 0 ? 'reminders-when-past' : 'reminders-when', { deadline, left });
}

/** deadlineText on a local date (YYYY-MM-DD). */
export function deadlineOn(task: Pick<Task, 'deadline' | 'status'>, today: string, locale: Locale, texts: Texts): string {
  return deadlineText(task, daysBetween(today, task.deadline), locale, texts);
}

/** "còn 3 ngày", "còn 1 ngày", "hạn chót hôm nay", "quá hạn 1.148 ngày". */
export function daysLeftText(daysLeft: number, locale: Locale, texts: Texts): string {
  if (daysLeft === 0) return texts.get(locale, 'reminders-left-today');
  if (daysLeft === 1) return texts.get(locale, 'reminders-left-one');
  if (daysLeft === -1) return texts.get(locale, 'reminders-overdue-one');
  if (daysLeft > 0) return texts.get(locale, 'reminders-left-days', { n: formatCount(daysLeft, locale) });
  return texts.get(locale, 'reminders-overdue-days', { n: formatCount(-daysLeft, locale) });
}

/** Thousands grouped the way each locale writes them: 1.148 in Vietnamese, 1,148 in English. */
export function formatCount(n: number, locale: Locale): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'vi' ? '.' : ',');
}

/** One citation per distinct source, in first-seen order. */
export function citationsOf(tasks: readonly Task[]): Citation[] {
  const seen = new Map<string, Citation>();
  for (const t of tasks) {
    const key = t.source.docId ?? `${t.source.outlet}|${t.source.date}|${t.source.title}`;
    if (seen.has(key)) continue;
    seen.set(key, {
      id: t.source.docId ?? `task:${t.id}`,
      title: t.source.title,
      source: t.source.outlet,
      date: t.source.date,
      ...(t.source.url ? { url: t.source.url } : {}),
    });
  }
  return [...seen.values()];
}

function groupKey(kind: StageKind): string {
  return `reminders-group-${kind === 'T-7' ? 'week' : kind === 'T-3' ? 'days' : kind === 'T-1' ? 'tomorrow' : kind}`;
}
