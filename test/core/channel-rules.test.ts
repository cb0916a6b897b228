/**
 * The rules that are the same for every channel, kept by the assistant so no channel repeats
 * them: NFC and trim, the length limit, one rate-limit notice per window, and 👍/👎 votes.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';
import { Assistant, checkText, MAX_MESSAGE_CHARS } from '../../src/core/assistant';
import { RateLimiter } from '../../src/core/rate-limit';
import type { Handler } from '../../src/core/handler';
import type { ChannelName, Inbound, Reply } from '../../src/core/types';
import type { Runtime } from '../../src/app';
import { createFeedbackHandler } from '../../handlers/feedback';
import { feedbackCounts, rememberAnswer } from '../../src/analytics/feedback';

const CHANNELS: ChannelName[] = ['telegram', 'zalo', 'web'];
const inbound = (channel: ChannelName, text: string, extra: Partial<Inbound> = {}): Inbound => ({
  channel,
  chatId: 'c1',
  userId: 'u1',
  text,
  locale: 'vi',
  ...extra,
});
const textOf = (r: Reply) => r.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');

/** An assistant whose one handler records what it read; limited to `perMinute` when given. */
function recording(rt: Runtime, perMinute?: number) {
  const seen: string[] = [];
  const handler: Handler = {
    id: 'echo',
    async handle({ inbound }) {
      seen.push(inbound.text);
      return { intent: 'echo', blocks: [{ type: 'text', text: 'ok' }], citations: [], found: true };
    },
  };
  const votes = createFeedbackHandler({ texts: rt.texts, log: rt.log, now: rt.now, store: rt.store, historyTtlSeconds: 3600 });
  const assistant = new Assistant({
    texts: rt.texts,
    log: rt.log,
    now: rt.now,
    handlers: [handler],
    fallback: 'echo',
    roles: rt.roles,
    conversation: rt.conversation,
    votes,
    ...(perMinute ? { rateLimit: new RateLimiter(rt.store, { limit: perMinute, windowSeconds: 60 }, rt.now) } : {}),
  });
  return { assistant, seen };
}

describe('checkText', () => {
  it('composes, trims, and tells empty and too long apart', () => {
    expect(checkText('  Thủ tục  '.normalize('NFD'))).toEqual({ ok: true, text: 'Thủ tục' });
    expect(checkText(' \n ')).toEqual({ ok: false, problem: 'empty' });
    expect(checkText('a'.repeat(MAX_MESSAGE_CHARS))).toMatchObject({ ok: true });
    expect(checkText(`  ${'a'.repeat(MAX_MESSAGE_CHARS)}  `)).toMatchObject({ ok: true });
    expect(checkText('a'.repeat(MAX_MESSAGE_CHARS + 1))).toEqual({ ok: false, problem: 'too-long' });
  });
});

describe('text rules, the same on every channel', () => {
  it.each(CHANNELS)('%s: the handler reads the text NFC-normalised and trimmed', async (channel) => {
    const { rt } = makeTestApp();
    const { assistant, seen } = recording(rt);
    await assistant.handle(inbound(channel, '  Hồ sơ đăng ký khai sinh \n'.normalize('NFD')));
    expect(seen).toEqual(['Hồ sơ đăng ký khai sinh']);
  });

  it.each(CHANNELS)('%s: a text over the limit gets the too-long notice, and no handler runs', async (channel) => {
    const { rt } = makeTestApp();
    const { assistant, seen } = recording(rt);
    const reply = await assistant.handle(inbound(channel, ` ${'ả'.repeat(MAX_MESSAGE_CHARS + 1)} `));
    expect(reply.intent).toBe('too-long');
    expect(textOf(reply)).toBe('Tin nhắn quá dài (tối đa 2000 ký tự).');
    expect(reply.silent).toBeFalsy();
    expect(seen).toEqual([]);
  });

  it('counts the length after composing: 1,001 decomposed letters are 1,001 characters', async () => {
    const { rt } = makeTestApp();
    const { assistant, seen } = recording(rt);
    const reply = await assistant.handle(inbound('zalo', 'ả'.normalize('NFD').repeat(1001).slice(0, 2001)));
    expect(reply.intent).toBe('echo');
    expect(seen[0]!.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  });
});

describe('the rate-limit notice, once per window on every channel', () => {
  it.each(CHANNELS)('%s: the first message past the limit is told, later ones in the window get a silent reply', async (channel) => {
    let now = Date.parse('2026-11-21T08:00:10+07:00');
    const { rt } = makeTestApp({}, () => new Date(now));
    const { assistant } = recording(rt, 1);
    const said = async () => assistant.handle(inbound(channel, 'hỏi'));
    expect((await said()).intent).toBe('echo');
    const first = await said();
    expect(first).toMatchObject({ intent: 'rate-limited' });
    expect(first.silent).toBeFalsy();
    expect(textOf(first)).toContain('nhanh quá');
    for (let i = 0; i < 3; i++) expect(await said()).toMatchObject({ intent: 'rate-limited', silent: true });

    now += 60_000; // the next window: answered, then told again once
    expect((await said()).intent).toBe('echo');
    expect((await said()).silent).toBeFalsy();
    expect((await said()).silent).toBe(true);
  });
});

describe('votes go through the assistant', () => {
  it('records a 👍 once, thanks, then says the answer was already rated; votes are neither limited nor remembered', async () => {
    const { rt, store } = makeTestApp();
    const { assistant, seen } = recording(rt, 1);
    await rememberAnswer(store, { channel: 'telegram', chatId: 'c1', messageRef: '77' }, { intent: 'ask', ttlSeconds: 3600 });
    expect((await assistant.handle(inbound('telegram', 'hỏi'))).intent).toBe('echo'); // the one message the limit allows

    const vote = (value: 'up' | 'down') => assistant.handle(inbound('telegram', '', { vote: { value, messageRef: '77' } }));
    const thanks = await vote('up');
    expect(thanks.intent).toBe('feedback');
    expect(textOf(thanks)).toBe('Cảm ơn bạn đã góp ý!');
    const again = await vote('down');
    expect(again.intent).toBe('feedback-duplicate');
    expect(textOf(again)).toBe('Câu trả lời này đã được góp ý rồi.');

    expect(await feedbackCounts(store, rt.now())).toEqual({ up: 1, down: 0 });
    expect(seen).toEqual(['hỏi']);
    const turns = await rt.conversation.recent('telegram', 'c1', 10);
    expect(turns.map((t) => t.text)).toEqual(['hỏi', 'ok']);
  });
});
