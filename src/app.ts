/**
 * @module app
 * The composition root: builds the runtime (store, knowledge, texts, assistant, jobs) from a
 * Config, and the one Hono app both entries serve. Everything is wired here and handed
 * down; no module below reads the environment or a global.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Config } from './config';
import { describeServices } from './config';
import { Assistant } from './core/assistant';
import type { Handler } from './core/handler';
import { Conversation } from './core/conversation';
import { Invites, RoleDirectory } from './core/roles';
import { RateLimiter } from './core/rate-limit';
import { Texts, type TextTable } from './core/texts';
import { KnowledgeBundleSchema, PlaceRegistrySchema } from './knowledge/schema';
import { PlaceRegistry } from './knowledge/places';
import { createIndex, type KnowledgeIndex } from './search/knowledge-index';
import { LiveKnowledge } from './search/live-index';
import { Catalogue } from './knowledge/catalogue';
import { documentsAdmin } from './admin/documents';
import { compactionJob } from './jobs/compaction';
import { exportAdmin, importAdmin } from './admin/backup';
import type { AnalyzerData } from './search/analyzer';
import type { Store } from './store/store';
import { createStore } from './store/index';
import { createLogger, describeError, type Logger } from './log';
import { webChannel } from './channels/web/routes';
import type { ClientAddressOf } from './channels/web/address';
import { webSessionEraser } from './channels/web/session';
import { zaloChannel } from './channels/zalo/webhook';
import { zaloEraser, zaloOutbound } from './channels/zalo/outbound';
import { telegramChannel } from './channels/telegram/webhook';
import { telegramOutbound } from './channels/telegram/outbound';
import { createFeedbackHandler } from '../handlers/feedback';
import { feedbackEraser } from './analytics/feedback';
import { questionRecorder } from './analytics/questions';
import { kpiEraser } from './kpi/erase';
import { channelOutbound, type ChannelSenders } from './channels/outbound';
import type { Outbound } from './core/types';
import { adminApp, hasBearer, makeAudit } from './admin/index';
import { consoleApp } from './console/index';
import { invitesApp } from './admin/invites';
import { rolesApp } from './admin/roles';
import { statsApp } from './admin/stats';
import { coreErasers } from './privacy/erasers';
import type { UserDataEraser } from './privacy/erase';
import { metricsAdmin } from './admin/metrics';
import { KpiService } from './kpi/service';
import { kpiPullJob } from './jobs/kpi-pull';
import { kpiAlertJob } from './jobs/kpi-alerts';
import { kpiBriefingJob } from './jobs/briefing';
import { BriefingSubscriptions, briefingEraser } from './kpi/briefing';
import { createKpiHandler } from '../handlers/kpi';
import { createLlm, type Llm } from './llm/llm';
import { createProcedureService, type ProcedureService } from './procedures/service';
import { LiveProcedures } from './procedures/live';
import { proceduresAdmin } from './admin/procedures';
import { kpisAdmin } from './admin/kpis';
import { createProceduresHandler } from '../handlers/procedures';
import { reminderHandlers } from '../handlers/reminders';
import { createRemindersJob } from './jobs/reminders';
import { reminderEraser } from './tasks/subscriptions';
import { tasksAdmin } from './admin/tasks';
import { jobsAdmin } from './admin/jobs';
import { knowledgeSearchTool } from './llm/tools';
import { runJobs } from './jobs/runner';
import { type Job, type JobRun, LAST_RUNS_KEY } from './jobs/job';
import { helpHandlers } from '../handlers/help';
import { createAskHandler } from '../handlers/ask';
import { handoffHandlers } from '../handlers/handoff';
import { Handoffs } from './handoff/service';
import { WorkingHoursSchema } from './handoff/hours';
import { handoffEraser } from './handoff/erase';
import { handoffsAdmin } from './admin/handoffs';
import { handoffOverdueJob } from './jobs/handoff-overdue';
import { accountHandlers } from '../handlers/account';
import type { PngRenderer } from './media/png-renderer';
import type { PdfReader } from './knowledge/extract/index';
import { chartLinkRoutes, chartLinks, type ChartLinks } from './media/chart-links';
import bundleJson from './generated/bundle.json';
import knowledgeJson from './generated/knowledge.json';
import embeddingsJson from './generated/embeddings.json';

export interface Runtime {
  config: Config;
  store: Store;
  log: Logger;
  texts: Texts;
  /** The bundled seed plus what operators published (refreshed from the store every few seconds). */
  knowledge: LiveKnowledge;
  /** Published documents in the store (/admin/documents). */
  catalogue: Catalogue;
  /** The clock everything in this runtime reads (tests pass a fixed one). */
  now: () => Date;
  procedures: ProcedureService;
  /** Brings live procedure records and KPI definitions in (throttled unless `force`); never throws. */
  refreshLive(force?: boolean): Promise<void>;
  /** The model for generated answers; absent without OPENAI_API_KEY. */
  llm?: Llm;
  conversation: Conversation;
  assistant: Assistant;
  /** The read-only handlers the console's search tester may run, by handler id. */
  testerHandlers: ReadonlyMap<string, Handler>;
  roles: RoleDirectory;
  invites: Invites;
  kpi: KpiService;
  jobs: Job[];
  page: string;
  /** Sends proactive messages (reminders, alerts) through whichever channels are live. */
  outbound: Outbound;
  /** Draws charts as PNG for chat photos (the entry's platform); without it charts go unsent. */
  renderPng?: PngRenderer;
  /** Charts served by URL for Zalo; absent without PUBLIC_BASE_URL or a renderer. */
  charts?: ChartLinks;
  /** Conversations handed to a person (the admin API and the console's Hỗ trợ page). */
  handoffs: Handoffs;
}

export interface RuntimeOverrides {
  store?: Store;
  log?: Logger;
  now?: () => Date;
  /** A model other than the configured one (tests: a fake server, a fake clock). */
  llm?: Llm;
  /** SVG to PNG on this platform: in process on Node (media/png-node), the chart renderer Worker on Workers. */
  renderPng?: PngRenderer;
  /** A PDF's text layer: in process on Node (knowledge/extract/pdf), the PDF reader Worker on Workers; without it PDF uploads are refused (503). */
  readPdf?: PdfReader;
}

interface Bundle {
  prompts: TextTable;
  webPage: string;
  analyzer: AnalyzerData;
  /** knowledge/places.json, validated again at start-up. */
  places: unknown;
  /** knowledge/profile.json (validated by the bundle build). */
  profile?: { workingHours?: unknown };
}

/** The place registry, parsed once per isolate/process. */
let sharedPlaces: PlaceRegistry | undefined;
function loadPlaces(): PlaceRegistry {
  sharedPlaces ??= new PlaceRegistry(PlaceRegistrySchema.parse((bundleJson as Bundle).places));
  return sharedPlaces;
}

/** The index is built once per isolate/process and shared by every runtime in it. */
let sharedIndex: KnowledgeIndex | undefined;
function loadIndex(): KnowledgeIndex {
  // Embeddings exist only when ingest ran with OPENAI_API_KEY; the placeholder loads no vectors.
  sharedIndex ??= createIndex(KnowledgeBundleSchema.parse(knowledgeJson), (bundleJson as Bundle).analyzer, {
    embeddings: embeddingsJson,
    places: loadPlaces().nameGroups(),
  });
  return sharedIndex;
}

export function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Runtime {
  const bundle = bundleJson as Bundle;
  const log = overrides.log ?? createLogger(config.logLevel);
  const store = overrides.store ?? createStore({ upstash: config.upstash });
  const now = overrides.now ?? (() => new Date());
  const places = loadPlaces();
  const texts = new Texts(bundle.prompts);
  const base = loadIndex();
  const catalogue = new Catalogue({
    store,
    analyzer: bundle.analyzer,
    now,
    maxUploadMb: config.knowledge.maxUploadMb,
    readPdf: overrides.readPdf,
    bundledIds: new Set(base.documents.map((d) => d.id)),
  });
  const knowledge = new LiveKnowledge(base, catalogue, {
    analyzer: bundle.analyzer,
    refreshMs: config.knowledge.refreshSeconds * 1000,
    onError: (e) => log.warn('knowledge: manifest check failed; answering from what is loaded', { error: describeError(e) }),
    // A procedure record replaced or retired live: its bundled text is not quoted any more.
    hidden: () => liveProcedures.overridden(),
  });
  const liveProcedures = new LiveProcedures({
    store,
    now,
    refreshMs: config.knowledge.refreshSeconds * 1000,
    onError: (e) => log.warn('procedures: live records check failed; answering from what is loaded', { error: describeError(e) }),
  });
  const procedures = createProcedureService({ dossierLookupUrl: config.dossierLookupUrl, analyzer: bundle.analyzer, live: liveProcedures });
  let llm = overrides.llm;
  if (!llm && config.openai) {
    llm = createLlm(config.openai, { store, texts, log, now });
    llm.tools.add(knowledgeSearchTool(knowledge, llm.embedder));
  }
  const roles = new RoleDirectory(store, config.officialAllowlist);
  const invites = new Invites(store, roles, now);
  // Every feature that keeps per-user or per-chat state adds its eraser here (/xoadulieu).
  const erasers: UserDataEraser[] = [...coreErasers, feedbackEraser, zaloEraser, webSessionEraser, kpiEraser, briefingEraser, reminderEraser, handoffEraser];
  const kpi = new KpiService({ store, now, log, liveRefreshMs: config.knowledge.refreshSeconds * 1000 });
  // Live procedure records and KPI definitions: one revision GET each, at most every refresh interval.
  const refreshLive = async (force = false) => {
    await Promise.all([procedures.refresh(force), kpi.refresh(force)]);
  };
  const briefings = new BriefingSubscriptions(store, now);
  const conversation = new Conversation(store, config.historyTtlSeconds);
  const basics = { texts, log, now };
  // Staff replies leave through the live channels (`outbound`, built below, called later).
  const handoffs = new Handoffs({
    store,
    now,
    texts,
    log,
    retentionSeconds: config.historyTtlSeconds,
    outbound: { send: (to, reply) => outbound.send(to, reply) },
    // The deployment profile's working hours (knowledge/profile.json), else the usual office hours.
    hours: WorkingHoursSchema.optional().parse(bundle.profile?.workingHours),
    staffNotice: config.handoffTelegramChatId ? { chatId: config.handoffTelegramChatId, publicBaseUrl: config.publicBaseUrl } : undefined,
  });
  const handoff = handoffHandlers({ ...basics, handoffs, conversation, hours: handoffs.hours });
  const rawAsk = createAskHandler({ ...basics, knowledge, conversation, llm, places });
  const ask = handoff.offerAfterMisses(rawAsk);
  const help = helpHandlers({ texts, historyTtlSeconds: config.historyTtlSeconds, analyticsRetentionDays: config.analyticsRetentionDays });
  const proceduresHandler = createProceduresHandler({ ...basics, procedures, places });
  // The console's search tester runs only these, by the id routing names: read-only, the ask
  // without the miss count (no handoff offer), KPI without briefings and falling back to that ask.
  const testerHandlers = new Map([...help, proceduresHandler, createKpiHandler(kpi, { texts, fallback: rawAsk, places }), rawAsk].map((h) => [h.id, h] as const));
  const assistant = new Assistant({
    ...basics,
    handlers: [
      ...help,
      ...accountHandlers({ ...basics, store, roles, invites, erasers, analyticsRetentionDays: config.analyticsRetentionDays }),
      proceduresHandler,
      ...reminderHandlers({ texts, now, store }),
      handoff.request,
      handoff.end,
      createKpiHandler(kpi, { texts, fallback: ask, places, briefings }),
      ask,
    ],
    fallback: ask.id,
    roles,
    conversation,
    rateLimit: new RateLimiter(store, { limit: config.rateLimitPerMinute, windowSeconds: 60 }, now, log),
    questions: questionRecorder(store, config.analyticsRetentionDays),
    votes: createFeedbackHandler({ ...basics, store, historyTtlSeconds: config.historyTtlSeconds }),
    // Before each message is routed (handlers match synchronously), live records are brought in.
    interceptor: {
      intercept: async (inbound) => {
        // Independent: both answer before the message is routed, in one round trip's time.
        const [, intercepted] = await Promise.all([refreshLive(), handoff.interceptor.intercept(inbound)]);
        return intercepted;
      },
    },
  });
  const { renderPng } = overrides;
  const charts = renderPng && config.publicBaseUrl ? chartLinks({ store, renderPng, publicBaseUrl: config.publicBaseUrl }) : undefined;
  // Proactive sends (alerts, the briefing) carry their chart as answers do.
  const senders: ChannelSenders = {};
  if (config.telegram) senders.telegram = telegramOutbound({ store, texts, log, config: config.telegram, renderPng });
  if (config.zalo) senders.zalo = zaloOutbound({ config: config.zalo, texts, log, store, charts });
  const outbound = channelOutbound(senders);
  // Zalo fetches a photo by URL: without a public origin there is no link to give, so no photo.
  if (config.zalo && renderPng && !charts) log.warn('zalo: PUBLIC_BASE_URL is not set; charts are sent as text only');
  const audit = makeAudit({ store, now, auditRetentionDays: config.auditRetentionDays });
  // Pull before alerts, so a value pulled this run is judged in the same run.
  const jobs: Job[] = [
    kpiPullJob({ kpi, sources: config.kpiPullSources, audit }),
    kpiAlertJob({ kpi, outbound, texts, roleOf: (channel, userId) => roles.roleOf(channel, userId) }),
    kpiBriefingJob({ kpi, subscriptions: briefings, outbound, texts, roleOf: (channel, userId) => roles.roleOf(channel, userId) }),
    createRemindersJob({ outbound, texts, maxSubrequests: config.reminders.maxSubrequests, maxWallMs: config.reminders.maxWallMs }),
    compactionJob({ catalogue }),
    // With a staff group: tell it once about each handoff waiting past the target (handoff ticks).
    ...(config.handoffTelegramChatId
      ? [handoffOverdueJob({ handoffs, outbound, texts, staffGroup: { chatId: config.handoffTelegramChatId, publicBaseUrl: config.publicBaseUrl }, retentionSeconds: config.historyTtlSeconds })]
      : []),
  ];
  return { config, store, log, texts, knowledge, catalogue, now, procedures, refreshLive, llm, conversation, assistant, testerHandlers, roles, invites, kpi, jobs, page: bundle.webPage, outbound, renderPng, charts, handoffs };
}

/**
 * Runs the scheduled jobs once (the cron handler and the Node timer both call this); `which`
 * picks a subset, e.g. only the reminder job on the Workers reminder ticks.
 */
export function runScheduled(rt: Runtime, at: Date, which: (job: Job) => boolean = () => true): Promise<JobRun[]> {
  return rt.refreshLive().then(() => runJobs(rt.jobs.filter(which), { at, store: rt.store, log: rt.log }));
}

const MAX_BODY_BYTES = 1024 * 1024;
/** An import restores a whole deployment's state (Workers accept request bodies up to 100 MB). */
const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** The console's upload forms (a document, a procedure catalogue export, KPI values): the upload limit. */
const CONSOLE_UPLOAD = /^\/console\/(knowledge\/documents|knowledge\/procedures|kpis)\/?$/;
const OWN_BODY_LIMIT = /^\/admin\/(documents|import|procedures|kpis)(\/|$)/;

interface AppOptions {
  /** How this entry finds a web client's address (Workers: CF-Connecting-IP; Node: the socket). */
  clientAddress?: ClientAddressOf;
}

export function createApp(rt: Runtime, opts: AppOptions = {}): Hono {
  const app = new Hono();
  const vi = 'vi' as const;

  app.use(requestId());
  const appLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: rt.texts.get(vi, 'error-body-too-large') }, 413),
  });
  // Document uploads and imports have their own, larger limit (KNOWLEDGE_MAX_UPLOAD_MB), set by their routes.
  // The console's upload forms carry a document or an export: the upload limit, not the app's.
  const uploadLimit = bodyLimit({
    maxSize: rt.config.knowledge.maxUploadMb * 1024 * 1024 + 64 * 1024,
    onError: (c) => c.json({ error: rt.texts.get(vi, 'error-body-too-large') }, 413),
  });
  app.use((c, next) => (OWN_BODY_LIMIT.test(c.req.path) ? next() : CONSOLE_UPLOAD.test(c.req.path) ? uploadLimit(c, next) : appLimit(c, next)));

  // Public: liveness and readiness only. The details (which store, model and channels, the last
  // job run) help an attacker more than a load balancer, so they need the admin token.
  app.get('/healthz', async (c) => {
    let lastJobs: string | null = null;
    let ready = true;
    try {
      lastJobs = (await rt.store.hashGetAll(LAST_RUNS_KEY))['_run'] ?? null;
    } catch (e) {
      rt.log.warn('healthz: store unreachable', { error: describeError(e) });
      ready = false;
    }
    const status = ready ? 200 : 503;
    const base = ready ? { ok: true, ready } : { ok: false, ready, error: 'store unreachable' };
    if (!(await hasBearer(c.req.header('authorization'), rt.config.admin?.operators.map((o) => o.token)))) return c.json(base, status);
    return c.json(
      {
        ...base,
        ...describeServices(rt.config),
        web: true,
        knowledge: { documents: rt.knowledge.documentCount, chunks: rt.knowledge.size },
        lastScheduledRun: lastJobs,
      },
      status,
    );
  });

  app.route(
    '/',
    webChannel({
      assistant: rt.assistant,
      texts: rt.texts,
      page: rt.page,
      store: rt.store,
      log: rt.log,
      now: rt.now,
      perAddressPerMinute: rt.config.rateLimitPerAddressPerMinute,
      sessionTtlSeconds: rt.config.historyTtlSeconds,
      clientAddress: opts.clientAddress,
      handoffUpdates: (chatId) => rt.handoffs.webUpdates(chatId),
    }),
  );
  const adminDeps = {
    token: rt.config.admin?.token,
    operators: rt.config.admin?.operators ?? [],
    store: rt.store,
    now: rt.now,
    auditRetentionDays: rt.config.auditRetentionDays,
  };
  const audit = makeAudit(adminDeps);
  const admin = adminApp(adminDeps, {
    '/metrics': metricsAdmin({ kpi: rt.kpi, audit, log: rt.log }),
    '/invites': invitesApp({ invites: rt.invites, audit }),
    '/roles': rolesApp({ roles: rt.roles, audit }),
    '/stats': statsApp({ store: rt.store, now: rt.now }),
    '/tasks': tasksAdmin({ store: rt.store, now: rt.now, audit }),
    '/jobs': jobsAdmin({ store: rt.store, now: rt.now }),
    '/handoffs': handoffsAdmin({ handoffs: rt.handoffs, texts: rt.texts, audit, log: rt.log, now: rt.now }),
    '/export': exportAdmin({ store: rt.store, now: rt.now, audit, maxImportBytes: MAX_IMPORT_BYTES }),
    '/import': importAdmin({ store: rt.store, now: rt.now, audit, maxImportBytes: MAX_IMPORT_BYTES, onChange: () => Promise.all([rt.knowledge.refresh(true), rt.refreshLive(true)]).then(() => undefined) }),
    '/documents': documentsAdmin({ catalogue: rt.catalogue, audit, maxUploadMb: rt.config.knowledge.maxUploadMb, onChange: () => rt.knowledge.refresh(true) }),
    '/procedures': proceduresAdmin({ live: rt.procedures.live!, audit, texts: rt.texts, now: rt.now, maxUploadMb: rt.config.knowledge.maxUploadMb, onChange: () => rt.procedures.refresh(true) }),
    '/kpis': kpisAdmin({
      kpi: rt.kpi,
      audit,
      labels: { registry: loadPlaces(), display: (locale, type, name) => rt.texts.get(locale, `place-display-${type}`, { name }) },
      documentExists: (docId) => rt.knowledge.document(docId) !== undefined,
      maxUploadMb: rt.config.knowledge.maxUploadMb,
    }),
  });
  // Admin and console requests read procedures and KPI definitions directly: bring live ones in first.
  app.use(async (c, next) => {
    if (/^\/(admin|console)(\/|$)/.test(c.req.path)) await rt.refreshLive();
    await next();
  });
  app.route('/admin', admin);
  // The console acts through the admin app itself, with the signed-in operator's token.
  app.route(
    '/console',
    consoleApp({
      admin: async (path, init) => admin.request(path, init),
      operators: rt.config.admin?.operators ?? [],
      store: rt.store,
      texts: rt.texts,
      log: rt.log,
      now: rt.now,
      audit,
      clientAddress: opts.clientAddress,
      services: () => describeServices(rt.config),
      knowledge: () => rt.knowledge,
      assistant: rt.assistant,
      testerHandlers: rt.testerHandlers,
      procedures: rt.procedures,
      kpiCatalog: rt.kpi.catalog,
      dailyTokenBudget: rt.config.openai?.dailyTokenBudget,
    }),
  );

  // Always mounted: without published charts every id is unknown, a 404 like any other.
  app.route('/', chartLinkRoutes({ store: rt.store, notFound: rt.texts.get(vi, 'chart-link-not-found') }));

  if (rt.config.telegram) {
    app.route(
      '/webhooks/telegram',
      telegramChannel({ assistant: rt.assistant, store: rt.store, texts: rt.texts, log: rt.log, config: rt.config.telegram, now: rt.now, historyTtlSeconds: rt.config.historyTtlSeconds, renderPng: rt.renderPng }),
    );
  }
  if (rt.config.zalo) {
    app.route(
      '/webhooks/zalo',
      zaloChannel({ assistant: rt.assistant, store: rt.store, texts: rt.texts, log: rt.log, config: rt.config.zalo, now: rt.now, charts: rt.charts }),
    );
  }

  app.notFound((c) => c.json({ error: rt.texts.get(vi, 'error-not-found') }, 404));
  app.onError((err, c) => {
    rt.log.error('request failed', { path: new URL(c.req.url).pathname, error: describeError(err), requestId: c.get('requestId') });
    return c.json({ error: rt.texts.get(vi, 'error-internal'), requestId: c.get('requestId') }, 500);
  });
  return app;
}
