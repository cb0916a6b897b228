/**
 * @module store/index
 * Picks the Store for a deployment: Upstash when its REST credentials are configured (state
 * survives restarts and is shared by every Worker isolate), the in-memory store otherwise (the
 * embedded local default). Callers import types and implementations from here.
 */
import { MemoryStore } from './memory';
import type { Store } from './store';
import { UpstashStore } from './upstash';

export type { ScoredMember, Store } from './store';
export { MemoryStore } from './memory';
export { UpstashStore, type UpstashStoreOptions } from './upstash';

export interface StoreConfig {
  upstash?: { url: string; token: string };
}

export function createStore(cfg: StoreConfig): Store {
  if (cfg.upstash) return new UpstashStore(cfg.upstash);
  return new MemoryStore();
}
