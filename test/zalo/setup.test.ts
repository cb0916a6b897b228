/**
 * npm run setup:zalo: sets the webhook with the configured secret against the fake Bot API and
 * prints what Zalo has on record, never the token or the secret; refuses what Zalo would refuse.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SetupError, setupZalo, webhookUrl } from '../../scripts/setup-zalo';
import { ZaloApiError } from '../../src/channels/zalo/client';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';

const SECRET = 'setup-secret-0123456789';
let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const env = () => ({ ZALO_BOT_TOKEN: fake.token, ZALO_WEBHOOK_SECRET: SECRET, ZALO_API_BASE: fake.url });

describe('setup:zalo', () => {
  it('sets the webhook at /webhooks/zalo with the secret and prints the webhook info', async () => {
    const lines = await setupZalo(env(), ['https://cchc.example.gov.vn']);
    expect(fake.webhook()).toMatchObject({ url: 'https://cchc.example.gov.vn/webhooks/zalo', secret: SECRET });
    expect(fake.calls().map((c) => c.method)).toEqual(['getMe', 'setWebhook', 'getWebhookInfo']);
    expect(lines[0]).toContain('Bot Trợ lý CCHC');
    expect(lines.at(-1)).toMatch(/^Webhook: https:\/\/cchc\.example\.gov\.vn\/webhooks\/zalo \(updated /);
    const printed = lines.join('\n');
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(fake.token);
  });

  it('uses a URL with a path as given', () => {
    expect(webhookUrl('https://host.example/api/zalo')).toBe('https://host.example/api/zalo');
  });

  it.each([
    ['an http URL', 'http://cchc.example.gov.vn', /https/],
    ['localhost', 'https://localhost:8787', /local/],
    ['a private address', 'https://192.168.1.10', /private/],
    ['not a URL', 'cchc', /Not a URL/],
  ])('refuses %s', (_name, url, reason) => {
    expect(() => webhookUrl(url)).toThrow(reason);
  });

  it('refuses to set a webhook without ZALO_WEBHOOK_SECRET, before calling Zalo', async () => {
    await expect(setupZalo({ ...env(), ZALO_WEBHOOK_SECRET: '' }, ['https://cchc.example.gov.vn'])).rejects.toThrow(/ZALO_WEBHOOK_SECRET/);
    expect(fake.calls()).toEqual([]);
  });

  it('refuses to run without ZALO_BOT_TOKEN', async () => {
    await expect(setupZalo({ ZALO_API_BASE: fake.url }, ['--info'])).rejects.toThrow(/ZALO_BOT_TOKEN/);
  });

  it('prints the info only with --info, and removes the webhook with --delete', async () => {
    await setupZalo(env(), ['https://cchc.example.gov.vn']);
    expect((await setupZalo(env(), ['--info'])).at(-1)).toContain('https://cchc.example.gov.vn/webhooks/zalo');
    const lines = await setupZalo(env(), ['--delete']);
    expect(lines).toContain('Webhook deleted.');
    expect(lines.at(-1)).toMatch(/^Webhook: none/);
  });

  it('surfaces an API error from Zalo (a rejected token) as a ZaloApiError', async () => {
    const e = await setupZalo({ ...env(), ZALO_BOT_TOKEN: '1:wrong' }, ['--info']).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ZaloApiError);
    expect(e).toMatchObject({ errorCode: 401 });
  });
});
