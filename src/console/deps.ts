/**
 * @module console/deps
 * What the composition root hands the console, and what a page handler gets per request.
 */
import type { AdminOperator } from '../config';
import type { Texts } from '../core/texts';
import type { Locale } from '../core/types';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { Audit } from '../admin/index';
import type { ClientAddressOf } from '../channels/web/address';
import type { Assistant } from '../core/assistant';
import type { Handler } from '../core/handler';
import type { KnowledgeSearch } from '../search/live-index';
import type { ProcedureService } from '../procedures/service';
import type { KpiCatalog } from '../kpi/definitions';
import type { AdminClient, AdminFetch } from './admin-client';
import type { View } from './view';

export interface ConsoleDeps {
  /** The mounted admin API, called in process with the operator's token. */
  admin: AdminFetch;
  /** Who may sign in (ADMIN_TOKEN as "admin", ADMIN_TOKENS by name); the console is off without any. */
  operators: readonly AdminOperator[];
  store: Store;
  texts: Texts;
  log: Logger;
  now: () => Date;
  /** The admin audit log: sign-in and sign-out are recorded there with everything else. */
  audit: Audit;
  clientAddress?: ClientAddressOf;
  /** Which store, model and channels are live (config's describeServices). */
  services: () => Record<string, string | boolean>;
  /** The knowledge search as the runtime holds it now: the bundled seed and what is published live. */
  knowledge: () => Pick<KnowledgeSearch, 'hybridSearch' | 'bestSentences' | 'size' | 'documentCount'>;
  /** The assistant, for routing only: which handler a user's question would reach. */
  assistant: Pick<Assistant, 'route'>;
  /**
   * The handlers the search tester may run for that reply, by id: read-only ones only (help,
   * procedures, KPI, the ask without its miss count). Anything else routing picks (a handoff,
   * reminders, account actions) is not run: it would act, notify staff or keep state.
   */
  testerHandlers: ReadonlyMap<string, Handler>;
  procedures: Pick<ProcedureService, 'procedures' | 'get'>;
  kpiCatalog: Pick<KpiCatalog, 'get' | 'all'>;
  /** OPENAI_DAILY_TOKEN_BUDGET when a model is configured. */
  dailyTokenBudget?: number;
}

/** One request to a signed-in page. */
export interface PageContext {
  v: View;
  locale: Locale;
  api: AdminClient;
  deps: ConsoleDeps;
  query(name: string): string | undefined;
}
