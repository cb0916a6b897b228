/**
 * @module channels/zalo/adapter
 * Zalo behind the one adapter shape (channels/adapter): the secret header, the event validated
 * leniently (bare or wrapped, ids as exact strings), event name + message id as the dedupe key,
 * a text (or a shared link's words) as an Inbound, a typed number as the choice it picks, and
 * the Reply as plain-text messages with numbered choices. In groups only messages addressed to
 * the bot are answered, with the mention taken out. Zalo's text events carry no language, so the
 * assistant answers in Vietnamese.
 */
import type { Context } from 'hono';
import type { Assistant } from '../../core/assistant';
import { secureEqual } from '../../core/secure-compare';
import type { Texts } from '../../core/texts';
import type { Locale, Reply } from '../../core/types';
import type { Store } from '../../store/store';
import { describeError, type Logger } from '../../log';
import { describeIssues, type ChannelAdapter, type Parsed, type Turn } from '../adapter';
import { realSchedule, TYPING_DELAY_MS } from '../typing';
import { parseJsonKeepingBigInts, ZaloApiError, type ZaloClient, type ZaloConfig } from './client';
import { deliver, readChoices, type Delivery } from './outbound';
import type { ChartLinks } from '../../media/chart-links';
import { pickChoice, renderZalo, type ZaloOutgoing } from './render';
import { isGroupChat, linkText, RejectedIds, TEXT_EVENTS, unwrapEvent, ZaloEventSchema, type ZaloMessage } from './schema';

export const ZALO_SECRET_HEADER = 'X-Bot-Api-Secret-Token';
const LOCALE: Locale = 'vi';

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
  /** Publishes charts for sendPhoto (needs PUBLIC_BASE_URL); without it replies go as text alone. */
  charts?: ChartLinks;
}

/** A message event worth working on: it has a chat to answer and is not from a bot. */
interface ZaloUpdate {
  eventName: string;
  msg: ZaloMessage;
  chatId: string;
  /** The message id, or (without one) the chat and time standing in for it. */
  deliveryId?: string;
}

interface ZaloTurn extends Turn {
  chatId: string;
  messageId?: string;
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
export function addressedText(text: string, botName: string | undefined): string | undefined {
  // NFC on both sides so a decomposed name still matches; the core normalises the rest.
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

export function zaloAdapter(deps: ZaloChannelDeps, client: ZaloClient): ChannelAdapter<ZaloUpdate, ZaloTurn, ZaloOutgoing & { intent: string }> {
  const { store, texts, log, config } = deps;
  const delivery: Delivery = { client, store, log, charts: deps.charts };

  /** The bot's name for recognising mentions, or undefined while getMe fails (commands still work). */
  async function botName(): Promise<string | undefined> {
    try {
      return (await client.me()).account_name;
    } catch (e) {
      log.warn('zalo getMe failed; group mentions not recognised for now', { error: describeError(e) });
      return undefined;
    }
  }

  return {
    name: 'zalo',
    answers: {
      unauthorized: { status: 403, error: texts.get(LOCALE, 'zalo-webhook-forbidden') },
      unreadable: texts.get(LOCALE, 'error-bad-json'),
      busy: texts.get(LOCALE, 'zalo-webhook-busy'),
      ok: (c: Context, duplicate) => c.json(duplicate ? { message: 'Success', duplicate: true } : { message: 'Success' }),
    },

    verify: (req) => secureEqual(req.header(ZALO_SECRET_HEADER), config.webhookSecret),

    parse(raw): Parsed<ZaloUpdate> {
      // An empty POST has been seen as a probe from Zalo: acknowledge it, there is nothing to do.
      if (!raw.trim()) return { kind: 'ignore' };
      let body: unknown;
      try {
        body = unwrapEvent(parseJsonKeepingBigInts(raw));
      } catch {
        // Not the parser's message: it quotes the body.
        return { kind: 'reject', reason: 'body is not JSON', error: texts.get(LOCALE, 'error-bad-json') };
      }
      const parsed = ZaloEventSchema.safeParse(body);
      if (!parsed.success) {
        const reason = describeIssues(parsed.error.issues);
        const ids = RejectedIds.safeParse(body).data;
        return {
          kind: 'reject',
          reason,
          error: texts.get(LOCALE, 'zalo-webhook-bad-event', { reason }),
          ids: { event: ids?.event_name, messageId: ids?.message?.message_id },
        };
      }
      const event = parsed.data;
      // Not a message (a future event kind): nothing to answer, and no reason to make Zalo retry.
      if (!event.event_name.startsWith('message.')) return { kind: 'ignore', note: 'event ignored', ids: { event: event.event_name } };
      const msg = event.message;
      const chatId = msg?.chat?.id;
      if (!msg || !chatId) {
        // An unsupported message from a protected sender comes without one: there is nobody to answer.
        return { kind: 'ignore', note: 'event without a chat ignored', ids: { event: event.event_name, messageId: msg?.message_id } };
      }
      if (msg.from?.is_bot) return { kind: 'ignore' };
      // Redeliveries carry the same message id; without one, the chat and time stand in for it.
      const deliveryId = msg.message_id ?? (msg.date === undefined ? undefined : `${chatId}@${msg.date}`);
      return { kind: 'update', update: { eventName: event.event_name, msg, chatId, deliveryId } };
    },

    dedupeKey: (u) => (u.deliveryId ? `zalo:seen:${u.eventName}:${u.deliveryId}` : undefined),

    async toInbound({ eventName, msg, chatId, deliveryId }) {
      const isGroup = isGroupChat(msg);
      const ageMs = msg.date === undefined ? undefined : deps.now().getTime() - msg.date;
      log.info('zalo event', { event: eventName, messageId: deliveryId, group: isGroup, ageMs });
      const said = TEXT_EVENTS.has(eventName) ? (msg.text?.trim() || linkText(msg)).trim() : '';
      const turn = { chatId, messageId: msg.message_id };
      if (!said) {
        // A group is not told about stickers and photos nobody asked the bot to read.
        if (isGroup) return undefined;
        const notice: Reply = { intent: 'text-only', blocks: [{ type: 'text', text: texts.get(LOCALE, 'zalo-text-only') }], citations: [], found: false };
        return { ...turn, notice };
      }
      const text = isGroup ? addressedText(said, said.startsWith('/') ? undefined : await botName()) : said;
      if (text === undefined) {
        log.debug('zalo group message not addressed to the bot', { messageId: msg.message_id });
        return undefined;
      }
      const picked = pickChoice(text, await readChoices(store, chatId, log));
      return { ...turn, inbound: { channel: 'zalo', chatId, userId: msg.from?.id ?? chatId, text: picked ?? text, locale: LOCALE, isGroup } };
    },

    waiting(turn) {
      // "typing…" once the answer is slow in coming; its failure must not cost the answer.
      let typing: Promise<unknown> | undefined;
      const show = () => {
        typing = client
          .sendChatAction({ chat_id: turn.chatId, action: 'typing' })
          .catch((e: unknown) => log.warn('zalo typing not shown', { error: describeError(e) }));
      };
      const delayMs = deps.typingDelayMs ?? TYPING_DELAY_MS;
      const cancel = delayMs > 0 ? realSchedule(show, delayMs) : (show(), () => {});
      return async () => {
        cancel();
        await typing;
      };
    },

    render: (reply) => ({ ...renderZalo(reply, texts, LOCALE), intent: reply.intent }),

    async send(turn, out) {
      const parts = await deliver(delivery, turn.chatId, out);
      log.info('zalo answered', { messageId: turn.messageId, intent: out.intent, parts });
    },

    async failed({ msg }, _turn, e) {
      log.error('zalo answer failed', {
        messageId: msg.message_id,
        error: describeError(e),
        errorCode: e instanceof ZaloApiError ? e.errorCode : undefined,
      });
    },
  };
}
