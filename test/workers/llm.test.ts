/**
 * The OpenAI SDK and the ask flow inside workerd, against the loopback OpenAI-compatible fake
 * the global setup started (env.FAKE_OPENAI_URL), driven through its HTTP control API: a
 * generated answer with citations, a streamed one, the quoted fallback on a 429, a slow reply
 * cut at the deadline, and embeddings.
 */
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { Assistant } from '../../src/core/assistant';
import type { Reply } from '../../src/core/types';
import { MemoryStore } from '../../src/store/memory';
import { silentLogger } from '../../src/log';
import { createLlm, type LlmLimits } from '../../src/llm/llm';
import { knowledgeSearchTool } from '../../src/llm/tools';
import { createAskHandler } from '../../handlers/ask';

const FAKE = (env as unknown as { FAKE_OPENAI_URL: string }).FAKE_OPENAI_URL;

interface Call {
  endpoint: string;
  status: number;
  body: { stream?: boolean; messages?: Array<{ role: string; content: string }> };
}

async function control(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${FAKE}${path}`, body === undefined ? { method: path === '/__calls' ? 'GET' : 'POST' } : { method: 'POST', body: JSON.stringify(body) });
  return res.json();
}
const calls = async () => (await control('/__calls')) as Call[];

function setup(limits: Partial<LlmLimits> = {}) {
  const rt = createRuntime(loadConfig({}), { store: new MemoryStore(), log: silentLogger });
  const llm = createLlm(
    { apiKey: 'sk-test', baseUrl: `${FAKE}/v1`, model: 'fake-gpt', embeddingModel: 'fake-embedding', dailyTokenBudget: 1_000_000 },
    { store: rt.store, texts: rt.texts, log: rt.log, now: rt.now, tools: [knowledgeSearchTool(rt.knowledge)], limits },
  );
  const basics = { texts: rt.texts, log: rt.log, now: rt.now };
  const assistant = new Assistant({
    ...basics,
    handlers: [createAskHandler({ ...basics, knowledge: rt.knowledge, conversation: rt.conversation, llm })],
    fallback: 'ask',
    roles: rt.roles,
    conversation: rt.conversation,
  });
  const ask = (text: string, onPartial?: (s: string) => void): Promise<Reply> =>
    assistant.handle({ channel: 'web', chatId: 'w1', userId: 'w1', text, locale: 'vi' }, { onPartial });
  return { rt, llm, ask };
}

const ANSWER = { answer: 'Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022 [1].', citations: [1], answerable: true };

describe('the model client inside workerd', () => {
  beforeEach(async () => {
    await control('/__reset', {});
  });

  it('answers from the numbered passages with citations, the personal number masked', async () => {
    const { ask } = setup();
    await control('/__script', { json: ANSWER });
    const reply = await ask('CCCD 079123456789: chi thi 22 ban hanh ngay nao');
    expect(reply.found).toBe(true);
    expect(reply.blocks[0]).toEqual({ type: 'text', text: ANSWER.answer });
    expect(reply.citations[0]!.id).toBe('bd-chi-thi-22-ct-tu');
    const [call] = (await calls()).filter((c) => c.endpoint === 'chat');
    const user = call!.body.messages!.find((m) => m.role === 'user')!.content;
    expect(user).toMatch(/<passages>\n\[1\] /);
    expect(user).toContain('CCCD [số CCCD]');
    expect(JSON.stringify(call)).not.toContain('079123456789');
  });

  it('streams the answer over SSE', async () => {
    const { ask } = setup();
    await control('/__script', { json: ANSWER });
    const partials: string[] = [];
    const reply = await ask('chi thi 22 ban hanh ngay nao', (s) => partials.push(s));
    expect(partials.at(-1)).toBe('Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022.');
    expect(reply.blocks[0]).toEqual({ type: 'text', text: ANSWER.answer });
    expect((await calls())[0]!.body.stream).toBe(true);
  });

  it('quotes the passages with a note when the server answers 429', async () => {
    const { ask, rt } = setup();
    await control('/__script', { status: 429, retryAfter: 30 });
    const reply = await ask('chi thi 22 ban hanh ngay nao');
    expect(reply.blocks[0]).toEqual({ type: 'text', text: rt.texts.get('vi', 'ask-model-unavailable') });
    expect(reply.blocks.some((b) => b.type === 'quote')).toBe(true);
    expect(reply.citations.length).toBeGreaterThan(0);
  });

  it('gives up on a slow reply at the deadline and still answers by quoting', async () => {
    const { ask } = setup({ timeoutMs: 200 });
    await control('/__script', { delayMs: 10_000 });
    const reply = await ask('chi thi 22 ban hanh ngay nao');
    expect(reply.found).toBe(true);
    expect(reply.blocks.some((b) => b.type === 'quote')).toBe(true);
  });

  it('embeds texts through /v1/embeddings', async () => {
    const { llm } = setup();
    const [v] = await llm.embedder.embed(['mục tiêu số hóa hồ sơ']);
    expect(v).toHaveLength(32);
    expect(Math.hypot(...v!)).toBeCloseTo(1, 5);
  });
});
