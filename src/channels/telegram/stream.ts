/**
 * @module channels/telegram/stream
 * Shows a model's answer while it is written. In a private chat as a native draft
 * (`sendMessageDraft`, Bot API 9.5: an animated preview that the final `sendMessage` replaces);
 * in groups, or when the server refuses drafts, as one message sent at the first partial and
 * edited as more arrives, at a bounded rate.
 */
import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { describeError, type Logger } from '../../log';
import { partialPreview } from './render';
import { retryAfterOf, type Progress, type Target, type TelegramSender } from './sender';

/** How long a server that refused a draft is not asked again (an upgrade is picked up later). */
const DRAFTS_REFUSED_MS = 3_600_000;

export interface StreamOptions {
  /** The chat is private: drafts are allowed there (and only there). */
  drafts: boolean;
  /** Least time between two draft updates. */
  draftIntervalMs: number;
  /** Least time between two edits of the fallback message (Telegram limits edits per chat). */
  editIntervalMs: number;
}

/**
 * Updates are taken at most once per interval of the injected clock and queued one after the
 * other, each showing the text as it was when it was due. A 429 pauses the updates; it is not
 * waited out. In draft mode `finish` leaves the final answer to the normal send (the draft is
 * only a preview); in edit mode it turns the message into the final answer.
 */
export class StreamingMessage {
  private mode: 'draft' | 'edit';
  private readonly draftId = randomDraftId();
  private messageId: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastAt = -Infinity;
  /** When the text on screen in edit mode was taken: drafts queued before a fallback keep the edit rate. */
  private editedAt = -Infinity;
  private pausedUntil = 0;
  private shown = '';
  /** After a failed first send the outcome is unknown: stop streaming rather than risk a second copy. */
  private broken = false;

  constructor(
    private readonly sender: TelegramSender,
    private readonly target: Target,
    private readonly progress: Progress,
    private readonly now: () => Date,
    private readonly opts: StreamOptions,
    private readonly log: Logger,
  ) {
    this.mode = opts.drafts && sender.draftsRefusedUntil <= now().getTime() ? 'draft' : 'edit';
  }

  readonly onPartial = (textSoFar: string): void => {
    const t = this.now().getTime();
    const interval = this.mode === 'draft' ? this.opts.draftIntervalMs : this.opts.editIntervalMs;
    if (this.broken || t - this.lastAt < interval || t < this.pausedUntil) return;
    this.lastAt = t;
    // The text is taken now, so what each update shows depends on the clock, not on network speed.
    const text = partialPreview(textSoFar);
    this.queue = this.queue.then(() => this.show(text, t));
  };

  /** Shows `text`, taken at `at` (ms of the injected clock). */
  private async show(text: string, at: number): Promise<void> {
    if (this.broken || text === this.shown || !text.replace(/…$/, '').trim()) return;
    if (this.mode === 'draft') return this.showDraft(text, at);
    if (at - this.editedAt < this.opts.editIntervalMs) return;
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
      this.editedAt = at;
    } catch (e) {
      // A skipped intermediate edit costs nothing: the next one (or the final) shows newer text.
      const wait = retryAfterOf(e);
      if (wait !== undefined) this.pausedUntil = this.now().getTime() + wait * 1000;
      else if (this.messageId === undefined) this.broken = true;
      this.log.debug('telegram stream update skipped', { error: describeError(e) });
    }
  }

  /**
   * One draft update. A draft never stays in the chat, so a failure cannot leave a copy behind:
   * a 429 pauses, anything else switches this answer to the edited message at once (and, when
   * it was Telegram refusing, later answers too for a while).
   */
  private async showDraft(text: string, at: number): Promise<void> {
    try {
      await this.sender.api.sendMessageDraft(Number(this.target.chatId), this.draftId, text, {
        ...(this.target.threadId !== undefined ? { message_thread_id: this.target.threadId } : {}),
      });
      this.shown = text;
      this.progress.previewing = true;
    } catch (e) {
      const wait = retryAfterOf(e);
      if (wait !== undefined) {
        this.pausedUntil = this.now().getTime() + wait * 1000;
        this.log.debug('telegram draft update skipped', { error: describeError(e) });
        return;
      }
      if (e instanceof GrammyError) this.sender.draftsRefusedUntil = this.now().getTime() + DRAFTS_REFUSED_MS;
      this.log.info('telegram drafts refused; editing a message instead', { error: describeError(e) });
      this.mode = 'edit';
      await this.show(text, at);
    }
  }

  /**
   * Replaces the streamed text with the final answer (the first part edited in place, the rest
   * sent after it). Returns undefined when no message was streamed (nothing, or only drafts), so
   * the caller sends the answer exactly as it would have without streaming.
   */
  async finish(parts: string[], markup: InlineKeyboardMarkup | undefined): Promise<number[] | undefined> {
    await this.queue;
    if (this.messageId === undefined || parts.length === 0) return undefined;
    return this.sender.deliver(this.target, parts, markup, this.progress, this.messageId);
  }
}

/** A draft's id: non-zero, and different per answer so one answer's preview never animates into another's. */
function randomDraftId(): number {
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return (n! % 0x7fff_fffe) + 1;
}
