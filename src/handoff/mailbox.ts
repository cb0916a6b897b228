/**
 * @module handoff/mailbox
 * Where a staff reply waits for a chat that cannot be pushed to: the web chat answers only the
 * request it was sent, so an operator's reply is kept here and shown with the citizen's next
 * answer. Each item has a sequence number and the chat remembers the last one it was shown, so a
 * reply written while the citizen's request is being answered is shown next time, never lost
 * (two requests at once may both show it: shown twice, not lost).
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import type { Block, Outbound } from '../core/types';

/** Items kept at most per chat: an operator writing more than this before the citizen looks loses the oldest. */
const MAX_ITEMS = 50;

const ItemSchema = z.object({ seq: z.number(), at: z.number(), blocks: z.array(z.custom<Block>((b) => typeof b === 'object' && b !== null && 'type' in b)) });

export const mailboxKeys = (chatId: string) => ({
  items: `handoff:mail:web:${chatId}`,
  seq: `handoff:mail:web:${chatId}:seq`,
  seen: `handoff:mail:web:${chatId}:seen`,
});

export interface Pending {
  blocks: Block[];
  /** The same, one entry per message as it was sent (the page shows each on its own). */
  items: Array<{ at: number; blocks: Block[] }>;
  /** Marks what was returned as shown; call it once the blocks are in the answer. */
  markShown(): Promise<void>;
}

export class WebMailbox {
  constructor(
    private readonly store: Store,
    private readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {}

  /** An Outbound sender for web chats: keeps the reply for the chat's next answer. */
  readonly send: Outbound['send'] = async (to, reply) => {
    if (to.channel !== 'web') return { ok: false, permanent: true, reason: `not a web recipient (${to.channel})` };
    const keys = mailboxKeys(to.chatId);
    const seq = await this.store.incr(keys.seq, 1, this.ttlSeconds);
    const item = { seq, at: this.now().getTime(), blocks: reply.blocks };
    await this.store.listPush(keys.items, JSON.stringify(item), { maxLen: MAX_ITEMS, ttlSeconds: this.ttlSeconds });
    return { ok: true };
  };

  /** What the chat has not been shown yet, oldest first. */
  async pending(chatId: string): Promise<Pending> {
    const keys = mailboxKeys(chatId);
    const [raw, seen] = await Promise.all([this.store.listRange(keys.items, 0, -1), this.store.get(keys.seen)]);
    const last = Number(seen ?? 0);
    const items = raw.flatMap((r) => {
      try {
        const parsed = ItemSchema.safeParse(JSON.parse(r));
        return parsed.success && parsed.data.seq > last ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
    const top = Math.max(last, ...items.map((i) => i.seq));
    return {
      blocks: items.flatMap((i) => i.blocks),
      items: items.map((i) => ({ at: i.at, blocks: i.blocks })),
      markShown: async () => {
        if (items.length) await this.store.set(keys.seen, String(top), this.ttlSeconds);
      },
    };
  }
}
