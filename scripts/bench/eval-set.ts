/**
 * @module scripts/bench/eval-set
 * The search eval set: its schema, loading every test/eval/*.json file, deciding whether a
 * returned passage answers a question, and the metrics (recall@k, MRR, out-of-scope
 * rejection). Shared by scripts/eval.ts, scripts/bench-search.ts and the tests, so the
 * engine and its peers are scored by exactly the same rule.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { canonicalNumbers, fold, hasDiacritics, normalize } from '../../src/text/normalize';

export const EVAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../test/eval');

const InScopeSchema = z.strictObject({
  id: z.string().min(1),
  question: z.string().min(2),
  /** The document that answers it. */
  doc: z.string().min(1),
  /** Other documents that carry the same fact (the knowledge repeats facts across sources). */
  also: z.array(z.string().min(1)).optional(),
  /** Text the answering passage (heading + body) must contain; any one of a list will do. */
  fact: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Free labels: "abbreviation", "paraphrase", "now" (asks about the present; whether marks were typed is derived). */
  tags: z.array(z.string()).optional(),
  /**
   * Text the assistant's reply must contain, when it differs from `fact` (an answer the place
   * registry writes rather than quotes); checked on the answer path for the "now" class.
   */
  answer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
});

const OutOfScopeSchema = z.strictObject({
  id: z.string().min(1),
  question: z.string().min(2),
  outOfScope: z.literal(true),
  tags: z.array(z.string()).optional(),
});

/** In the domain, but no source gives the answer: the answer path must say it does not know. */
const UnanswerableSchema = z.strictObject({
  id: z.string().min(1),
  question: z.string().min(2),
  unanswerable: z.literal(true),
  /** The document the question is nearest to (for reading; not scored). */
  about: z.string().min(1).optional(),
  tags: z.array(z.string()).optional(),
});

export const EvalQuestionSchema = z.union([InScopeSchema, OutOfScopeSchema, UnanswerableSchema]);
export const EvalFileSchema = z.strictObject({
  description: z.string().optional(),
  questions: z.array(EvalQuestionSchema).min(1),
});
export type EvalQuestion = z.infer<typeof EvalQuestionSchema>;
export type InScopeQuestion = z.infer<typeof InScopeSchema>;

export function isInScope(q: EvalQuestion): q is InScopeQuestion {
  return 'doc' in q;
}

/** Outside the assistant's remit: the search must find nothing relevant. */
export function isOutOfScope(q: EvalQuestion): boolean {
  return 'outOfScope' in q;
}

/** In the domain with no answer in the sources: the search may find passages, the answer must not quote them. */
export function isUnanswerable(q: EvalQuestion): boolean {
  return 'unanswerable' in q;
}

/** Typed without any Vietnamese marks (the citizen's usual way on a phone). */
export function isUnaccented(q: EvalQuestion): boolean {
  return !hasDiacritics(q.question);
}

/** Every *.json file in the eval folder, validated; ids must be unique across files. */
export function loadEvalSets(dir = EVAL_DIR): Array<{ file: string; questions: EvalQuestion[] }> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const seen = new Set<string>();
  return files.map((file) => {
    const parsed = EvalFileSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
    for (const q of parsed.data.questions) {
      if (seen.has(q.id)) throw new Error(`${file}: duplicate question id ${q.id}`);
      seen.add(q.id);
    }
    return { file, questions: parsed.data.questions };
  });
}

export function loadQuestions(dir = EVAL_DIR): EvalQuestion[] {
  return loadEvalSets(dir).flatMap((s) => s.questions);
}

/** Comparable form of a text for fact matching: NFC, lower case, canonical numbers, folded, spaces squeezed. */
export function factForm(text: string): string {
  return fold(canonicalNumbers(normalize(text))).replace(/\s+/g, ' ');
}

/** A passage as the scorer sees it. */
export interface Passage {
  docId: string;
  heading: string;
  text: string;
}

/** Whether a passage answers an in-scope question: the right document and the fact in the passage. */
export function answers(q: InScopeQuestion, p: Passage): boolean {
  if (p.docId !== q.doc && !(q.also ?? []).includes(p.docId)) return false;
  const hay = factForm(`${p.heading}\n${p.text}`);
  const facts = Array.isArray(q.fact) ? q.fact : [q.fact];
  return facts.some((f) => hay.includes(factForm(f)));
}

/** 1-based rank of the first answering passage, or 0 when none of them answers. */
export function rankOfAnswer(q: InScopeQuestion, passages: Passage[]): number {
  const i = passages.findIndex((p) => answers(q, p));
  return i + 1;
}

export interface Outcome {
  question: EvalQuestion;
  /** For in-scope questions: rank of the answer among the results (0 = not found). */
  rank: number;
  /** What the engine said about relevance (engines without a rule say true). */
  relevant: boolean;
}

export interface Metrics {
  questions: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
  /** Share of in-scope questions answered in the top 5 and not rejected as irrelevant. */
  answeredAt5: number;
}

/** Recall@1, recall@5, MRR (over the top 10) of in-scope outcomes. */
export function metrics(outcomes: Outcome[]): Metrics {
  const inScope = outcomes.filter((o) => isInScope(o.question));
  const n = inScope.length || 1;
  const count = (f: (o: Outcome) => boolean) => inScope.filter(f).length / n;
  return {
    questions: inScope.length,
    recallAt1: count((o) => o.rank === 1),
    recallAt5: count((o) => o.rank >= 1 && o.rank <= 5),
    mrr: inScope.reduce((s, o) => s + (o.rank >= 1 && o.rank <= 10 ? 1 / o.rank : 0), 0) / n,
    answeredAt5: count((o) => o.relevant && o.rank >= 1 && o.rank <= 5),
  };
}

/** Share of out-of-scope questions the engine rejected (said nothing relevant). */
export function rejectionRate(outcomes: Outcome[]): { questions: number; rate: number } {
  const oos = outcomes.filter((o) => isOutOfScope(o.question));
  return { questions: oos.length, rate: oos.length ? oos.filter((o) => !o.relevant).length / oos.length : 1 };
}

export function splitByMarks(outcomes: Outcome[]): { accented: Outcome[]; unaccented: Outcome[] } {
  return {
    accented: outcomes.filter((o) => !isUnaccented(o.question)),
    unaccented: outcomes.filter((o) => isUnaccented(o.question)),
  };
}
