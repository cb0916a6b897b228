/**
 * The strong erasure check shared by the memory (test/privacy/erase.test.ts) and Upstash
 * (test/privacy/erase-upstash.test.ts) suites: use every feature a person can reach through the
 * app (chat turns, an invite redeemed, analytics with feedback, weekly stats), erase, then read
 * every key and every value in the store: nothing may name the person.
 */
import { expect } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import type { Store } from '../../src/store/store';
import { attachFeedback, readDay } from '../../src/analytics/questions';
import { postJson } from '../support/runtime';

export const TOKEN = 'admin-token-0123456789';
export const NOW = () => new Date('2026-11-21T08:00:00+07:00');
/** What may remain after an erasure: nothing keyed or valued by person. */
// rl:addr: counts the client address for a minute, tied to no session.
const UNLINKED_PREFIXES = ['analytics:', 'invite:', 'invite-code:', 'invite-claim:', 'audit:admin', 'rl:addr:'];

interface ChatBody {
  reply: string;
  intent: string;
  buttons: Array<Array<{ label: string; action: string }>>;
}

/** Every key's value as text, whatever its type (the Store has no TYPE: try each reader). */
async function valueOf(store: Store, key: string): Promise<string> {
  const readers = [
    () => store.get(key),
    () => store.listRange(key, 0, -1),
    () => store.setMembers(key),
    () => store.hashGetAll(key),
    () => store.zRangeByScore(key, -Infinity, Infinity),
  ];
  for (const read of readers) {
    try {
      return JSON.stringify(await read());
    } catch {
      // WRONGTYPE: try the next kind
    }
  }
  throw new Error(`unreadable key ${key}`);
}

export async function useEverythingThenErase(store: Store): Promise<void> {
  const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store, now: NOW, log: createLogger('error', () => {}) });
  const app = createApp(rt);
  // The web session the server issues with the first answer: the person's id from then on.
  let session: string | undefined;
  const chat = async (message: string): Promise<ChatBody> => {
    const res = await app.request('/api/chat', postJson({ message, sessionId: session }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatBody & { sessionId: string };
    session ??= body.sessionId;
    expect(body.sessionId).toBe(session);
    return body;
  };

  const issued = await app.request('/admin/invites', postJson({ role: 'official', units: ['so-noi-vu'] }, { authorization: `Bearer ${TOKEN}` }));
  const { invites } = (await issued.json()) as { invites: Array<{ code: string }> };

  await chat('/start');
  const userId = session!;
  await chat('Chỉ thị 22-CT/TU ban hành ngày nào?');
  expect((await chat(`/xacthuc ${invites[0]!.code}`)).intent).toBe('verify');
  expect((await chat('/toi')).reply).toContain('cán bộ, công chức');
  await chat('mục tiêu số hoá hồ sơ cấp xã');
  expect((await chat('/thongke')).reply).toContain('Thống kê 7 ngày');
  // Feedback on a recorded question (what a channel's 👍 does).
  const [question] = (await readDay(store, '2026-11-21')).questions;
  expect(await attachFeedback(store, question!.id, 'up')).toBe(true);

  const mine = async () => (await store.keysWithPrefix('')).filter((k) => k.includes(userId));
  expect((await mine()).map((k) => k.split(':')[0]).sort()).toEqual(['conv', 'rl', 'role', 'web']);

  const prompt = await chat('/xoadulieu');
  expect(prompt.intent).toBe('erase');
  expect(prompt.buttons.flat().map((b) => b.action)).toEqual(['/xoadulieu xacnhan', '/xoadulieu huy']);
  expect(await rt.roles.roleOf('web', userId)).toBe('official'); // nothing deleted before the confirmation

  const done = await chat('/xoadulieu xacnhan');
  expect(done.reply).toMatch(/^Đã xoá dữ liệu của bạn\./);

  const keys = await store.keysWithPrefix('');
  for (const key of keys) {
    expect(key).not.toContain(userId);
    expect(await valueOf(store, key)).not.toContain(userId);
    expect(UNLINKED_PREFIXES.some((p) => key.startsWith(p)), `unexpected key left: ${key}`).toBe(true);
  }
  expect(await rt.roles.roleOf('web', userId)).toBe('citizen');
  // Unlinked statistics stay: the questions are still counted.
  expect((await readDay(store, '2026-11-21')).questions.length).toBeGreaterThanOrEqual(2);
}

