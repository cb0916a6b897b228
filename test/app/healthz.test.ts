/**
 * GET /healthz through the composed app. The public answer is liveness and readiness only; which
 * store, model and channels are live, the knowledge size and the last job run are details for the
 * operator, behind the admin token. A store that cannot be reached makes it 503 (not ready).
 */
import { describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { MemoryStore } from '../../src/store/memory';
import { makeTestApp } from '../support/runtime';

const TOKEN = 'healthz-admin-token-0123456789';
const ENV = { ADMIN_TOKEN: TOKEN, OPENAI_API_KEY: 'sk-test-healthz', OPENAI_MODEL: 'model-name-not-for-the-public' };

describe('GET /healthz', () => {
  it('tells the public only that it is alive and ready', async () => {
    const t = makeTestApp(ENV);
    const res = await t.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, ready: true });
  });

  it('keeps the details from a wrong token', async () => {
    const t = makeTestApp(ENV);
    const res = await t.request('/healthz', { headers: { authorization: 'Bearer wrong-token-0123456789' } });
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ok: true, ready: true });
    expect(text).not.toContain('model-name-not-for-the-public');
  });

  it('tells the operator with the admin token which store, model and channels are live', async () => {
    const t = makeTestApp(ENV);
    const res = await t.request('/healthz', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, ready: true, store: 'memory', model: 'model-name-not-for-the-public', telegram: false, zalo: false, web: true });
    expect((body['knowledge'] as { chunks: number }).chunks).toBeGreaterThan(10);
    expect(body).toHaveProperty('lastScheduledRun', null);
    expect(JSON.stringify(body)).not.toContain('sk-test-healthz');
  });

  it('answers 503, not ready, when the store cannot be reached', async () => {
    const store = new MemoryStore();
    store.hashGetAll = async () => {
      throw new Error('connection refused');
    };
    const app = createApp(createRuntime(loadConfig(ENV), { store, log: silentLogger }));
    const res = await app.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, ready: false });
  });
});
