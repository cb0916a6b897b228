/**
 * @module channels/telegram
 * The Telegram channel: translates Bot API updates into Inbound messages and Replies into
 * Telegram messages (through grammY's Api client; grammY's webhookCallback is deliberately not
 * used, because it holds the webhook response until the handler is done and turns a slow model
 * into a 500 that Telegram redelivers).
 *
 * The webhook checks the secret header in constant time, validates the update, claims its
 * update_id (SET NX EX) so a redelivery is acknowledged and dropped, answers 200 at once and
 * does the work in the background (waitUntil). Sends honour 429 retry_after and are otherwise
 * never retried, so a reply is never sent twice. `telegramOutbound` sends proactive messages
 * (reminders) the same way.
 */
import { inBackground } from '../background';
import type { UserDataEraser } from '../privacy/erase';
import { secureEqual } from '../core/secure-compare';
import { Hono } from 'hono';
import { z } from 'zod';
import { Api, GrammyError } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Assistant } from '../core/assistant';
import { MAX_MESSAGE_CHARS } from '../core/assistant';
import type { Texts } from '../core/texts';
import type { Inbound, Locale, Outbound, Reply, SendResult } from '../core/types';
import type { Store } from '../store/store';
import { describeError, type Logger } from '../log';
import { recordFeedback, rememberAnswer, type FeedbackValue } from '../analytics/feedback';
import { realSchedule, TYPING_DELAY_MS, type Schedule } from './typing';
import { escapeHtml, htmlToPlain, partialPreview, renderReplyHtml, splitMessage } from './telegram-render';

export interface TelegramConfig {
  token: string;
  /** Required to accept webhooks: without it every POST is refused. */
  webhookSecret?: string;
  apiBase: string;
}

export interface TelegramChannelDeps {
  assistant: Assistant;
  store: Store;
  texts: Texts;
  log: Logger;
  config: TelegramConfig;
  now: () => Date;
  /** How long the note tying a sent answer to its question (for 👍/👎) is kept: the history TTL. */
  historyTtlSeconds: number;
  /** Least time between two edits of a message being written (default 1500 ms). */
  streamEditIntervalMs?: number;
  /** "typing…" only when no answer is out this long after the message (default TYPING_DELAY_MS). */
  typingDelayMs?: number;
  /** How a 429's retry_after is waited out (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Timers for "typing…" (tests pass one driven by their clock). */
  schedule?: Schedule;
  /** The bot's username without "@", when known; otherwise asked once with getMe. */
  botUsername?: string;
}

/** Telegram redelivers an update for up to a day; the claim on its id lives as long. */
const UPDATE_CLAIM_TTL_SECONDS = 86_400;
/** One "you are sending too fast" notice per user per minute; further messages get silence. */
const RATE_NOTICE_TTL_SECONDS = 60;
/** Long button actions wait in the store this long for a tap. */
const ACTION_TTL_SECONDS = 30 * 86_400;
const BOT_INFO_TTL_SECONDS = 86_400;
const CALLBACK_DATA_MAX_BYTES = 64;
/** "typing…" lasts about 5 s in Telegram, so it is renewed a little sooner. */
const TYPING_EVERY_MS = 4_000;
/** A 429 asking for longer than this is not waited out (Workers end background work at 30 s). */
const MAX_RETRY_AFTER_SECONDS = 25;
const MAX_ATTEMPTS = 3;
/** Bounds each Bot API call, so a hung connection cannot hold the background work forever. */
const API_TIMEOUT_SECONDS = 15;
/** Replies after which a 👍/👎 makes no sense (nothing was answered). */
const NO_FEEDBACK_INTENTS = new Set(['rate-limited', 'error', 'bare-number']);

// ---------------------------------------------------------------------------------------------
// The update, validated: only the fields the channel reads; unknown fields are ignored so a new
// Bot API field never makes a valid update look malformed.

const UserSchema = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  language_code: z.string().optional(),
});
const ChatSchema = z.object({ id: z.number().int(), type: z.string() });
/**
 * What a person can send that is not text: in a private chat these get "I read only text".
 * Anything else without text is a service message (a payment, a pin, a member joining, write
 * access granted…) and gets no answer at all.
 */
const MEDIA_FIELDS = [
  'animation', 'audio', 'contact', 'dice', 'document', 'game', 'location', 'paid_media', 'photo', 'poll',
  'sticker', 'story', 'venue', 'video', 'video_note', 'voice',
] as const;
const ButtonSchema = z.object({ text: z.string(), callback_data: z.string().optional(), url: z.string().optional() });
// Loose: the media fields above are read by name, without validating their contents.
const MessageSchema = z.looseObject({
  message_id: z.number().int(),
  chat: ChatSchema,
  from: UserSchema.optional(),
  /** Who the message speaks for when not a person: the group (an anonymous admin) or a channel. */
  sender_chat: ChatSchema.optional(),
  /** A channel's post copied into its discussion group by Telegram. */
  is_automatic_forward: z.boolean().optional(),
  text: z.string().optional(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  reply_markup: z.object({ inline_keyboard: z.array(z.array(ButtonSchema)) }).optional(),
});
const CallbackQuerySchema = z.object({
  id: z.string(),
  from: UserSchema,
  message: MessageSchema.optional(),
  data: z.string().optional(),
});
export const UpdateSchema = z.object({
  update_id: z.number().int().min(0),
  message: MessageSchema.optional(),
  callback_query: CallbackQuerySchema.optional(),
});
export type TelegramUpdate = z.infer<typeof UpdateSchema>;
type TelegramMessage = z.infer<typeof MessageSchema>;
type CallbackQuery = z.infer<typeof CallbackQuerySchema>;

/** Which update kinds the bot asks Telegram for (setup) and handles (webhook). */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

// ---------------------------------------------------------------------------------------------
// Pure helpers.

/** /xoadulieu: the "too fast" notice marker, the only Telegram key that names a user. */
export const telegramEraser: UserDataEraser = {
  name: 'telegram',
  async erase(store, who) {
    if (who.channel !== 'telegram') return 0;
    const keys = (await store.keysWithPrefix('tg:rl-notice:')).filter((k) => k.endsWith(`:${who.userId}`));
    return keys.length ? store.del(...keys) : 0;
  },
};

/** The bot's public numeric id (the part of the token before ":"), to key its state. */
export function botIdOf(token: string): string {
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

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** retry_after of a 429, when that is what the error is. */
function retryAfterOf(e: unknown): number | undefined {
  return e instanceof GrammyError && e.error_code === 429 ? (e.parameters.retry_after ?? 1) : undefined;
}

function isParseError(e: unknown): boolean {
  return e instanceof GrammyError && e.error_code === 400 && /can't parse entities/i.test(e.description);
}

function isNotModified(e: unknown): boolean {
  return e instanceof GrammyError && e.error_code === 400 && /message is not modified/i.test(e.description);
}

/** Telegram's way of saying the chat cannot be reached at all: retrying will not help. */
function isUnreachable(e: unknown): boolean {
  return (
    e instanceof GrammyError &&
    (e.error_code === 403 || (e.error_code === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(e.description)))
  );
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Sending.

/** Where a reply goes: the chat, and in groups the message it answers and the forum topic. */
interface Target {
  chatId: number | string;
  replyTo?: number;
  threadId?: number;
}

/** How much of a reply reached the chat, so a failure can tell "nothing sent" from "partly sent". */
interface Progress {
  sent: number;
  /** Set once the bot has decided to answer: where an apology goes if answering fails. */
  answering?: { target: Target; locale: Locale };
}

interface Piece {
  text: string;
  html: boolean;
}

/**
 * Sends Replies to Telegram. A call that Telegram answers with 429 was not performed, so it is
 * repeated after retry_after (a few times, within a bound); any other failure is thrown and
 * never repeated, because the message may have arrived.
 */
class TelegramSender {
  readonly api: Api;

  constructor(
    config: Pick<TelegramConfig, 'token' | 'apiBase'>,
    private readonly store: Store,
    private readonly texts: Texts,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.api = new Api(config.token, { apiRoot: config.apiBase, timeoutSeconds: API_TIMEOUT_SECONDS });
  }

  async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const wait = retryAfterOf(e);
        if (wait === undefined || attempt >= MAX_ATTEMPTS || wait > MAX_RETRY_AFTER_SECONDS) throw e;
        this.log.warn('telegram asked to slow down; waiting', { method, retryAfterSeconds: wait, attempt });
        await this.sleep(wait * 1000);
      }
    }
  }

  /** The reply as HTML parts of at most 4096 characters (none when it has nothing to show). */
  render(reply: Reply, locale: Locale): string[] {
    return splitMessage(renderReplyHtml(reply, this.texts.get(locale, 'sources')));
  }

  /** Inline keyboard: the reply's buttons as callbacks, then 👍/👎 when asked for. */
  async keyboard(reply: Reply, locale: Locale, feedback: boolean): Promise<InlineKeyboardMarkup | undefined> {
    const rows: InlineKeyboardButton[][] = [];
    for (const row of reply.buttons ?? []) {
      const buttons: InlineKeyboardButton[] = [];
      for (const b of row) buttons.push({ text: b.label, callback_data: await this.actionData(b.action) });
      if (buttons.length) rows.push(buttons);
    }
    if (feedback) {
      rows.push([
        { text: this.texts.get(locale, 'telegram-feedback-up'), callback_data: 'fb:up' },
        { text: this.texts.get(locale, 'telegram-feedback-down'), callback_data: 'fb:down' },
      ]);
    }
    return rows.length ? { inline_keyboard: rows } : undefined;
  }

  /** callback_data holds at most 64 bytes: a longer action waits in the store under a short id. */
  private async actionData(action: string): Promise<string> {
    const inline = `a:${action}`;
    if (utf8Length(inline) <= CALLBACK_DATA_MAX_BYTES) return inline;
    const id = await shortId(action);
    await this.store.set(`tg:action:${id}`, action, ACTION_TTL_SECONDS);
    return `b:${id}`;
  }

  /** The action behind a button's callback_data; undefined when unknown or expired. */
  async resolveAction(data: string): Promise<string | undefined> {
    if (data.startsWith('a:')) return data.slice(2);
    if (data.startsWith('b:')) return (await this.store.get(`tg:action:${data.slice(2)}`)) ?? undefined;
    return undefined;
  }

  /**
   * Delivers HTML parts in order, the keyboard on the last; `editId` makes the first part an
   * edit of that message (a streamed answer) instead of a new one. When Telegram cannot parse
   * a part's HTML, that part goes as plain text. Returns the ids of the messages used.
   */
  async deliver(target: Target, parts: string[], markup: InlineKeyboardMarkup | undefined, progress: Progress, editId?: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const edit = i === 0 ? editId : undefined;
      try {
        ids.push(await this.put(target, { text: parts[i]!, html: true }, last ? markup : undefined, progress, edit));
      } catch (e) {
        if (!isParseError(e)) throw e;
        // The HTML was refused, so nothing was sent: sending it as plain text is not a duplicate.
        this.log.warn('telegram refused the HTML; sending plain text', { error: describeError(e) });
        const plain = splitMessage(htmlToPlain(parts[i]!), { html: false });
        for (let j = 0; j < plain.length; j++) {
          const lastPiece = last && j === plain.length - 1;
          ids.push(await this.put(target, { text: plain[j]!, html: false }, lastPiece ? markup : undefined, progress, j === 0 ? edit : undefined));
        }
      }
    }
    return ids;
  }

  private async put(target: Target, piece: Piece, markup: InlineKeyboardMarkup | undefined, progress: Progress, editId?: number): Promise<number> {
    const format = {
      ...(piece.html ? { parse_mode: 'HTML' as const } : {}),
      ...(markup ? { reply_markup: markup } : {}),
      link_preview_options: { is_disabled: true },
    };
    if (editId !== undefined) {
      try {
        await this.call('editMessageText', () => this.api.editMessageText(target.chatId, editId, piece.text, format));
      } catch (e) {
        if (!isNotModified(e)) throw e;
      }
      return editId;
    }
    const sent = await this.call('sendMessage', () =>
      this.api.sendMessage(target.chatId, piece.text, {
        ...format,
        ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
        ...(target.replyTo !== undefined ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } } : {}),
      }),
    );
    progress.sent++;
    return sent.message_id;
  }

  /** A short text (a notice, an apology) as one plain message. */
  async notice(target: Target, text: string, progress: Progress): Promise<void> {
    await this.deliver(target, splitMessage(escapeHtml(text)), undefined, progress);
  }

  /**
   * Shows "typing…" from `delayMs` on, until stopped or until the first message is out; failures
   * do not matter.
   */
  keepTyping(target: Target, progress: Progress, delayMs: number, schedule: Schedule): () => void {
    // Each tick arms the next, so cancelling the one pending timer stops it for good.
    let cancel = () => {};
    const tick = () => {
      if (progress.sent > 0) return;
      this.api
        .sendChatAction(target.chatId, 'typing', target.threadId !== undefined ? { message_thread_id: target.threadId } : {})
        .catch(() => {});
      cancel = schedule(tick, TYPING_EVERY_MS);
    };
    if (delayMs <= 0) tick();
    else cancel = schedule(tick, delayMs);
    return () => cancel();
  }
}

/** 16 characters of base64url SHA-256: the same action always gets the same id. */
async function shortId(action: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(action)));
  let bin = '';
  for (const byte of digest.slice(0, 12)) bin += String.fromCharCode(byte);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_');
}

// ---------------------------------------------------------------------------------------------
// Streaming: one message edited as the model writes.

/**
 * Shows a model's answer while it is written: the first partial sends a message, later ones
 * edit it, at most once per interval of the injected clock (updates are queued one after the
 * other, each showing the text as it was when it was due). A 429 pauses the updates; it is not
 * waited out. `finish` turns the message into the final answer with sources and buttons.
 */
class StreamingMessage {
  private messageId: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastAt = -Infinity;
  private pausedUntil = 0;
  private shown = '';
  /** After a failed first send the outcome is unknown: stop streaming rather than risk a second copy. */
  private broken = false;

  constructor(
    private readonly sender: TelegramSender,
    private readonly target: Target,
    private readonly progress: Progress,
    private readonly now: () => Date,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  readonly onPartial = (textSoFar: string): void => {
    const t = this.now().getTime();
    if (this.broken || t - this.lastAt < this.intervalMs || t < this.pausedUntil) return;
    this.lastAt = t;
    // The text is taken now, so what each update shows depends on the clock, not on network speed.
    const text = partialPreview(textSoFar);
    this.queue = this.queue.then(() => this.show(text));
  };

  private async show(text: string): Promise<void> {
    if (this.broken || text === this.shown || !text.replace(/…$/, '').trim()) return;
    const api = this.sender.api;
    try {
      if (this.messageId === undefined) {
        const sent = await api.sendMessage(this.target.chatId, text, {
          link_preview_options: { is_disabled: true },
          ...(this.target.threadId !== undefined ? { message_thread_id: this.target.threadId } : {}),
          ...(this.target.replyTo !== undefined ? { reply_parameters: { message_id: this.target.replyTo, allow_sending_without_reply: true } } : {}),
        });
        this.messageId = sent.message_id;
        this.progress.sent++;
      } else {
        await api.editMessageText(this.target.chatId, this.messageId, text, { link_preview_options: { is_disabled: true } });
      }
      this.shown = text;
    } catch (e) {
      // A skipped intermediate edit costs nothing: the next one (or the final) shows newer text.
      const wait = retryAfterOf(e);
      if (wait !== undefined) this.pausedUntil = this.now().getTime() + wait * 1000;
      else if (this.messageId === undefined) this.broken = true;
      this.log.debug('telegram stream update skipped', { error: describeError(e) });
    }
  }

  /**
   * Replaces the streamed text with the final answer (the first part edited in place, the rest
   * sent after it). Returns undefined when no message was streamed, so the caller sends normally.
   */
  async finish(parts: string[], markup: InlineKeyboardMarkup | undefined): Promise<number[] | undefined> {
    await this.queue;
    if (this.messageId === undefined || parts.length === 0) return undefined;
    return this.sender.deliver(this.target, parts, markup, this.progress, this.messageId);
  }
}

// ---------------------------------------------------------------------------------------------
// The webhook.

/**
 * The Telegram webhook as a Hono sub-app; mount it with
 * `app.route('/webhooks/telegram', telegramChannel(deps))`.
 */
export function telegramChannel(deps: TelegramChannelDeps): Hono {
  const app = new Hono();
  const { store, log, config } = deps;
  const botId = botIdOf(config.token);
  const sender = new TelegramSender(config, store, deps.texts, log, deps.sleep ?? defaultSleep);
  const work = new UpdateWork(deps, sender, botId);
  if (!config.webhookSecret) log.error('telegram: TELEGRAM_WEBHOOK_SECRET is not set; every webhook call will be refused');

  app.post('/', async (c) => {
    const secret = config.webhookSecret;
    if (!secret || !(await secureEqual(c.req.header('x-telegram-bot-api-secret-token'), secret))) {
      return c.json({ error: 'unauthorized: wrong or missing X-Telegram-Bot-Api-Secret-Token' }, 401);
    }
    // A refused body is logged (the reason and the update's id, never its content), so a change
    // in what Telegram sends shows up in the logs instead of as silently unanswered messages.
    const reject = (reason: string, body?: unknown) => {
      const updateId = (body as { update_id?: unknown } | null | undefined)?.update_id;
      log.warn('telegram: webhook body rejected', { reason, ...(Number.isSafeInteger(updateId) ? { updateId } : {}) });
      return c.json({ error: reason }, 400);
    };
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return reject('the body is not JSON');
    }
    const parsed = UpdateSchema.safeParse(body);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return reject(`not a Telegram update: ${reason}`, body);
    }
    const update = parsed.data;
    if (!update.message && !update.callback_query) return c.body(null, 200); // a kind we do not handle

    let fresh: boolean;
    try {
      fresh = await store.claim(`tg:update:${botId}:${update.update_id}`, UPDATE_CLAIM_TTL_SECONDS);
    } catch (e) {
      // Without the claim a redelivery could be answered twice: let Telegram try again later.
      log.error('telegram: cannot claim the update; asking for redelivery', { updateId: update.update_id, error: describeError(e) });
      return c.json({ error: 'store unavailable' }, 503);
    }
    if (!fresh) {
      log.info('telegram update delivered again; dropped', { updateId: update.update_id });
      return c.body(null, 200);
    }
    await inBackground(c, work.run(update));
    return c.body(null, 200);
  });

  return app;
}

/** What one update does, after the webhook has acknowledged it. */
class UpdateWork {
  private usernameLookup: Promise<string | undefined> | undefined;

  constructor(
    private readonly deps: TelegramChannelDeps,
    private readonly sender: TelegramSender,
    private readonly botId: string,
  ) {}

  /** Never rejects: a failure is logged (no text, no secret) and the user gets an apology. */
  async run(update: TelegramUpdate): Promise<void> {
    const progress: Progress = { sent: 0 };
    const kind = update.message ? 'message' : 'callback_query';
    try {
      if (update.callback_query) await this.onCallback(update.callback_query, progress);
      else if (update.message) await this.onMessage(update.message, progress);
    } catch (e) {
      this.deps.log.error('telegram update failed', { updateId: update.update_id, kind, error: describeError(e) });
      const to = progress.answering;
      if (!to || progress.sent > 0) return;
      try {
        await this.sender.notice(to.target, this.deps.texts.get(to.locale, 'error-apology'), progress);
      } catch (e2) {
        this.deps.log.warn('telegram apology not sent', { updateId: update.update_id, error: describeError(e2) });
      }
    }
  }

  private async onMessage(msg: TelegramMessage, progress: Progress): Promise<void> {
    // A channel's post copied into its discussion group is an announcement, not a question.
    if (msg.is_automatic_forward) return;
    const senderId = senderIdOf(msg);
    if (senderId === undefined) return;
    const isGroup = msg.chat.type !== 'private';
    const locale = localeOf(msg.from?.language_code);
    const target: Target = {
      chatId: msg.chat.id,
      replyTo: isGroup ? msg.message_id : undefined,
      threadId: msg.is_topic_message ? msg.message_thread_id : undefined,
    };
    if (msg.text === undefined) {
      // Photos, stickers, voice: in a group they are not for us; in a private chat say what we
      // read. Service messages (a payment, a pin, write access granted) are nobody's question.
      const media = MEDIA_FIELDS.some((field) => msg[field] !== undefined);
      if (media && !isGroup) await this.sender.notice(target, this.deps.texts.get(locale, 'telegram-text-only'), progress);
      return;
    }
    const text = isGroup ? addressedText(msg.text, await this.username()) : msg.text;
    if (text === undefined) return;
    // A bare /command that no handler knows was meant for another bot in the group.
    if (isGroup && isBareCommand(msg.text) && this.deps.assistant.route(text).via === 'unknown-command') return;
    await this.answer({ channel: 'telegram', chatId: String(msg.chat.id), userId: senderId, text, locale, isGroup }, target, progress);
  }

  private async onCallback(q: CallbackQuery, progress: Progress): Promise<void> {
    const { texts } = this.deps;
    const locale = localeOf(q.from.language_code);
    const data = q.data ?? '';
    const msg = q.message;
    const answerQuery = (text?: string) =>
      this.sender.api.answerCallbackQuery(q.id, text ? { text } : {}).catch((e: unknown) => {
        this.deps.log.debug('telegram callback answer failed', { error: describeError(e) });
      });

    if (data === 'fb:up' || data === 'fb:down') {
      if (!msg) return void (await answerQuery());
      const value: FeedbackValue = data === 'fb:up' ? 'up' : 'down';
      const result = await recordFeedback(this.deps.store, {
        channel: 'telegram',
        chatId: String(msg.chat.id),
        messageRef: String(msg.message_id),
        value,
        now: this.deps.now(),
        ttlSeconds: this.ttlSeconds,
      });
      await answerQuery(texts.get(locale, result === 'recorded' ? 'telegram-feedback-thanks' : 'telegram-feedback-already'));
      if (result === 'recorded' && msg.reply_markup) await this.dropFeedbackRow(msg);
      return;
    }

    const action = await this.sender.resolveAction(data);
    if (action === undefined || !msg) return void (await answerQuery(texts.get(locale, 'telegram-button-expired')));
    await answerQuery();
    const isGroup = msg.chat.type !== 'private';
    const target: Target = {
      chatId: msg.chat.id,
      replyTo: isGroup ? msg.message_id : undefined,
      threadId: msg.is_topic_message ? msg.message_thread_id : undefined,
    };
    await this.answer({ channel: 'telegram', chatId: String(msg.chat.id), userId: String(q.from.id), text: action, locale, isGroup }, target, progress);
  }

  /** After a vote the 👍/👎 row goes away (the follow-up buttons stay), showing it was taken. */
  private async dropFeedbackRow(msg: TelegramMessage): Promise<void> {
    const rows = (msg.reply_markup?.inline_keyboard ?? []).filter((row) => !row.some((b) => b.callback_data?.startsWith('fb:')));
    try {
      await this.sender.api.editMessageReplyMarkup(msg.chat.id, msg.message_id, { reply_markup: { inline_keyboard: rows as InlineKeyboardButton[][] } });
    } catch (e) {
      this.deps.log.debug('telegram feedback buttons not removed', { error: describeError(e) });
    }
  }

  /** Runs the assistant on one inbound message and delivers its reply (streamed when a model writes it). */
  private async answer(inbound: Inbound, target: Target, progress: Progress): Promise<void> {
    const { assistant, texts, store } = this.deps;
    const text = inbound.text.normalize('NFC').trim();
    if (!text) return;
    progress.answering = { target, locale: inbound.locale };
    if (text.length > MAX_MESSAGE_CHARS) {
      return this.sender.notice(target, texts.get(inbound.locale, 'error-too-long', { max: MAX_MESSAGE_CHARS }), progress);
    }
    const stopTyping = this.sender.keepTyping(target, progress, this.deps.typingDelayMs ?? TYPING_DELAY_MS, this.deps.schedule ?? realSchedule);
    try {
      const stream = new StreamingMessage(this.sender, target, progress, this.deps.now, this.deps.streamEditIntervalMs ?? 1500, this.deps.log);
      const reply = await assistant.handle({ ...inbound, text }, { onPartial: stream.onPartial });
      if (reply.intent === 'rate-limited' && !(await store.claim(`tg:rl-notice:${this.botId}:${inbound.userId}`, RATE_NOTICE_TTL_SECONDS))) {
        return; // already told within the minute: a notice per message would be a flood of its own
      }
      const feedback = reply.found !== undefined && !NO_FEEDBACK_INTENTS.has(reply.intent);
      const parts = this.sender.render(reply, inbound.locale);
      const markup = await this.sender.keyboard(reply, inbound.locale, feedback);
      const ids = (await stream.finish(parts, markup)) ?? (await this.sender.deliver(target, parts, markup, progress));
      const last = ids.at(-1);
      if (feedback && last !== undefined) {
        // The answer is out; losing the note only unties a later vote from its question.
        await rememberAnswer(store, { channel: 'telegram', chatId: inbound.chatId, messageRef: String(last) }, {
          intent: reply.intent,
          questionId: reply.questionId,
          ttlSeconds: this.ttlSeconds,
        }).catch((e: unknown) => this.deps.log.warn('telegram answer note not saved', { error: describeError(e) }));
      }
    } finally {
      stopTyping();
    }
  }

  private get ttlSeconds(): number {
    return this.deps.historyTtlSeconds;
  }

  /** The bot's @username: from deps, else the store, else getMe once (then kept for a day). */
  private username(): Promise<string | undefined> {
    if (this.deps.botUsername) return Promise.resolve(this.deps.botUsername);
    this.usernameLookup ??= this.lookUpUsername().catch((e: unknown) => {
      this.usernameLookup = undefined; // try again with the next group message
      this.deps.log.warn('telegram getMe failed; group mentions not recognised for now', { error: describeError(e) });
      return undefined;
    });
    return this.usernameLookup;
  }

  private async lookUpUsername(): Promise<string | undefined> {
    const key = `tg:me:${this.botId}`;
    const cached = await this.deps.store.get(key);
    if (cached) return cached;
    const me = await this.sender.call('getMe', () => this.sender.api.getMe());
    if (me.username) await this.deps.store.set(key, me.username, BOT_INFO_TTL_SECONDS);
    return me.username;
  }
}

// ---------------------------------------------------------------------------------------------
// Proactive sends.

export interface TelegramOutboundDeps {
  store: Store;
  texts: Texts;
  log: Logger;
  config: Pick<TelegramConfig, 'token' | 'apiBase'>;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends a Reply to a Telegram chat for jobs (reminders, alerts). A chat that blocked the bot or
 * no longer exists is a permanent failure. Nothing is retried here except a 429 (which Telegram
 * did not perform); a failure after some parts arrived says so in its reason.
 */
export function telegramOutbound(deps: TelegramOutboundDeps): Outbound['send'] {
  const sender = new TelegramSender(deps.config, deps.store, deps.texts, deps.log, deps.sleep ?? defaultSleep);
  return async (to, reply): Promise<SendResult> => {
    if (to.channel !== 'telegram') return { ok: false, permanent: true, reason: `not a Telegram recipient (${to.channel})` };
    const progress: Progress = { sent: 0 };
    try {
      const parts = sender.render(reply, to.locale);
      if (parts.length === 0) return { ok: false, permanent: true, reason: 'the reply has nothing to show' };
      await sender.deliver({ chatId: to.chatId }, parts, await sender.keyboard(reply, to.locale, false), progress);
      return { ok: true };
    } catch (e) {
      const partly = progress.sent > 0 ? ` (after ${progress.sent} part(s) were delivered)` : '';
      return { ok: false, permanent: isUnreachable(e), reason: `${describeError(e)}${partly}` };
    }
  };
}
