/**
 * @module config
 * The one place the environment is read: raw variables in, a typed, validated Config out.
 * Each optional service is on when its variables are set and off otherwise; a malformed
 * value stops start-up with a message naming the variable (never its value: it may be secret).
 */
import { z } from 'zod';
import { parsePullSources, type PullSource } from './config-pull-sources';

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

const optionalUrl = optionalString.pipe(z.url({ protocol: /^https?$/ }).optional());

const optionalInt = (min: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  );

const listOf = optionalString.transform((s) =>
  s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [],
);

const EnvSchema = z.object({
  HOST: optionalString,
  PORT: optionalInt(1, 65535),
  // The characters of an RFC 6750 bearer token: hono/bearer-auth never accepts any other.
  ADMIN_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters').regex(/^[A-Za-z0-9._~+/-]+=*$/, 'may hold only A-Z a-z 0-9 . _ ~ + / - (and = at the end)').optional(),
  ),
  /** Per-operator tokens, "name:token" pairs, comma separated: the audit log names the operator. */
  ADMIN_TOKENS: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: optionalString,
  OPENAI_EMBEDDING_MODEL: optionalString,
  /** Tokens per day (Asia/Ho_Chi_Minh) across all users; 0 turns generation off. */
  OPENAI_DAILY_TOKEN_BUDGET: optionalInt(0, 1_000_000_000),
  /** Percent of the daily token budget one web client address may spend. */
  OPENAI_BUDGET_PERCENT_PER_ADDRESS: optionalInt(1, 100),
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  /** Node: Redis or Valkey over TCP (redis://, rediss:// for TLS); may hold a password, so never echoed. */
  REDIS_URL: optionalString.transform((s, ctx) => {
    if (s === undefined) return undefined;
    try {
      return parseRedisUrl(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z a-z 0-9 _ -').optional(),
  ),
  TELEGRAM_API_BASE: optionalUrl,
  /** A Telegram staff group told when a citizen asks for a person (a chat id, e.g. -1001234567890). */
  HANDOFF_TELEGRAM_CHAT_ID: optionalString.pipe(
    z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'must be a Telegram chat id (e.g. -1001234567890) or @channelname').optional(),
  ),
  ZALO_BOT_TOKEN: optionalString,
  ZALO_WEBHOOK_SECRET: optionalString.pipe(z.string().min(8).max(256).optional()),
  ZALO_API_BASE: optionalUrl,
  /** Upstream dossier status service (GET <url>?code=<mã>); without it users are sent to the portal. */
  DOSSIER_LOOKUP_URL: optionalUrl,
  PUBLIC_BASE_URL: optionalUrl,
  /** Comma-separated "channel:userId" pairs treated as officials without an invite. */
  OFFICIAL_ALLOWLIST: listOf,
  /** Days a conversation turn is kept. */
  HISTORY_TTL_DAYS: optionalInt(1, 365),
  /** Days each question is kept (masked, not linked to a user) for the operator's stats. */
  ANALYTICS_RETENTION_DAYS: optionalInt(1, 730),
  /** Days admin actions stay in the audit log. */
  AUDIT_RETENTION_DAYS: optionalInt(1, 3650),
  /** Largest document an operator may upload (/admin/documents), in MB. */
  KNOWLEDGE_MAX_UPLOAD_MB: optionalInt(1, 50),
  /** Seconds between an isolate's checks for newly published documents. */
  KNOWLEDGE_REFRESH_SECONDS: optionalInt(1, 300),
  /** Messages one user may send per minute, across channels' own limits. */
  RATE_LIMIT_PER_MINUTE: optionalInt(1, 10_000),
  /** Web chat requests one client address may send per minute, whatever session ids it names. */
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: optionalInt(1, 100_000),
  /** Node: reverse proxies in front whose X-Forwarded-For / X-Real-IP are believed (0 or false: none). */
  TRUST_PROXY: optionalString.pipe(
    z
      .string()
      .regex(/^(true|false|\d{1,2})$/, 'must be true, false or the number of proxies in front (0-10)')
      .transform((s) => (s === 'true' ? 1 : s === 'false' ? 0 : Number(s)))
      .pipe(z.number().int().max(10, 'must be true, false or the number of proxies in front (0-10)'))
      .optional(),
  ),
  /** JSON array of KPI pull sources (src/kpi/pull.ts); may hold tokens: set it as a secret. */
  KPI_PULL_SOURCES: optionalString,
  /** Subrequests (store calls + sends) one reminder run may make before handing over to the next tick. */
  REMINDER_SUBREQUEST_BUDGET: optionalInt(20, 1_000_000),
  /** Seconds one reminder run may spend before handing over to the next tick. */
  REMINDER_WALL_SECONDS: optionalInt(5, 900),
  LOG_LEVEL: optionalString.pipe(z.enum(['debug', 'info', 'warn', 'error']).optional()),
  /** Lets a Worker run on per-isolate memory (`wrangler dev` only): no shared dedupe, limits or budget. */
  ALLOW_MEMORY_STORE: optionalString.pipe(z.enum(['1', 'true', '0', 'false']).optional()),
});

export type RawEnv = Record<string, string | undefined>;

export interface Config {
  host: string;
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  historyTtlSeconds: number;
  rateLimitPerMinute: number;
  rateLimitPerAddressPerMinute: number;
  /** How many reverse proxies' forwarded headers the Node entry believes (0: the socket address only). */
  trustProxy: number;
  analyticsRetentionDays: number;
  auditRetentionDays: number;
  /** Published documents (knowledge/catalogue): upload limit and how often an isolate looks for changes. */
  knowledge: { maxUploadMb: number; refreshSeconds: number };
  /**
   * Who may use /admin and /console: ADMIN_TOKEN (the operator "admin", `token`) and ADMIN_TOKENS
   * (named operators); absent when neither is set.
   */
  admin?: { token?: string; operators: AdminOperator[] };
  openai?: { apiKey: string; baseUrl?: string; model: string; embeddingModel: string; dailyTokenBudget: number; addressSharePercent: number };
  upstash?: { url: string; token: string };
  /** REDIS_URL, parsed: the Node entry's store (src/store/redis.ts). */
  redis?: RedisConnection;
  telegram?: { token: string; webhookSecret: string; apiBase: string };
  /** HANDOFF_TELEGRAM_CHAT_ID: the staff group told when a handoff opens (needs the Telegram bot). */
  handoffTelegramChatId?: string;
  zalo?: { token: string; webhookSecret: string; apiBase: string };
  officialAllowlist: string[];
  kpiPullSources: PullSource[];
  dossierLookupUrl?: string;
  /** The app's public origin (no trailing slash), for links platforms fetch (Zalo's chart photos). */
  publicBaseUrl?: string;
  /** Unset means unlimited (Node); Workers sets both in wrangler.toml. */
  reminders: { maxSubrequests?: number; maxWallMs?: number };
  /** ALLOW_MEMORY_STORE: a Worker may start without a shared store (development only). */
  allowMemoryStore: boolean;
}

/** One operator of the admin API and console: the name the audit log records, and the bearer token. */
export interface AdminOperator {
  name: string;
  token: string;
  /** ADMIN_TOKEN's operator "admin": a script using it may name itself with X-Admin-Actor. */
  shared: boolean;
}

/** The characters of an RFC 6750 bearer token: hono/bearer-auth never accepts any other. */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;
const OPERATOR_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u;

/**
 * ADMIN_TOKEN and ADMIN_TOKENS ("lan:token1,minh:token2") as operators. Errors name the operator
 * or the pair's position, never a token.
 */
function parseOperators(shared: string | undefined, pairs: string | undefined): AdminOperator[] {
  const operators: AdminOperator[] = shared ? [{ name: 'admin', token: shared, shared: true }] : [];
  const entries = (pairs ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  entries.forEach((pair, i) => {
    const colon = pair.indexOf(':');
    const name = colon > 0 ? pair.slice(0, colon).trim().normalize('NFC') : '';
    const token = colon > 0 ? pair.slice(colon + 1).trim() : '';
    const where = `ADMIN_TOKENS: pair ${i + 1}`;
    if (!name || !token) throw new ConfigError(`Invalid environment: ${where}: write each operator as name:token, separated by commas`);
    if (!OPERATOR_NAME.test(name)) throw new ConfigError(`Invalid environment: ${where}: the name may hold only letters, digits, space . _ @ - (at most 64)`);
    if (token.length < 16 || !BEARER_TOKEN.test(token)) {
      throw new ConfigError(`Invalid environment: ${where} (${name}): the token must be at least 16 characters of A-Z a-z 0-9 . _ ~ + / - (and = at the end)`);
    }
    // The handoff transcript and its closer name the citizen "citizen": no operator may be called so.
    if (name.toLowerCase() === 'citizen') throw new ConfigError(`Invalid environment: ${where}: the name citizen is reserved for the citizen in a handoff`);
    if (operators.some((o) => o.name.toLowerCase() === name.toLowerCase())) {
      throw new ConfigError(`Invalid environment: ${where}: the name ${name} is used twice (ADMIN_TOKEN is the operator "admin")`);
    }
    if (operators.some((o) => o.token === token)) throw new ConfigError(`Invalid environment: ${where} (${name}): the token is used by another operator`);
    operators.push({ name, token, shared: false });
  });
  return operators;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: RawEnv): Config {
  const picked: RawEnv = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (typeof value === 'string') picked[key] = value;
  }
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  let kpiPullSources: PullSource[];
  try {
    kpiPullSources = parsePullSources(e.KPI_PULL_SOURCES);
  } catch (err) {
    // The parser names the position and field, never the value (it may hold a token).
    throw new ConfigError(`Invalid environment: ${(err as Error).message}`);
  }
  // Two stores would split the state (claims, limits, roles) between them: one must be chosen.
  if (e.REDIS_URL && (e.UPSTASH_REDIS_REST_URL || e.UPSTASH_REDIS_REST_TOKEN)) {
    throw new ConfigError(
      'Invalid environment: REDIS_URL and UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN: set one store, not both ' +
        '(REDIS_URL for your own Redis or Valkey over TCP, UPSTASH_* for Upstash over REST)',
    );
  }
  const operators = parseOperators(e.ADMIN_TOKEN, e.ADMIN_TOKENS);
  requirePair(e.UPSTASH_REDIS_REST_URL, e.UPSTASH_REDIS_REST_TOKEN, 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN');
  // Webhooks are verified by their secret header, never by a token in the URL: no secret, no channel.
  if (e.TELEGRAM_BOT_TOKEN && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid environment: TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_TOKEN is set');
  }
  if (e.HANDOFF_TELEGRAM_CHAT_ID && !e.TELEGRAM_BOT_TOKEN) {
    throw new ConfigError('Invalid environment: HANDOFF_TELEGRAM_CHAT_ID: the staff group is told through the Telegram bot; set TELEGRAM_BOT_TOKEN too');
  }
  if (e.ZALO_BOT_TOKEN && !e.ZALO_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid environment: ZALO_WEBHOOK_SECRET: required when ZALO_BOT_TOKEN is set');
  }

  return {
    host: e.HOST ?? '0.0.0.0',
    port: e.PORT ?? 8787,
    logLevel: e.LOG_LEVEL ?? 'info',
    historyTtlSeconds: (e.HISTORY_TTL_DAYS ?? 30) * 86_400,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE ?? 20,
    rateLimitPerAddressPerMinute: e.RATE_LIMIT_PER_ADDRESS_PER_MINUTE ?? 30,
    trustProxy: e.TRUST_PROXY ?? 0,
    analyticsRetentionDays: e.ANALYTICS_RETENTION_DAYS ?? 90,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS ?? 365,
    knowledge: { maxUploadMb: e.KNOWLEDGE_MAX_UPLOAD_MB ?? 10, refreshSeconds: e.KNOWLEDGE_REFRESH_SECONDS ?? 5 },
    admin: operators.length ? { ...(e.ADMIN_TOKEN ? { token: e.ADMIN_TOKEN } : {}), operators } : undefined,
    openai: e.OPENAI_API_KEY
      ? {
          apiKey: e.OPENAI_API_KEY,
          baseUrl: e.OPENAI_BASE_URL,
          model: e.OPENAI_MODEL ?? 'gpt-4o-mini',
          embeddingModel: e.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small',
          dailyTokenBudget: e.OPENAI_DAILY_TOKEN_BUDGET ?? 2_000_000,
          addressSharePercent: e.OPENAI_BUDGET_PERCENT_PER_ADDRESS ?? 5,
        }
      : undefined,
    upstash:
      e.UPSTASH_REDIS_REST_URL && e.UPSTASH_REDIS_REST_TOKEN
        ? { url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN }
        : undefined,
    redis: e.REDIS_URL,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET!,
          apiBase: stripSlash(e.TELEGRAM_API_BASE ?? 'https://api.telegram.org'),
        }
      : undefined,
    zalo: e.ZALO_BOT_TOKEN
      ? {
          token: e.ZALO_BOT_TOKEN,
          webhookSecret: e.ZALO_WEBHOOK_SECRET!,
          apiBase: stripSlash(e.ZALO_API_BASE ?? 'https://bot-api.zaloplatforms.com'),
        }
      : undefined,
    handoffTelegramChatId: e.HANDOFF_TELEGRAM_CHAT_ID,
    officialAllowlist: e.OFFICIAL_ALLOWLIST,
    kpiPullSources,
    dossierLookupUrl: e.DOSSIER_LOOKUP_URL,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    reminders: {
      maxSubrequests: e.REMINDER_SUBREQUEST_BUDGET,
      maxWallMs: e.REMINDER_WALL_SECONDS === undefined ? undefined : e.REMINDER_WALL_SECONDS * 1000,
    },
    allowMemoryStore: e.ALLOW_MEMORY_STORE === '1' || e.ALLOW_MEMORY_STORE === 'true',
  };
}

/**
 * A Worker's memory lives in one isolate among many: without a shared store, de-duplication,
 * rate limits and the token budget would silently stop being shared. So on Workers a missing
 * store is a start-up error unless ALLOW_MEMORY_STORE says this is development (`npm run dev`).
 */
export function requireSharedStore(config: Config): void {
  if (config.redis) {
    throw new ConfigError(
      'Invalid environment: REDIS_URL: the Worker has no Redis-over-TCP store; set UPSTASH_REDIS_REST_URL and ' +
        'UPSTASH_REDIS_REST_TOKEN instead (REDIS_URL is for the Node server)',
    );
  }
  if (config.upstash || config.allowMemoryStore) return;
  throw new ConfigError(
    'Invalid environment: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN: required on Workers ' +
      '(memory is per isolate); set ALLOW_MEMORY_STORE=1 only for local development',
  );
}

function requirePair(a: string | undefined, b: string | undefined, nameA: string, nameB: string): void {
  if (Boolean(a) !== Boolean(b)) {
    throw new ConfigError(`Invalid environment: ${a ? nameB : nameA}: required when ${a ? nameA : nameB} is set`);
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Where the Node entry's Redis or Valkey listens (REDIS_URL); holds the password, so never logged. */
export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** rediss://: TLS, the server's certificate checked against the system CAs (and NODE_EXTRA_CA_CERTS). */
  tls: boolean;
}

/**
 * redis://[[user]:password@]host[:port][/db], or rediss:// for TLS. Query options are refused
 * rather than silently ignored. Errors say what is wrong, never repeat the URL (it may hold a password).
 */
export function parseRedisUrl(text: string): RedisConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('must be a URL like redis://host:6379/0 or rediss://host:6380/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('must start with redis:// or rediss:// (TLS)');
  if (!url.hostname) throw new Error('must name a host, e.g. redis://10.0.0.7:6379/0');
  if (url.search || url.hash) throw new Error('takes no ?options or #fragment; the database goes in the path, e.g. /0');
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new Error('the path must be a database number, e.g. /0');
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = url.username ? decodeURIComponent(url.username) : undefined;
    password = url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    throw new Error('the user name or password is not properly %-encoded');
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'), // an IPv6 literal without its brackets
    port: url.port ? Number(url.port) : 6379,
    db: path ? Number(path) : 0,
    username,
    password,
    tls: url.protocol === 'rediss:',
  };
}

/** One line saying what is live, for start-up logs and /healthz. Never includes a secret. */
export function describeServices(config: Config): Record<string, string | boolean> {
  return {
    store: config.redis ? 'redis' : config.upstash ? 'upstash' : 'memory',
    model: config.openai ? config.openai.model : 'none (quoting passages)',
    telegram: Boolean(config.telegram),
    zalo: Boolean(config.zalo),
    admin: Boolean(config.admin),
    dossierLookup: Boolean(config.dossierLookupUrl),
  };
}
