/**
 * @module scripts/bench/cold-isolate
 * One cold isolate, as a fresh process: no code compiled by the JIT yet and no heap but its own,
 * as a new Workers isolate starts. It builds the bundled index (timed apart: what every isolate
 * pays, published or not), then answers one question through the live index over Upstash REST,
 * and prints {"bundleMs", "coldMs"} as one JSON line. Started by scripts/bench/knowledge-scale.
 * Run: node --import tsx scripts/bench/cold-isolate.ts <upstash url> <token> <question>
 */
import { Catalogue } from '../../src/knowledge/catalogue';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { createIndex } from '../../src/search/knowledge-index';
import { LiveKnowledge } from '../../src/search/live-index';
import type { AnalyzerData } from '../../src/search/analyzer';
import { UpstashStore } from '../../src/store/upstash';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

const [url, token, question] = process.argv.slice(2);
if (!url || !token || !question) throw new Error('usage: cold-isolate.ts <upstash url> <token> <question>');
const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
const t0 = performance.now();
const base = createIndex(KnowledgeBundleSchema.parse(knowledgeJson), analyzer);
const t1 = performance.now();
// 'task' batching, as on Workers.
const store = new UpstashStore({ url, token });
const live = new LiveKnowledge(base, new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 }), { analyzer, refreshMs: 5000 });
const result = await live.hybridSearch(question, { limit: 5 });
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ bundleMs: t1 - t0, coldMs: t2 - t1, hits: result.hits.length })}\n`);
