/**
 * Shared wiring for the handoff tests: the composed app (createApp) on the in-memory store with a
 * clock the test moves, the admin token, and helpers for the web chat and the admin API.
 */
import { makeTestApp, postJson, type TestApp } from '../support/runtime';
import type { RawEnv } from '../../src/config';

export const ADMIN_TOKEN = 'handoff-admin-token-0123456789';
/** Monday 23/11/2026 09:00 in Vietnam: working hours. */
export const MONDAY_9 = Date.parse('2026-11-23T09:00:00+07:00');

export interface HandoffApp extends TestApp {
  clock: { now: number };
  /** One web chat message; returns the JSON answer (the session id is kept for the next one). */
  web(message: string, session?: { id?: string }): Promise<WebAnswer>;
  admin(method: string, path: string, opts?: { actor?: string; body?: unknown }): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface WebAnswer {
  status: number;
  reply: string;
  intent: string;
  sessionId: string;
  buttons: Array<Array<{ label: string; action: string }>>;
}

export function handoffApp(env: RawEnv = {}, start = MONDAY_9): HandoffApp {
  const clock = { now: start };
  const t = makeTestApp({ ADMIN_TOKEN, ...env }, () => new Date(clock.now));
  return {
    ...t,
    clock,
    async web(message, session = {}) {
      const res = await t.request('/api/chat', postJson({ message, ...(session.id ? { sessionId: session.id } : {}) }));
      const body = (await res.json()) as Omit<WebAnswer, 'status'>;
      if (body.sessionId) session.id = body.sessionId;
      return { status: res.status, ...body };
    },
    async admin(method, path, opts = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
      if (opts.actor) headers['x-admin-actor'] = opts.actor;
      const init: RequestInit = { method, headers };
      if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(opts.body);
      }
      const res = await t.request(`/admin${path}`, init);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
  };
}

/** A handoff as the admin API lists it (never with the chat id). */
export interface ListedHandoff {
  id: string;
  channel: string;
  status: string;
  openedAt: string;
  waitingSeconds: number;
  assignee: string | null;
  firstReplyAt: string | null;
}

export async function listHandoffs(app: HandoffApp, status?: string): Promise<ListedHandoff[]> {
  const res = await app.admin('GET', `/handoffs${status ? `?status=${status}` : ''}`);
  if (res.status !== 200) throw new Error(`list answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.handoffs as ListedHandoff[];
}

/**
 * The admin API's handoffs of one chat: which they are comes from the service (the admin API
 * never shows a chat id), what they look like from the admin API.
 */
export async function handoffsOfChat(app: HandoffApp, chatId: string, status?: string): Promise<ListedHandoff[]> {
  const ids = new Set((await app.rt.handoffs.list()).filter((h) => h.chatId === chatId).map((h) => h.id));
  return (await listHandoffs(app, status)).filter((h) => ids.has(h.id));
}
