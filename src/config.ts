/**
 * @module config
 * The one place the environment is read: raw variables in, a typed, validated Config out.
 * Each optional service is on when its variables are set and off otherwise; a malformed
 * value stops start-up with a message naming the variable (never its value: it may be secret).
 */
import { z } from 'zod';
import { parsePullSources, type PullSource } from './kpi/pull-config';

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
  ADMIN_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: optionalString,
  OPENAI_EMBEDDING_MODEL: optionalString,
  /** Tokens per day (Asia/Ho_Chi_Minh) across all users; 0 turns generation off. */
  OPENAI_DAILY_TOKEN_BUDGET: optionalInt(0, 1_000_000_000),
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z a-z 0-9 _ -').optional(),
  ),
  TELEGRAM_API_BASE: optionalUrl,
  ZALO_BOT_TOKEN: optionalString,
  ZALO_WEBHOOK_SECRET: optionalString.pipe(z.string().min(8).max(256).optional()),
  ZALO_API_BASE: optionalUrl,
  /** Upstream dossier status service (GET <url>?code=<mã>); without it users are sent to the portal. */
  DOSSIER_LOOKUP_URL: optionalUrl,
  /** Comma-separated "channel:userId" pairs treated as officials without an invite. */
  OFFICIAL_ALLOWLIST: listOf,
  /** Days a conversation turn is kept. */
  HISTORY_TTL_DAYS: optionalInt(1, 365),
  /** Days each question is kept (masked, not linked to a user) for the operator's stats. */
  ANALYTICS_RETENTION_DAYS: optionalInt(1, 730),
  /** Days admin actions stay in the audit log. */
  AUDIT_RETENTION_DAYS: optionalInt(1, 3650),
  /** Messages one user may send per minute, across channels' own limits. */
  RATE_LIMIT_PER_MINUTE: optionalInt(1, 10_000),
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
  analyticsRetentionDays: number;
  auditRetentionDays: number;
  admin?: { token: string };
  openai?: { apiKey: string; baseUrl?: string; model: string; embeddingModel: string; dailyTokenBudget: number };
  upstash?: { url: string; token: string };
  telegram?: { token: string; webhookSecret: string; apiBase: string };
  zalo?: { token: string; webhookSecret: string; apiBase: string };
  officialAllowlist: string[];
  kpiPullSources: PullSource[];
  dossierLookupUrl?: string;
  /** Unset means unlimited (Node); Workers sets both in wrangler.toml. */
  reminders: { maxSubrequests?: number; maxWallMs?: number };
  /** ALLOW_MEMORY_STORE: a Worker may start without a shared store (development only). */
  allowMemoryStore: boolean;
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
  requirePair(e.UPSTASH_REDIS_REST_URL, e.UPSTASH_REDIS_REST_TOKEN, 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN');
  // Webhooks are verified by their secret header, never by a token in the URL: no secret, no channel.
  if (e.TELEGRAM_BOT_TOKEN && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid environment: TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_TOKEN is set');
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
    analyticsRetentionDays: e.ANALYTICS_RETENTION_DAYS ?? 90,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS ?? 365,
    admin: e.ADMIN_TOKEN ? { token: e.ADMIN_TOKEN } : undefined,
    openai: e.OPENAI_API_KEY
      ? {
          apiKey: e.OPENAI_API_KEY,
          baseUrl: e.OPENAI_BASE_URL,
          model: e.OPENAI_MODEL ?? 'gpt-4o-mini',
          embeddingModel: e.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small',
          dailyTokenBudget: e.OPENAI_DAILY_TOKEN_BUDGET ?? 2_000_000,
        }
      : undefined,
    upstash:
      e.UPSTASH_REDIS_REST_URL && e.UPSTASH_REDIS_REST_TOKEN
        ? { url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN }
        : undefined,
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
    officialAllowlist: e.OFFICIAL_ALLOWLIST,
    kpiPullSources,
    dossierLookupUrl: e.DOSSIER_LOOKUP_URL,
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

/** One line saying what is live, for start-up logs and /healthz. Never includes a secret. */
export function describeServices(config: Config): Record<string, string | boolean> {
  return {
    store: config.upstash ? 'upstash' : 'memory',
    model: config.openai ? config.openai.model : 'none (quoting passages)',
    telegram: Boolean(config.telegram),
    zalo: Boolean(config.zalo),
    admin: Boolean(config.admin),
    dossierLookup: Boolean(config.dossierLookupUrl),
  };
}
