/**
 * The handoff rules every store must hold (memory, Upstash, Redis), driven on the domain service
 * with many callers at once: one open handoff per chat, one assignee, one close, a reply to a
 * closed handoff refused, retention after closing, and erasure leaving nothing of the chat.
 * Run by ./service.test.ts (memory, also with every call yielding so callers interleave) and by
 * ./redis.test.ts (a real redis-server, directly and through the Upstash REST bridge).
 */
import { expect } from 'vitest';
import type { Store } from '../../src/store/store';
import { Handoffs, handoffKeys } from '../../src/handoff/service';
import { handoffEraser } from '../../src/handoff/erase';
import { Texts, type TextTable } from '../../src/core/texts';
import { createLogger } from '../../src/log';
import type { Outbound, Recipient, Reply } from '../../src/core/types';
import bundle from '../../src/generated/bundle.json';

const RETENTION = 30 * 86_400;

export function service(store: Store, now = () => new Date('2026-11-23T09:00:00+07:00')): { handoffs: Handoffs; sent: Array<{ to: Recipient; reply: Reply }> } {
  const sent: Array<{ to: Recipient; reply: Reply }> = [];
  const outbound: Outbound = {
    async send(to, reply) {
      sent.push({ to, reply });
      return { ok: true };
    },
  };
  const texts = new Texts((bundle as { prompts: TextTable }).prompts);
  return { handoffs: new Handoffs({ store, now, texts, log: createLogger('error', () => {}), outbound, retentionSeconds: RETENTION }), sent };
}

export async function handoffContract(store: Store, chat: string): Promise<void> {
  const { handoffs, sent } = service(store);

  // One open handoff per chat, however many ask at once.
  const opens = await Promise.all(Array.from({ length: 5 }, () => handoffs.open({ channel: 'telegram', chatId: chat, locale: 'vi', reason: 'asked' })));
  expect(opens.filter((o) => o.created)).toHaveLength(1);
  const id = opens.find((o) => o.created)!.handoff.id;
  expect(new Set(opens.map((o) => o.handoff.id))).toEqual(new Set([id]));
  expect((await handoffs.list('open')).filter((h) => h.chatId === chat).map((h) => h.id)).toEqual([id]);

  // One assignee, however many take at once; the losers are told who has it.
  const operators = ['lan', 'minh', 'hoa', 'tuan', 'mai'];
  const takes = await Promise.all(operators.map((op) => handoffs.take(id, op)));
  const winners = takes.filter((t) => t.ok);
  expect(winners).toHaveLength(1);
  const assignee = winners[0]!.ok ? winners[0]!.handoff.assignee : null;
  for (const t of takes.filter((x) => !x.ok)) expect(t).toEqual({ ok: false, problem: 'taken', assignee });
  expect((await handoffs.get(id))?.assignee).toBe(assignee);
  expect((await handoffs.list('taken')).filter((h) => h.id === id)).toHaveLength(1);
  expect((await handoffs.list('open')).filter((h) => h.id === id)).toHaveLength(0);

  // A reply reaches the chat; a loser's reply is refused.
  expect(await handoffs.reply(id, assignee!, 'Chào anh')).toMatchObject({ ok: true });
  expect(sent.map((s) => s.to)).toEqual([{ channel: 'telegram', chatId: chat, locale: 'vi' }]);
  expect(await handoffs.reply(id, operators.find((o) => o !== assignee)!, 'tôi nữa')).toMatchObject({ ok: false, problem: 'taken' });

  // One close, however many close at once (a take racing them loses to the close).
  const closes = await Promise.all([handoffs.close(id, 'lan'), handoffs.close(id, 'citizen'), handoffs.take(id, 'mai'), handoffs.close(id, 'minh')]);
  expect(closes.filter((c, i) => i !== 2 && c.ok)).toHaveLength(1);
  expect((await handoffs.get(id))?.status).toBe('closed');
  expect((await handoffs.list('closed')).filter((h) => h.id === id)).toHaveLength(1);
  expect((await handoffs.list('taken')).filter((h) => h.id === id)).toHaveLength(0);
  expect(await handoffs.activeFor('telegram', chat)).toBeUndefined();

  // A reply to a closed handoff is refused and nothing is sent.
  const before = sent.length;
  expect(await handoffs.reply(id, assignee!, 'muộn rồi')).toEqual({ ok: false, problem: 'closed' });
  expect(sent.slice(before).filter((s) => s.reply.intent === 'handoff-reply')).toHaveLength(0);

  // Closed handoffs follow the history retention.
  const ttl = await store.ttl(handoffKeys.record(id));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(RETENTION);

  // The chat can ask again: a new handoff.
  const again = await handoffs.open({ channel: 'telegram', chatId: chat, locale: 'vi', reason: 'asked' });
  expect(again.created).toBe(true);
  expect(again.handoff.id).not.toBe(id);

  // Erasure leaves no key naming the chat and no trace of its handoffs in the index.
  await handoffEraser.erase(store, { channel: 'telegram', chatId: chat, userId: chat });
  const keys = await store.keysWithPrefix('handoff:');
  for (const key of keys) {
    expect(key).not.toContain(chat);
    expect(key).not.toContain(id);
    expect(key).not.toContain(again.handoff.id);
    const members = key.startsWith('handoff:status:') ? await store.setMembers(key) : [];
    expect(members).not.toContain(id);
    expect(members).not.toContain(again.handoff.id);
  }
  expect(await handoffs.get(id)).toBeUndefined();
  expect(await handoffs.activeFor('telegram', chat)).toBeUndefined();
}
