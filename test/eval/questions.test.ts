import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_OUT } from '../../scripts/ingest';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { answers, isInScope, isUnaccented, isUnanswerable, loadEvalSets, loadQuestions } from '../../scripts/bench/eval-set';
import { createEvalAsk, loadBundledIndex, runAnswerChecks, runEval, TARGETS } from '../../scripts/eval';

const bundle = KnowledgeBundleSchema.parse(JSON.parse(readFileSync(DEFAULT_OUT, 'utf8')));
const questions = loadQuestions();

describe('the search eval set (test/eval/*.json)', () => {
  it('every file passes the schema and ids are unique across files', () => {
    const sets = loadEvalSets();
    expect(sets.map((s) => s.file)).toContain('questions.json');
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
  });

  it('has the size and mix the issue asks for', () => {
    const own = loadEvalSets().find((s) => s.file === 'questions.json')!.questions;
    const inScope = own.filter(isInScope);
    expect(inScope.length).toBeGreaterThanOrEqual(120);
    expect(own.filter((q) => !isInScope(q)).length).toBeGreaterThanOrEqual(15);
    expect(own.filter(isUnaccented).length / own.length).toBeGreaterThanOrEqual(0.4);
    expect(inScope.filter((q) => q.tags?.includes('abbreviation')).length).toBeGreaterThan(0);
    expect(inScope.filter((q) => q.tags?.includes('paraphrase')).length).toBeGreaterThan(0);
    // The "now" class: questions about the world as it is today, typed both ways.
    const now = inScope.filter((q) => q.tags?.includes('now'));
    expect(now.length).toBeGreaterThanOrEqual(30);
    expect(now.filter(isUnaccented).length / now.length).toBeGreaterThanOrEqual(0.4);
  });

  it('every expected document exists and holds the expected fact in one of its passages', () => {
    const problems: string[] = [];
    for (const q of questions.filter(isInScope)) {
      for (const docId of [q.doc, ...(q.also ?? [])]) {
        const found = bundle.chunks.some((c) => c.docId === docId && answers(q, { docId, heading: c.heading, text: c.text }));
        if (!found) problems.push(`${q.id}: ${docId} has no passage with ${JSON.stringify(q.fact)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the bundled search on the eval set', () => {
  it('meets the recall and rejection targets (npm run eval prints the details)', async () => {
    const index = loadBundledIndex();
    const run = await runEval(questions, (q) => index.search(q, { limit: 10 }));
    expect(run.accented.recallAt5).toBeGreaterThanOrEqual(TARGETS.recallAt5Accented);
    expect(run.unaccented.recallAt5).toBeGreaterThanOrEqual(TARGETS.recallAt5Unaccented);
    expect(run.rejection.rate).toBeGreaterThanOrEqual(TARGETS.rejection);
  });

  it('gives no quoted answer to a question no source answers, and still answers every in-scope one', async () => {
    const unanswerable = questions.filter(isUnanswerable);
    expect(unanswerable.length).toBeGreaterThanOrEqual(40);
    expect(unanswerable.filter(isUnaccented).length / unanswerable.length).toBeGreaterThanOrEqual(0.5);
    const { ask, texts } = createEvalAsk(loadBundledIndex());
    const checks = await runAnswerChecks(questions, ask, texts);
    expect(checks.unanswerable.questions).toBe(unanswerable.length);
    expect(checks.unanswerable.misses).toEqual([]);
    expect(checks.answered.misses).toEqual([]);
  });

  it('answers the "now" class through the answer path, frames every old fact by its date and says when only old sources answer', async () => {
    const { ask, texts } = createEvalAsk(loadBundledIndex());
    const checks = await runAnswerChecks(questions, ask, texts);
    expect(checks.now.answered / checks.now.questions).toBeGreaterThanOrEqual(TARGETS.nowAnswered);
    expect(checks.framed.quotes).toBeGreaterThan(0);
    expect(checks.framed.misses).toEqual([]);
    expect(checks.oldSources.questions).toBeGreaterThan(0);
    expect(checks.oldSources.misses).toEqual([]);
  });
});
