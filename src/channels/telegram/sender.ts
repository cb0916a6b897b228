/**
 * @module channels/telegram/sender
 * Bot API calls through grammY's Api client: HTML parts in order with the keyboard on the last,
 * plain text when Telegram cannot parse the HTML, "typing…", and the inline keyboards (follow-up
 * buttons, 👍/👎). A call that Telegram answers with 429 was not performed, so it is repeated
 * after retry_after (a few times, within a bound); any other failure is thrown and never
 * repeated, because the message may have arrived: a duplicate is worse than an apology.
 *
 * Why not @grammyjs/auto-retry (2.0.2): by default it also retries 5xx and network errors (a
 * message that may have arrived would be sent twice), it waits with its own setTimeout (tests
 * could not walk time), it would apply to every call of the Api (streaming edits skip a 429
 * instead of waiting), and after its last attempt it still waits retry_after before failing
 * (up to the whole 30 s Workers budget, before the apology). This loop is a dozen lines.
 */
import { Api, GrammyError, InputFile } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Texts } from '../../core/texts';
import type { Locale, Reply, ReplyImage } from '../../core/types';
import type { PngRenderer } from '../../media/png-renderer';
import type { Store } from '../../store/store';
import { describeError, type Logger } from '../../log';
import { splitPlain } from '../plain';
import type { Schedule } from '../typing';
import { escapeHtml, htmlToPlain, MAX_MESSAGE_LENGTH, renderReplyHtml, splitHtml } from './render';
import { toBase64Url } from '../../text/base64';

export interface TelegramConfig {
  token: string;
  webhookSecret: string;
  apiBase: string;
}

/** Long button actions wait in the store this long for a tap. */
const ACTION_TTL_SECONDS = 30 * 86_400;
const CALLBACK_DATA_MAX_BYTES = 64;
/** "typing…" lasts about 5 s in Telegram, so it is renewed a little sooner. */
const TYPING_EVERY_MS = 4_000;
/** A 429 asking for longer than this is not waited out (Workers end background work at 30 s). */
const MAX_RETRY_AFTER_SECONDS = 25;
const MAX_ATTEMPTS = 3;
/** Bounds each Bot API call, so a hung connection cannot hold the background work forever. */
const API_TIMEOUT_SECONDS = 15;
/** Telegram's limit on a photo's caption, in characters after the HTML is parsed. */
export const MAX_CAPTION_LENGTH = 1024;
/** callback_data of the 👍/👎 buttons. */
export const VOTE_DATA = { up: 'fb:up', down: 'fb:down' } as const;

/** Where a reply goes: the chat, and in groups the message it answers and the forum topic. */
export interface Target {
  chatId: number | string;
  replyTo?: number;
  threadId?: number;
}

/** How much of a reply reached the chat, so a failure can tell "nothing sent" from "partly sent". */
export interface Progress {
  sent: number;
  /** A draft of the answer is on screen (it stays only until the answer is sent). */
  previewing?: boolean;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** retry_after of a 429, when that is what the error is. */
export function retryAfterOf(e: unknown): number | undefined {
  return e instanceof GrammyError && e.error_code === 429 ? (e.parameters.retry_after ?? 1) : undefined;
}

function isParseError(e: unknown): boolean {
  return e instanceof GrammyError && e.error_code === 400 && /can't parse entities/i.test(e.description);
}

function isNotModified(e: unknown): boolean {
  return e instanceof GrammyError && e.error_code === 400 && /message is not modified/i.test(e.description);
}

/** Telegram's way of saying the chat cannot be reached at all: retrying will not help. */
export function isUnreachable(e: unknown): boolean {
  return (
    e instanceof GrammyError &&
    (e.error_code === 403 || (e.error_code === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(e.description)))
  );
}

interface Piece {
  text: string;
  html: boolean;
}

export class TelegramSender {
  readonly api: Api;
  /** Until when (ms) drafts are not tried: the server refused one (an older Bot API, or not allowed). */
  draftsRefusedUntil = 0;

  constructor(
    config: Pick<TelegramConfig, 'token' | 'apiBase'>,
    private readonly store: Store,
    private readonly texts: Texts,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void>,
    /** Turns a reply's chart into a PNG; without it replies go as text alone. */
    private readonly renderPng?: PngRenderer,
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
    return splitHtml(renderReplyHtml(reply, this.texts.get(locale, 'sources'), this.texts.get(locale, 'related')));
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
        { text: this.texts.get(locale, 'telegram-feedback-up'), callback_data: VOTE_DATA.up },
        { text: this.texts.get(locale, 'telegram-feedback-down'), callback_data: VOTE_DATA.down },
      ]);
    }
    return rows.length ? { inline_keyboard: rows } : undefined;
  }

  /** callback_data holds at most 64 bytes: a longer action waits in the store under a short id. */
  private async actionData(action: string): Promise<string> {
    const inline = `a:${action}`;
    if (new TextEncoder().encode(inline).length <= CALLBACK_DATA_MAX_BYTES) return inline;
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
        const plain = splitPlain(htmlToPlain(parts[i]!), MAX_MESSAGE_LENGTH);
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

  /**
   * A reply with a chart: the PNG as a photo with the text as its caption when that fits (the
   * keyboard on the photo), else the photo with the chart's description as caption and then the
   * text as messages. A chart that cannot be drawn or sent costs only the photo: the text still
   * goes, never nothing. Returns the ids of the messages used.
   */
  async deliverWithImage(target: Target, parts: string[], markup: InlineKeyboardMarkup | undefined, progress: Progress, image: ReplyImage): Promise<number[]> {
    if (!this.renderPng) return this.deliver(target, parts, markup, progress);
    const captionFits = parts.length === 1 && htmlToPlain(parts[0]!).length <= MAX_CAPTION_LENGTH;
    const caption = captionFits ? parts[0]! : escapeHtml(truncate(image.alt, MAX_CAPTION_LENGTH));
    let photoId: number;
    try {
      const png = await this.renderPng(image);
      const sent = await this.call('sendPhoto', () =>
        this.api.sendPhoto(target.chatId, new InputFile(png, 'chart.png'), {
          caption,
          parse_mode: 'HTML',
          ...(captionFits && markup ? { reply_markup: markup } : {}),
          ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
          ...(target.replyTo !== undefined ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } } : {}),
        }),
      );
      progress.sent++;
      photoId = sent.message_id;
    } catch (e) {
      this.log.warn('telegram chart not sent; sending the text alone', { error: describeError(e) });
      return this.deliver(target, parts, markup, progress);
    }
    if (captionFits) return [photoId];
    return [photoId, ...(await this.deliver(target, parts, markup, progress))];
  }

  /** A short text (an apology) as one plain message. */
  async notice(target: Target, text: string, progress: Progress): Promise<void> {
    await this.deliver(target, splitHtml(escapeHtml(text)), undefined, progress);
  }

  /**
   * Shows "typing…" from `delayMs` on, until stopped or until the first message or draft is out; failures
   * do not matter.
   */
  keepTyping(target: Target, progress: Progress, delayMs: number, schedule: Schedule): () => void {
    // Each tick arms the next, so cancelling the one pending timer stops it for good.
    let cancel = () => {};
    const tick = () => {
      if (progress.sent > 0 || progress.previewing) return;
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

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 16 characters of base64url SHA-256: the same action always gets the same id. */
async function shortId(action: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(action)));
  return toBase64Url(digest.slice(0, 12));
}
