/**
 * @module core/services
 * What handlers may use, handed in by the composition root (src/app.ts). Optional parts are
 * absent when their service is off, so a handler checks before using them.
 */
import type { KnowledgeIndex } from '../search/index';
import type { Store } from '../store/store';
import type { Texts } from './texts';
import type { Logger } from '../log';

export interface Services {
  knowledge: KnowledgeIndex;
  texts: Texts;
  store: Store;
  log: Logger;
  /** Operator settings handlers need to quote (retention), never secrets. */
  settings: { historyTtlSeconds: number };
  /** The clock, injectable so tests walk time instead of waiting. */
  now(): Date;
}
