/**
 * @module scripts/eval
 * Scores the knowledge search on the question set in test/eval/*.json (questions.json plus any
 * other file with the same schema, e.g. procedures.json) against the bundled index
 * (src/generated/knowledge.json): recall@1, recall@5 and MRR, with and without marks typed,
 * and the out-of-scope rejection rate. Exits 1 below the targets:
 *   recall@5 ≥ 0.95 typed with marks, ≥ 0.90 without; rejection ≥ 0.90.
 * Recall here counts a question only when the right passage is in the top 5 AND the search
 * did not answer "nothing relevant" (what the user actually gets).
 *
 * The field class (test/eval/fields/*.json, issue 19) is scored on what the router and the
 * handlers reply: a procedure question about the citizen's deadline, a result's validity,
 * documents no longer required, a yes/no, a fee's period or two procedures at once is a hit at 1
 * when the right records are cited and the first answer block carries the fact (and starts with
 * "Có"/"Không" for a yes/no).
 *
 * Usage: npm run eval -- [--verbose] [--calibrate] [--hybrid]
 *   --calibrate  sweeps the relevance threshold and prints what each value would give
 *   --hybrid     fuses BM25 with embeddings (needs OPENAI_API_KEY and src/generated/embeddings.json)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeBundleSchema, PlaceRegistrySchema } from '../src/knowledge/schema';
import { PlaceRegistry } from '../src/knowledge/places';
import { createIndex, type KnowledgeIndex } from '../src/search/knowledge-index';
import { passesRelevance, RELEVANCE, type SearchResult } from '../src/search/relevance';
import type { Embedder } from '../src/search/vectors';
import { loadConfig } from '../src/config';
import { formatDate, Texts, type TextTable } from '../src/core/texts';
import type { Reply } from '../src/core/types';
import { isOldSource } from '../src/knowledge/time';
import { Conversation } from '../src/core/conversation';
import { MemoryStore } from '../src/store/memory';
import { createLogger } from '../src/log';
import { renderBlocks } from '../src/channels/plain';
import { createAskHandler } from '../handlers/ask';
import { createProceduresHandler } from '../handlers/procedures';
import { createProcedureService } from '../src/procedures/service';
import { Assistant } from '../src/core/assistant';
import { RoleDirectory } from '../src/core/roles';
import { z } from 'zod';
import bundleJson from '../src/generated/bundle.json' with { type: 'json' };
import { fetchEmbeddings, loadAnalyzerData, DEFAULT_EMBEDDINGS, DEFAULT_OUT } from './ingest';
import {
  factForm,
  isInScope,
  isOutOfScope,
  isUnaccented,
  isUnanswerable,
  loadEvalSets,
  metrics,
  rankOfAnswer,
  rejectionRate,
  splitByMarks,
  type EvalQuestion,
  type Metrics,
  type Outcome,
} from './bench/eval-set';

export const TARGETS = { recallAt5Accented: 0.95, recallAt5Unaccented: 0.9, rejection: 0.9, nowAnswered: 0.9 } as const;
const RESULTS = 10;

export interface EvalRun {
  outcomes: Array<Outcome & { confidence: number; result: SearchResult }>;
  all: Metrics;
  accented: Metrics;
  unaccented: Metrics;
  rejection: { questions: number; rate: number };
  passed: boolean;
}

/** Runs every question through `search` and scores the answers. */
export async function runEval(
  questions: EvalQuestion[],
  search: (q: string) => SearchResult | Promise<SearchResult>,
): Promise<EvalRun> {
  const outcomes: EvalRun['outcomes'] = [];
  for (const question of questions) {
    const r = await search(question.question);
    const passages = r.hits.map((h) => ({ docId: h.doc.id, heading: h.chunk.heading, text: h.chunk.text }));
    outcomes.push({
      question,
      rank: isInScope(question) ? rankOfAnswer(question, passages) : 0,
      relevant: r.relevant,
      confidence: r.confidence,
      result: r,
    });
  }
  // The user-facing recall: a rejected question is not answered, whatever the ranking.
  const answered = outcomes.map((o) => ({ ...o, rank: o.relevant ? o.rank : 0 }));
  const { accented, unaccented } = splitByMarks(answered);
  const run = {
    outcomes,
    all: metrics(answered),
    accented: metrics(accented),
    unaccented: metrics(unaccented),
    rejection: rejectionRate(outcomes),
  };
  const passed =
    run.accented.recallAt5 >= TARGETS.recallAt5Accented &&
    run.unaccented.recallAt5 >= TARGETS.recallAt5Unaccented &&
    run.rejection.rate >= TARGETS.rejection;
  return { ...run, passed };
}


/** The place registry as the app loads it (knowledge/places.json). */
export function loadPlaceRegistry(): PlaceRegistry {
  return new PlaceRegistry(PlaceRegistrySchema.parse(JSON.parse(readFileSync(new URL('../knowledge/places.json', import.meta.url), 'utf8'))));
}

/** The index exactly as the app builds it: bundled postings, analyzer data and place names. */
export function loadBundledIndex(embeddings?: unknown): KnowledgeIndex {
  const bundle = KnowledgeBundleSchema.parse(JSON.parse(readFileSync(DEFAULT_OUT, 'utf8')));
  return createIndex(bundle, loadAnalyzerData(), { embeddings, places: loadPlaceRegistry().nameGroups() });
}

/**
 * The day the answer-path checks are run on: a source's age (whether a quote must be framed
 * by its date) would otherwise drift with the calendar and the figures with it.
 */
export const EVAL_DAY = new Date('2026-12-06T09:00:00+07:00');

/** The ask handler as the app composes it without a model: the bundled texts (filled from the profile), the registry, this index. */
export function createEvalAsk(index: KnowledgeIndex, now = () => EVAL_DAY): { ask: (question: string) => Promise<Reply>; texts: Texts } {
  const places = loadPlaceRegistry();
  const texts = new Texts((bundleJson as unknown as { prompts: TextTable }).prompts);
  const store = new MemoryStore({ now: () => now().getTime() });
  const handler = createAskHandler({ texts, log: createLogger('error'), now, knowledge: index, conversation: new Conversation(store, 3600), places });
  let n = 0;
  const ask = (text: string) =>
    handler.handle({ inbound: { channel: 'web', chatId: `eval-${n++}`, userId: 'eval', text, locale: 'vi', role: 'citizen' }, args: text });
  return { ask, texts };
}

export interface AnswerChecks {
  /** In-scope questions the answer path answers (found) rather than saying it does not know. */
  answered: { questions: number; found: number; misses: string[] };
  /** Unanswerable questions, and how many got a quoted (found) answer: the target is none. */
  unanswerable: { questions: number; quoted: number; misses: string[] };
  /** "now" questions whose reply holds the expected answer and cites an expected document. */
  now: { questions: number; answered: number; misses: string[] };
  /** Quotes from an old source (on EVAL_DAY) and how many were framed by their date. */
  framed: { quotes: number; framed: number; misses: string[] };
  /** "now" questions answered only from old sources, and how many replies said the sources are old. */
  oldSources: { questions: number; told: number; misses: string[] };
}

/** Runs questions through the answer path (no model) and checks the "now" class and the framing of old facts. */
export async function runAnswerChecks(questions: EvalQuestion[], ask: (q: string) => Promise<Reply>, texts: Texts, today = EVAL_DAY): Promise<AnswerChecks> {
  const checks: AnswerChecks = { answered: { questions: 0, found: 0, misses: [] }, unanswerable: { questions: 0, quoted: 0, misses: [] }, now: { questions: 0, answered: 0, misses: [] }, framed: { quotes: 0, framed: 0, misses: [] }, oldSources: { questions: 0, told: 0, misses: [] } };
  for (const q of questions.filter(isUnanswerable)) {
    const reply = await ask(q.question);
    checks.unanswerable.questions++;
    if (reply.found || reply.blocks.some((b) => b.type === 'quote')) {
      checks.unanswerable.quoted++;
      checks.unanswerable.misses.push(q.id);
    }
  }
  for (const q of questions.filter(isInScope)) {
    const reply = await ask(q.question);
    checks.answered.questions++;
    if (reply.found) checks.answered.found++;
    else checks.answered.misses.push(q.id);
    let lastText = '';
    for (const b of reply.blocks) {
      if (b.type === 'text') lastText = b.text;
      if (b.type !== 'quote' || !b.cite) continue;
      const date = reply.citations[b.cite - 1]!.date;
      if (!isOldSource(date, today)) continue;
      checks.framed.quotes++;
      if (lastText === texts.get('vi', 'quote-dated', { date: formatDate(date) })) checks.framed.framed++;
      else checks.framed.misses.push(q.id);
    }
    if (!q.tags?.includes('now')) continue;
    checks.now.questions++;
    const said = factForm(renderBlocks(reply));
    const expected = [q.answer ?? q.fact].flat();
    const cited = reply.citations.some((c) => c.id === q.doc || q.also?.includes(c.id));
    if (reply.found && cited && expected.some((f) => said.includes(factForm(f)))) checks.now.answered++;
    else checks.now.misses.push(q.id);
    if (reply.found && reply.citations.length && reply.citations.every((c) => isOldSource(c.date, today))) {
      checks.oldSources.questions++;
      const newest = reply.citations.map((c) => c.date).sort().at(-1)!;
      const note = texts.get('vi', 'ask-old-sources', { date: formatDate(newest) });
      if (reply.blocks.some((b) => b.type === 'text' && b.text === note)) checks.oldSources.told++;
      else checks.oldSources.misses.push(q.id);
    }
  }
  return checks;
}

const FieldQuestionSchema = z.strictObject({
  id: z.string().min(1),
  question: z.string().min(2),
  /** The procedure records the reply must cite (two for a question naming two procedures). */
  docs: z.array(z.string().min(1)).min(1),
  /** Text the first answer block must hold; for several records, each text somewhere in the reply. */
  fact: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** A yes/no question: the word the reply must start with. */
  yes: z.enum(['Có', 'Không']).optional(),
  tags: z.array(z.string()).default([]),
});
type FieldQuestion = z.infer<typeof FieldQuestionSchema>;
const FIELD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../test/eval/fields');

/** The field class: every *.json under test/eval/fields/. */
export function loadFieldQuestions(dir = FIELD_DIR): FieldQuestion[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => z.strictObject({ description: z.string().optional(), questions: z.array(FieldQuestionSchema).min(1) }).parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))).questions);
}

/** The router with the procedures and ask handlers, as the app composes them without a model. */
export function createEvalAssistant(index: KnowledgeIndex, now = () => EVAL_DAY): Assistant {
  const places = loadPlaceRegistry();
  const texts = new Texts((bundleJson as unknown as { prompts: TextTable }).prompts);
  const store = new MemoryStore({ now: () => now().getTime() });
  const basics = { texts, log: createLogger('error'), now };
  const conversation = new Conversation(store, 3600);
  const ask = createAskHandler({ ...basics, knowledge: index, conversation, places });
  return new Assistant({
    ...basics,
    handlers: [createProceduresHandler({ ...basics, procedures: createProcedureService(), places }), ask],
    fallback: ask.id,
    roles: new RoleDirectory(store),
    conversation,
  });
}

export interface FieldOutcome {
  question: FieldQuestion;
  /** The right records cited and the fact in the first answer block. */
  first: boolean;
  /** The right records cited and the fact anywhere in the reply. */
  anywhere: boolean;
}

/** The first block that answers: not a heading, not the "two procedures" line. */
function firstAnswer(reply: Reply, intro: string): string {
  const b = reply.blocks.find((x) => x.type !== 'heading' && !(x.type === 'text' && x.text.startsWith(intro)));
  return !b ? '' : b.type === 'list' ? b.items.join('\n') : 'text' in b ? b.text : '';
}

export async function runFieldChecks(questions: FieldQuestion[], assistant: Assistant, texts: Texts): Promise<FieldOutcome[]> {
  const intro = texts.get('vi', 'proc-two-intro', { count: 2 }).slice(0, 12);
  const out: FieldOutcome[] = [];
  let n = 0;
  for (const q of questions) {
    const reply = await assistant.handle({ channel: 'web', chatId: `field-${n++}`, userId: `field-${n}`, text: q.question, locale: 'vi', role: 'citizen' });
    const cited = q.docs.every((d) => reply.citations.some((c) => c.id === d));
    const facts = [q.fact].flat().map(factForm);
    const all = factForm(renderBlocks(reply));
    const first = factForm(firstAnswer(reply, intro));
    const yesFirst = !q.yes || first.startsWith(factForm(q.yes));
    const anywhere = cited && facts.every((f) => all.includes(f));
    const several = q.docs.length > 1;
    out.push({ question: q, anywhere, first: cited && yesFirst && (several ? anywhere : first.includes(facts[0]!)) });
  }
  return out;
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(5) + '%';

function printMetrics(label: string, m: Metrics, rankingOnly?: Metrics): void {
  const extra = rankingOnly ? `   (ranking alone: R@5 ${pct(rankingOnly.recallAt5)})` : '';
  console.log(
    `${label.padEnd(22)} n=${String(m.questions).padStart(3)}  R@1 ${pct(m.recallAt1)}  R@5 ${pct(m.recallAt5)}  MRR ${m.mrr.toFixed(3)}${extra}`,
  );
}

/** What a relevance rule would give on this run: in-scope answered@5 and out-of-scope rejected. */
function tryRule(run: EvalRun, rule: typeof RELEVANCE): { answered: number; rejected: number } {
  const inScope = run.outcomes.filter((o) => isInScope(o.question));
  const oos = run.outcomes.filter((o) => isOutOfScope(o.question));
  const pass = (o: EvalRun['outcomes'][number]) => passesRelevance(o.result.hits, o.result.queryWords, rule);
  return {
    answered: inScope.filter((o) => pass(o) && o.rank >= 1 && o.rank <= 5).length / (inScope.length || 1),
    rejected: oos.filter((o) => !pass(o)).length / (oos.length || 1),
  };
}

function calibrate(run: EvalRun): void {
  console.log('\nrelevance threshold sweep: in-scope answered@5 / out-of-scope rejected');
  console.log(`minWeightedCoverage (minPhraseCoverage ${RELEVANCE.minPhraseCoverage}):`);
  for (let t = 0.2; t <= 0.701; t += 0.04) {
    const r = tryRule(run, { ...RELEVANCE, minWeightedCoverage: t });
    const mark = Math.abs(t - RELEVANCE.minWeightedCoverage) < 0.02 ? '  <- current' : '';
    console.log(`  ${t.toFixed(2)}  answered ${pct(r.answered)}  rejected ${pct(r.rejected)}${mark}`);
  }
  console.log(`minPhraseCoverage (minWeightedCoverage ${RELEVANCE.minWeightedCoverage}):`);
  for (const t of [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4]) {
    const r = tryRule(run, { ...RELEVANCE, minPhraseCoverage: t });
    const mark = t === RELEVANCE.minPhraseCoverage ? '  <- current' : '';
    console.log(`  ${t.toFixed(2)}  answered ${pct(r.answered)}  rejected ${pct(r.rejected)}${mark}`);
  }
  const best = (o: EvalRun['outcomes'][number]) =>
    o.result.hits.reduce((m, h) => (h.weightedCoverage + h.phraseCoverage > m.w + m.p ? { w: h.weightedCoverage, p: h.phraseCoverage } : m), { w: 0, p: 0 });
  const show = (o: EvalRun['outcomes'][number]) => {
    const b = best(o);
    return `${o.question.id} (${b.w.toFixed(2)}/${b.p.toFixed(2)})`;
  };
  const inScope = run.outcomes.filter((o) => isInScope(o.question));
  const oos = run.outcomes.filter((o) => isOutOfScope(o.question));
  const key = (o: EvalRun['outcomes'][number]) => Math.min(best(o).w, best(o).p + 0.3);
  console.log('\nweakest in-scope (weighted/phrase coverage of the best hit):', inScope.sort((a, b) => key(a) - key(b)).slice(0, 8).map(show).join(', '));
  console.log('strongest out-of-scope:', oos.sort((a, b) => key(b) - key(a)).slice(0, 8).map(show).join(', '));
}

async function main(argv: string[]): Promise<number> {
  const sets = loadEvalSets();
  const all = sets.flatMap((s) => s.questions);
  // Unanswerable questions are in the domain: the search finds passages for them by design, and
  // only the answer path is scored on them (below).
  const questions = all.filter((q) => !isUnanswerable(q));
  let index: KnowledgeIndex;
  let search: (q: string) => SearchResult | Promise<SearchResult>;
  if (argv.includes('--hybrid')) {
    const openai = loadConfig(process.env).openai;
    if (!openai) {
      console.error('eval --hybrid needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)');
      return 2;
    }
    index = loadBundledIndex(JSON.parse(readFileSync(DEFAULT_EMBEDDINGS, 'utf8')));
    const client = { apiKey: openai.apiKey, baseUrl: openai.baseUrl ?? 'https://api.openai.com/v1', model: openai.embeddingModel };
    const embedder: Embedder = { model: client.model, embed: (texts, signal) => fetchEmbeddings(client, texts, signal) };
    search = (q) => index.hybridSearch(q, { limit: RESULTS, embedder, timeoutMs: 10_000 });
    console.log(`hybrid: ${index.vectorCount}/${index.size} chunks have vectors (${client.model})`);
  } else {
    index = loadBundledIndex();
    search = (q) => index.search(q, { limit: RESULTS });
  }
  const run = await runEval(questions, search);
  const ranking = splitByMarks(run.outcomes);

  const inScope = questions.filter(isInScope);
  const unaccentedShare = questions.filter(isUnaccented).length / questions.length;
  console.log(
    `eval: ${questions.length} questions from ${sets.map((s) => s.file).join(', ')} (${inScope.length} in scope, ` +
      `${run.rejection.questions} out of scope; ${pct(unaccentedShare).trim()} typed without marks) ` +
      `over ${index.documentCount} documents, ${index.size} chunks`,
  );
  printMetrics('all', run.all, metrics(run.outcomes));
  printMetrics('typed with marks', run.accented, metrics(ranking.accented));
  printMetrics('typed without marks', run.unaccented, metrics(ranking.unaccented));
  for (const tag of ['abbreviation', 'paraphrase', 'now']) {
    const tagged = run.outcomes.filter((o) => isInScope(o.question) && o.question.tags?.includes(tag));
    printMetrics(`tag: ${tag}`, metrics(tagged.map((o) => ({ ...o, rank: o.relevant ? o.rank : 0 }))));
  }
  const falseRejects = run.outcomes.filter((o) => isInScope(o.question) && !o.relevant).length;
  console.log(
    `out of scope rejected: ${pct(run.rejection.rate).trim()} of ${run.rejection.questions}; in-scope questions rejected: ${falseRejects}`,
  );

  const verbose = argv.includes('--verbose');
  const misses = run.outcomes.filter((o) =>
    isInScope(o.question) ? !o.relevant || o.rank === 0 || o.rank > (verbose ? 1 : 5) : o.relevant,
  );
  if (misses.length) {
    console.log(verbose ? '\nnot first, rejected, or wrongly accepted:' : '\nmisses:');
    for (const o of misses) {
      const what = !isInScope(o.question)
        ? 'out of scope but accepted'
        : !o.relevant
          ? `rejected (answer at ${o.rank || '-'})`
          : o.rank === 0
            ? 'answer not in top 10'
            : `answer at ${o.rank}`;
      console.log(`  ${o.question.id.padEnd(10)} ${what.padEnd(28)} conf ${o.confidence.toFixed(2)}  ${o.question.question}`);
    }
  }
  if (argv.includes('--calibrate')) calibrate(run);

  const { ask, texts } = createEvalAsk(index);
  const checks = await runAnswerChecks(all, ask, texts);
  const ratio = (a: number, n: number) => `${a}/${n} (${pct(n ? a / n : 1).trim()})`;
  console.log(`\nanswer path on ${formatDate(EVAL_DAY.toISOString())}, without a model:`);
  console.log(`  in-scope questions answered (not "I don't know"): ${ratio(checks.answered.found, checks.answered.questions)}${checks.answered.misses.length ? `; misses: ${checks.answered.misses.join(', ')}` : ''}`);
  console.log(`  unanswerable questions given a quoted answer: ${ratio(checks.unanswerable.quoted, checks.unanswerable.questions)} (target 0)${checks.unanswerable.misses.length ? `; misses: ${checks.unanswerable.misses.join(', ')}` : ''}`);
  console.log(`  "now" class answered with the expected fact and source: ${ratio(checks.now.answered, checks.now.questions)}${checks.now.misses.length ? `; misses: ${checks.now.misses.join(', ')}` : ''}`);
  console.log(`  old facts framed in time ("${texts.get('vi', 'quote-dated', { date: '…' })}"): ${ratio(checks.framed.framed, checks.framed.quotes)} quotes${checks.framed.misses.length ? `; misses: ${[...new Set(checks.framed.misses)].join(', ')}` : ''}`);
  console.log(`  "now" questions only old sources answer, told the sources are old: ${ratio(checks.oldSources.told, checks.oldSources.questions)}${checks.oldSources.misses.length ? `; misses: ${checks.oldSources.misses.join(', ')}` : ''}`);
  const fields = await runFieldChecks(loadFieldQuestions(), createEvalAssistant(index), texts);
  const fieldRate = (list: FieldOutcome[], key: 'first' | 'anywhere') => list.filter((o) => o[key]).length / (list.length || 1);
  console.log(`\nfield class (procedure records: deadline, validity, not-required documents, yes/no, fee periods, two procedures):`);
  const fieldLine = (label: string, list: FieldOutcome[]) =>
    console.log(`  ${label.padEnd(22)} n=${String(list.length).padStart(3)}  R@1 ${pct(fieldRate(list, 'first'))}  in reply ${pct(fieldRate(list, 'anywhere'))}`);
  fieldLine('all', fields);
  fieldLine('typed with marks', fields.filter((o) => !isUnaccented(o.question as never)));
  fieldLine('typed without marks', fields.filter((o) => isUnaccented(o.question as never)));
  for (const tag of ['deadline', 'validity', 'exempt', 'yes-no', 'fee-period', 'two']) fieldLine(`tag: ${tag}`, fields.filter((o) => o.question.tags.includes(tag)));
  const fieldMisses = fields.filter((o) => !o.first);
  if (fieldMisses.length) console.log(`  not first: ${fieldMisses.map((o) => o.question.id).join(', ')}`);

  const answerPassed =
    checks.unanswerable.quoted === 0 &&
    checks.now.answered / (checks.now.questions || 1) >= TARGETS.nowAnswered &&
    checks.framed.framed === checks.framed.quotes &&
    checks.oldSources.told === checks.oldSources.questions;

  console.log(
    `\ntargets: R@5 with marks ≥ ${TARGETS.recallAt5Accented}, without ≥ ${TARGETS.recallAt5Unaccented}, rejection ≥ ${TARGETS.rejection}; ` +
      `"now" answered ≥ ${TARGETS.nowAnswered}, no unanswerable question quoted, every old fact framed and every old-source "now" answer told: ${run.passed && answerPassed ? 'PASS' : 'FAIL'}`,
  );
  return run.passed && answerPassed ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
