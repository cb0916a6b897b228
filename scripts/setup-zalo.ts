/**
 * @module scripts/setup-zalo
 * Points the Zalo bot at this deployment: checks the token (getMe), sets the webhook with
 * ZALO_WEBHOOK_SECRET, and prints what Zalo now has on record (getWebhookInfo). Reads the
 * environment through loadConfig like the app; never prints the token or the secret.
 * Usage:
 *   npm run setup:zalo -- https://cchc.example.gov.vn     (appends /webhooks/zalo)
 *   npm run setup:zalo -- https://host/custom/path         (a URL with a path is used as is)
 *   npm run setup:zalo -- --info                           (only print the webhook info)
 *   npm run setup:zalo -- --delete                         (remove the webhook)
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config, type RawEnv } from '../src/config';
import { ZaloClient, ZaloError, type WebhookInfo } from '../src/channels/zalo/client';

export const WEBHOOK_PATH = '/webhooks/zalo';

export type SetupAction = { kind: 'set'; url: string } | { kind: 'info' } | { kind: 'delete' };

export class SetupError extends Error {
  override name = 'SetupError';
}

/** Reads the command line: a public base URL, or --info, or --delete. */
export function parseArgs(argv: string[]): SetupAction {
  if (argv.includes('--delete')) return { kind: 'delete' };
  if (argv.includes('--info')) return { kind: 'info' };
  const arg = argv.find((a) => !a.startsWith('--'));
  if (!arg) throw new SetupError('Give the public https URL of this deployment, e.g. npm run setup:zalo -- https://cchc.example.gov.vn');
  return { kind: 'set', url: webhookUrl(arg) };
}

/** The webhook URL for a public base URL: https only, /webhooks/zalo added when no path is given. */
export function webhookUrl(base: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new SetupError(`Not a URL: ${base}`);
  }
  if (u.protocol !== 'https:') throw new SetupError('Zalo only delivers to https URLs');
  if (/^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\])/.test(u.hostname)) {
    throw new SetupError('Zalo cannot reach a local or private address: use a public host (or a tunnel)');
  }
  if (u.search || u.hash) throw new SetupError('The webhook URL must not carry a query or fragment');
  if (u.pathname === '/' || u.pathname === '') u.pathname = WEBHOOK_PATH;
  return u.toString();
}

/** What the script needs from the config; ZALO_WEBHOOK_SECRET is required to set a webhook. */
export function zaloSettings(config: Config, action: SetupAction): { token: string; apiBase: string; secret?: string } {
  if (!config.zalo) throw new SetupError('ZALO_BOT_TOKEN is not set');
  if (action.kind === 'set' && !config.zalo.webhookSecret) {
    throw new SetupError('ZALO_WEBHOOK_SECRET is not set (8-256 characters): the webhook refuses every event without it');
  }
  return { token: config.zalo.token, apiBase: config.zalo.apiBase, secret: config.zalo.webhookSecret };
}

function describeInfo(info: WebhookInfo): string {
  const when = info.updated_at ? new Date(info.updated_at).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) : 'unknown';
  return info.url ? `Webhook: ${info.url} (updated ${when})` : `Webhook: none (updated ${when})`;
}

/** Runs one action against the Bot API and returns the lines to print. */
export async function setupZalo(
  env: RawEnv,
  argv: string[],
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<string[]> {
  const action = parseArgs(argv);
  const { token, apiBase, secret } = zaloSettings(loadConfig(env), action);
  const zalo = new ZaloClient({ token, apiBase, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
  const lines: string[] = [];
  const me = await zalo.getMe();
  lines.push(`Bot: ${me.account_name} (id ${me.id}${me.can_join_groups === undefined ? '' : `, groups ${me.can_join_groups ? 'allowed' : 'not allowed'}`})`);
  if (action.kind === 'set') {
    await zalo.setWebhook({ url: action.url, secret_token: secret! });
    lines.push(`Webhook set to ${action.url} with the secret from ZALO_WEBHOOK_SECRET.`);
  } else if (action.kind === 'delete') {
    await zalo.deleteWebhook();
    lines.push('Webhook deleted.');
  }
  lines.push(describeInfo(await zalo.getWebhookInfo()));
  return lines;
}

async function main(): Promise<void> {
  try {
    for (const line of await setupZalo(process.env, process.argv.slice(2))) console.log(line);
  } catch (e) {
    if (e instanceof SetupError || e instanceof ConfigError || e instanceof ZaloError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
