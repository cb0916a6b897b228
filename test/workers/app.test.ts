/**
 * The Worker itself, inside workerd: the same app answers health checks and chat, and the
 * cron handler runs the scheduled jobs and records the run in the store.
 */
import { SELF, createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/worker';

describe('the Worker in workerd', () => {
  it('reports health: only liveness in public, the store and knowledge with the admin token', async () => {
    const res = await SELF.fetch('http://x/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, ready: true });
    const adminEnv = { ...(env as Record<string, unknown>), ADMIN_TOKEN: 'workers-admin-token-0123456789' } as never;
    const detailed = await worker.fetch(
      new Request('http://x/healthz', { headers: { authorization: 'Bearer workers-admin-token-0123456789' } }),
      adminEnv,
      createExecutionContext(),
    );
    const body = await detailed.json<{ ok: boolean; store: string; knowledge: { chunks: number } }>();
    expect(body.ok).toBe(true);
    expect(body.store).toBe('memory');
    expect(body.knowledge.chunks).toBeGreaterThan(10);
  });

  it('refuses to start on per-isolate memory unless ALLOW_MEMORY_STORE says it is development', async () => {
    const { ALLOW_MEMORY_STORE: _dev, ...production } = env as Record<string, unknown>;
    const res = await worker.fetch(new Request('http://x/healthz'), production as never, createExecutionContext());
    expect(res.status).toBe(503);
    const body = await res.json<{ error: string; detail: string }>();
    expect(body.detail).toMatch(/UPSTASH_REDIS_REST_URL/);
    expect(body.detail).toMatch(/ALLOW_MEMORY_STORE/);
    const chat = await worker.fetch(
      new Request('http://x/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"xin chào"}' }),
      production as never,
      createExecutionContext(),
    );
    expect(chat.status).toBe(503);
  });

  it('answers a chat question without diacritics with its source', async () => {
    const res = await SELF.fetch('http://x/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'chi thi 22-CT/TU ban hanh ngay nao' }),
    });
    expect(res.status).toBe(200);
    const body = await res.json<{ reply: string; citations: unknown[] }>();
    expect(body.reply).toContain('22/6/2022');
    expect(body.citations.length).toBeGreaterThan(0);
  });

  it('refuses a chat body that is not JSON: 415 without the JSON type, 400 with it', async () => {
    expect((await SELF.fetch('http://x/api/chat', { method: 'POST', body: 'nope' })).status).toBe(415);
    const res = await SELF.fetch('http://x/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'nope' });
    expect(res.status).toBe(400);
  });

  it('runs the scheduled jobs from the cron trigger and records the run', async () => {
    const ctx = createExecutionContext();
    const at = Date.UTC(2026, 10, 21, 1, 0, 0);
    // The Worker keeps one runtime (and memory store) per env: run and read with the same one.
    const adminEnv = { ...(env as Record<string, unknown>), ADMIN_TOKEN: 'workers-admin-token-0123456789' } as never;
    await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '0 1 * * *' }), adminEnv, ctx);
    await waitOnExecutionContext(ctx);
    const res = await worker.fetch(
      new Request('http://x/healthz', { headers: { authorization: 'Bearer workers-admin-token-0123456789' } }),
      adminEnv,
      createExecutionContext(),
    );
    const body = await res.json<{ lastScheduledRun: string | null }>();
    expect(body.lastScheduledRun).toBe(new Date(at).toISOString());
  });
});
