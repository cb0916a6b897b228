/**
 * @module admin/handoffs
 * Admin routes for conversations handed to a person, mounted by the composition root under
 * /admin (bearer auth and the actor, X-Admin-Actor, come from the admin shell):
 *   GET  /admin/handoffs[?status=open|taken|closed]  oldest first, each with id, channel, status,
 *                                                    openedAt, waitingSeconds, assignee, … (never
 *                                                    the chat id: see toAdminView)
 *   GET  /admin/handoffs/stats[?from=&to=]           opened per day, time to first human reply
 *   GET  /admin/handoffs/:id                         one handoff and its masked transcript
 *   POST /admin/handoffs/:id/take                    assign it to the actor (409 when another has it)
 *   POST /admin/handoffs/:id/reply {text}            send text to the citizen's chat as the actor
 *   POST /admin/handoffs/:id/close                   end it; the citizen is told
 * Writes are audited with the actor; the audit holds the handoff id and channel, never the chat
 * id or the text. Refusals carry a Vietnamese reason.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { DateParam, jsonBody, queryParams, type AdminEnv, type Audit } from './index';
import type { Texts } from '../core/texts';
import type { Logger } from '../log';
import type { Handoffs } from '../handoff/service';
import type { Handoff } from '../handoff/schema';
import { HandoffStatusSchema } from '../handoff/schema';

/** Longest operator reply: what every channel's message path takes (Zalo parts are 2,000). */
export const MAX_REPLY_CHARS = 4000;

interface HandoffsAdminDeps {
  handoffs: Handoffs;
  texts: Texts;
  audit: Audit;
  log: Logger;
  now: () => Date;
}

export function handoffsAdmin(deps: HandoffsAdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { handoffs, texts, audit } = deps;
  const vi = (key: string, vars?: Record<string, string | number>) => texts.get('vi', key, vars);
  const ListQuery = z.object({ status: z.string().optional() });
  const ReplyBody = z.object({ text: z.string() });
  const notFound = (c: Context, id: string) => c.json({ error: vi('handoff-admin-not-found', { id }) }, 404);
  const closed = (c: Context) => c.json({ error: vi('handoff-admin-closed') }, 409);
  const taken = (c: Context, assignee: string) => c.json({ error: vi('handoff-admin-taken', { assignee }), assignee }, 409);

  app.get('/', queryParams(ListQuery), async (c) => {
    const raw = c.req.valid('query').status;
    const status = raw === undefined ? undefined : HandoffStatusSchema.safeParse(raw);
    if (status && !status.success) return refuse(c, 'status', vi('handoff-admin-status'));
    return c.json({ handoffs: (await handoffs.list(status?.data)).map(toAdminView) });
  });

  app.get('/stats', queryParams(z.object({ from: DateParam.optional(), to: DateParam.optional() })), async (c) => {
    const query = c.req.valid('query');
    const to = query.to ?? deps.now();
    const from = query.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from > to) return c.json({ error: 'from phải trước to (from must be before to)' }, 400);
    return c.json({ from: from.toISOString(), to: to.toISOString(), ...(await handoffs.stats(from, to)) });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const handoff = await handoffs.get(id);
    if (!handoff) return notFound(c, id);
    return c.json({ handoff: toAdminView(handoff), messages: await handoffs.messages(id) });
  });

  app.post('/:id/take', async (c) => {
    const id = c.req.param('id');
    const actor = c.get('actor');
    const result = await handoffs.take(id, actor);
    if (!result.ok) {
      if (result.problem === 'not-found') return notFound(c, id);
      if (result.problem === 'closed') return closed(c);
      return taken(c, result.assignee);
    }
    await audit({ actor, action: 'handoffs.take', target: id, detail: { channel: result.handoff.channel } });
    return c.json({ handoff: toAdminView(result.handoff) });
  });

  app.post('/:id/reply', jsonBody(ReplyBody), async (c) => {
    const id = c.req.param('id');
    const actor = c.get('actor');
    const text = c.req.valid('json').text.normalize('NFC').trim();
    if (!text || text.length > MAX_REPLY_CHARS) {
      return refuse(c, 'text', vi('handoff-admin-text', { max: MAX_REPLY_CHARS }));
    }
    const result = await handoffs.reply(id, actor, text);
    if (!result.ok && result.problem !== 'undelivered') {
      if (result.problem === 'not-found') return notFound(c, id);
      if (result.problem === 'closed') return closed(c);
      return taken(c, result.assignee);
    }
    const delivered = result.ok;
    await audit({ actor, action: 'handoffs.reply', target: id, detail: { channel: result.handoff.channel, chars: text.length, delivered } });
    if (result.ok) return c.json({ handoff: toAdminView(result.handoff), delivered: true });
    deps.log.warn('handoff: reply not delivered', { handoff: id, channel: result.handoff.channel, permanent: result.permanent, reason: result.reason });
    const key = result.permanent ? 'handoff-admin-undelivered-permanent' : 'handoff-admin-undelivered';
    // 502: the request was right, the citizen's channel refused it; the reply is kept, marked undelivered.
    return c.json({ error: vi(key, { channel: result.handoff.channel }), handoff: toAdminView(result.handoff), delivered: false, permanent: result.permanent }, 502);
  });

  app.post('/:id/close', async (c) => {
    const id = c.req.param('id');
    const actor = c.get('actor');
    const result = await handoffs.close(id, actor);
    if (!result.ok) return result.problem === 'not-found' ? notFound(c, id) : closed(c);
    await audit({ actor, action: 'handoffs.close', target: id, detail: { channel: result.handoff.channel } });
    return c.json({ handoff: toAdminView(result.handoff) });
  });

  return app;
}

/**
 * A handoff as the admin API shows it: without the chat id. On the web chat that id is the
 * citizen's session id (holding it is acting as the citizen), on Telegram and Zalo their user id;
 * staff act on a handoff by its own id.
 */
export function toAdminView(handoff: Handoff): Omit<Handoff, 'chatId'> {
  const { chatId: _chatId, ...view } = handoff;
  return view;
}

/** A 400 shaped as the admin shell's validation refusals ({ error, issues }), in Vietnamese. */
function refuse(c: Context, path: string, message: string): Response {
  return c.json({ error: message, issues: [{ path, message }] }, 400);
}
