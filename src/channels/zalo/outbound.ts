/**
 * @module channels/zalo/outbound
 * Sending to a Zalo chat, for answers and for jobs (reminders, alerts, the weekly briefing): the
 * Reply rendered and sent part by part (a chart first, as a photo by URL), its numbered choices
 * remembered for the chat (so a typed "1" finds them).
 */
import { z } from 'zod';
import type { Texts } from '../../core/texts';
import type { Outbound, ReplyImage, SendResult } from '../../core/types';
import type { Store } from '../../store/store';
import type { UserDataEraser } from '../../privacy/erase';
import { describeError, type Logger } from '../../log';
import { ZALO_MAX_TEXT, ZaloApiError, ZaloClient, ZaloError, type ZaloConfig } from './client';
import { renderZalo, type ZaloOutgoing } from './render';
import type { ChartLinks } from '../../media/chart-links';

/** How long numbered choices stay valid: "1" an hour later means the number one, not a button. */
const CHOICES_TTL_SECONDS = 3600;
const ChoicesSchema = z.array(z.string());

function choicesKey(chatId: string): string {
  return `zalo:choices:${chatId}`;
}

/** /xoadulieu: the numbered choices remembered for the person's chat. */
export const zaloEraser: UserDataEraser = {
  name: 'zalo-choices',
  erase: (store, who) => (who.channel === 'zalo' ? store.del(choicesKey(who.chatId)) : Promise.resolve(0)),
};

export interface Delivery {
  client: ZaloClient;
  store?: Store;
  log: Logger;
  /** Publishes a reply's chart at a public URL for sendPhoto; without it charts are left out. */
  charts?: ChartLinks;
}

/**
 * Sends a rendered Reply to one chat, part by part in order; stops at the first failed part
 * (later parts would read out of context) and throws its ZaloError. Remembers the numbered
 * choices first, so a quick "1" already finds them; a store hiccup costs only the shortcut.
 */
export async function deliver(d: Delivery, chatId: string, { parts, actions, image }: ZaloOutgoing): Promise<number> {
  if (d.store) {
    try {
      if (actions.length) await d.store.set(choicesKey(chatId), JSON.stringify(actions), CHOICES_TTL_SECONDS);
      else await d.store.del(choicesKey(chatId));
    } catch (e) {
      d.log.warn('zalo choices not saved', { error: describeError(e) });
    }
  }
  const photo = image && d.charts ? await sendChart(d, d.charts, chatId, image) : 0;
  for (const text of parts) await d.client.sendMessage({ chat_id: chatId, text });
  return photo + parts.length;
}

/** The chart as a photo with its description as caption; a failure costs only the photo (the text follows). */
async function sendChart(d: Delivery, charts: ChartLinks, chatId: string, image: ReplyImage): Promise<number> {
  try {
    const photo = await charts.publish(image);
    await d.client.sendPhoto({ chat_id: chatId, photo, caption: image.alt.slice(0, ZALO_MAX_TEXT) });
    return 1;
  } catch (e) {
    d.log.warn('zalo chart not sent; sending the text alone', { error: describeError(e) });
    return 0;
  }
}

/** The choices last offered in a chat (none when expired or unreadable). */
export async function readChoices(store: Store, chatId: string, log: Logger): Promise<string[]> {
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

interface ZaloOutboundDeps {
  config: Pick<ZaloConfig, 'token' | 'apiBase'>;
  texts: Texts;
  log: Logger;
  /** Where numbered choices are remembered; without it a reminder's buttons are shown but "1" is plain text. */
  store?: Store;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Publishes a reply's chart at a public URL; without it (no PUBLIC_BASE_URL) the text goes alone. */
  charts?: ChartLinks;
}

/**
 * Outbound['send'] for Zalo: renders the Reply like an answer and sends it to the stored chat id.
 * A 400 or 404 from Zalo is permanent (bad chat id, chat gone); timeouts, 429, 5xx and a
 * rejected token (an operator fixes it) are worth another try.
 */
export function zaloOutbound(deps: ZaloOutboundDeps): Outbound['send'] {
  const client = new ZaloClient({ token: deps.config.token, apiBase: deps.config.apiBase, timeoutMs: deps.timeoutMs, fetch: deps.fetch });
  const delivery: Delivery = { client, store: deps.store, log: deps.log, charts: deps.charts };
  return async (to, reply): Promise<SendResult> => {
    if (to.channel !== 'zalo') return { ok: false, permanent: true, reason: `not a Zalo recipient (${to.channel})` };
    try {
      await deliver(delivery, to.chatId, renderZalo(reply, deps.texts, to.locale));
      return { ok: true };
    } catch (e) {
      if (e instanceof ZaloApiError) return { ok: false, permanent: e.permanent, reason: `zalo ${e.errorCode}: ${e.description}` };
      if (e instanceof ZaloError) return { ok: false, permanent: false, reason: e.message };
      return { ok: false, permanent: false, reason: describeError(e) };
    }
  };
}
