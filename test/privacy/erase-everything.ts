/**
 * The strong erasure check shared by the memory (test/privacy/erase.test.ts) and Upstash
 * (test/privacy/erase-upstash.test.ts) suites: use every feature a person can reach through the
 * app (chat turns, an invite redeemed, analytics with feedback, weekly stats, a conversation with
 * a person and a staff reply; on Telegram also the weekly briefing, KPI alerts and a 👎), erase,
 * then read every key and every value in the store: nothing may name the person.
 */
import { expect } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import type { Store } from '../../src/store/store';
import { attachFeedback, readDay, stats } from '../../src/analytics/questions';
import { rememberAnswer } from '../../src/analytics/feedback';
import { BriefingSubscriptions } from '../../src/kpi/briefing';
import { postJson } from '../support/runtime';

export const TOKEN = 'admin-token-0123456789';
export const NOW = () => new Date('2026-11-21T08:00:00+07:00');
/** What may remain after an erasure: nothing keyed or valued by person. */
// rl:addr: counts the client address for a minute, tied to no session.
const UNLINKED_PREFIXES = ['analytics:', 'feedback:count:', 'invite:', 'invite-code:', 'invite-claim:', 'audit:admin', 'rl:addr:'];

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

  // A conversation with a person, with a message to staff and a staff reply waiting for the web chat.
  expect((await chat('gặp cán bộ')).intent).toBe('handoff');
  await chat('Tôi cần hỏi về hồ sơ của tôi');
  const { handoffs } = (await (await app.request('/admin/handoffs', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { handoffs: Array<{ id: string }> };
  expect(handoffs).toHaveLength(1);
  const admin = { authorization: `Bearer ${TOKEN}`, 'x-admin-actor': 'Lan' };
  expect((await app.request(`/admin/handoffs/${handoffs[0]!.id}/take`, { method: 'POST', headers: admin })).status).toBe(200);
  expect((await app.request(`/admin/handoffs/${handoffs[0]!.id}/reply`, postJson({ text: 'Chào bạn, tôi xem hồ sơ ngay.' }, admin))).status).toBe(200);

  const mine = async () => (await store.keysWithPrefix('')).filter((k) => k.includes(userId));
  expect((await mine()).length).toBeGreaterThan(0);
  // The admin API never shows a chat's id (a web chat's is its session): the service does.
  expect(JSON.stringify(await rt.handoffs.list())).toContain(userId);
  const { handoffs: before } = (await (await app.request('/admin/handoffs', { headers: admin })).json()) as { handoffs: unknown[] };
  expect(before).toHaveLength(1);

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
  // The operator's list no longer holds the conversation.
  expect(JSON.stringify(await rt.handoffs.list())).not.toContain(userId);
  expect(((await (await app.request('/admin/handoffs', { headers: admin })).json()) as { handoffs: unknown[] }).handoffs).toEqual([]);
}

/**
 * The same on Telegram, for what a web chat cannot reach: an official's weekly KPI briefing and
 * off-track alerts, a 👍/👎 on an answer (its note, its vote, the reply kept for the 👎), and a
 * conversation with a person. Through the assistant, as the Telegram adapter hands it turns.
 */
export async function useTelegramThenErase(store: Store): Promise<void> {
  const rt = createRuntime(loadConfig({ ADMIN_TOKEN: TOKEN }), { store, now: NOW, log: createLogger('error', () => {}) });
  const app = createApp(rt);
  const userId = '8123456789';
  const say = (text: string) => rt.assistant.handle({ channel: 'telegram', chatId: userId, userId, text, locale: 'vi' });

  const issued = await app.request('/admin/invites', postJson({ role: 'official', units: ['so-noi-vu'] }, { authorization: `Bearer ${TOKEN}` }));
  const { invites } = (await issued.json()) as { invites: Array<{ code: string }> };
  expect((await say(`/xacthuc ${invites[0]!.code}`)).intent).toBe('verify');
  await say('/kpi baocao');
  await say('/kpi theodoi');
  expect((await new BriefingSubscriptions(store, NOW).list()).map((s) => s.chatId)).toEqual([userId]);

  // An answer, noted under its message as the adapter does, then a 👎 on it.
  const answer = await say('Chỉ thị 22-CT/TU ban hành ngày nào?');
  await rememberAnswer(store, { channel: 'telegram', chatId: userId, messageRef: '31' }, { intent: answer.intent, questionId: answer.questionId, ttlSeconds: 3600 });
  expect((await rt.assistant.handle({ channel: 'telegram', chatId: userId, userId, text: '', locale: 'vi', vote: { value: 'down', messageRef: '31' } })).intent).toBe('feedback');
  expect((await stats(store, '2026-11-21', '2026-11-21')).downvoted).toHaveLength(1);

  expect((await say('/canbo')).intent).toBe('handoff');
  await say('Cho tôi hỏi thêm');
  expect(await rt.handoffs.list()).toHaveLength(1);

  expect((await say('/xoadulieu xacnhan')).intent).toBe('erase');
  for (const key of await store.keysWithPrefix('')) {
    expect(key).not.toContain(userId);
    expect(await valueOf(store, key)).not.toContain(userId);
    expect(UNLINKED_PREFIXES.some((p) => key.startsWith(p)), `unexpected key left: ${key}`).toBe(true);
  }
  expect(await new BriefingSubscriptions(store, NOW).list()).toEqual([]);
  expect(await rt.handoffs.list()).toEqual([]);
  // The 👎 and the reply it was about stay in the statistics, tied to no one.
  const after = await stats(store, '2026-11-21', '2026-11-21');
  expect(after.downvoted).toEqual([expect.objectContaining({ reply: expect.any(String) })]);
}

