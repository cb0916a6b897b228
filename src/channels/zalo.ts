/**
 * @module channels/zalo
 * The Zalo channel in one file: the webhook (`POST /webhooks/zalo`: secret header checked in
 * constant time, event validated with zod but any event-shaped body accepted and used as far as
 * it goes, ids kept as exact strings, redeliveries dropped by event + message id, 200 at once and
 * the answer in the background; in groups only messages addressed to the bot are answered, and
 * the mention is taken out), the plain-text rendering Zalo needs (at most 2000
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
import { ZALO_MAX_TEXT, ZaloApiError, ZaloClient, ZaloError, parseJsonKeepingBigInts } from './zalo-client';
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

/** A field of an unexpected type is dropped rather than fatal: the rest of the event is still used. */
const lenient = <S extends z.ZodType>(schema: S) => schema.optional().catch(undefined);

/** Ids are strings in the docs; a number (kept whole by parseJsonKeepingBigInts) becomes one. */
const Id = z.union([z.string().min(1).max(128), z.number()]).transform(String);

/** A link preview; openclaw reads the same fields from `link`, `links` and link attachments. */
const LinkSchema = z.looseObject({
  title: lenient(z.string()),
  url: lenient(z.string()),
  description: lenient(z.string()),
});
const AttachmentSchema = LinkSchema.extend({ type: lenient(z.string()), payload: lenient(LinkSchema) });

/**
 * The message of an event, every field optional: real deliveries leave fields out (no
 * `message_id`, no `chat_type`) or shape them differently (`photo` or `sticker` as objects), and
 * such an event is still answered as well as it can be. Images, stickers and voice are never
 * read, so their fields are not parsed at all.
 */
export const ZaloMessageSchema = z.looseObject({
  message_id: lenient(Id),
  /** Epoch milliseconds. */
  date: lenient(z.number()),
  from: lenient(z.looseObject({ id: lenient(Id), display_name: lenient(z.string()), is_bot: lenient(z.boolean()) })),
  chat: lenient(z.looseObject({ id: lenient(Id), chat_type: lenient(z.string()) })),
  text: lenient(z.string()),
  link: lenient(z.union([z.string(), LinkSchema])),
  links: lenient(z.array(lenient(LinkSchema))),
  attachments: lenient(z.array(lenient(AttachmentSchema))),
});
export type ZaloMessage = z.infer<typeof ZaloMessageSchema>;

/** An event is anything with an event name; `message` is missing for protected senders. */
export const ZaloEventSchema = z.looseObject({
  event_name: z.string().min(1).max(100),
  message: lenient(ZaloMessageSchema),
});
export type ZaloEvent = z.infer<typeof ZaloEventSchema>;

/** What a rejected body may still say about itself, for the log line (never its content). */
const RejectedIds = z.looseObject({
  event_name: lenient(z.string().max(100)),
  message: lenient(z.looseObject({ message_id: lenient(Id) })),
});

/** Live deliveries are bare `{ event_name, message }`; the docs show `{ ok: true, result: {…} }`. */
export function unwrapEvent(body: unknown): unknown {
  if (body && typeof body === 'object' && 'result' in body && (body as { ok?: unknown }).ok === true) {
    return (body as { result: unknown }).result;
  }
  return body;
}

/** Events whose words the assistant reads; every other kind gets the "I only read text" notice. */
const TEXT_EVENTS = new Set(['message.text.received', 'message.link.received']);

/** The words of a shared link (title, description, URL), for a link event or blank text with a link attached. */
function linkText(msg: ZaloMessage): string {
  const links = [
    msg.link,
    ...(msg.links ?? []),
    // An attachment says what it is; one that says nothing may be a link.
    ...(msg.attachments ?? []).flatMap((a) => (a && (!a.type || /link/i.test(a.type)) ? [a, a.payload] : [])),
  ];
  const parts = links.flatMap((l) => (typeof l === 'string' ? [l] : l ? [l.title, l.description, l.url] : []));
  return [...new Set(parts.map((p) => p?.trim()).filter((p): p is string => !!p))].join('\n');
}

/**
 * Whether the message came from a group. Without a (known) chat_type, a chat whose id is the
 * sender's is private (the docs: chat.id equals from.id there); anything else counts as a
 * group, where the bot speaks only when addressed.
 */
function isGroupChat(msg: ZaloMessage): boolean {
  const type = msg.chat?.chat_type?.toUpperCase();
  if (type === 'PRIVATE' || type === 'GROUP') return type === 'GROUP';
  return msg.chat?.id !== msg.from?.id;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * In a group the bot answers only what is addressed to it, as on Telegram: a /command, or a
 * message naming it. Zalo marks no mention in the event (none of the payloads found carries
 * one), so the bot's name from getMe is looked for: "@Name" anywhere, or the name opening the
 * message. Returns the text with the mention taken out (a bare mention asks for help), or
 * undefined when the message is not for the bot.
 */
function addressedText(text: string, botName: string | undefined): string | undefined {
  const trimmed = text.normalize('NFC').trim();
  if (/^\/[A-Za-z0-9_]+(?:\s|$)/.test(trimmed)) return trimmed;
  const name = botName?.normalize('NFC').trim();
  if (!name) return undefined;
  const pattern = escapeRegExp(name).replace(/\s+/g, '\\s+');
  const mention = new RegExp(`(^|[^\\p{L}\\p{N}_@])@${pattern}(?![\\p{L}\\p{N}_])`, 'giu');
  const opening = new RegExp(`^${pattern}(?![\\p{L}\\p{N}_])`, 'iu');
  let rest: string;
  if (trimmed.search(mention) >= 0) rest = trimmed.replace(mention, '$1');
  else if (opening.test(trimmed)) rest = trimmed.replace(opening, '');
  else return undefined;
  rest = rest
    .replace(/\s{2,}/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/^[\s,:;.-]+/, '')
    .trim();
  return rest || '/help';
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

    /** A 400, logged with why and whatever ids the body carries, never its content. */
    const reject = (reason: string, body: unknown, error: string) => {
      const ids = RejectedIds.safeParse(body);
      log.warn('zalo webhook rejected', {
        reason,
        event: ids.data?.event_name,
        messageId: ids.data?.message?.message_id,
      });
      return c.json({ error }, 400);
    };

    let raw: string;
    try {
      raw = await c.req.text();
    } catch {
      // The sender went away in the middle of the body: nobody waits for this answer, and it is no server error.
      return reject('body unreadable', undefined, texts.get(LOCALE, 'error-bad-json'));
    }
    // An empty POST has been seen as a probe from Zalo: acknowledge it, there is nothing to do.
    if (!raw.trim()) return c.json({ message: 'Success' });
    let body: unknown;
    try {
      body = unwrapEvent(parseJsonKeepingBigInts(raw));
    } catch {
      // Not the parser's message: it quotes the body.
      return reject('body is not JSON', undefined, texts.get(LOCALE, 'error-bad-json'));
    }

    const parsed = ZaloEventSchema.safeParse(body);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return reject(reason, body, texts.get(LOCALE, 'zalo-webhook-bad-event', { reason }));
    }
    const event = parsed.data;
    if (!event.event_name.startsWith('message.')) {
      // Not a message (a future event kind): nothing to answer, and no reason to make Zalo retry.
      log.info('zalo event ignored', { event: event.event_name });
      return c.json({ message: 'Success' });
    }
    const msg = event.message;
    const chatId = msg?.chat?.id;
    if (!msg || !chatId) {
      // An unsupported message from a protected sender comes without one: there is nobody to answer.
      log.info('zalo event without a chat ignored', { event: event.event_name, messageId: msg?.message_id });
      return c.json({ message: 'Success' });
    }
    if (msg.from?.is_bot) return c.json({ message: 'Success' });

    // Redeliveries carry the same message id; without one, the chat and time stand in for it.
    const deliveryId = msg.message_id ?? (msg.date === undefined ? undefined : `${chatId}@${msg.date}`);
    if (deliveryId) {
      let fresh: boolean;
      try {
        fresh = await store.claim(seenKey(event.event_name, deliveryId), SEEN_TTL_SECONDS);
      } catch (e) {
        // Without the claim a redelivery could be answered twice; let Zalo try again later.
        log.error('zalo event not claimed', { error: describeError(e) });
        return c.json({ error: texts.get(LOCALE, 'zalo-webhook-busy') }, 503);
      }
      if (!fresh) {
        log.info('zalo event duplicate dropped', { event: event.event_name, messageId: deliveryId });
        return c.json({ message: 'Success', duplicate: true });
      }
    }

    const isGroup = isGroupChat(msg);
    log.info('zalo event', {
      event: event.event_name,
      messageId: deliveryId,
      group: isGroup,
      ageMs: msg.date === undefined ? undefined : deps.now().getTime() - msg.date,
    });
    await inBackground(c, respond(event.event_name, msg, chatId, isGroup));
    return c.json({ message: 'Success' });
  });

  /** The bot's name for recognising mentions, or undefined while getMe fails (commands still work). */
  async function botName(): Promise<string | undefined> {
    try {
      return (await client.me()).account_name;
    } catch (e) {
      log.warn('zalo getMe failed; group mentions not recognised for now', { error: describeError(e) });
      return undefined;
    }
  }

  /** The work after the 200: never throws, logs what failed. */
  async function respond(eventName: string, msg: ZaloMessage, chatId: string, isGroup: boolean): Promise<void> {
    const said = TEXT_EVENTS.has(eventName) ? (msg.text?.trim() || linkText(msg)).normalize('NFC').trim() : '';
    try {
      if (!said) {
        // A group is not told about stickers and photos nobody asked the bot to read.
        if (!isGroup) await deliver(delivery, chatId, textReply('text-only', texts.get(LOCALE, 'zalo-text-only')), LOCALE);
        return;
      }
      const text = isGroup ? addressedText(said, said.startsWith('/') ? undefined : await botName()) : said;
      if (text === undefined) {
        log.debug('zalo group message not addressed to the bot', { messageId: msg.message_id });
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
          userId: msg.from?.id ?? chatId,
          text: picked ?? text,
          locale: LOCALE,
          isGroup,
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
