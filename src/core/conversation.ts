/**
 * @module core/conversation
 * Conversation memory: the last turns of each chat kept in the store with a TTL, so a
 * follow-up question can be understood. Text is masked before it is stored.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import type { ChannelName } from './types';
import { maskPersonalData } from '../privacy/mask';

export const MAX_TURNS = 12;

const TurnSchema = z.object({
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  at: z.number(),
  intent: z.string().optional(),
  /** An answer's buttons' actions, in order: what a number typed next picks (see core/assistant). */
  choices: z.array(z.string()).optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

export function conversationKey(channel: ChannelName, chatId: string): string {
  return `conv:${channel}:${chatId}`;
}

export class Conversation {
  constructor(
    private readonly store: Store,
    private readonly ttlSeconds: number,
  ) {}

  /** Adds turns in order, in one store call (a question and its answer are one round trip). */
  async append(channel: ChannelName, chatId: string, ...turns: Turn[]): Promise<void> {
    const safe = turns.map((turn) => JSON.stringify({ ...turn, text: maskPersonalData(turn.text).slice(0, 4000) }));
    await this.store.listPush(conversationKey(channel, chatId), safe, {
      maxLen: MAX_TURNS,
      ttlSeconds: this.ttlSeconds,
    });
  }

  /** The last turns, oldest first; unreadable entries are skipped, not fatal. */
  async recent(channel: ChannelName, chatId: string, count = MAX_TURNS): Promise<Turn[]> {
    const raw = await this.store.listRange(conversationKey(channel, chatId), -count, -1);
    return raw.flatMap((r) => {
      try {
        const parsed = TurnSchema.safeParse(JSON.parse(r));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }
}
