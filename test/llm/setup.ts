/**
 * What the model test files share: the loopback OpenAI-compatible fake for the whole file, and
 * the settings of a model behind it.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai';
import type { LlmLimits, LlmSettings } from '../../src/llm/llm';

/** The options every model test setup takes. */
export interface LlmSetup {
  budget?: number;
  limits?: Partial<LlmLimits>;
}

/**
 * Starts the fake before the calling file's tests, resets it before each and closes it after.
 * The fake only exists once beforeAll has run, so what this returns forwards to it.
 */
export function useFakeOpenAI(): FakeOpenAI {
  let fake: FakeOpenAI | undefined;
  const live = (): FakeOpenAI => {
    if (!fake) throw new Error('the OpenAI fake is started in beforeAll');
    return fake;
  };
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake?.close());
  beforeEach(() => live().reset());
  return {
    get url() {
      return live().url;
    },
    get baseURL() {
      return live().baseURL;
    },
    calls: (endpoint) => live().calls(endpoint),
    script: (...scripts) => live().script(...scripts),
    reset: () => live().reset(),
    close: () => live().close(),
  };
}

/** A model behind the fake, with a daily budget that never runs out unless one is given. */
export function fakeLlmSettings(fake: FakeOpenAI, budget = 1_000_000): LlmSettings {
  return { apiKey: 'sk-test', baseUrl: fake.baseURL, model: 'fake-gpt', embeddingModel: 'fake-embedding', dailyTokenBudget: budget };
}
