/**
 * @module core/services
 * What handlers may use, handed in by the composition root (src/app.ts). Optional parts are
 * absent when their service is off, so a handler checks before using them.
 */
import type { KnowledgeIndex } from '../search/index';
import type { Store } from '../store/store';
import type { Texts } from './texts';
import type { Logger } from '../log';
import type { Llm } from '../llm/llm';
import type { ProcedureService } from '../procedures/service';

export interface Services {
  knowledge: KnowledgeIndex;
  texts: Texts;
  store: Store;
  log: Logger;
  /** Administrative procedure records, matching and the dossier status lookup. */
  procedures: ProcedureService;
  /** The model for generated answers; absent without OPENAI_API_KEY (answers then quote passages). */
  llm?: Llm;
  /** Operator settings handlers need to quote (retention), never secrets. */
  settings: { historyTtlSeconds: number; analyticsRetentionDays: number };
  /** The clock, injectable so tests walk time instead of waiting. */
  now(): Date;
}
