/**
 * @module handlers/reminders
 * Deadline reminders in chat, for staff and above: /nhacviec shows the units (and, on request,
 * the tasks) one can follow as buttons (Telegram) or numbered choices (Zalo); a button's action
 * ("/nhacviec chon don-vi:<unit>") subscribes; "/nhacviec danh sach" lists what the chat follows
 * and what is coming up; /huynhac stops everything. A citizen is told politely how to get access.
 * Choosing anything also resumes a chat the reminder job had paused after failed sends.
 */
import type { Handler, HandlerBasics, HandlerContext } from '../src/core/handler';
import type { Store } from '../src/store/store';
import type { Button, Locale, Recipient, Reply } from '../src/core/types';
import { formatDate, type Texts } from '../src/core/texts';
import { hasRole } from '../src/core/roles';
import { fold } from '../src/text/normalize';
import { localDate } from '../src/tasks/calendar';
import { citationsOf, deadlineOn } from '../src/tasks/digest';
import { TaskRepository, byDeadline, unitsOf, type Unit } from '../src/tasks/repository';
import type { Task } from '../src/tasks/schema';
import { Subscriptions, applyChange, covers, type Change, type Subscription } from '../src/tasks/subscriptions';

const REMINDERS_INTENT = 'reminders';
/** Buttons listed at most in the task picker (Telegram keyboards get unwieldy past this). */
const MAX_TASK_BUTTONS = 20;
/** Tasks shown at most in "/nhacviec danh sach". */
const MAX_LISTED = 10;

interface RemindersDeps extends Pick<HandlerBasics, 'texts' | 'now'> {
  /** Where tasks and subscriptions live. */
  store: Store;
}

/** [/nhacviec, /huynhac]. */
export function reminderHandlers(deps: RemindersDeps): Handler[] {
  const reminders: Handler = {
    id: REMINDERS_INTENT,
    commands: ['nhacviec'],
    phrases: ['nhac viec'],
    async handle(ctx) {
      const refusal = gate(ctx, deps.texts);
      if (refusal) return refusal;
      const session = await openSession(ctx, deps);
      const command = parseArgs(ctx.args);
      switch (command.kind) {
        case 'menu':
          return menu(session, deps.texts.get(session.locale, 'reminders-menu-intro'));
        case 'list':
          return list(session);
        case 'tasks':
          return taskPicker(session);
        case 'change':
          return change(session, command.change);
        case 'search':
          return search(session, command.text);
      }
    },
  };
  const stop: Handler = {
    id: 'reminders-stop',
    commands: ['huynhac'],
    phrases: ['huy nhac', 'dung nhac'],
    async handle({ inbound }) {
      // Anyone may stop reminders, even after losing the staff role.
      const removed = await new Subscriptions(deps.store).remove(inbound);
      const key = removed ? 'reminders-stopped' : 'reminders-stop-none';
      return reply('reminders-stop', [deps.texts.get(inbound.locale, key)]);
    },
  };
  return [reminders, stop];
}

// ---------- parsing ----------

type Command =
  | { kind: 'menu' }
  | { kind: 'list' }
  | { kind: 'tasks' }
  | { kind: 'change'; change: Change }
  | { kind: 'search'; text: string };

/** The subcommand in the text after /nhacviec, typed with or without diacritics. */
export function parseArgs(args: string): Command {
  const text = fold(args.normalize('NFC').toLowerCase()).replace(/\s+/g, ' ').trim();
  if (text === '' || text === 'don vi' || text === 'menu') return { kind: 'menu' };
  if (/^(danh sach|ds|xem|list)$/.test(text)) return { kind: 'list' };
  if (/^(viec|nhiem vu|tasks?)$/.test(text)) return { kind: 'tasks' };
  const m = /^(chon|bo) (?:(don-vi|viec):([a-z0-9-]+)|(tat-ca))$/.exec(text);
  if (m) {
    const op = m[1] === 'chon' ? 'add' : 'remove';
    if (m[4]) return { kind: 'change', change: { op, all: true } };
    return { kind: 'change', change: m[2] === 'don-vi' ? { op, unit: m[3]! } : { op, task: m[3]! } };
  }
  return { kind: 'search', text };
}

// ---------- access ----------

function gate({ inbound }: HandlerContext, t: Texts): Reply | undefined {
  if (inbound.channel === 'web') return reply(REMINDERS_INTENT, [t.get(inbound.locale, 'reminders-web-unsupported')]);
  if (!hasRole(inbound.role, 'staff')) return reply(REMINDERS_INTENT, [t.get(inbound.locale, 'reminders-staff-only')]);
  return undefined;
}

// ---------- session: what every subcommand needs ----------

interface Session {
  locale: Locale;
  texts: Texts;
  today: string;
  recipient: Recipient;
  tasks: Task[];
  units: Unit[];
  sub: Subscription | undefined;
  subscriptions: Subscriptions;
  nowIso: string;
}

async function openSession({ inbound }: HandlerContext, deps: RemindersDeps): Promise<Session> {
  const subscriptions = new Subscriptions(deps.store);
  const [tasks, sub] = await Promise.all([new TaskRepository(deps.store).all(), subscriptions.get(inbound)]);
  const now = deps.now();
  return {
    locale: inbound.locale,
    texts: deps.texts,
    today: localDate(now),
    recipient: { channel: inbound.channel, chatId: inbound.chatId, locale: inbound.locale },
    tasks,
    units: unitsOf(tasks).filter((u) => u.open > 0),
    sub,
    subscriptions,
    nowIso: now.toISOString(),
  };
}

// ---------- replies ----------

function menu(s: Session, intro: string): Reply {
  const t = (key: string, vars?: Record<string, string | number>) => s.texts.get(s.locale, key, vars);
  const lines = [intro];
  if (s.sub) lines.push(summary(s));
  const rows: Button[][] = s.units.map((u) => {
    const on = Boolean(s.sub?.allUnits || s.sub?.units.includes(u.id));
    return [{ label: `${on ? '✓ ' : ''}${u.name} (${u.open})`, action: `/nhacviec ${on && !s.sub?.allUnits ? 'bo' : 'chon'} don-vi:${u.id}` }];
  });
  rows.push([
    s.sub?.allUnits
      ? { label: t('reminders-button-all-off'), action: '/nhacviec bo tat-ca' }
      : { label: t('reminders-button-all'), action: '/nhacviec chon tat-ca' },
    { label: t('reminders-button-tasks'), action: '/nhacviec viec' },
  ]);
  rows.push(s.sub ? [{ label: t('reminders-button-list'), action: '/nhacviec danh sach' }, { label: t('reminders-button-stop'), action: '/huynhac' }] : []);
  return { ...reply(REMINDERS_INTENT, lines), buttons: rows.filter((r) => r.length > 0) };
}

function taskPicker(s: Session): Reply {
  const open = s.tasks.filter((task) => task.status === 'open');
  // Upcoming deadlines first (soonest first), then overdue ones (most recent first).
  const upcoming = open.filter((task) => task.deadline >= s.today).sort(byDeadline);
  const overdue = open.filter((task) => task.deadline < s.today).sort((a, b) => byDeadline(b, a));
  const shown = [...upcoming, ...overdue].slice(0, MAX_TASK_BUTTONS);
  const rows: Button[][] = shown.map((task) => {
    const on = Boolean(s.sub?.tasks.includes(task.id));
    return [{ label: `${on ? '✓ ' : ''}${taskLabel(task, s)}`, action: `/nhacviec ${on ? 'bo' : 'chon'} viec:${task.id}` }];
  });
  rows.push([{ label: s.texts.get(s.locale, 'reminders-button-units'), action: '/nhacviec' }]);
  return { ...reply(REMINDERS_INTENT, [s.texts.get(s.locale, 'reminders-tasks-intro', { n: open.length })]), buttons: rows };
}

async function list(s: Session): Promise<Reply> {
  const t = (key: string, vars?: Record<string, string | number>) => s.texts.get(s.locale, key, vars);
  if (!s.sub) return menu(s, t('reminders-list-none'));
  const followed = s.tasks.filter((task) => covers(s.sub!, task));
  const upcoming = followed.filter((task) => task.deadline >= s.today).sort(byDeadline);
  const overdue = followed.filter((task) => task.deadline < s.today).sort((a, b) => byDeadline(b, a));
  const shown = [...upcoming, ...overdue].slice(0, MAX_LISTED);
  const blocks: Reply['blocks'] = [{ type: 'text', text: summary(s) }];
  if (shown.length) {
    blocks.push({ type: 'heading', text: t('reminders-list-heading', { n: followed.length }) });
    blocks.push({ type: 'list', items: shown.map((task) => listLine(task, s)) });
  } else {
    blocks.push({ type: 'text', text: t('reminders-list-empty') });
  }
  const state = await s.subscriptions.deliveryState(s.recipient);
  if (state?.pausedAt) blocks.push({ type: 'text', text: t('reminders-list-paused') });
  blocks.push({ type: 'text', text: t('reminders-schedule') });
  return {
    intent: REMINDERS_INTENT,
    blocks,
    citations: citationsOf(shown),
    buttons: [[{ label: t('reminders-button-change'), action: '/nhacviec' }, { label: t('reminders-button-stop'), action: '/huynhac' }]],
    found: true,
  };
}

async function change(s: Session, c: Change): Promise<Reply> {
  const t = (key: string, vars?: Record<string, string | number>) => s.texts.get(s.locale, key, vars);
  let confirmation: string;
  if ('unit' in c) {
    const unit = unitsOf(s.tasks).find((u) => u.id === c.unit);
    if (!unit) return menu(s, t('reminders-unknown-choice'));
    confirmation = t(c.op === 'add' ? 'reminders-added-unit' : 'reminders-removed-unit', { name: unit.name, n: unit.open });
  } else if ('task' in c) {
    const task = s.tasks.find((x) => x.id === c.task);
    if (!task) return menu(s, t('reminders-unknown-choice'));
    confirmation = t(c.op === 'add' ? 'reminders-added-task' : 'reminders-removed-task', {
      title: task.title,
      when: deadlineOn(task, s.today, s.locale, s.texts),
    });
  } else {
    confirmation = t(c.op === 'add' ? 'reminders-added-all' : 'reminders-removed-all', { n: s.units.length });
  }
  const next = applyChange(s.sub, s.recipient, c, s.nowIso);
  await s.subscriptions.save(next);
  // Choosing again is also how a chat paused after failed sends asks for reminders again.
  if (c.op === 'add') await s.subscriptions.resume(s.recipient);
  const updated: Session = { ...s, sub: next.allUnits || next.units.length || next.tasks.length ? next : undefined };
  const lines = [confirmation];
  if (updated.sub) lines.push(t('reminders-schedule'));
  return menu(updated, lines.join('\n\n'));
}

/** Free text after /nhacviec: a unit or task named in it is chosen when the match is unique. */
async function search(s: Session, text: string): Promise<Reply> {
  const units = s.units.filter((u) => matches(text, u.name, u.id));
  if (units.length === 1) return change(s, { op: 'add', unit: units[0]!.id });
  const tasks = s.tasks.filter((task) => task.status === 'open' && matches(text, task.title, task.id));
  if (units.length === 0 && tasks.length === 1) return change(s, { op: 'add', task: tasks[0]!.id });
  if (units.length === 0 && tasks.length === 0) return menu(s, s.texts.get(s.locale, 'reminders-no-match'));
  const rows: Button[][] = [
    ...units.map((u) => [{ label: `${u.name} (${u.open})`, action: `/nhacviec chon don-vi:${u.id}` }]),
    ...tasks.slice(0, MAX_TASK_BUTTONS).map((task) => [
      { label: taskLabel(task, s), action: `/nhacviec chon viec:${task.id}` },
    ]),
  ];
  return { ...reply(REMINDERS_INTENT, [s.texts.get(s.locale, 'reminders-pick-one')]), buttons: rows };
}

// ---------- helpers ----------

function summary(s: Session): string {
  const t = (key: string, vars?: Record<string, string | number>) => s.texts.get(s.locale, key, vars);
  const sub = s.sub!;
  const parts: string[] = [];
  if (sub.allUnits) parts.push(t('reminders-summary-all'));
  const unitNames = unitsOf(s.tasks).filter((u) => sub.units.includes(u.id)).map((u) => u.name);
  if (!sub.allUnits && unitNames.length) parts.push(t('reminders-summary-units', { names: unitNames.join('; ') }));
  const taskTitles = s.tasks.filter((task) => sub.tasks.includes(task.id)).map((task) => shorten(task.title, 80));
  if (taskTitles.length) parts.push(t('reminders-summary-tasks', { titles: taskTitles.join('; ') }));
  return [t('reminders-summary-intro'), ...parts].join('\n');
}

function listLine(task: Task, s: Session): string {
  return s.texts.get(s.locale, 'reminders-list-item', { title: task.title, when: deadlineOn(task, s.today, s.locale, s.texts), owner: task.owner });
}

/** A task's button: its title and deadline, a passed one marked as past. */
function taskLabel(task: Task, s: Session): string {
  const key = task.deadline < s.today ? 'reminders-button-task-past' : 'reminders-button-task';
  return s.texts.get(s.locale, key, { title: shorten(task.title, 48), deadline: formatDate(task.deadline) });
}

function matches(query: string, ...fields: string[]): boolean {
  if (query.length < 3) return false;
  return fields.some((f) => fold(f.toLowerCase()).includes(query));
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function reply(intent: string, texts: string[]): Reply {
  return { intent, blocks: texts.map((text) => ({ type: 'text' as const, text })), citations: [] };
}
