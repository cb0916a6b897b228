/**
 * @module scripts/bench/cold-isolate
 * One cold isolate, as a fresh process: no code compiled by the JIT yet and no heap but its own,
 * as a new Workers isolate starts. It builds the bundled index (timed apart: what every isolate
 * pays, published or not), makes Node's fetch ready (timed apart too: Node loads its HTTP client,
 * undici, and compiles its wasm HTTP parser on the first request, where a Workers isolate's fetch
 * is built into the runtime; the request goes to a server of this process's own, so no connection
 * to Upstash is opened early), then answers one question through the live index over Upstash REST,
 * and prints {"bundleMs", "fetchInitMs", "coldMs"} as one JSON line. Started by scripts/bench/knowledge-scale.
 * Run: node --import tsx scripts/bench/cold-isolate.ts <upstash url> <token> <question>
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
const f0 = performance.now();
const local = createServer((_req, res) => res.end('ok'));
await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
await (await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`)).text();
await new Promise((resolve) => local.close(resolve));
const t1 = performance.now();
// 'task' batching, as on Workers.
const store = new UpstashStore({ url, token });
const live = new LiveKnowledge(base, new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 }), { analyzer, refreshMs: 5000 });
const result = await live.hybridSearch(question, { limit: 5 });
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ bundleMs: f0 - t0, fetchInitMs: t1 - f0, coldMs: t2 - t1, hits: result.hits.length })}\n`);
