/**
 * @module scripts/setup-telegram
 * One-time (and repeatable) Telegram setup: points the bot's webhook at this deployment with
 * the secret header and the update kinds we handle, sets the command menus (Vietnamese as the
 * default, English for English-language clients) and descriptions, then prints getWebhookInfo.
 * The bot token only travels in the Bot API path, never in our webhook URL or the output.
 *
 * Usage: npm run setup:telegram -- https://your-host.example [--drop-pending-updates]
 * Needs TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (and TELEGRAM_API_BASE for a fake).
 */
import { fileURLToPath } from 'node:url';
import { Api } from 'grammy';
import type { BotCommand, WebhookInfo } from 'grammy/types';
import { ConfigError, loadConfig } from '../src/config';
import { createRuntime } from '../src/app';
import type { Texts } from '../src/core/texts';
import type { Locale } from '../src/core/types';
import { ALLOWED_UPDATES } from '../src/channels/telegram/schema';

export const WEBHOOK_PATH = '/webhooks/telegram';

/** The menu: command per locale and the text key describing it. Commands no handler answers are left out. */
const MENU: Array<{ vi: string; en: string; key: string }> = [
  { vi: 'start', en: 'start', key: 'telegram-cmd-start' },
  { vi: 'hoi', en: 'ask', key: 'telegram-cmd-ask' },
  { vi: 'thutuc', en: 'thutuc', key: 'telegram-cmd-thutuc' },
  { vi: 'kpi', en: 'kpi', key: 'telegram-cmd-kpi' },
  { vi: 'nhacviec', en: 'nhacviec', key: 'telegram-cmd-nhacviec' },
  { vi: 'trogiup', en: 'help', key: 'telegram-cmd-help' },
];

export interface SetupOptions {
  token: string;
  apiBase: string;
  webhookSecret: string;
  /** The deployment's public base URL (https); the webhook path is added when missing. */
  publicUrl: string;
  texts: Texts;
  /** Whether a command is answered by a handler (so the menu shows only working commands). */
  hasCommand: (command: string) => boolean;
  dropPendingUpdates?: boolean;
}

/** The webhook URL for a public base URL; refuses anything but https (Telegram requires it). */
export function webhookUrl(publicUrl: string): string {
  const u = new URL(publicUrl);
  if (u.protocol !== 'https:') throw new Error('the public URL must start with https:// (Telegram only calls HTTPS webhooks)');
  if (u.search || u.hash) throw new Error('the public URL must not carry a query or fragment');
  const base = u.href.replace(/\/+$/, '');
  return base.endsWith(WEBHOOK_PATH) ? base : base + WEBHOOK_PATH;
}

export function menuFor(locale: Locale, texts: Texts, hasCommand: (c: string) => boolean): BotCommand[] {
  return MENU.filter((m) => hasCommand(m[locale])).map((m) => ({ command: m[locale], description: texts.get(locale, m.key) }));
}

export async function setupTelegram(opts: SetupOptions): Promise<WebhookInfo> {
  const api = new Api(opts.token, { apiRoot: opts.apiBase });
  await api.setWebhook(webhookUrl(opts.publicUrl), {
    secret_token: opts.webhookSecret,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: opts.dropPendingUpdates ?? false,
  });
  // No language_code is the menu for everyone else: Vietnamese first.
  await api.setMyCommands(menuFor('vi', opts.texts, opts.hasCommand));
  await api.setMyCommands(menuFor('vi', opts.texts, opts.hasCommand), { language_code: 'vi' });
  await api.setMyCommands(menuFor('en', opts.texts, opts.hasCommand), { language_code: 'en' });
  for (const [locale, language] of [['vi', undefined], ['en', 'en']] as const) {
    const lang = language ? { language_code: language } : {};
    await api.setMyDescription(opts.texts.get(locale, 'telegram-description'), lang);
    await api.setMyShortDescription(opts.texts.get(locale, 'telegram-short-description'), lang);
  }
  return api.getWebhookInfo();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const publicUrl = args.find((a) => !a.startsWith('--'));
  if (!publicUrl) {
    console.error('usage: npm run setup:telegram -- https://your-host.example [--drop-pending-updates]');
    process.exit(2);
  }
  try {
    const config = loadConfig(process.env);
    if (!config.telegram) throw new ConfigError('TELEGRAM_BOT_TOKEN is not set');
    if (!config.telegram.webhookSecret) throw new ConfigError('TELEGRAM_WEBHOOK_SECRET is not set (the webhook refuses calls without it)');
    const rt = createRuntime(config);
    const info = await setupTelegram({
      token: config.telegram.token,
      apiBase: config.telegram.apiBase,
      webhookSecret: config.telegram.webhookSecret,
      publicUrl,
      texts: rt.texts,
      hasCommand: (c) => rt.assistant.route(`/${c}`).via === 'command',
      dropPendingUpdates: args.includes('--drop-pending-updates'),
    });
    console.log(`Webhook set to ${webhookUrl(publicUrl)}; command menus set (vi, en).`);
    console.log('getWebhookInfo:');
    console.log(JSON.stringify(info, null, 2));
  } catch (e) {
    // Messages name variables or the Bot API's answer, never the token.
    console.error(`setup failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
