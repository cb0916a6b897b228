/**
 * @module privacy/erase
 * Deleting everything kept about one person (/xoadulieu). Each feature that keeps per-user or
 * per-chat state registers an eraser; the composition root hands the full list to the account
 * handler, so a new feature adds its eraser instead of this module learning its keys.
 */
import type { Store } from '../store/store';
import type { ChannelName } from '../core/types';

/** Whose data: the user on a channel, and the chat they asked from (their private chat). */
interface ErasureSubject {
  channel: ChannelName;
  userId: string;
  chatId: string;
}

export interface UserDataEraser {
  /** Names the feature in results and logs (never the keys, which hold ids). */
  name: string;
  /** Deletes what the feature keeps about `who`; returns how many keys or entries went. */
  erase(store: Store, who: ErasureSubject): Promise<number>;
}

interface ErasureResult {
  removed: number;
  byEraser: Record<string, number>;
  /** Erasers that threw; the others still ran, and running again retries these. */
  failed: string[];
}

/** Runs every eraser, each on its own, so one failing does not keep the others from running. */
export async function eraseUserData(store: Store, who: ErasureSubject, erasers: readonly UserDataEraser[]): Promise<ErasureResult> {
  const results = await Promise.allSettled(erasers.map((e) => e.erase(store, who)));
  const byEraser: Record<string, number> = {};
  const failed: string[] = [];
  results.forEach((r, i) => {
    const name = erasers[i]!.name;
    if (r.status === 'fulfilled') byEraser[name] = r.value;
    else failed.push(name);
  });
  return { removed: Object.values(byEraser).reduce((a, b) => a + b, 0), byEraser, failed };
}

/**
 * Deletes every key starting with `prefix` (a SCAN: fine for a rare erasure, not a chat turn).
 * End the prefix with the separator (`rl:web:abc:`) so user "ab" never matches user "abc".
 */
export async function deleteKeysWithPrefix(store: Store, prefix: string): Promise<number> {
  const keys = await store.keysWithPrefix(prefix);
  return store.del(...keys);
}
