/**
 * The Worker itself, inside workerd: the same app answers health checks and chat, and the
 * cron handler runs the scheduled jobs and records the run in the store.
 */
import { SELF, createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/worker';

describe('the Worker in workerd', () => {
  it('reports health with the in-memory store and the bundled knowledge', async () => {
    const res = await SELF.fetch('http://x/healthz');
    expect(res.status).toBe(200);
    const body = await res.json<{ ok: boolean; store: string; knowledge: { chunks: number } }>();
    expect(body.ok).toBe(true);
    expect(body.store).toBe('memory');
    expect(body.knowledge.chunks).toBeGreaterThan(10);
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

  it('refuses a non-JSON chat body with 400', async () => {
    const res = await SELF.fetch('http://x/api/chat', { method: 'POST', body: 'nope' });
    expect(res.status).toBe(400);
  });

  it('runs the scheduled jobs from the cron trigger and records the run', async () => {
    const ctx = createExecutionContext();
    const at = Date.UTC(2026, 10, 21, 1, 0, 0);
    await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '0 1 * * *' }), env as never, ctx);
    await waitOnExecutionContext(ctx);
    const res = await worker.fetch(new Request('http://x/healthz'), env as never, createExecutionContext());
    const body = await res.json<{ lastScheduledRun: string | null }>();
    expect(body.lastScheduledRun).toBe(new Date(at).toISOString());
  });
});
