/**
 * @module channels/telegram/stream
 * Shows a model's answer while it is written: one message, sent at the first partial and edited
 * as more arrives.
 */
import type { InlineKeyboardMarkup } from 'grammy/types';
import { describeError, type Logger } from '../../log';
import { partialPreview } from './render';
import { retryAfterOf, type Progress, type Target, type TelegramSender } from './sender';

/**
 * The first partial sends a message, later ones edit it, at most once per interval of the
 * injected clock (updates are queued one after the other, each showing the text as it was when
 * it was due). A 429 pauses the updates; it is not waited out. `finish` turns the message into
 * the final answer with sources and buttons.
 */
export class StreamingMessage {
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
