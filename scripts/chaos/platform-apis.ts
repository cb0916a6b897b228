/**
 * @module scripts/chaos/platform-apis
 * The platforms' send APIs misbehave for a while under a running Node server: Telegram's Bot
 * API answers every sendMessage with 429 and a retry_after (flood control), and Zalo's Bot API
 * answers every sendMessage with 502. The webhooks are not affected (they acknowledge before
 * anything is sent), so these drills measure what happens to the answers: Telegram's sender
 * waits out retry_after and tries again (3 attempts in all, never waiting more than 25 s); the
 * Zalo sender does not repeat a send whose outcome it cannot know, so an answer that meets a
 * 5xx is lost (and logged), never sent twice.
 */
import { byPhase, describeOutcome, idsOf, phaseLine, runTraffic, withDrill, worldStep, type Delivered, type DrillResult, type DrillStore } from './harness';

const RETRY_AFTER_S = 3;

/** Losses among updates sent clearly outside the fault window (a second of margin each side). */
function outside(lost: Delivered[], from: number, to: number): number {
  return lost.filter((d) => d.sentAt < from - 1000 || d.sentAt > to + 1000).length;
}

function phases(quick: boolean) {
  return quick ? { rate: 10, before: 4, during: 8, after: 6 } : { rate: 10, before: 6, during: 12, after: 10 };
}

export function telegram429(quick: boolean, store?: DrillStore): Promise<DrillResult> {
  const ph = phases(quick);
  return withDrill({ world: { telegram: true, redis: {} }, store }, async (ctx) => {
    const { platform, probe, stepAt, tally, all, server } = await runTraffic(ctx, {
      kind: 'telegram',
      backoff: [1000, 2000, 4000, 8000],
      maxAttempts: 20,
      rate: ph.rate,
      what: 'updates',
      steps: [
        worldStep(ph.before, `the Bot API answers every sendMessage with 429, retry_after ${RETRY_AFTER_S} s`, [
          'scriptTelegram',
          { method: 'sendMessage', error_code: 429, description: `Too Many Requests: retry after ${RETRY_AFTER_S}`, retry_after: RETRY_AFTER_S, times: 1_000_000 },
        ]),
        worldStep(ph.during, 'the Bot API accepts messages again', ['clearTelegramScripts']),
      ],
      tail: ph.after,
      answerTimeoutMs: 60_000,
    });
    const [from, to] = stepAt as [number, number];
    const p = byPhase(platform.delivered, tally, from, to);
    // An update sent in the window's first (during - 2 × retry_after) seconds meets 429 at all three attempts.
    const doomed = platform.delivered.filter((d) => d.sentAt >= from && d.sentAt < to - 2 * RETRY_AFTER_S * 1000).length;
    const refused = Object.values(tally.refused).reduce((a, b) => a + b, 0);
    return {
      name: 'telegram-429',
      title: `Telegram answers 429 (retry_after ${RETRY_AFTER_S} s) for ${ph.during} s`,
      timeline: ctx.timeline,
      lines: [
        ...describeOutcome(all),
        phaseLine('Before', p.before),
        phaseLine('During the 429s', p.during),
        phaseLine('After', p.after),
        `sendMessage calls refused with 429: ${refused}. Updates sent early enough in the window that all 3 attempts met a 429: ${doomed}.`,
        `/healthz: ${probe.summary()}.`,
        ...server.lines,
        `What was lost: ${all.apologies} answers were replaced by the apology (their 3 attempts, ${RETRY_AFTER_S} s apart as asked, all met a 429; ` +
          `the apology is sent with the same 3 attempts, which reached past the window); ${all.lost.length} updates got nothing (${idsOf(all.lost)}). ` +
          `Updates whose later attempts fell after the window were answered late, once. Nothing was sent twice: a 429 means Telegram did not perform the call.`,
      ],
      checks: [
        ...server.checks,
        ['the server answered every /healthz probe', probe.alwaysAnswered()],
        [`no update answered twice (${all.duplicates.length})`, all.duplicates.length === 0],
        [`answers lost only inside the 429 window (${outside(all.lost, from, to)} outside it)`, outside(all.lost, from, to) === 0],
        [`after the window every update answered once (${p.after.answeredOnce}/${p.after.sent})`, p.after.answeredOnce === p.after.sent],
      ],
    };
  });
}

export function zalo5xx(quick: boolean, store?: DrillStore): Promise<DrillResult> {
  const ph = phases(quick);
  return withDrill({ world: { zalo: true, redis: {} }, store }, async (ctx) => {
    const { platform, probe, stepAt, tally, all, server } = await runTraffic(ctx, {
      kind: 'zalo',
      // Zalo's redelivery policy is undocumented; one SDK describes 3 retries, 5 s apart.
      backoff: [5000],
      maxAttempts: 4,
      rate: ph.rate,
      what: 'Zalo messages',
      steps: [
        worldStep(ph.before, 'the Zalo Bot API answers every sendMessage with 502', ['scriptZalo', { method: 'sendMessage', status: 502, times: 1_000_000 }]),
        worldStep(ph.during, 'the Zalo Bot API accepts messages again', ['clearZaloScripts']),
      ],
      tail: ph.after,
      answerTimeoutMs: 60_000,
    });
    const [from, to] = stepAt as [number, number];
    const p = byPhase(platform.delivered, tally, from, to);
    const refused = Object.values(tally.refused).reduce((a, b) => a + b, 0);
    return {
      name: 'zalo-5xx',
      title: `Zalo answers 5xx for ${ph.during} s`,
      timeline: ctx.timeline,
      lines: [
        ...describeOutcome(all),
        phaseLine('Before', p.before),
        phaseLine('During the 502s', p.during),
        phaseLine('After', p.after),
        `sendMessage calls refused with 502: ${refused}.`,
        `/healthz: ${probe.summary()}.`,
        ...server.lines,
        `What was lost: the answers to ${all.lost.length} messages whose send met a 502 (${idsOf(all.lost)}). The webhook had already acknowledged them, ` +
          'so Zalo does not deliver them again, and the sender does not repeat a send whose outcome it cannot know (a 5xx may come after the message went out). ' +
          'Each loss is logged ("zalo answer failed"). Messages after the window were answered normally.',
      ],
      checks: [
        ...server.checks,
        ['the server answered every /healthz probe', probe.alwaysAnswered()],
        [`no message answered twice (${all.duplicates.length})`, all.duplicates.length === 0],
        [`answers lost only inside the 5xx window (${outside(all.lost, from, to)} outside it)`, outside(all.lost, from, to) === 0],
        [`after the window every message answered once (${p.after.answeredOnce}/${p.after.sent})`, p.after.answeredOnce === p.after.sent],
      ],
    };
  });
}
