/**
 * @module channels/telegram/adapter
 * Telegram behind the one adapter shape (channels/adapter): the secret header, the update
 * validated, its update_id as the dedupe key, a message or a tapped button as an Inbound (a
 * 👍/👎 as a vote), and the Reply as HTML parts with an inline keyboard (a vote's reply as the
 * callback's toast). In groups only what is addressed to the bot is answered; answers stream
 * while a model writes them (drafts in private chats, an edited message in groups); an update
 * that failed gets an apology if nothing reached the chat.
 */
import type { Context } from 'hono';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Assistant } from '../../core/assistant';
import { secureEqual } from '../../core/secure-compare';
import type { Texts } from '../../core/texts';
import { VOTE_INTENTS, type Inbound, type Locale, type Reply } from '../../core/types';
import type { Store } from '../../store/store';
import { describeError, type Logger } from '../../log';
import { rememberAnswer } from '../../analytics/feedback';
import { describeIssues, type ChannelAdapter, type Parsed, type Turn } from '../adapter';
import { realSchedule, TYPING_DELAY_MS, type Schedule } from '../typing';
import { MEDIA_FIELDS, UpdateSchema, type CallbackQuery, type TelegramMessage, type TelegramUpdate } from './schema';
import { VOTE_DATA, type Progress, type Target, type TelegramConfig, type TelegramSender } from './sender';
import { StreamingMessage } from './stream';
import type { PngRenderer } from '../../media/png-renderer';

export interface TelegramChannelDeps {
  assistant: Assistant;
  store: Store;
  texts: Texts;
  log: Logger;
  config: TelegramConfig;
  now: () => Date;
  /** How long the note tying a sent answer to its question (for 👍/👎) is kept: the history TTL. */
  historyTtlSeconds: number;
  /** Least time between two edits of a message being written, in groups (default 1500 ms). */
  streamEditIntervalMs?: number;
  /** Least time between two draft updates in private chats (default 500 ms). */
  streamDraftIntervalMs?: number;
  /** "typing…" only when no answer is out this long after the message (default TYPING_DELAY_MS). */
  typingDelayMs?: number;
  /** How a 429's retry_after is waited out (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Timers for "typing…" (tests pass one driven by their clock). */
  schedule?: Schedule;
  /** The bot's username without "@", when known; otherwise asked once with getMe. */
  botUsername?: string;
  /** Draws a reply's chart as PNG for sendPhoto; without it charts are left out. */
  renderPng?: PngRenderer;
}

interface TelegramTurn extends Turn {
  locale: Locale;
  target: Target;
  progress: Progress;
  /** A tapped 👍/👎: its reply is shown as the callback's toast. */
  query?: { id: string; message: TelegramMessage };
  stream?: StreamingMessage;
}

type TelegramOutgoing =
  | { kind: 'toast'; text: string; recorded: boolean }
  | { kind: 'message'; parts: string[]; markup: InlineKeyboardMarkup | undefined; feedback: boolean; reply: Reply };

const BOT_INFO_TTL_SECONDS = 86_400;
/** Replies after which a 👍/👎 makes no sense (nothing was answered). */
const NO_FEEDBACK_INTENTS = new Set(['rate-limited', 'error', 'bare-number', 'too-long']);

/** The bot's public numeric id (the part of the token before ":"), to key its state. */
function botIdOf(token: string): string {
  return token.split(':')[0] ?? 'bot';
}

export function localeOf(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().startsWith('en') ? 'en' : 'vi';
}

/**
 * In a group the bot answers only what is addressed to it: a /command (bare, or with its own
 * @username) or a message mentioning @username, returned with the mention taken out. A bare
 * mention asks for help. Anything else (including /command@otherbot) is undefined: not ours.
 */
export function addressedText(text: string, botUsername: string | undefined): string | undefined {
  const trimmed = text.trim();
  const cmd = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(\s[\s\S]*)?$/.exec(trimmed);
  if (cmd) {
    if (cmd[2] && cmd[2].toLowerCase() !== botUsername?.toLowerCase()) return undefined;
    return `/${cmd[1]}${cmd[3] ?? ''}`;
  }
  if (!botUsername) return undefined;
  const mention = new RegExp(`(^|[^\\w@])@${botUsername}(?!\\w)`, 'gi');
  if (!mention.test(trimmed)) return undefined;
  const rest = trimmed
    .replace(mention, '$1')
    .replace(/\s{2,}/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/^[\s,:;.-]+/, '')
    .trim();
  return rest || '/help';
}

/** A /command without @botname: in a group, any bot there may be the one it is for. */
function isBareCommand(text: string): boolean {
  return /^\/[A-Za-z0-9_]+(?:\s|$)/.test(text.trim());
}

/**
 * Who a message is from, for roles and rate limits. A message sent on behalf of a chat (an
 * anonymous group admin speaks as the group itself; a member may post as their channel) has no
 * person behind it that the bot can see, so the sender is that chat: an anonymous admin is a
 * citizen unless that chat's id was verified. Other bots are not answered.
 */
function senderIdOf(msg: TelegramMessage): string | undefined {
  if (msg.sender_chat) return String(msg.sender_chat.id);
  if (!msg.from || msg.from.is_bot) return undefined;
  return String(msg.from.id);
}

/** Where the answer to a message goes: in groups as a reply to it, in forum topics in its topic. */
function targetOf(msg: TelegramMessage): Target {
  const isGroup = msg.chat.type !== 'private';
  return {
    chatId: msg.chat.id,
    replyTo: isGroup ? msg.message_id : undefined,
    threadId: msg.is_topic_message ? msg.message_thread_id : undefined,
  };
}

export function telegramAdapter(deps: TelegramChannelDeps, sender: TelegramSender): ChannelAdapter<TelegramUpdate, TelegramTurn, TelegramOutgoing> {
  const { store, texts, log, config } = deps;
  const botId = botIdOf(config.token);
  let usernameLookup: Promise<string | undefined> | undefined;

  /** The bot's @username: from deps, else the store, else getMe once (then kept for a day). */
  function username(): Promise<string | undefined> {
    if (deps.botUsername) return Promise.resolve(deps.botUsername);
    usernameLookup ??= lookUpUsername().catch((e: unknown) => {
      usernameLookup = undefined; // try again with the next group message
      log.warn('telegram getMe failed; group mentions not recognised for now', { error: describeError(e) });
      return undefined;
    });
    return usernameLookup;
  }

  async function lookUpUsername(): Promise<string | undefined> {
    const key = `tg:me:${botId}`;
    const cached = await store.get(key);
    if (cached) return cached;
    const me = await sender.call('getMe', () => sender.api.getMe());
    if (me.username) await store.set(key, me.username, BOT_INFO_TTL_SECONDS);
    return me.username;
  }

  const answerQuery = (id: string, text?: string) =>
    sender.api.answerCallbackQuery(id, text ? { text } : {}).catch((e: unknown) => {
      log.debug('telegram callback answer failed', { error: describeError(e) });
    });

  /** A turn that answers `text` in the message's chat, streamed when a model writes the answer. */
  function messageTurn(msg: TelegramMessage, inbound: Inbound): TelegramTurn {
    const target = targetOf(msg);
    const progress: Progress = { sent: 0 };
    // Drafts exist for private chats only; groups keep the edited message.
    const stream = new StreamingMessage(sender, target, progress, deps.now, {
      drafts: msg.chat.type === 'private',
      draftIntervalMs: deps.streamDraftIntervalMs ?? 500,
      editIntervalMs: deps.streamEditIntervalMs ?? 1500,
    }, log);
    return { inbound, locale: inbound.locale, target, progress, stream, onPartial: stream.onPartial };
  }

  async function fromMessage(msg: TelegramMessage): Promise<TelegramTurn | undefined> {
    // A channel's post copied into its discussion group is an announcement, not a question.
    if (msg.is_automatic_forward) return undefined;
    const senderId = senderIdOf(msg);
    if (senderId === undefined) return undefined;
    const isGroup = msg.chat.type !== 'private';
    const locale = localeOf(msg.from?.language_code);
    if (msg.text === undefined) {
      // Photos, stickers, voice: in a group they are not for us; in a private chat say what we
      // read. Service messages (a payment, a pin, write access granted) are nobody's question.
      const media = MEDIA_FIELDS.some((field) => msg[field] !== undefined);
      if (!media || isGroup) return undefined;
      const notice: Reply = { intent: 'text-only', blocks: [{ type: 'text', text: texts.get(locale, 'telegram-text-only') }], citations: [] };
      return { notice, locale, target: targetOf(msg), progress: { sent: 0 } };
    }
    const text = isGroup ? addressedText(msg.text, await username()) : msg.text;
    if (text === undefined) return undefined;
    // A bare /command that no handler knows was meant for another bot in the group.
    if (isGroup && isBareCommand(msg.text) && deps.assistant.route(text).via === 'unknown-command') return undefined;
    return messageTurn(msg, { channel: 'telegram', chatId: String(msg.chat.id), userId: senderId, text, locale, isGroup });
  }

  async function fromCallback(q: CallbackQuery): Promise<TelegramTurn | undefined> {
    const locale = localeOf(q.from.language_code);
    const data = q.data ?? '';
    const msg = q.message;
    if (data === VOTE_DATA.up || data === VOTE_DATA.down) {
      if (!msg) return void (await answerQuery(q.id));
      const vote = { value: data === VOTE_DATA.up ? ('up' as const) : ('down' as const), messageRef: String(msg.message_id) };
      const chatId = String(msg.chat.id);
      const inbound: Inbound = { channel: 'telegram', chatId, userId: String(q.from.id), text: '', locale, isGroup: msg.chat.type !== 'private', vote };
      return { inbound, locale, target: { chatId: msg.chat.id }, progress: { sent: 0 }, query: { id: q.id, message: msg } };
    }
    const action = await sender.resolveAction(data);
    if (action === undefined || !msg) return void (await answerQuery(q.id, texts.get(locale, 'telegram-button-expired')));
    await answerQuery(q.id);
    const inbound: Inbound = { channel: 'telegram', chatId: String(msg.chat.id), userId: String(q.from.id), text: action, locale, isGroup: msg.chat.type !== 'private' };
    return messageTurn(msg, inbound);
  }

  /** After a vote the 👍/👎 row goes away (the follow-up buttons stay), showing it was taken. */
  async function dropFeedbackRow(msg: TelegramMessage): Promise<void> {
    const rows = (msg.reply_markup?.inline_keyboard ?? []).filter((row) => !row.some((b) => b.callback_data === VOTE_DATA.up || b.callback_data === VOTE_DATA.down));
    try {
      await sender.api.editMessageReplyMarkup(msg.chat.id, msg.message_id, { reply_markup: { inline_keyboard: rows as InlineKeyboardButton[][] } });
    } catch (e) {
      log.debug('telegram feedback buttons not removed', { error: describeError(e) });
    }
  }

  return {
    name: 'telegram',
    answers: {
      unauthorized: { status: 401, error: 'unauthorized: wrong or missing X-Telegram-Bot-Api-Secret-Token' },
      unreadable: 'the body is not JSON',
      busy: 'store unavailable',
      ok: (c: Context) => c.body(null, 200),
    },

    verify: (req) => secureEqual(req.header('x-telegram-bot-api-secret-token'), config.webhookSecret),

    parse(body): Parsed<TelegramUpdate> {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return { kind: 'reject', reason: 'the body is not JSON', error: 'the body is not JSON' };
      }
      const parsed = UpdateSchema.safeParse(json);
      if (!parsed.success) {
        const reason = `not a Telegram update: ${describeIssues(parsed.error.issues)}`;
        const updateId = (json as { update_id?: unknown } | null)?.update_id;
        return { kind: 'reject', reason, error: reason, ids: Number.isSafeInteger(updateId) ? { updateId } : undefined };
      }
      const update = parsed.data;
      // A kind we do not handle (edited messages, reactions, …): nothing to do.
      if (!update.message && !update.callback_query) return { kind: 'ignore' };
      return { kind: 'update', update };
    },

    dedupeKey: (update) => `tg:update:${botId}:${update.update_id}`,

    toInbound(update) {
      if (update.callback_query) return fromCallback(update.callback_query);
      return update.message ? fromMessage(update.message) : Promise.resolve(undefined);
    },

    waiting(turn) {
      if (turn.query) return async () => {};
      const stop = sender.keepTyping(turn.target, turn.progress, deps.typingDelayMs ?? TYPING_DELAY_MS, deps.schedule ?? realSchedule);
      return async () => stop();
    },

    async render(reply, turn) {
      if (turn.query) {
        const text = reply.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');
        return { kind: 'toast', text, recorded: reply.intent === VOTE_INTENTS.recorded };
      }
      const feedback = reply.found !== undefined && !NO_FEEDBACK_INTENTS.has(reply.intent);
      const parts = sender.render(reply, turn.locale);
      return { kind: 'message', parts, markup: await sender.keyboard(reply, turn.locale, feedback), feedback, reply };
    },

    async send(turn, out) {
      if (out.kind === 'toast') {
        await answerQuery(turn.query!.id, out.text);
        if (out.recorded && turn.query!.message.reply_markup) await dropFeedbackRow(turn.query!.message);
        return;
      }
      const image = out.reply.image;
      const ids =
        (await turn.stream?.finish(out.parts, out.markup)) ??
        (image
          ? await sender.deliverWithImage(turn.target, out.parts, out.markup, turn.progress, image)
          : await sender.deliver(turn.target, out.parts, out.markup, turn.progress));
      const last = ids.at(-1);
      if (!out.feedback || last === undefined || !turn.inbound) return;
      // The answer is out; losing the note only unties a later vote from its question.
      await rememberAnswer(store, { channel: 'telegram', chatId: turn.inbound.chatId, messageRef: String(last) }, {
        intent: out.reply.intent,
        questionId: out.reply.questionId,
        ttlSeconds: deps.historyTtlSeconds,
      }).catch((e: unknown) => log.warn('telegram answer note not saved', { error: describeError(e) }));
    },

    async failed(update, turn, e) {
      const kind = update.message ? 'message' : 'callback_query';
      log.error('telegram update failed', { updateId: update.update_id, kind, error: describeError(e) });
      // The apology goes where a question was being answered, and only if nothing reached the chat.
      if (!turn?.inbound || turn.query || turn.progress.sent > 0) return;
      try {
        await sender.notice(turn.target, texts.get(turn.inbound.locale, 'error-apology'), turn.progress);
      } catch (e2) {
        log.warn('telegram apology not sent', { updateId: update.update_id, error: describeError(e2) });
      }
    },
  };
}
