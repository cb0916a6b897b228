/**
 * @module channels/telegram/outbound
 * Proactive messages to a Telegram chat (reminders, alerts, the weekly briefing), rendered like
 * an answer without 👍/👎, a chart as a photo as answers send it. A chat that blocked the bot or
 * no longer exists is a permanent failure. Nothing is retried here except a 429 (which Telegram
 * did not perform); a failure after some parts arrived says so in its reason.
 */
import type { Texts } from '../../core/texts';
import type { Outbound, SendResult } from '../../core/types';
import type { Store } from '../../store/store';
import { describeError, type Logger } from '../../log';
import type { PngRenderer } from '../../media/png-renderer';
import { defaultSleep, isUnreachable, TelegramSender, type Progress, type TelegramConfig } from './sender';

interface TelegramOutboundDeps {
  store: Store;
  texts: Texts;
  log: Logger;
  config: Pick<TelegramConfig, 'token' | 'apiBase'>;
  sleep?: (ms: number) => Promise<void>;
  /** Draws a reply's chart for sendPhoto; without it the text goes alone. */
  renderPng?: PngRenderer;
}

export function telegramOutbound(deps: TelegramOutboundDeps): Outbound['send'] {
  const sender = new TelegramSender(deps.config, deps.store, deps.texts, deps.log, deps.sleep ?? defaultSleep, deps.renderPng);
  return async (to, reply): Promise<SendResult> => {
    if (to.channel !== 'telegram') return { ok: false, permanent: true, reason: `not a Telegram recipient (${to.channel})` };
    const progress: Progress = { sent: 0 };
    try {
      const parts = sender.render(reply, to.locale);
      if (parts.length === 0) return { ok: false, permanent: true, reason: 'the reply has nothing to show' };
      const markup = await sender.keyboard(reply, to.locale, false);
      if (reply.image) await sender.deliverWithImage({ chatId: to.chatId }, parts, markup, progress, reply.image);
      else await sender.deliver({ chatId: to.chatId }, parts, markup, progress);
      return { ok: true };
    } catch (e) {
      const partly = progress.sent > 0 ? ` (after ${progress.sent} part(s) were delivered)` : '';
      return { ok: false, permanent: isUnreachable(e), reason: `${describeError(e)}${partly}` };
    }
  };
}
