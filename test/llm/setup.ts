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

/**
 * A clock that moves only when told: `now` for the Llm's deps and `setTimer` for its deadlines.
 * advance() fires every timer that falls due, in order, so a deadline passes without a wait.
 */
export interface FakeClock {
  now(): Date;
  setTimer(fn: () => void, ms: number): () => void;
  advance(ms: number): void;
  /** Timers set and not yet fired or cancelled. */
  readonly pending: number;
}

export function fakeClock(start = Date.parse('2026-11-21T08:00:00+07:00')): FakeClock {
  let at = start;
  let seq = 0;
  const timers = new Map<number, { due: number; fn: () => void }>();
  return {
    now: () => new Date(at),
    setTimer(fn, ms) {
      const id = ++seq;
      timers.set(id, { due: at + ms, fn });
      return () => void timers.delete(id);
    },
    advance(ms) {
      const end = at + ms;
      for (;;) {
        const next = [...timers.entries()].filter(([, t]) => t.due <= end).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0];
        if (!next) break;
        timers.delete(next[0]);
        at = next[1].due;
        next[1].fn();
      }
      at = end;
    },
    get pending() {
      return timers.size;
    },
  };
}
