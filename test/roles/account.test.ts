/**
 * The chat side of roles through the real app: /xacthuc binds a role, /toi shows it, /thongke
 * is gated to officials, and the role comes from the core, whatever the channel.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';
import type { ChannelName, Inbound, Reply } from '../../src/core/types';
import { recordQuestion } from '../../src/analytics/questions';

const TOKEN = 'admin-token-0123456789';

function say(t: ReturnType<typeof makeTestApp>, text: string, extra: Partial<Inbound> = {}): Promise<Reply> {
  return t.rt.assistant.handle({ channel: 'telegram', chatId: '1001', userId: '1001', text, locale: 'vi', ...extra });
}

function textOf(reply: Reply): string {
  return reply.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');
}

async function issue(t: ReturnType<typeof makeTestApp>, body: unknown): Promise<string> {
  const res = await t.request('/admin/invites', postJson(body, { authorization: `Bearer ${TOKEN}` }));
  return ((await res.json()) as { invites: Array<{ code: string }> }).invites[0]!.code;
}

describe('/xacthuc', () => {
  it('binds the invite role to this channel and user, and /toi shows role, units and date', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const code = await issue(t, { role: 'official', units: ['so-noi-vu', 'ubnd-tinh'] });
    const verified = await say(t, `/xacthuc ${code}`);
    expect(textOf(verified)).toBe('Xác thực thành công. Vai trò của bạn trên Telegram: cán bộ, công chức.');
    expect(textOf(await say(t, '/toi'))).toBe('Vai trò của bạn trên Telegram: cán bộ, công chức.\nĐơn vị: so-noi-vu, ubnd-tinh.\nXác thực ngày 21/11/2026.');
    // The same person on another channel is still a citizen until they prove it there.
    expect(textOf(await say(t, '/toi', { channel: 'zalo' }))).toContain('người dân');
  });

  it('says why a code is refused: wrong, used, expired, revoked', async () => {
    let now = new Date('2026-11-21T08:00:00+07:00');
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN }, () => now);
    expect(textOf(await say(t, '/xacthuc'))).toContain('/xacthuc ABCDE-FGHJK');
    expect(textOf(await say(t, '/xacthuc 12345-67890'))).toContain('Mã không đúng');
    const code = await issue(t, { role: 'staff' });
    await say(t, `/xacthuc ${code}`);
    expect(textOf(await say(t, `/xacthuc ${code}`, { userId: '2002', chatId: '2002' }))).toContain('đã được dùng');
    const short = await issue(t, { role: 'staff', expiresInHours: 1 });
    now = new Date(now.getTime() + 2 * 3_600_000);
    expect(textOf(await say(t, `/xacthuc ${short}`, { userId: '3003', chatId: '3003' }))).toContain('hết hạn');
  });

  it('refuses a code sent in a group without spending it, so the owner can still use it privately', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const code = await issue(t, { role: 'staff' });
    const inGroup = await say(t, `/xacthuc ${code}`, { chatId: '-100200', isGroup: true });
    expect(textOf(inGroup)).toContain('tin nhắn riêng');
    expect(await t.rt.roles.roleOf('telegram', '1001')).toBe('citizen');
    expect((await say(t, `/xacthuc ${code}`)).intent).toBe('verify');
    expect(await t.rt.roles.roleOf('telegram', '1001')).toBe('staff');
  });

  it('keeps the code out of conversation memory and analytics', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const code = await issue(t, { role: 'staff' });
    await say(t, `/xacthuc ${code}`);
    await say(t, `/xacthuc WRONG-CODE0`);
    expect(await t.store.keysWithPrefix('conv:')).toEqual([]);
    expect(await t.store.keysWithPrefix('analytics:')).toEqual([]);
  });

  it('works from the web chat too, bound to the session the server issued', async () => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    const code = await issue(t, { role: 'staff' });
    const res = await t.request('/api/chat', postJson({ message: `/xacthuc ${code}` }));
    const body = (await res.json()) as { reply: string; sessionId: string };
    expect(body.reply).toContain('trang web: nhân viên');
    expect(await t.rt.roles.roleOf('web', body.sessionId)).toBe('staff');
  });
});

describe('/toi', () => {
  it('tells a citizen they need nothing, and how staff prove who they are', async () => {
    const t = makeTestApp();
    const reply = await say(t, '/toi');
    expect(textOf(reply)).toContain('người dân');
    expect(textOf(reply)).toContain('không cần đăng ký');
  });

  it('says when the role comes from the configured allow-list', async () => {
    const t = makeTestApp({ OFFICIAL_ALLOWLIST: 'zalo:z9' });
    const reply = await say(t, '/toi', { channel: 'zalo', userId: 'z9', chatId: 'z9' });
    expect(textOf(reply)).toContain('cán bộ, công chức');
    expect(textOf(reply)).toContain('cấu hình');
  });

  it('answers in English', async () => {
    const t = makeTestApp();
    expect(textOf(await say(t, '/toi', { locale: 'en', channel: 'web' }))).toContain('Your role on the website: citizen.');
  });
});

describe('/thongke (officials only)', () => {
  async function bindRole(t: ReturnType<typeof makeTestApp>, channel: ChannelName, userId: string, role: string): Promise<void> {
    const code = await issue(t, { role });
    await t.rt.assistant.handle({ channel, chatId: userId, userId, text: `/xacthuc ${code}`, locale: 'vi' });
  }

  it.each([
    ['refuses a citizen', null, false],
    ['refuses a staff member', 'staff', false],
    ['gives an official', 'official', true],
    ['gives an admin', 'admin', true],
  ])('%s the week', async (_who, role, allowed) => {
    const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
    if (role) await bindRole(t, 'telegram', '1001', role);
    const reply = await say(t, '/thongke');
    expect(reply.intent).toBe('stats');
    if (allowed) expect(textOf(reply)).toContain('Thống kê 7 ngày (15/11/2026 – 21/11/2026)');
    else {
      expect(textOf(reply)).toContain('dành cho cán bộ, công chức đã xác thực');
      expect(reply.found).toBe(false);
    }
  });

  it('lets an allow-listed official in', async () => {
    const t = makeTestApp({ OFFICIAL_ALLOWLIST: 'telegram:1001' });
    expect(textOf(await say(t, '/thongke'))).toContain('Thống kê 7 ngày');
  });

  it('trusts the role the core looked up, not one a channel could put on the message', async () => {
    const t = makeTestApp();
    // Channels leave inbound.role unset; the web chat has no way to set it.
    const res = await t.request('/api/chat', postJson({ message: '/thongke', sessionId: 'web-session-2', role: 'official' }));
    expect(((await res.json()) as { reply: string }).reply).toContain('dành cho cán bộ');
  });

  it('gives the week: totals, feedback, channels, top and unanswered questions', async () => {
    const t = makeTestApp({ OFFICIAL_ALLOWLIST: 'telegram:1001' });
    const base = { channel: 'zalo' as const, intent: 'ask', latencyMs: 200, retentionDays: 90 };
    await recordQuestion(t.store, { ...base, at: new Date('2026-11-20T10:00:00+07:00'), found: true, text: 'Làm CCCD ở đâu?' });
    await recordQuestion(t.store, { ...base, at: new Date('2026-11-19T10:00:00+07:00'), found: true, text: 'lam cccd o dau' });
    await recordQuestion(t.store, { ...base, at: new Date('2026-11-18T10:00:00+07:00'), found: false, text: 'giá vàng' });
    await recordQuestion(t.store, { ...base, at: new Date('2026-11-10T10:00:00+07:00'), found: false, text: 'last week' });
    const text = textOf(await say(t, '/thongke'));
    expect(text).toContain('Câu hỏi: 3; tìm được nguồn: 2; chưa trả lời được: 1.');
    expect(text).toContain('Chưa có đánh giá nào.');
    expect(text).toContain('Theo kênh: Zalo 3.');
    expect(text).toContain('Làm CCCD ở đâu? (2 lần)');
    expect(text).toContain('Chưa trả lời được (cần bổ sung dữ liệu):\ngiá vàng (1 lần)');
    expect(text).not.toContain('last week');
  });
});
