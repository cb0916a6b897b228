/**
 * /xoadulieu during and after a conversation with a person, through the composed app: the
 * handoff, its transcript, the web mailbox and the failed-answer counter go; nothing left in the
 * store names the chat, and the inbox no longer lists it.
 */
import { describe, expect, it } from 'vitest';
import { handoffApp, handoffsOfChat, listHandoffs } from './support';

describe('/xoadulieu and handoffs', () => {
  it('erases every handoff of the chat and what waits for it', async () => {
    const app = handoffApp();
    const session: { id?: string } = {};
    await app.web('zyxw qvtr plmk', session); // a miss: the counter exists
    await app.web('gặp cán bộ', session);
    await app.web('Tôi tên Lan, số điện thoại 0912345678', session);
    const [handoff] = await listHandoffs(app, 'open');
    await app.admin('POST', `/handoffs/${handoff!.id}/reply`, { actor: 'lan', body: { text: 'Chào chị Lan' } });
    // Another person's handoff stays.
    const other: { id?: string } = {};
    await app.web('gặp cán bộ', other);

    const erased = await app.web('/xoadulieu xacnhan', session);
    expect(erased.reply).toContain('Đã xoá');

    const sid = session.id!;
    for (const key of await app.store.keysWithPrefix('')) {
      expect(key).not.toContain(sid);
      expect(key).not.toContain(handoff!.id);
      const values = [await app.store.get(key).catch(() => null), ...(await app.store.listRange(key, 0, -1).catch(() => [])), ...(await app.store.setMembers(key).catch(() => [])), ...Object.values(await app.store.hashGetAll(key).catch(() => ({})))];
      for (const value of values) {
        expect(String(value)).not.toContain(sid);
        expect(String(value)).not.toContain(handoff!.id);
      }
    }
    const others = await handoffsOfChat(app, other.id!);
    expect(others).toHaveLength(1);
    expect((await listHandoffs(app)).map((h) => h.id)).toEqual([others[0]!.id]);
    expect((await app.admin('GET', `/handoffs/${handoff!.id}`)).status).toBe(404);
  });
});
