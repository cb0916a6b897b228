/**
 * Roles, invites, stats and deletion inside workerd: the invite code and question ids come from
 * Web Crypto there, and the admin API is reached with ADMIN_TOKEN as a binding.
 */
import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/worker';

const TOKEN = 'workerd-admin-token-0123';
// One env object for the whole file: the Worker keeps its runtime (and memory store) per env.
const adminEnv = { ...(env as Record<string, unknown>), ADMIN_TOKEN: TOKEN } as never;

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`http://x${path}`, init), adminEnv, createExecutionContext());
}

/** The web session the Worker issued with its first answer, named in every later message. */
let sessionId: string | undefined;

async function chat(message: string): Promise<{ reply: string; intent: string }> {
  const res = await call('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, sessionId }) });
  expect(res.status).toBe(200);
  const body = await res.json<{ reply: string; intent: string; sessionId: string }>();
  sessionId ??= body.sessionId;
  return body;
}

describe('accounts in workerd', () => {
  it('issues an invite, binds it in chat, reports stats and erases the user', async () => {
    expect((await call('/admin/invites', { method: 'POST', body: '{"role":"official"}' })).status).toBe(401);
    const issued = await call('/admin/invites', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'official', units: ['so-noi-vu'] }),
    });
    expect(issued.status).toBe(201);
    const { invites } = await issued.json<{ invites: Array<{ code: string }> }>();

    await chat('chi thi 22-CT/TU ban hanh ngay nao');
    expect((await chat(`/xacthuc ${invites[0]!.code}`)).reply).toContain('cán bộ, công chức');
    expect((await chat('/thongke')).reply).toContain('Thống kê 7 ngày');

    const stats = await call('/admin/stats', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stats.status).toBe(200);
    expect((await stats.json<{ totals: { questions: number } }>()).totals.questions).toBeGreaterThanOrEqual(1);

    expect((await chat('/xoadulieu xacnhan')).intent).toBe('erase');
    expect((await chat('/toi')).reply).toContain('người dân');
  });
});
