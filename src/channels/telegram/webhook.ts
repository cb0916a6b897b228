/**
 * @module channels/telegram/webhook
 * `POST /webhooks/telegram`: the Telegram adapter on the shared webhook runner.
 * @example app.route('/webhooks/telegram', telegramChannel({ assistant, store, texts, log, config: config.telegram, now, historyTtlSeconds }));
 */
import type { Hono } from 'hono';
import { webhookApp } from '../adapter';
import { telegramAdapter, type TelegramChannelDeps } from './adapter';
import { defaultSleep, TelegramSender } from './sender';

export type { TelegramChannelDeps };

export function telegramChannel(deps: TelegramChannelDeps): Hono {
  const sender = new TelegramSender(deps.config, deps.store, deps.texts, deps.log, deps.sleep ?? defaultSleep, deps.renderPng);
  return webhookApp(telegramAdapter(deps, sender), deps);
}
