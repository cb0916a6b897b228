/**
 * @module scripts/chaos/model
 * The model fails, then hangs, under a running Node server with a model configured (the
 * loopback OpenAI-compatible fake): first every call answers 500, then every call is held with
 * no answer (the client gives up at its deadline). Questions keep coming through Telegram; the
 * webhook must keep acknowledging at once, every question must get exactly one answer (the
 * quoted passages when the model cannot write one), and the model must be used again as soon
 * as it answers, without a restart.
 */
import { byPhase, describeOutcome, phaseLine, runTraffic, withDrill, worldStep, type DrillResult, type DrillStore } from './harness';
import { ms } from '../bench/stats';
import { QUESTIONS } from '../bench/traffic';

const FOREVER = 100_000;

export function modelFailsAndHangs(quick: boolean, store?: DrillStore): Promise<DrillResult> {
  const ph = quick ? { rate: 3, healthy: 4, failing: 6, hanging: 6, after: 6 } : { rate: 4, healthy: 6, failing: 10, hanging: 10, after: 8 };
  return withDrill(
    {
      world: { telegram: true, openai: true, redis: {} },
      env: { OPENAI_API_KEY: 'sk-chaos-not-a-key', OPENAI_MODEL: 'fake-gpt', OPENAI_EMBEDDING_MODEL: 'fake-embed' },
      store,
    },
    async (ctx) => {
      const { platform, probe, stepAt, tally, all, server } = await runTraffic(ctx, {
        kind: 'telegram',
        backoff: [1000, 2000, 4000, 8000],
        maxAttempts: 20,
        textOf: (id) => QUESTIONS[id % QUESTIONS.length]!,
        rate: ph.rate,
        what: 'free-text questions',
        note: '(each goes to the model); the model answers',
        steps: [
          worldStep(ph.healthy, 'the model starts answering every call with 500', [
            'scriptOpenAI',
            ...fill({ endpoint: 'chat', status: 500, errorMessage: 'chaos: upstream failure' }),
            ...fill({ endpoint: 'embeddings', status: 500, errorMessage: 'chaos: upstream failure' }),
          ]),
          worldStep(
            ph.failing,
            'the model starts hanging: every call is held without an answer',
            ['resetOpenAI'],
            ['scriptOpenAI', ...fill({ endpoint: 'chat', delayMs: FOREVER }), ...fill({ endpoint: 'embeddings', delayMs: FOREVER })],
          ),
          worldStep(ph.hanging, 'the model answers again', ['resetOpenAI']),
        ],
        tail: ph.after,
        answerTimeoutMs: 90_000,
        doneMark: 'every update answered, or nothing more came for 15 s',
      });
      const [failAt, hangAt, healthyAt] = stepAt as [number, number, number];

      const calls = await ctx.world.call<Array<{ endpoint: string; status: number }>>('openaiCalls');
      const healthy = byPhase(platform.delivered, tally, failAt, healthyAt);
      const hanging = byPhase(platform.delivered, tally, hangAt, healthyAt).during;
      const failing = byPhase(platform.delivered, tally, failAt, hangAt).during;
      const acks = all.attemptMs;
      const modelAfter = calls.filter((c) => c.status === 200).length;
      return {
        name: 'model',
        title: 'The model fails, then hangs',
        timeline: ctx.timeline,
        lines: [
          ...describeOutcome(all),
          `Webhook time to 200 over the whole drill: p50 ${ms(acks.p50)} ms, p99 ${ms(acks.p99)} ms, max ${ms(acks.max)} ms (the answer is worked out after the 200).`,
          phaseLine('Model healthy (before)', healthy.before),
          phaseLine('Model answering 500', failing),
          phaseLine('Model hanging', hanging),
          phaseLine('Model healthy again', healthy.after),
          `Model calls answered 200 after it recovered: ${modelAfter} (the model is used again without a restart).`,
          `/healthz: ${probe.summary()}.`,
          ...server.lines,
          'What was lost: nothing. While the model fails, questions are answered by quoting the best passages with their sources; ' +
            'while it hangs, the same, once the model call reaches its deadline (20 s for an answer, 8 s for a follow-up rewrite), so those answers come late but come.',
        ],
        checks: [
          ...server.checks,
          ['the server answered every /healthz probe', probe.alwaysAnswered()],
          [`every question answered exactly once (${all.answeredOnce}/${all.sent}; ${all.lost.length} lost, ${all.duplicates.length} duplicated)`, all.answeredOnce === all.sent],
          [`webhooks acknowledged at once while the model hung (p99 ${ms(acks.p99)} ms ≤ 1000 ms)`, acks.p99 <= 1000],
          [`the model was used again after it recovered (${modelAfter} calls answered)`, modelAfter > 0],
        ],
      };
    },
  );
}

/** The same scripted reply for every call for a while (the fake takes them first in, first out). */
function fill<T>(script: T, n = 2000): T[] {
  return Array.from({ length: n }, () => script);
}
