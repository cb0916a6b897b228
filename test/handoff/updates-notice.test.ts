/**
 * Two ways a handoff reaches people without their asking: the web chat page's poll
 * (GET /api/chat/updates: the staff replies waiting for this session, once, same-site only) and
 * the staff group on Telegram (HANDOFF_TELEGRAM_CHAT_ID), told through the loopback fake Bot API
 * when a conversation opens, with a link to its console page and nothing the citizen wrote.
 * Also the working-time arithmetic behind the overdue mark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_WORKING_HOURS, workingSecondsBetween } from '../../src/handoff/hours';
import { handoffApp, listHandoffs, type HandoffApp } from './support';

interface Updates {
  status: number;
  replies: Array<{ reply: string; at: string }>;
  active: boolean;
  error?: string;
}

async function poll(app: HandoffApp, sessionId: string | undefined, headers: Record<string, string> = {}): Promise<Updates> {
  const res = await app.request('/api/chat/updates', { headers: { ...(sessionId ? { cookie: `cchc_sid=${sessionId}` } : {}), ...headers } });
  return { status: res.status, ...((await res.json()) as Omit<Updates, 'status'>) };
}

describe('GET /api/chat/updates', () => {
  it('gives the page each staff reply once, says while the chat is with a person, and stops after the close', async () => {
    const app = handoffApp();
    const session: { id?: string } = {};
    expect(await poll(app, undefined)).toEqual({ status: 200, replies: [], active: false });
    await app.web('gặp cán bộ', session);
    expect(await poll(app, session.id)).toEqual({ status: 200, replies: [], active: true });

    const [handoff] = await listHandoffs(app, 'open');
    await app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text: 'Chào chị, em là Lan.' } });
    await app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text: 'Chị cần hỏi thủ tục nào ạ?' } });
    const first = await poll(app, session.id);
    expect(first.active).toBe(true);
    expect(first.replies.map((r) => r.reply)).toEqual([expect.stringContaining('Chào chị, em là Lan.'), expect.stringContaining('Chị cần hỏi thủ tục nào ạ?')]);
    expect(first.replies[0]!.reply).toContain('Cán bộ hỗ trợ trả lời:');
    // Shown once: neither the next poll nor the next message repeats it.
    expect((await poll(app, session.id)).replies).toEqual([]);
    const next = await app.web('Thủ tục đăng ký kết hôn', session);
    expect(next.reply).not.toContain('em là Lan');

    await app.admin('POST', `/handoffs/${handoff!.id}/close`, { actor: 'lan' });
    const end = await poll(app, session.id);
    expect(end.active).toBe(false);
    expect(end.replies.map((r) => r.reply)).toEqual([expect.stringContaining('Cán bộ đã kết thúc')]);
  });

  it("shows nothing to another session or to an id the server did not issue", async () => {
    const app = handoffApp();
    const citizen: { id?: string } = {};
    const other: { id?: string } = {};
    await app.web('gặp cán bộ', citizen);
    await app.web('xin chào', other);
    const [handoff] = await listHandoffs(app, 'open');
    await app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text: 'Chỉ cho người này.' } });
    expect(await poll(app, other.id)).toEqual({ status: 200, replies: [], active: false });
    expect(await poll(app, 'not-an-issued-session-id')).toEqual({ status: 200, replies: [], active: false });
    expect((await poll(app, citizen.id)).replies).toHaveLength(1);
  });

  it('refuses another site (Origin or Sec-Fetch-Site) with a reason, and leaves the reply waiting', async () => {
    const app = handoffApp();
    const session: { id?: string } = {};
    await app.web('gặp cán bộ', session);
    const [handoff] = await listHandoffs(app, 'open');
    await app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text: 'Chào chị.' } });
    const foreign: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of foreign) {
      const refused = await poll(app, session.id, headers);
      expect(refused.status).toBe(403);
      expect(refused.error).toMatch(/[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/);
    }
    expect((await poll(app, session.id, { 'sec-fetch-site': 'same-origin' })).replies).toHaveLength(1);
  });
});

describe('the staff group on Telegram (HANDOFF_TELEGRAM_CHAT_ID)', () => {
  let telegram: FakeTelegram;
  beforeAll(async () => {
    telegram = await startFakeTelegram();
  });
  afterAll(() => telegram.close());

  const env = (token: string, more: Record<string, string> = {}) => ({
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_WEBHOOK_SECRET: 'handoff-notice-secret',
    TELEGRAM_API_BASE: telegram.url,
    HANDOFF_TELEGRAM_CHAT_ID: '-1001234567890',
    ...more,
  });

  it('is told once when a conversation opens, with the console link and nothing the citizen wrote', async () => {
    const token = '810001:HANDOFF-NOTICE';
    const app = handoffApp(env(token, { PUBLIC_BASE_URL: 'https://cchc.example.gov.vn/' }));
    const session: { id?: string } = {};
    await app.web('Hộ chiếu số B1234567 của tôi bị mất', session);
    await app.web('gặp cán bộ', session);
    await app.web('gặp cán bộ', session); // already open: no second notice
    const [handoff] = await listHandoffs(app, 'open');
    const calls = telegram.callsOf('sendMessage', token);
    expect(calls).toHaveLength(1);
    expect(String(calls[0]!.params.chat_id)).toBe('-1001234567890');
    const text = String(calls[0]!.params.text);
    expect(text).toContain('Người dân cần gặp cán bộ');
    expect(text).toContain(`https://cchc.example.gov.vn/console/support/${handoff!.id}`);
    expect(text).not.toContain('B1234567');
    expect(text).not.toContain(session.id!);
  });

  it('keeps the handoff open when the group cannot be told, and logs why', async () => {
    const token = '810002:HANDOFF-NOTICE';
    telegram.script({ method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat', token });
    const app = handoffApp(env(token));
    const asked = await app.web('gặp cán bộ');
    expect(asked.intent).toBe('handoff');
    expect(await listHandoffs(app, 'open')).toHaveLength(1);
    expect(app.logs.some((l) => l.includes('staff group not notified'))).toBe(true);
  });

  it('is a configuration error without the Telegram bot or with a malformed id', () => {
    expect(() => loadConfig({ HANDOFF_TELEGRAM_CHAT_ID: '-100123' })).toThrow(/HANDOFF_TELEGRAM_CHAT_ID.*TELEGRAM_BOT_TOKEN/);
    expect(() => loadConfig(env('810003:X', { HANDOFF_TELEGRAM_CHAT_ID: 'staff group' }))).toThrow(ConfigError);
    expect(loadConfig(env('810003:X')).handoffTelegramChatId).toBe('-1001234567890');
    expect(loadConfig({}).handoffTelegramChatId).toBeUndefined();
  });
});

describe('working time between two instants', () => {
  const at = (s: string) => new Date(Date.parse(s));
  it.each([
    ['inside one period', '2026-11-23T09:00:00+07:00', '2026-11-23T09:40:00+07:00', 40 * 60],
    ['across lunch', '2026-11-23T11:00:00+07:00', '2026-11-23T14:00:00+07:00', 60 * 60],
    ['over a weekend', '2026-11-20T16:50:00+07:00', '2026-11-23T07:40:00+07:00', 20 * 60],
    ['on a public holiday (2/9/2026, a Wednesday)', '2026-09-02T08:00:00+07:00', '2026-09-02T16:00:00+07:00', 0],
    ['backwards', '2026-11-23T10:00:00+07:00', '2026-11-23T09:00:00+07:00', 0],
  ])('%s', (_name, from, to, seconds) => {
    expect(workingSecondsBetween(at(from), at(to), DEFAULT_WORKING_HOURS)).toBe(seconds);
  });
});
