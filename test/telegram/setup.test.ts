/**
 * `npm run setup:telegram` against the fake Bot API: webhook with secret and allowed updates,
 * command menus per language (only commands a handler answers), then getWebhookInfo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { setupTelegram, webhookUrl, menuFor } from '../../scripts/setup-telegram';
import { makeTestApp } from '../support/runtime';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

describe('setup:telegram', () => {
  it('sets the webhook with the secret and allowed updates, the menus, and returns getWebhookInfo', async () => {
    const { rt } = makeTestApp();
    const token = '555:SETUP-token';
    const hasCommand = (c: string) => rt.assistant.route(`/${c}`).via === 'command';
    const info = await setupTelegram({
      token,
      apiBase: fake.url,
      webhookSecret: 'hook-secret_1',
      publicUrl: 'https://cchc.example.gov.vn/',
      texts: rt.texts,
      hasCommand,
    });
    const [hook] = fake.callsOf('setWebhook', token);
    expect(hook!.params).toEqual({
      url: 'https://cchc.example.gov.vn/webhooks/telegram',
      secret_token: 'hook-secret_1',
      allowed_updates: ['message', 'callback_query'],
      drop_pending_updates: false,
    });
    expect(hook!.params.url).not.toContain(token);
    const menus = fake.callsOf('setMyCommands', token).map((c) => c.params);
    expect(menus.map((m) => m.language_code)).toEqual([undefined, 'vi', 'en']);
    const vi = menus[1]!.commands as Array<{ command: string; description: string }>;
    const en = menus[2]!.commands as Array<{ command: string; description: string }>;
    expect(vi.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'hoi', 'trogiup']));
    expect(en.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'ask', 'help']));
    for (const c of [...vi, ...en]) {
      expect(hasCommand(c.command)).toBe(true);
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description.length).toBeGreaterThanOrEqual(1);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
    expect(vi.find((c) => c.command === 'start')!.description).toBe('Giới thiệu và quyền riêng tư');
    expect(fake.callsOf('setMyDescription', token)).toHaveLength(2);
    expect(info).toMatchObject({ url: 'https://cchc.example.gov.vn/webhooks/telegram', pending_update_count: 0, allowed_updates: ['message', 'callback_query'] });
  });

  it('leaves commands without a handler out of the menu', () => {
    const { rt } = makeTestApp();
    expect(menuFor('vi', rt.texts, (c) => c === 'start').map((c) => c.command)).toEqual(['start']);
  });

  it('builds the webhook URL once and refuses plain http', () => {
    expect(webhookUrl('https://a.vn')).toBe('https://a.vn/webhooks/telegram');
    expect(webhookUrl('https://a.vn/base/webhooks/telegram')).toBe('https://a.vn/base/webhooks/telegram');
    expect(() => webhookUrl('http://a.vn')).toThrow(/https/);
    expect(() => webhookUrl('https://a.vn/?token=1')).toThrow(/query/);
  });
});
