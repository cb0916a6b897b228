/**
 * @module channels/zalo/webhook
 * `POST /webhooks/zalo`: the Zalo adapter on the shared webhook runner.
 * @example app.route('/webhooks/zalo', zaloChannel({ assistant, store, texts, log, config: config.zalo, now }));
 */
import type { Hono } from 'hono';
import { webhookApp } from '../adapter';
import { ZALO_SECRET_HEADER, zaloAdapter, type ZaloChannelDeps } from './adapter';
import { ZaloClient } from './client';

export { ZALO_SECRET_HEADER };
export type { ZaloChannelDeps };

export function zaloChannel(deps: ZaloChannelDeps): Hono {
  const { config } = deps;
  const client = new ZaloClient({ token: config.token, apiBase: config.apiBase, timeoutMs: deps.timeoutMs, fetch: deps.fetch });
  return webhookApp(zaloAdapter(deps, client), deps);
}
