/**
 * @module channels/zalo
 * The Zalo channel in one file: the webhook (`POST /webhooks/zalo`: secret header checked in
 * constant time, event validated with zod, redeliveries dropped by event + message id, 200 at
 * once and the answer in the background), the plain-text rendering Zalo needs (at most 2000
 * characters a message, split at paragraph, then line, then sentence boundaries; buttons become
 * numbered choices remembered per chat, since Zalo has none), and the Outbound send that
 * reminder jobs use. The wire client lives in ./zalo-client.
 */
import { inBackground } from '../background';
import type { UserDataEraser } from '../privacy/erase';
import { secureEqual } from '../core/secure-compare';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Assistant } from '../core/assistant';
import { MAX_MESSAGE_CHARS } from '../core/assistant';
import type { Texts } from '../core/texts';
import type { Button, Locale, Outbound, Reply, SendResult } from '../core/types';
import type { Store } from '../store/store';
import type { Logger } from '../log';
import { describeError } from '../log';
import { renderBlocks, renderSources } from './plain';
import { ZALO_MAX_TEXT, ZaloApiError, ZaloClient, ZaloError } from './zalo-client';
import { TYPING_DELAY_MS } from './typing';

export const ZALO_SECRET_HEADER = 'X-Bot-Api-Secret-Token';
/** How long a delivered event id is remembered; redeliveries come within minutes. */
const SEEN_TTL_SECONDS = 24 * 3600;
/** How long numbered choices stay valid: "1" an hour later means the number one, not a button. */
const CHOICES_TTL_SECONDS = 3600;
/** Zalo's text events carry no language; the assistant answers in Vietnamese. */
const LOCALE: Locale = 'vi';

export interface ZaloConfig {
  token: string;
  /** Required for the webhook to accept anything (ZALO_WEBHOOK_SECRET). */
  webhookSecret?: string;
  apiBase: string;
}

// ---------- the event, as Zalo delivers it ----------

/** Ids are strings in the docs; a number is accepted and turned into one. */
const Id = z.union([z.string().min(1).max(128), z.number()]).transform(String);

export const ZaloMessageSchema = z.looseObject({
  message_id: Id,
  /** Epoch milliseconds. */
  date: z.number(),
  from: z.looseObject({
    id: Id,
    display_name: z.string().optional(),
    is_bot: z.boolean().optional(),
  }),
  chat: z.looseObject({
    id: Id,
    chat_type: z.enum(['PRIVATE', 'GROUP']),
  }),
  text: z.string().optional(),
  // Images: the docs say photo/caption, live traffic photo_url/message_type; kept for logs only.
  photo: z.string().optional(),
  photo_url: z.string().optional(),
  caption: z.string().optional(),
  sticker: z.string().optional(),
  message_type: z.string().optional(),
});
export type ZaloMessage = z.infer<typeof ZaloMessageSchema>;

export const ZaloEventSchema = z.looseObject({
  event_name: z.string().min(1).max(100),
  message: ZaloMessageSchema,
});
export type ZaloEvent = z.infer<typeof ZaloEventSchema>;

const EventName = z.looseObject({ event_name: z.string().min(1).max(100) });

/** Live deliveries are bare `{ event_name, message }`; the docs show `{ ok: true, result: {…} }`. */
export function unwrapEvent(body: unknown): unknown {
  if (body && typeof body === 'object' && 'result' in body && (body as { ok?: unknown }).ok === true) {
    return (body as { result: unknown }).result;
  }
  return body;
}

// ---------- pure rendering ----------

interface SplitLevel {
  split(text: string): string[];
  glue: string;
}

/** Paragraphs, then lines, then sentences, then words: the coarsest boundary that fits wins. */
const LEVELS: SplitLevel[] = [
  { split: (s) => s.split(/\n\s*\n/), glue: '\n\n' },
  { split: (s) => s.split('\n'), glue: '\n' },
  // After . ! ? … (and any closing quote or bracket), so "22/6/2022." ends a sentence but "1.000" does not.
  { split: (s) => s.split(/(?<=[.!?…][”"’')\]]*)\s+/u), glue: ' ' },
  { split: (s) => s.split(/\s+/), glue: ' ' },
];

/**
 * Splits text into messages of at most `max` characters (UTF-16 units, which is never fewer
 * than Zalo's count), preferring paragraph, then line, then sentence, then word boundaries.
 * Every part is non-empty and trimmed; no non-space character is lost or reordered.
 */
export function splitMessage(text: string, max = ZALO_MAX_TEXT): string[] {
  if (max < 2) throw new Error('splitMessage: max must be at least 2');
  const clean = text.normalize('NFC').trim();
  return clean ? pack(clean, max, 0) : [];
}

function pack(text: string, max: number, level: number): string[] {
  if (text.length <= max) return [text];
  const lvl = LEVELS[level];
  if (!lvl) return hardCut(text, max);
  const out: string[] = [];
  let current = '';
  for (const raw of lvl.split(text)) {
    const piece = raw.trim();
    if (!piece) continue;
    if (piece.length > max) {
      if (current) out.push(current);
      current = '';
      out.push(...pack(piece, max, level + 1));
      continue;
    }
    const joined = current ? current + lvl.glue + piece : piece;
    if (joined.length <= max) {
      current = joined;
    } else {
      out.push(current);
      current = piece;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Last resort for a "word" longer than a message (a long URL): cut, never inside a surrogate pair. */
function hardCut(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}

/** Buttons as "Gõ 1: …" lines, and the actions those numbers stand for, in the same order. */
export function renderChoices(
  buttons: Button[][] | undefined,
  texts: Texts,
  locale: Locale,
): { text: string; actions: string[] } {
  const flat = (buttons ?? []).flat();
  return {
    text: flat.map((b, i) => texts.get(locale, 'zalo-choice', { n: i + 1, label: b.label })).join('\n'),
    actions: flat.map((b) => b.action),
  };
}

/** A Reply as Zalo messages: the body, numbered sources with links, then numbered choices. */
export function renderZalo(reply: Reply, texts: Texts, locale: Locale): { parts: string[]; actions: string[] } {
  const choices = renderChoices(reply.buttons, texts, locale);
  const sections = [renderBlocks(reply), renderSources(reply.citations, texts, locale), choices.text].filter(Boolean);
  return { parts: splitMessage(sections.join('\n\n')), actions: choices.actions };
}

/** The action a typed number picks ("1", " 2.", "3)"), or undefined when it is not a pick. */
export function pickChoice(text: string, actions: string[]): string | undefined {
  const m = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  return m ? actions[Number(m[1]) - 1] : undefined;
}

// ---------- sending (shared by the webhook and reminder jobs) ----------

const ChoicesSchema = z.array(z.string());

export function choicesKey(chatId: string): string {
  return `zalo:choices:${chatId}`;
}

/** /xoadulieu: the numbered choices remembered for the person's chat. */
export const zaloEraser: UserDataEraser = {
  name: 'zalo-choices',
  erase: (store, who) => (who.channel === 'zalo' ? store.del(choicesKey(who.chatId)) : Promise.resolve(0)),
};

export function seenKey(eventName: string, messageId: string): string {
  return `zalo:seen:${eventName}:${messageId}`;
}

interface Delivery {
  client: ZaloClient;
  store?: Store;
  texts: Texts;
  log: Logger;
}

/**
 * Renders and sends a Reply to one chat, part by part in order; stops at the first failed part
 * (later parts would read out of context) and throws its ZaloError. Remembers the numbered
 * choices first, so a quick "1" already finds them; a store hiccup costs only the shortcut.
 */
async function deliver(d: Delivery, chatId: string, reply: Reply, locale: Locale): Promise<number> {
  const { parts, actions } = renderZalo(reply, d.texts, locale);
  if (d.store) {
    try {
      if (actions.length) await d.store.set(choicesKey(chatId), JSON.stringify(actions), CHOICES_TTL_SECONDS);
      else await d.store.del(choicesKey(chatId));
    } catch (e) {
      d.log.warn('zalo choices not saved', { error: describeError(e) });
    }
  }
  for (const text of parts) await d.client.sendMessage({ chat_id: chatId, text });
  return parts.length;
}

async function readChoices(store: Store, chatId: string, log: Logger): Promise<string[]> {
  try {
    const raw = await store.get(choicesKey(chatId));
    if (!raw) return [];
    const parsed = ChoicesSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch (e) {
    log.warn('zalo choices unreadable', { error: describeError(e) });
    return [];
  }
}

function textReply(intent: string, text: string): Reply {
  return { intent, blocks: [{ type: 'text', text }], citations: [], found: false };
}

// ---------- the webhook ----------

export interface ZaloChannelDeps {
  assistant: Assistant;
  store: Store;
  texts: Texts;
  log: Logger;
  config: ZaloConfig;
  now: () => Date;
  /** Per-call timeout for the Bot API (ms); the client's default otherwise. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** "typing…" only when no answer is out this long after the message (default TYPING_DELAY_MS). */
  typingDelayMs?: number;
}

/**
 * The webhook sub-app; the composition root mounts it at /webhooks/zalo.
 * @example app.route('/webhooks/zalo', zaloChannel({ assistant, store, texts, log, config: config.zalo, now }));
 */
export function zaloChannel(deps: ZaloChannelDeps): Hono {
  const { store, texts, log, config } = deps;
  const client = new ZaloClient({ token: config.token, apiBase: config.apiBase, timeoutMs: deps.timeoutMs, fetch: deps.fetch });
  const delivery: Delivery = { client, store, texts, log };
  const app = new Hono();

  app.post('/', async (c) => {
    if (!config.webhookSecret) {
      log.error('zalo webhook refused: ZALO_WEBHOOK_SECRET is not set');
      return c.json({ error: texts.get(LOCALE, 'zalo-webhook-unconfigured') }, 403);
    }
    if (!(await secureEqual(c.req.header(ZALO_SECRET_HEADER), config.webhookSecret))) {
      log.warn('zalo webhook refused: wrong secret');
      return c.json({ error: texts.get(LOCALE, 'zalo-webhook-forbidden') }, 403);
    }

    let raw: string;
    try {
      raw = await c.req.text();
    } catch {
      // The sender went away in the middle of the body: nobody waits for this answer, and it is no server error.
      return c.json({ error: texts.get(LOCALE, 'error-bad-json') }, 400);
    }
    // An empty POST has been seen as a probe from Zalo: acknowledge it, there is nothing to do.
    if (!raw.trim()) return c.json({ message: 'Success' });
    let body: unknown;
    try {
      body = unwrapEvent(JSON.parse(raw));
    } catch {
      return c.json({ error: texts.get(LOCALE, 'error-bad-json') }, 400);
    }

    const named = EventName.safeParse(body);
    if (named.success && !named.data.event_name.startsWith('message.')) {
      // Not a message (a future event kind): nothing to answer, and no reason to make Zalo retry.
      log.info('zalo event ignored', { event: named.data.event_name });
      return c.json({ message: 'Success' });
    }
    const parsed = ZaloEventSchema.safeParse(body);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return c.json({ error: texts.get(LOCALE, 'zalo-webhook-bad-event', { reason }) }, 400);
    }
    const event = parsed.data;
    const msg = event.message;

    let fresh: boolean;
    try {
      fresh = await store.claim(seenKey(event.event_name, msg.message_id), SEEN_TTL_SECONDS);
    } catch (e) {
      // Without the claim a redelivery could be answered twice; let Zalo try again later.
      log.error('zalo event not claimed', { error: describeError(e) });
      return c.json({ error: texts.get(LOCALE, 'zalo-webhook-busy') }, 503);
    }
    if (!fresh) {
      log.info('zalo event duplicate dropped', { event: event.event_name, messageId: msg.message_id });
      return c.json({ message: 'Success', duplicate: true });
    }
    if (msg.from.is_bot) return c.json({ message: 'Success' });

    log.info('zalo event', {
      event: event.event_name,
      messageId: msg.message_id,
      chatType: msg.chat.chat_type,
      ageMs: deps.now().getTime() - msg.date,
    });
    await inBackground(c, respond(event));
    return c.json({ message: 'Success' });
  });

  /** The work after the 200: never throws, logs what failed. */
  async function respond(event: ZaloEvent): Promise<void> {
    const msg = event.message;
    const chatId = msg.chat.id;
    const text = msg.text?.normalize('NFC').trim() ?? '';
    try {
      if (event.event_name !== 'message.text.received' || !text) {
        await deliver(delivery, chatId, textReply('text-only', texts.get(LOCALE, 'zalo-text-only')), LOCALE);
        return;
      }
      if (text.length > MAX_MESSAGE_CHARS) {
        await deliver(delivery, chatId, textReply('too-long', texts.get(LOCALE, 'error-too-long', { max: MAX_MESSAGE_CHARS })), LOCALE);
        return;
      }
      // "typing…" once the answer is slow in coming; its failure must not cost the answer.
      let typing: Promise<unknown> | undefined;
      const showTyping = () => {
        typing = client
          .sendChatAction({ chat_id: chatId, action: 'typing' })
          .catch((e: unknown) => log.warn('zalo typing not shown', { error: describeError(e) }));
      };
      const delayMs = deps.typingDelayMs ?? TYPING_DELAY_MS;
      const timer = delayMs > 0 ? setTimeout(showTyping, delayMs) : (showTyping(), undefined);
      let reply: Reply;
      try {
        const picked = pickChoice(text, await readChoices(store, chatId, log));
        reply = await deps.assistant.handle({
          channel: 'zalo',
          chatId,
          userId: msg.from.id,
          text: picked ?? text,
          locale: LOCALE,
          isGroup: msg.chat.chat_type === 'GROUP',
        });
      } finally {
        clearTimeout(timer);
      }
      await typing; // so "typing…" never lands after the answer
      const parts = await deliver(delivery, chatId, reply, LOCALE);
      log.info('zalo answered', { messageId: msg.message_id, intent: reply.intent, parts });
    } catch (e) {
      log.error('zalo answer failed', {
        messageId: msg.message_id,
        error: describeError(e),
        errorCode: e instanceof ZaloApiError ? e.errorCode : undefined,
      });
    }
  }

  return app;
}

// ---------- proactive messages (reminders, alerts) ----------

export interface ZaloOutboundDeps {
  config: ZaloConfig;
  texts: Texts;
  log: Logger;
  /** Where numbered choices are remembered; without it a reminder's buttons are shown but "1" is plain text. */
  store?: Store;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Outbound['send'] for Zalo: renders the Reply like an answer and sends it to the stored chat id.
 * A 400 or 404 from Zalo is permanent (bad chat id, chat gone); timeouts, 429, 5xx and a
 * rejected token (an operator fixes it) are worth another try.
 */
export function zaloOutbound(deps: ZaloOutboundDeps): Outbound['send'] {
  const client = new ZaloClient({ token: deps.config.token, apiBase: deps.config.apiBase, timeoutMs: deps.timeoutMs, fetch: deps.fetch });
  const delivery: Delivery = { client, store: deps.store, texts: deps.texts, log: deps.log };
  return async (to, reply): Promise<SendResult> => {
    if (to.channel !== 'zalo') return { ok: false, permanent: true, reason: `not a Zalo recipient (${to.channel})` };
    try {
      await deliver(delivery, to.chatId, reply, to.locale);
      return { ok: true };
    } catch (e) {
      if (e instanceof ZaloApiError) return { ok: false, permanent: e.permanent, reason: `zalo ${e.errorCode}: ${e.description}` };
      if (e instanceof ZaloError) return { ok: false, permanent: false, reason: e.message };
      return { ok: false, permanent: false, reason: describeError(e) };
    }
  };
}
