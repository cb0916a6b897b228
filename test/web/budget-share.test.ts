/**
 * One web client address spends at most its share of the day's model budget
 * (OPENAI_BUDGET_PERCENT_PER_ADDRESS): past it, that address gets quoted answers while everyone
 * else still gets generated ones. Through the composed app and the loopback OpenAI fake.
 */
import { describe, expect, it } from 'vitest';
import { useFakeOpenAI } from '../llm/setup';
import { makeWebApp, type ChatBody, type WebApp } from './web-app';
import { budgetKey } from '../../src/llm/budget';

const fake = useFakeOpenAI();
// A question any grounded sentence answers: the fake model echoes passage [1]'s first sentence, which
// would be (rightly) refused for a question asking for a date it does not carry.
const QUESTION = 'Chỉ thị 22-CT/TU về nội dung gì?';

function setup(): WebApp {
  return makeWebApp({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_MODEL: 'fake-gpt',
    OPENAI_DAILY_TOKEN_BUDGET: '50000',
    OPENAI_BUDGET_PERCENT_PER_ADDRESS: '10',
    // Only the token share is under test here.
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000',
  });
}

async function ask(t: WebApp, from: string): Promise<'generated' | 'quoted'> {
  const res = await t.chat({ message: QUESTION }, from);
  expect(res.status).toBe(200);
  const body = (await res.json()) as ChatBody;
  expect(body.found).toBe(true);
  if (body.reply.includes(t.rt.texts.get('vi', 'ask-generated-disclaimer'))) return 'generated';
  expect(body.reply).toContain(t.rt.texts.get('vi', 'ask-model-unavailable'));
  return 'quoted';
}

describe("an address's fair share of the daily token budget", () => {
  it('40 questions from one address spend only its share; the next address still gets generated answers', async () => {
    const t = setup();
    const first: string[] = [];
    for (let i = 0; i < 40; i++) first.push(await ask(t, '203.0.113.7'));
    const generated = first.filter((k) => k === 'generated').length;
    expect(generated).toBeGreaterThan(0);
    expect(first.slice(generated).every((k) => k === 'quoted')).toBe(true);

    const used = Number(await t.store.get(budgetKey(new Date('2026-11-21T08:00:00+07:00'))));
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(5_000);

    const calls = fake.calls('chat').length;
    expect(await ask(t, '198.51.100.4')).toBe('generated');
    expect(fake.calls('chat').length).toBeGreaterThan(calls);
    // The first address is still held to its share.
    expect(await ask(t, '203.0.113.7')).toBe('quoted');
  });

  it('opens a new share the next day', async () => {
    const t = setup();
    const today = [];
    for (let i = 0; i < 20; i++) today.push(await ask(t, '203.0.113.7'));
    expect(today.at(-1)).toBe('quoted');
    t.advance(86_400_000);
    expect(await ask(t, '203.0.113.7')).toBe('generated');
  });
});
