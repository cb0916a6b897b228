/**
 * @module scripts/bench/warm-isolate
 * The warm rounds of bench:knowledge (scripts/bench/warm-rounds) in a process of the isolate's
 * own, over Upstash REST: its heap holds the bundled index and the live index, not the bench's
 * generated corpus and stores (hundreds of MB), whose garbage collection would otherwise run on
 * V8's helper threads during the measured queries and be counted in their CPU. Prints the figures
 * and the process's heap after the rounds as one JSON line. Started by scripts/bench/knowledge-scale.
 * Run: node --expose-gc --import tsx scripts/bench/warm-isolate.ts <upstash url> <token> <rounds>
 */
import { Catalogue } from '../../src/knowledge/catalogue';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { createIndex } from '../../src/search/knowledge-index';
import { LiveKnowledge } from '../../src/search/live-index';
import type { AnalyzerData } from '../../src/search/analyzer';
import { UpstashStore } from '../../src/store/upstash';
import { warmRounds } from './warm-rounds';
import { loadQuestions, isInScope } from './eval-set';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

const [url, token, rounds = '3'] = process.argv.slice(2);
if (!url || !token) throw new Error('usage: warm-isolate.ts <upstash url> <token> <rounds>');
const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
const seed = KnowledgeBundleSchema.parse(knowledgeJson);
const base = createIndex(seed, analyzer);
// 'task' batching, as on Workers.
const store = new UpstashStore({ url, token });
const live = new LiveKnowledge(base, new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 }), { analyzer, refreshMs: 5000 });
await live.hybridSearch(loadQuestions().filter(isInScope)[0]!.question, { limit: 5 });
const figures = await warmRounds(live, seed, Number(rounds));
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(`${JSON.stringify({ ...figures, heapMb: process.memoryUsage().heapUsed / 1024 / 1024 })}\n`);
