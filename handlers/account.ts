/**
 * @module handlers/account
 * The person's side of roles and privacy, and the officials' weekly numbers:
 *   /xacthuc <mã>   redeem an invite code: binds its role to this channel and user
 *   /toi            show my role and units
 *   /xoadulieu      delete everything kept about me, after a confirmation
 *                   (/xoadulieu xacnhan, or the button)
 *   /thongke        officials: what people asked in the last 7 days
 * Built by a factory because they need the role directory, invites and the erasers of every
 * feature, which the composition root owns. /xacthuc and /xoadulieu are `sensitive`: their
 * turns carry codes or a deletion, so the assistant neither remembers nor counts them.
 */
import type { Handler, HandlerBasics } from '../src/core/handler';
import { formatDate, type Texts } from '../src/core/texts';
import type { Store } from '../src/store/store';
import type { Block, Inbound, Locale, Reply, Role } from '../src/core/types';
import { MAX_FAILED_REDEEMS, requireRole, type Invites, type RoleDirectory } from '../src/core/roles';
import { eraseUserData, type UserDataEraser } from '../src/privacy/erase';
import { addDays, vnDay } from '../src/core/vn-time';
import { stats } from '../src/analytics/questions';
import type { StatsReport, TopQuestion } from '../src/analytics/report';
import { fold } from '../src/text/normalize';

interface AccountDeps extends HandlerBasics {
  /** Where erasure and the weekly statistics read and the per-address brake counts. */
  store: Store;
  roles: RoleDirectory;
  invites: Invites;
  /** Every feature's eraser: core ones (privacy/erasers) plus subscriptions, feedback, … */
  erasers: readonly UserDataEraser[];
  /** Quoted in the deletion prompt: how long unlinked question statistics stay. */
  analyticsRetentionDays: number;
}

/** A handler whose turns must not be kept in conversation memory or analytics. */
type AccountHandler = Handler & { sensitive?: boolean };

const WEEK_DAYS = 7;
const TOP_IN_CHAT = 5;
const CONFIRM_WORDS = new Set(['xacnhan', 'xac nhan', 'dongy', 'dong y', 'co', 'confirm', 'yes']);
const CANCEL_WORDS = new Set(['huy', 'khong', 'cancel', 'no']);
/** Failed codes per client address per hour: more than one person's, as an office shares an address. */
const MAX_FAILED_REDEEMS_PER_ADDRESS = 4 * MAX_FAILED_REDEEMS;
const ADDRESS_FAIL_WINDOW_SECONDS = 3600;

export function accountHandlers(deps: AccountDeps): AccountHandler[] {
  return [verifyHandler(deps), whoamiHandler(deps), eraseHandler(deps), weekStatsHandler(deps)];
}

function verifyHandler(deps: AccountDeps): AccountHandler {
  return {
    id: 'verify',
    commands: ['xacthuc'],
    sensitive: true,
    async handle({ inbound, args }) {
      const say = (key: string, vars?: Record<string, string>) => textReply('verify', deps.texts.get(inbound.locale, key, vars));
      // A code typed in a group is seen by everyone there: refuse it without spending it.
      if (inbound.isGroup) return say('verify-group');
      // Anyone can name a web session id: a role goes only to a session the server issued.
      if (inbound.channel === 'web' && inbound.sessionIssued !== true) return say('verify-web-session');
      if (!args.trim()) return say('verify-usage');
      // A new web session costs one request, so the brake per user alone would not hold there:
      // failed codes count per client address too.
      const addressFails = inbound.clientAddress === undefined ? undefined : `invite-fail:addr:${inbound.clientAddress}`;
      if (addressFails && Number((await deps.store.get(addressFails)) ?? 0) >= MAX_FAILED_REDEEMS_PER_ADDRESS) {
        return say('verify-throttled');
      }
      const outcome = await deps.invites.redeem(inbound.channel, inbound.userId, args);
      if (!outcome.ok && outcome.reason !== 'throttled' && addressFails) {
        await deps.store.incr(addressFails, 1, ADDRESS_FAIL_WINDOW_SECONDS);
      }
      if (!outcome.ok) return say(`verify-${outcome.reason}`);
      deps.log.info('role bound from invite', { channel: inbound.channel, role: outcome.binding.role, invite: outcome.binding.invite });
      return say('verify-ok', { channel: channelName(deps.texts, inbound), role: roleName(deps.texts, inbound.locale, outcome.binding.role) });
    },
  };
}

function whoamiHandler(deps: AccountDeps): AccountHandler {
  return {
    id: 'whoami',
    commands: ['toi'],
    async handle({ inbound }) {
      const t = deps.texts;
      const locale = inbound.locale;
      const binding = await deps.roles.bindingOf(inbound.channel, inbound.userId);
      const lines = [t.get(locale, 'whoami-role', { channel: channelName(deps.texts, inbound), role: roleName(deps.texts, locale, inbound.role) })];
      if (binding?.units.length) lines.push(t.get(locale, 'whoami-units', { units: binding.units.join(', ') }));
      if (binding?.since) lines.push(t.get(locale, 'whoami-since', { date: formatDate(vnDay(new Date(binding.since))) }));
      if (!binding && inbound.role !== 'citizen' && deps.roles.isAllowListed(inbound.channel, inbound.userId)) {
        lines.push(t.get(locale, 'whoami-allowlist'));
      }
      if (inbound.role === 'citizen') lines.push(t.get(locale, 'whoami-citizen-hint'));
      return textReply('whoami', lines.join('\n'));
    },
  };
}

function eraseHandler(deps: AccountDeps): AccountHandler {
  return {
    id: 'erase',
    commands: ['xoadulieu'],
    sensitive: true,
    async handle({ inbound, args }) {
      const t = deps.texts;
      const locale = inbound.locale;
      // In a group the chat's memory is everyone's: deletion is for the person's own chat.
      if (inbound.isGroup) return textReply('erase', t.get(locale, 'erase-group'));
      const answer = fold(args.trim().toLowerCase());
      if (CANCEL_WORDS.has(answer)) return textReply('erase', t.get(locale, 'erase-cancelled'));
      if (!CONFIRM_WORDS.has(answer)) {
        return {
          ...textReply('erase', t.get(locale, 'erase-prompt', { analyticsDays: deps.analyticsRetentionDays })),
          buttons: [
            [
              { label: t.get(locale, 'erase-button-confirm'), action: '/xoadulieu xacnhan' },
              { label: t.get(locale, 'erase-button-cancel'), action: '/xoadulieu huy' },
            ],
          ],
        };
      }
      const who = { channel: inbound.channel, userId: inbound.userId, chatId: inbound.chatId };
      const result = await eraseUserData(deps.store, who, deps.erasers);
      deps.log.info('user data erased', { channel: inbound.channel, removed: result.removed, failed: result.failed.join(',') });
      // No count in the reply: this very message's rate-limit counter is always among them.
      return textReply('erase', t.get(locale, result.failed.length > 0 ? 'erase-partial' : 'erase-done'));
    },
  };
}

function weekStatsHandler(deps: Pick<AccountDeps, 'texts' | 'now' | 'store'>): AccountHandler {
  return {
    id: 'stats',
    commands: ['thongke'],
    async handle({ inbound }) {
      const refused = requireRole(inbound, 'official', deps.texts, 'stats');
      if (refused) return refused;
      const to = vnDay(deps.now());
      const from = addDays(to, -(WEEK_DAYS - 1));
      const report = await stats(deps.store, from, to, { top: TOP_IN_CHAT });
      return { intent: 'stats', blocks: renderWeek(report, deps, inbound.locale), citations: [] };
    },
  };
}

/** The week's report as chat blocks: totals first, then what was asked and what was missed. */
function renderWeek(report: StatsReport, deps: Pick<HandlerBasics, 'texts'>, locale: Locale): Block[] {
  const t = deps.texts;
  const blocks: Block[] = [
    { type: 'heading', text: t.get(locale, 'weekstats-heading', { from: formatDate(report.from), to: formatDate(report.to) }) },
  ];
  const { totals, feedback } = report;
  if (totals.questions === 0) return [...blocks, { type: 'text', text: t.get(locale, 'weekstats-empty') }];
  const summary = [
    t.get(locale, 'weekstats-totals', { questions: totals.questions, answered: totals.answered, unanswered: totals.unanswered }),
    t.get(locale, 'weekstats-latency', { ms: totals.avgLatencyMs ?? 0 }),
    feedback.ratio === null
      ? t.get(locale, 'weekstats-feedback-none')
      : t.get(locale, 'weekstats-feedback', { up: feedback.up, down: feedback.down, percent: Math.round(feedback.ratio * 100) }),
    t.get(locale, 'weekstats-channels', {
      list: Object.entries(report.byChannel)
        .sort((a, b) => b[1] - a[1])
        .map(([ch, n]) => `${t.get(locale, `account-channel-${ch}`)} ${n}`)
        .join(', '),
    }),
  ];
  blocks.push({ type: 'text', text: summary.join('\n') });
  const items = (qs: TopQuestion[]) => qs.map((q) => t.get(locale, 'weekstats-item', { text: q.text, count: q.count }));
  blocks.push({ type: 'text', text: t.get(locale, 'weekstats-top') }, { type: 'list', items: items(report.topQuestions), ordered: true });
  if (report.unanswered.length > 0) {
    blocks.push({ type: 'text', text: t.get(locale, 'weekstats-unanswered') }, { type: 'list', items: items(report.unanswered), ordered: true });
  }
  return blocks;
}

function textReply(intent: string, text: string): Reply {
  return { intent, blocks: [{ type: 'text', text }], citations: [] };
}

function roleName(texts: Texts, locale: Locale, role: Role): string {
  return texts.get(locale, `role-${role}`);
}

function channelName(texts: Texts, inbound: Inbound): string {
  return texts.get(inbound.locale, `account-channel-${inbound.channel}`);
}
