/**
 * @module channels/adapter
 * The one shape every webhook channel has, and the runner they share (as grammY's
 * `convenience/frameworks.ts` gives each web framework a tiny object and one webhookCallback).
 * A channel says how to verify a request, parse its body, name an update for deduplication,
 * turn it into an Inbound, render a Reply and send it; `webhookApp` does the rest the same way
 * for all: checks the secret, refuses a malformed body with 400 and a logged reason (never the
 * content), claims the update's key (SET NX EX) so a redelivery is acknowledged and dropped,
 * answers 200 at once and does the work in the background (waitUntil), where the assistant
 * answers and the channel sends. Silent replies (see Reply.silent) send nothing.
 *
 * grammY's webhookCallback is not used for Telegram: it holds the response until the handler is
 * done, which turns a slow model into a timeout that Telegram redelivers.
 */
import { Hono, type Context } from 'hono';
import type { HonoRequest } from 'hono';
import { inBackground } from '../background';
import type { Assistant } from '../core/assistant';
import type { ChannelName, Inbound, Reply } from '../core/types';
import type { Store } from '../store/store';
import { describeError, type Logger } from '../log';

/** Platforms redeliver an update for up to a day (Telegram); the claim on its key lives as long. */
const UPDATE_CLAIM_TTL_SECONDS = 86_400;

/** What a body is: an update to work on, one to acknowledge and leave, or not the platform's at all. */
export type Parsed<U> =
  | { kind: 'update'; update: U }
  /** Acknowledged with 200 and nothing else (an event kind not handled, a probe); `note` is logged. */
  | { kind: 'ignore'; note?: string; ids?: Record<string, unknown> }
  /** 400: `reason` goes to the log with the ids the body carries, `error` to the sender. */
  | { kind: 'reject'; reason: string; error: string; ids?: Record<string, unknown> };

/** One update's work, made by toInbound: what the assistant reads, or what the channel says itself. */
export interface Turn {
  inbound?: Inbound;
  /** A reply the channel gives without asking the assistant (media in a private chat). */
  notice?: Reply;
  /** Receives the answer so far while a model writes it (a streamed message). */
  onPartial?(textSoFar: string): void;
}

/** How the platform wants the webhook answered. */
interface WebhookAnswers {
  unauthorized: { status: 401 | 403; error: string };
  /** The error of a body that could not be read at all. */
  unreadable: string;
  /** The error of a 503 when the update cannot be claimed (the platform delivers it again). */
  busy: string;
  /** The 200 for an accepted, ignored or redelivered update. */
  ok(c: Context, duplicate: boolean): Response;
}

/** The one adapter shape: `U` is the platform's update, `T` a turn with whatever the channel tracks. */
export interface ChannelAdapter<U, T extends Turn, O> {
  readonly name: ChannelName;
  readonly answers: WebhookAnswers;
  /** Whether the request carries the platform's secret (compared in constant time). */
  verify(req: HonoRequest): boolean | Promise<boolean>;
  parse(body: string): Parsed<U>;
  /** The store key that makes a redelivery a duplicate; undefined when the update names nothing. */
  dedupeKey(update: U): string | undefined;
  /** The turn an update asks for, or undefined when nothing is to be said. Runs in the background. */
  toInbound(update: U): Promise<T | undefined>;
  /** Starts showing that an answer is coming ("typing…"); returns what stops it. */
  waiting?(turn: T): () => Promise<void>;
  render(reply: Reply, turn: T): O | Promise<O>;
  send(turn: T, outgoing: O): Promise<void>;
  /** The work failed: log it (no message text, no secret) and apologise where the channel does. */
  failed(update: U, turn: T | undefined, error: unknown): Promise<void>;
}

interface WebhookDeps {
  assistant: Assistant;
  store: Store;
  log: Logger;
}

/** The webhook as a Hono sub-app; app.ts mounts it at /webhooks/<name>. */
export function webhookApp<U, T extends Turn, O>(adapter: ChannelAdapter<U, T, O>, deps: WebhookDeps): Hono {
  const { store, log } = deps;
  const name = adapter.name;
  const app = new Hono();

  app.post('/', async (c) => {
    if (!(await adapter.verify(c.req))) {
      log.warn(`${name} webhook refused: wrong or missing secret`);
      const { status, error } = adapter.answers.unauthorized;
      return c.json({ error }, status);
    }
    const reject = (reason: string, error: string, ids?: Record<string, unknown>) => {
      // The reason and ids only: a change in what the platform sends shows up in the logs
      // instead of as silently unanswered messages, and nobody's message is written there.
      log.warn(`${name} webhook rejected`, { reason, ...ids });
      return c.json({ error }, 400);
    };
    let body: string;
    try {
      body = await c.req.text();
    } catch {
      // The sender went away in the middle of the body: nobody waits for this answer.
      return reject('body unreadable', adapter.answers.unreadable);
    }
    const parsed = adapter.parse(body);
    if (parsed.kind === 'reject') return reject(parsed.reason, parsed.error, parsed.ids);
    if (parsed.kind === 'ignore') {
      if (parsed.note) log.info(`${name} ${parsed.note}`, parsed.ids);
      return adapter.answers.ok(c, false);
    }
    const { update } = parsed;
    const key = adapter.dedupeKey(update);
    if (key !== undefined) {
      let fresh: boolean;
      try {
        fresh = await store.claim(key, UPDATE_CLAIM_TTL_SECONDS);
      } catch (e) {
        // Without the claim a redelivery could be answered twice: let the platform try again later.
        log.error(`${name}: cannot claim the update; asking for redelivery`, { key, error: describeError(e) });
        return c.json({ error: adapter.answers.busy }, 503);
      }
      if (!fresh) {
        log.info(`${name} update delivered again; duplicate dropped`, { key });
        return adapter.answers.ok(c, true);
      }
    }
    await inBackground(c, answer(adapter, deps.assistant, update));
    return adapter.answers.ok(c, false);
  });

  return app;
}

/** What one update does after the 200. Never rejects: the adapter logs a failure. */
async function answer<U, T extends Turn, O>(adapter: ChannelAdapter<U, T, O>, assistant: Assistant, update: U): Promise<void> {
  let turn: T | undefined;
  try {
    turn = await adapter.toInbound(update);
    if (!turn) return;
    let reply: Reply | undefined = turn.notice;
    if (turn.inbound) {
      const stopWaiting = adapter.waiting?.(turn);
      try {
        reply = await assistant.handle(turn.inbound, { onPartial: turn.onPartial });
      } finally {
        // Before the answer goes out, so "typing…" never lands after it.
        await stopWaiting?.();
      }
    }
    if (!reply || reply.silent) return;
    await adapter.send(turn, await adapter.render(reply, turn));
  } catch (e) {
    await adapter.failed(update, turn, e).catch(() => {});
  }
}

/** zod issues as one line: "path: message; …". */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ');
}
