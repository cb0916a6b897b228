/**
 * @module channels/web
 * The web chat: GET / serves the page, POST /api/chat answers one message as JSON
 * ({ reply, citations, intent }). The session id stands in for the chat and the user.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Assistant } from '../core/assistant';
import { MAX_MESSAGE_CHARS } from '../core/assistant';
import type { Texts } from '../core/texts';
import type { Locale } from '../core/types';
import { renderPlain } from './plain';

const ChatRequest = z.object({
  message: z.string(),
  sessionId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, 'sessionId must be 8-64 characters of A-Z a-z 0-9 _ -')
    .optional(),
  locale: z.enum(['vi', 'en']).optional(),
});

export interface WebChannelDeps {
  assistant: Assistant;
  texts: Texts;
  page: string;
}

export function webChannel(deps: WebChannelDeps): Hono {
  const app = new Hono();
  const { texts } = deps;

  app.get('/', (c) => {
    c.header('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:");
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(deps.page);
  });

  app.post('/api/chat', async (c) => {
    const locale = pickLocale(c.req.header('accept-language'));
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: texts.get(locale, 'error-bad-json') }, 400);
    }
    const parsed = ChatRequest.safeParse(body);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return c.json({ error: texts.get(locale, 'error-bad-request', { reason }) }, 400);
    }
    const msgLocale = parsed.data.locale ?? locale;
    const message = parsed.data.message.normalize('NFC').trim();
    if (!message) return c.json({ error: texts.get(msgLocale, 'error-empty') }, 400);
    if (message.length > MAX_MESSAGE_CHARS) {
      return c.json({ error: texts.get(msgLocale, 'error-too-long', { max: MAX_MESSAGE_CHARS }) }, 400);
    }
    const sessionId = parsed.data.sessionId ?? crypto.randomUUID();
    const reply = await deps.assistant.handle({
      channel: 'web',
      chatId: sessionId,
      userId: sessionId,
      text: message,
      locale: msgLocale,
    });
    return c.json({
      reply: renderPlain({ ...reply, citations: [] }, texts, msgLocale),
      citations: reply.citations,
      intent: reply.intent,
      found: reply.found ?? false,
      buttons: reply.buttons ?? [],
      sessionId,
    });
  });

  return app;
}

function pickLocale(header: string | undefined): Locale {
  return header && /^en\b/i.test(header.trim()) ? 'en' : 'vi';
}
