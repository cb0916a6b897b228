/**
 * @module store/index
 * Picks the Store for a deployment: Upstash when its REST credentials are configured (state
 * survives restarts and is shared by every Worker isolate), the in-memory store otherwise (the
 * embedded local default). Callers import types and implementations from here.
 */
import { MemoryStore } from './memory';
import type { Store } from './store';
import { UpstashStore, type UpstashStoreOptions } from './upstash';
import type { RestSend } from './rest-requester';

export type { ScoredMember, Store } from './store';
export { MemoryStore } from './memory';
export { UpstashStore, type UpstashStoreOptions } from './upstash';

interface StoreConfig {
  /**
   * `send` picks how REST requests go out (fetch when absent; the Node entry passes its socket
   * sender, ./node-send),
   * `batching` what one request may gather (per task unless the Node entry says per turn).
   */
  upstash?: { url: string; token: string; send?: RestSend; batching?: UpstashStoreOptions['batching'] };
}

export function createStore(cfg: StoreConfig): Store {
  if (cfg.upstash) return new UpstashStore(cfg.upstash);
  return new MemoryStore();
}
