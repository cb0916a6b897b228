/**
 * @module procedures/service
 * What the procedures handler needs, built once by the composition root: the catalogue, a
 * matcher over it, and the dossier lookup (configured by DOSSIER_LOOKUP_URL, or absent).
 * Tests build their own with a fake fetch or a small catalogue.
 */
import { Analyzer, type AnalyzerData } from '../search/analyzer';
import bundleJson from '../generated/bundle.json';
import { bundledProcedures } from './load';
import { ProcedureMatcher, type ProcedureMatch } from './match';
import { lookupDossier, type DossierLookup } from './dossier';
import type { Procedure } from './schema';

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
}

export function createProcedureService(opts: ProcedureServiceOptions = {}): ProcedureService {
  const procedures = opts.procedures ?? bundledProcedures();
  const analyzer = new Analyzer(opts.analyzer ?? (bundleJson as { analyzer: AnalyzerData }).analyzer);
  const matcher = new ProcedureMatcher(procedures, analyzer);
  const baseUrl = opts.dossierLookupUrl;
  return {
    procedures,
    get: (key) => matcher.get(key),
    shortlist: (subject) => matcher.shortlist(subject),
    dossierLookup: baseUrl !== undefined,
    async lookupDossier(code) {
      if (!baseUrl) return { kind: 'unconfigured' };
      return lookupDossier(code, { baseUrl, fetch: opts.fetch, timeoutMs: opts.timeoutMs });
    },
  };
}
