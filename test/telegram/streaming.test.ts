/**
 * Streaming a generated answer to Telegram (Bot API 9.5 drafts): in a private chat the answer
 * is previewed with sendMessageDraft and ends with the same sendMessage the non-streaming path
 * sends; groups never get drafts; a server that refuses drafts is met with the edited message at
 * once. The model is a handler that reports partials on the harness's clock; the loopback fake
 * Bot API checks each call (drafts only to private chats, a non-zero draft_id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram';
import { telegramHarness, textUpdate, gate, type Harness, type HarnessOptions } from './harness';
import { assistantWith } from '../support/runtime';
import type { Handler } from '../../src/core/handler';

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

type Params = Record<string, unknown>;
const params = (h: Harness, method: string): Params[] => h.calls(method).map((c) => c.params);

const TOKENS = 20;
const STEP_MS = 400;

/**
 * A harness whose model writes TOKENS words STEP_MS apart on the test's clock (reporting each
 * partial when `stream` is on) and answers once the test opens the gate.
 */
function streamingHarness(opts: HarnessOptions & { stream?: boolean } = {}): { h: Harness; model: ReturnType<typeof gate> } {
  let h!: Harness;
  const model = gate();
  const handler: Handler = {
    id: 'ask',
    async handle({ onPartial }) {
      let text = '';
      for (let i = 0; i < TOKENS; i++) {
        text += `từ${i} `;
        if (opts.stream !== false) onPartial?.(text);
        h.clock.advance(STEP_MS);
      }
      await model.promise;
      return {
        intent: 'ask',
        blocks: [{ type: 'text', text: text.trim() }],
        citations: [{ id: 'd1', title: 'Chỉ thị 22', source: 'Tỉnh uỷ', date: '2022-06-22' }],
        found: true,
      };
    },
  };
  h = telegramHarness(fake, { streamEditIntervalMs: 1500, streamDraftIntervalMs: 800, ...opts, assistant: (rt) => assistantWith(rt, [handler]) });
  return { h, model };
}

async function ask(s: { h: Harness; model: ReturnType<typeof gate> }, update = textUpdate('hỏi')): Promise<void> {
  await s.h.post(update);
  s.model.open(undefined);
  await s.h.background.drain();
}

describe('Telegram streaming in a private chat', () => {
  it('previews the answer with drafts and ends with the same sendMessage as without streaming', async () => {
    const streamed = streamingHarness();
    await ask(streamed);
    const drafts = params(streamed.h, 'sendMessageDraft');
    // Partials every 0.4 s, drafts at most every 0.8 s: at 0, 0.8, …, 7.2 s.
    expect(drafts).toHaveLength(10);
    expect(drafts[0]).toMatchObject({ chat_id: 42, text: 'từ0 …' });
    expect(drafts.every((d) => d.draft_id === drafts[0]!.draft_id && d.draft_id !== 0)).toBe(true);
    expect(drafts.every((d) => !('parse_mode' in d))).toBe(true);
    expect(drafts.at(-1)!.text).toBe(`${Array.from({ length: 19 }, (_, i) => `từ${i}`).join(' ')} …`);
    expect(streamed.h.calls('editMessageText')).toEqual([]);

    const plain = streamingHarness({ stream: false });
    await ask(plain);
    expect(plain.h.calls('sendMessageDraft')).toEqual([]);
    const final = params(streamed.h, 'sendMessage');
    expect(final).toHaveLength(1);
    expect(final).toEqual(params(plain.h, 'sendMessage'));
    expect(final[0]).toMatchObject({ parse_mode: 'HTML' });
    expect(final[0]!.text).toContain('<b>Nguồn</b>\n1. Chỉ thị 22 — Tỉnh uỷ, 22/6/2022');
    // The final message comes after every draft (a later draft would not replace it).
    const lastDraft = streamed.h.calls('sendMessageDraft').at(-1)!.seq;
    expect(streamed.h.calls('sendMessage')[0]!.seq).toBeGreaterThan(lastDraft);
  });

  it('uses a fresh draft id per answer', async () => {
    const s = streamingHarness();
    await ask(s);
    const again = streamingHarness();
    await ask(again);
    expect(params(s.h, 'sendMessageDraft')[0]!.draft_id).not.toBe(params(again.h, 'sendMessageDraft')[0]!.draft_id);
  });

  it('never sends a draft to a group', async () => {
    const s = streamingHarness({ botUsername: 'my_bot' });
    await ask(s, textUpdate('@my_bot hỏi', { chatType: 'supergroup' }));
    expect(s.h.calls('sendMessageDraft')).toEqual([]);
    expect(s.h.calls('sendMessage')).toHaveLength(1);
    expect(s.h.calls('editMessageText').length).toBeGreaterThan(1);
  });

  it('falls back at once to the edited message when the server refuses drafts, and does not ask again', async () => {
    const s = streamingHarness();
    fake.script({ method: 'sendMessageDraft', error_code: 404, description: 'Not Found', token: s.h.token });
    await ask(s);
    expect(s.h.calls('sendMessageDraft')).toHaveLength(1);
    const sent = params(s.h, 'sendMessage');
    // The first words still show at once, as a message, then edits at the group rate: 0, 1.6, … 6.4 s and the final.
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toBe('từ0 …');
    const edits = params(s.h, 'editMessageText');
    expect(edits).toHaveLength(5);
    expect(edits.at(-1)).toMatchObject({ parse_mode: 'HTML' });
    expect(s.h.logs.some((l) => l.includes('telegram drafts refused'))).toBe(true);

    // The next answer in this process goes straight to the edited message.
    const second = textUpdate('hỏi nữa');
    s.model.open(undefined);
    await s.h.post(second);
    await s.h.background.drain();
    expect(s.h.calls('sendMessageDraft')).toHaveLength(1);
    expect(s.h.calls('sendMessage')).toHaveLength(2);
  });

  it('pauses drafts after a 429 instead of falling back, and still ends with the answer', async () => {
    const s = streamingHarness();
    fake.script({ method: 'sendMessageDraft', error_code: 429, description: 'Too Many Requests: retry after 3', retry_after: 3, token: s.h.token });
    await ask(s);
    const drafts = s.h.calls('sendMessageDraft');
    // A 429 was not performed and says nothing about drafts being refused: no fallback to edits.
    expect(drafts[0]!.error).toMatch(/Too Many Requests/);
    expect(drafts.length).toBeGreaterThan(1);
    expect(s.h.calls('editMessageText')).toEqual([]);
    expect(s.h.calls('sendMessage')).toHaveLength(1);
  });
});
