import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';
import type { Inbound } from '../../src/core/types';
import { Assistant } from '../../src/core/assistant';
import { Conversation } from '../../src/core/conversation';
import { RoleDirectory, hasRole } from '../../src/core/roles';

const inbound = (text: string, extra: Partial<Inbound> = {}): Inbound => ({
  channel: 'telegram',
  chatId: 'c1',
  userId: 'u1',
  text,
  locale: 'vi',
  ...extra,
});

describe('Assistant routing', () => {
  const { rt } = makeTestApp();

  it('routes commands, Vietnamese aliases and @bot suffixes', () => {
    expect(rt.assistant.route('/start').handler.id).toBe('start');
    expect(rt.assistant.route('/help@tro_ly_bot').handler.id).toBe('help');
    expect(rt.assistant.route('/trogiup').handler.id).toBe('help');
    expect(rt.assistant.route('/hoi chỉ thị 22').args).toBe('chỉ thị 22');
  });

  it('routes typed-word phrases for channels without a menu', () => {
    const r = rt.assistant.route('Trợ giúp');
    expect(r.handler.id).toBe('help');
    expect(r.via).toBe('phrase');
  });

  it('sends free text to the knowledge search', () => {
    expect(rt.assistant.route('nghị quyết 05 chuyển đổi số').handler.id).toBe('ask');
  });

  it('answers an unknown command with the help text and says it does not know it', async () => {
    const reply = await rt.assistant.handle(inbound('/khongcolenh'));
    expect(reply.intent).toBe('help');
    expect(reply.blocks[0]).toEqual({ type: 'text', text: 'Tôi chưa biết lệnh này.' });
  });

  it('greets with what it does and the privacy notice', async () => {
    const reply = await rt.assistant.handle(inbound('/start'));
    const text = reply.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
    expect(text).toContain('không phải cán bộ');
    expect(text).toContain('30 ngày');
  });

  it('turns a failing handler into a polite apology and logs no message text', async () => {
    const t = makeTestApp();
    const assistant = new Assistant({
      handlers: [{ id: 'ask', async handle() { throw new Error('boom 0912345678'); } }],
      fallback: 'ask',
      texts: t.rt.texts,
      log: t.rt.log,
      now: t.rt.now,
      roles: new RoleDirectory(t.store),
      conversation: new Conversation(t.store, 60),
    });
    const reply = await assistant.handle(inbound('câu hỏi bí mật'));
    expect(reply.intent).toBe('error');
    expect(reply.blocks[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Xin lỗi') });
    const logged = t.logs.join('\n');
    expect(logged).toContain('handler failed');
    expect(logged).not.toContain('câu hỏi bí mật');
    expect(logged).not.toContain('0912345678');
  });

  it('refuses to register a command twice', () => {
    const t = makeTestApp();
    const h = { id: 'a', commands: ['x'], async handle() { return { intent: 'a', blocks: [], citations: [] }; } };
    expect(
      () => new Assistant({ handlers: [h, { ...h, id: 'b' }], fallback: 'a', texts: t.rt.texts, log: t.rt.log, now: t.rt.now, roles: new RoleDirectory(t.store), conversation: new Conversation(t.store, 60) }),
    ).toThrow(/claimed twice/);
  });
});

describe('roles', () => {
  it('defaults to citizen, honours the allow-list and stored roles', async () => {
    const { store } = makeTestApp();
    const roles = new RoleDirectory(store, ['telegram:42']);
    expect(await roles.roleOf('telegram', '1')).toBe('citizen');
    expect(await roles.roleOf('telegram', '42')).toBe('official');
    expect(await roles.roleOf('zalo', '42')).toBe('citizen');
    await roles.bind('zalo', '7', { role: 'staff', units: [], since: '' });
    expect(await roles.roleOf('zalo', '7')).toBe('staff');
    expect(hasRole('official', 'staff')).toBe(true);
    expect(hasRole('citizen', 'staff')).toBe(false);
  });
});

describe('per-user rate limit', () => {
  it('answers politely once a user exceeds the limit in a minute, and counts users apart', async () => {
    const t = makeTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect((await t.rt.assistant.handle(inbound('/help'))).intent).toBe('help');
    const limited = await t.rt.assistant.handle(inbound('/help'));
    expect(limited.intent).toBe('rate-limited');
    expect(limited.blocks[0]).toMatchObject({ text: expect.stringContaining('nhanh quá') });
    expect((await t.rt.assistant.handle(inbound('/help', { userId: 'u2' }))).intent).toBe('help');
  });

  it('lets the user in again in the next minute', async () => {
    let now = new Date('2026-11-21T08:00:10+07:00');
    const t = makeTestApp({ RATE_LIMIT_PER_MINUTE: '1' }, () => now);
    expect((await t.rt.assistant.handle(inbound('/help'))).intent).toBe('help');
    expect((await t.rt.assistant.handle(inbound('/help'))).intent).toBe('rate-limited');
    now = new Date('2026-11-21T08:01:05+07:00');
    expect((await t.rt.assistant.handle(inbound('/help'))).intent).toBe('help');
  });
});
