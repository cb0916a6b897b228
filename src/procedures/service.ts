/**
 * @module procedures/service
 * What the procedures handler needs, built once by the composition root: the catalogue, a
 * matcher over it, and the dossier lookup (configured by DOSSIER_LOOKUP_URL, or absent).
 * Tests build their own with a fake fetch or a small catalogue. With `live` (procedures/live),
 * the catalogue is the bundled one merged with what operators published: `refresh()` (called
 * before each message is routed) brings it up to date and rebuilds the matcher when it moved.
 */
import { Analyzer, type AnalyzerData } from '../search/analyzer';
import bundleJson from '../generated/bundle.json';
import { bundledProcedures } from './load';
import { ProcedureMatcher, type ProcedureMatch } from './match';
import { lookupDossier, type DossierLookup } from './dossier';
import type { Procedure } from './schema';
import type { LiveProcedures } from './live';

export interface ProcedureService {
  readonly procedures: readonly Procedure[];
  /** By id ("dang-ky-khai-sinh") or national code ("1.001193"). */
  get(key: string): Procedure | undefined;
  /** Procedures worth showing for a question's subject: one clear winner, a few close ones, or none. */
  shortlist(subject: string): ProcedureMatch[];
  /** Whether an upstream dossier lookup is configured. */
  readonly dossierLookup: boolean;
  /** Looks a (format-checked) dossier code up upstream; `unconfigured` without DOSSIER_LOOKUP_URL. */
  lookupDossier(code: string): Promise<DossierLookup>;
  /** Brings published records in (at most once per refresh interval unless `force`); never throws. */
  refresh(force?: boolean): Promise<void>;
  /** The live records behind the catalogue, when it has them. */
  readonly live?: LiveProcedures;
}

interface ProcedureServiceOptions {
  dossierLookupUrl?: string;
  fetch?: typeof fetch;
  /** Upstream timeout; 5 s by default. */
  timeoutMs?: number;
  /** Defaults to the bundled catalogue. */
  procedures?: readonly Procedure[];
  /** Defaults to the bundled analyzer data (abbreviations, stopwords). */
  analyzer?: AnalyzerData;
  /** Records published live, merged over `live.bundled` (then `procedures` is not used). */
  live?: LiveProcedures;
}

export function createProcedureService(opts: ProcedureServiceOptions = {}): ProcedureService {
  const { live } = opts;
  const analyzer = new Analyzer(opts.analyzer ?? (bundleJson as { analyzer: AnalyzerData }).analyzer);
  const build = (procedures: readonly Procedure[]) => ({ procedures, matcher: new ProcedureMatcher(procedures, analyzer) });
  // One assignment when the live catalogue moved: a message sees the old matcher or the new one.
  let state = build(live ? live.current() : (opts.procedures ?? bundledProcedures()));
  const baseUrl = opts.dossierLookupUrl;
  return {
    get procedures() {
      return state.procedures;
    },
    get: (key) => state.matcher.get(key),
    shortlist: (subject) => state.matcher.shortlist(subject),
    dossierLookup: baseUrl !== undefined,
    async lookupDossier(code) {
      if (!baseUrl) return { kind: 'unconfigured' };
      return lookupDossier(code, { baseUrl, fetch: opts.fetch, timeoutMs: opts.timeoutMs });
    },
    async refresh(force = false) {
      if (!live) return;
      await live.refresh(force);
      const current = live.current();
      if (current !== state.procedures) state = build(current);
    },
    live,
  };
}
