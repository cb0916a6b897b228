/**
 * @module handlers/kpi
 * "How are we doing": /kpi (/chiso) lists the reform KPIs one line each; /kpi 766 lists the
 * Decision 766 index; /kpi <name> gives one KPI's status, history and sources; /kpi theodoi and
 * /kpi huytheodoi (officials) subscribe a chat to off-track alerts, /kpi baocao and /kpi huybaocao
 * to the weekly briefing (jobs/briefing). Free questions that name a KPI and ask for its figure
 * ("tỷ lệ DVC toàn trình hiện nay bao nhiêu?") land here too, while questions about directives
 * or procedures are left to the knowledge search.
 * Internal KPIs are shown to officials only, and never in a group chat.
 */
import type { Handler, HandlerContext } from '../src/core/handler';
import type { Block, Button, Locale, Reply, ReplyImage } from '../src/core/types';
import { hasRole } from '../src/core/roles';
import { formatDate, type Texts } from '../src/core/texts';
import { canSee, words, type KpiCatalog, type Viewer } from '../src/kpi/definitions';
import type { KpiService, KpiView } from '../src/kpi/service';
import {
  askedValuesReply,
  detailReply,
  kpiBareName,
  kpiName,
  noValueReply,
  SourceRefs,
  summaryLine,
  summaryReply,
  yearsLabel,
} from '../src/kpi/render';
import { forPlaces, inSlot, placeLabel, yearSlots, type KpiConstraints } from '../src/kpi/constraints';
import { classifyAsk } from '../src/answer/ask-type';
import type { PlaceRegistry } from '../src/knowledge/places';
import { vnDay } from '../src/core/vn-time';
import type { KpiDefinition } from '../src/kpi/schema';
import { kpiCardSvg } from '../src/media/kpi-card';
import { kpiHistorySvg } from '../src/media/kpi-history';
import type { BriefingSubscriptions } from '../src/kpi/briefing';

/** Words that ask for a figure, its progress or its target (folded, no diacritics). */
const VALUE_CUES = [
  'bao nhieu', 'hien nay', 'hien tai', 'hien gio', 'bay gio', 'moi nhat', 'dat duoc', 'da dat', 'co dat',
  'xep thu', 'xep hang', 'thu hang', 'hang may', 'thu may', 'tien do', 'muc tieu', 'chi tieu', 'so lieu',
  'tinh hinh', 'ra sao', 'the nao', 'dang o', 'muc nao', 'nam nay', 'xu huong', 'tang hay giam', 'con thieu',
  'how much', 'current', 'latest', 'progress', 'on track', 'rank', 'target',
];
/** Words that make it a question about a document or a procedure, not about a figure. */
const DOCUMENT_CUES = [
  'chi thi', 'nghi quyet', 'quyet dinh', 'ke hoach', 'de an', 'ban hanh', 'ngay nao', 'ai ky', 'thu tuc',
  'giay to', 'ho so gom', 'can gi', 'o dau', 'nop o', 'le phi', 'la gi', 'nghia la', 'huong dan',
];
const SUBSCRIBE = ['theodoi', 'theo doi', 'dang ky', 'subscribe'];
const UNSUBSCRIBE = ['huytheodoi', 'huy theo doi', 'huy dang ky', 'unsubscribe'];
const BRIEFING = ['baocao', 'bao cao', 'bao cao tuan', 'briefing'];
const UNBRIEFING = ['huybaocao', 'huy bao cao', 'huy bao cao tuan', 'stop briefing'];
const INDEX_766 = ['766', 'bo chi so 766', 'chi so 766'];
/** Matches listed at most before asking the user to be more precise. */
const MAX_CHOICES = 8;

function containsPhrase(folded: string, phrases: string[]): boolean {
  const padded = ` ${folded} `;
  return phrases.some((p) => padded.includes(` ${p} `));
}

/**
 * How sure we are that free text asks for a KPI's figure: it must name a KPI (an alias) and
 * ask for a value, progress or target; naming a directive, plan or procedure pulls it back to
 * the knowledge search.
 */
function detectKpiQuestion(text: string, catalog: KpiCatalog): number {
  if (text.trim().startsWith('/')) return 0;
  if (catalog.match(text).length === 0) return 0;
  const folded = words(text).join(' ');
  let score = 0.45;
  if (containsPhrase(folded, VALUE_CUES)) score += 0.35;
  if (containsPhrase(folded, DOCUMENT_CUES)) score -= 0.4;
  return Math.max(0, Math.min(1, score));
}

interface KpiHandlerOptions {
  texts: Texts;
  /** Answers what names no KPI when it reads like a question (the knowledge search). */
  fallback?: Handler;
  /** Finds the places a question names, to hold them against each KPI's region. */
  places: PlaceRegistry;
  /** The weekly briefing's subscriptions; without them /kpi baocao is not offered. */
  briefings?: BriefingSubscriptions;
}

export function createKpiHandler(kpi: KpiService, opts: KpiHandlerOptions): Handler {
  return {
    id: 'kpi',
    commands: ['kpi', 'chiso'],
    phrases: ['kpi', 'chi so'],
    detect: (text) => detectKpiQuestion(text, kpi.catalog),
    handle: (ctx) => handleKpi(kpi, opts, ctx),
  };
}

async function handleKpi(kpi: KpiService, opts: KpiHandlerOptions, ctx: HandlerContext): Promise<Reply> {
  const { inbound, args } = ctx;
  const locale = inbound.locale;
  const t = opts.texts;
  const viewer: Viewer = { role: inbound.role, isGroup: inbound.isGroup };
  const query = args.trim();
  const folded = words(query).join(' ');

  if (!query) return summary(kpi, 'target', viewer, ctx, t);
  if (INDEX_766.includes(folded)) return summary(kpi, '766', viewer, ctx, t);
  if (SUBSCRIBE.includes(folded)) return subscribe(kpi, ctx, t);
  if (UNSUBSCRIBE.includes(folded)) {
    const removed = await kpi.unsubscribe(inbound.channel, inbound.chatId);
    return text(t.get(locale, removed ? 'kpi-unsubscribed' : 'kpi-not-subscribed'), true);
  }
  if (opts.briefings && BRIEFING.includes(folded)) return subscribeBriefing(opts.briefings, ctx, t);
  if (opts.briefings && UNBRIEFING.includes(folded)) {
    const removed = await opts.briefings.unsubscribe(inbound.channel, inbound.chatId);
    return text(t.get(locale, removed ? 'kpi-briefing-unsubscribed' : 'kpi-briefing-not-subscribed'), true);
  }

  const matches = kpi.catalog.match(query);
  if (matches.length === 0) {
    if (opts.fallback && words(query).length >= 3) return opts.fallback.handle(ctx);
    return text(t.get(locale, 'kpi-not-found', { query: query.slice(0, 60) }), false);
  }
  const visible = matches.map((m) => m.def).filter((d) => canSee(d, viewer));
  if (visible.length === 0) return text(t.get(locale, 'kpi-officials-only'), false);
  // An id typed as is ("bd-ra-soat-tthc-2023") names a KPI, not a year.
  if (!kpi.catalog.get(query.toLowerCase())) {
    const asked = classifyAsk(query, opts.places);
    const constraints: KpiConstraints = { places: asked.places, slots: yearSlots(asked) };
    if (constraints.places.length || constraints.slots.length) return constrained(kpi, visible, constraints, query, opts, ctx);
  }
  return answer(kpi, visible, query, ctx, t);
}

async function answer(kpi: KpiService, defs: KpiDefinition[], query: string, ctx: HandlerContext, t: Texts): Promise<Reply> {
  if (defs.length === 1) {
    const view = await kpi.view(defs[0]!);
    return { ...detailReply(view, ctx.inbound.locale, t), image: historyImage(view, ctx.inbound.locale, t) };
  }
  return choices(kpi, defs.slice(0, MAX_CHOICES), query, ctx, t);
}

/**
 * A question that names a place or years: only the KPIs of that place, only the values of those
 * years. When there is none, it says so plainly (found: false, nothing cited); the place's
 * latest values are offered as related reading only, never as the answer.
 */
async function constrained(
  kpi: KpiService,
  visible: KpiDefinition[],
  c: KpiConstraints,
  query: string,
  opts: KpiHandlerOptions,
  ctx: HandlerContext,
): Promise<Reply> {
  const { texts: t } = opts;
  const locale = ctx.inbound.locale;
  const own = forPlaces(visible, c.places, opts.places);
  const named = c.places[0];
  const about = own[0] ?? visible[0]!;
  const place = placeLabel(named, about, opts.places, t, locale);
  const period = c.slots.map((s) => yearsLabel(s.from, s.to, locale, t)).join(', ');
  const none = t.get(locale, period ? 'kpi-asked-none-when' : 'kpi-asked-none-place', { name: kpiBareName(about, locale), place, period });
  if (own.length === 0) return noValueReply(none, [], locale, t);
  if (c.slots.length === 0) return answer(kpi, own, query, ctx, t);
  const views = await kpi.views(own.slice(0, MAX_CHOICES));
  const found = views.map((v) => ({
    def: v.def,
    slots: c.slots.map((s) => ({ label: yearsLabel(s.from, s.to, locale, t), values: inSlot(v.history, s) })),
  }));
  if (found.some((f) => f.slots.some((s) => s.values.length > 0))) return askedValuesReply(found, locale, t);
  return noValueReply(none, views.flatMap((v) => (v.latest ? [v.latest] : [])), locale, t);
}

async function summary(kpi: KpiService, group: KpiDefinition['group'], viewer: Viewer, ctx: HandlerContext, t: Texts): Promise<Reply> {
  const locale = ctx.inbound.locale;
  const shown = kpi.visible(viewer, group);
  const hidden = kpi.catalog.all().filter((d) => d.group === group && !canSee(d, viewer));
  const footer: string[] = [];
  if (hidden.length) footer.push(t.get(locale, hasRole(viewer.role, 'official') ? 'kpi-group-hidden' : 'kpi-internal-hidden'));
  footer.push(t.get(locale, 'kpi-summary-more'));
  const today = vnDay(kpi.now());
  const heading = t.get(locale, group === '766' ? 'kpi-766-heading' : 'kpi-summary-heading', { date: formatDate(today) });
  const views = await kpi.views(shown);
  return { ...summaryReply(views, locale, t, { heading, footer }), image: cardImage(views, heading, kpi, locale, t) };
}

/** The KPIs as one chart card beside the text (none when there is nothing to draw). */
function cardImage(views: KpiView[], title: string | undefined, kpi: KpiService, locale: Locale, t: Texts): ReplyImage | undefined {
  if (views.length === 0) return undefined;
  const chart = kpiCardSvg(views, { locale, texts: t, today: vnDay(kpi.now()), title });
  return { ...chart, alt: t.get(locale, 'chart-card-alt', { n: views.length }) };
}

/** One KPI's history chart: values, target line and projection to the deadline. */
function historyImage(view: KpiView, locale: Locale, t: Texts): ReplyImage {
  const chart = kpiHistorySvg(view, { locale, texts: t });
  return { ...chart, alt: t.get(locale, 'chart-history-alt', { name: kpiName(view.def, locale) }) };
}

async function choices(kpi: KpiService, defs: KpiDefinition[], query: string, ctx: HandlerContext, t: Texts): Promise<Reply> {
  const locale: Locale = ctx.inbound.locale;
  const views = await kpi.views(defs);
  const refs = new SourceRefs(locale, t);
  const blocks: Block[] = [
    { type: 'text', text: t.get(locale, 'kpi-choose', { n: defs.length, query: query.slice(0, 60) }) },
    { type: 'list', items: views.map((v) => summaryLine(v, locale, t, refs)) },
  ];
  const buttons: Button[][] = defs.map((d) => [{ label: kpiName(d, locale, true), action: `/kpi ${d.id}` }]);
  return { intent: 'kpi', blocks, citations: refs.citations, buttons, found: true, image: cardImage(views, undefined, kpi, locale, t) };
}

async function subscribe(kpi: KpiService, ctx: HandlerContext, t: Texts): Promise<Reply> {
  const { inbound } = ctx;
  if (!hasRole(inbound.role, 'official')) return text(t.get(inbound.locale, 'kpi-subscribe-officials-only'), false);
  if (inbound.isGroup) return text(t.get(inbound.locale, 'kpi-subscribe-no-group'), false);
  const added = await kpi.subscribe({ channel: inbound.channel, chatId: inbound.chatId, locale: inbound.locale }, inbound.userId);
  return text(t.get(inbound.locale, added ? 'kpi-subscribed' : 'kpi-already-subscribed'), true);
}

/** Officials only, in a private chat: the briefing holds internal KPIs, never shown in groups. */
async function subscribeBriefing(briefings: BriefingSubscriptions, ctx: HandlerContext, t: Texts): Promise<Reply> {
  const { inbound } = ctx;
  if (!hasRole(inbound.role, 'official')) return text(t.get(inbound.locale, 'kpi-briefing-officials-only'), false);
  if (inbound.isGroup) return text(t.get(inbound.locale, 'kpi-briefing-no-group'), false);
  // The web chat has no way to reach a person later: a subscription there would never arrive.
  if (inbound.channel === 'web') return text(t.get(inbound.locale, 'kpi-briefing-no-web'), false);
  const added = await briefings.subscribe({ channel: inbound.channel, chatId: inbound.chatId, locale: inbound.locale }, inbound.userId);
  return text(t.get(inbound.locale, added ? 'kpi-briefing-subscribed' : 'kpi-briefing-already-subscribed'), true);
}

function text(body: string, found: boolean): Reply {
  return { intent: 'kpi', blocks: [{ type: 'text', text: body }], citations: [], found };
}
