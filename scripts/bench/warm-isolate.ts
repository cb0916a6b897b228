/**
 * @module scripts/bench/warm-isolate
 * The warm rounds of bench:knowledge (scripts/bench/warm-rounds) in a process of the isolate's
 * own, run with V8 single-threaded (see warm-rounds: CPU exact, every compile and collection
 * counted where it ran). Its heap holds the bundled index and the live index, not the bench's
 * generated corpus: over Upstash REST it reads the bench's store; in memory it generates and
 * publishes the same corpus into a MemoryStore of its own first (the store is in the process, as
 * with Node's in-memory default).
 *
 * Over Upstash, the REST calls go through the sender the Node entry uses (store/node-send: our
 * HTTP/1.1 client on kept-alive sockets), or with `fetch`, through Node's fetch. Workers code calls
 * fetch, but a Workers isolate's fetch is the runtime's own, native; Node's is undici, an HTTP
 * client written in JavaScript, whose requests, streams and abort signals outlive each call in the
 * isolate's own heap (over 209 first askings, 7 of the 15 MB that young-generation collections
 * copied). Neither is Workers' fetch: the bench gives both.
 *
 * Prints the figures, the live index's memory after the rounds (growth of the heap and of array
 * buffers, where decoded posting lists keep their numbers, from before the index was made, after
 * collection) and the process's heap, as one JSON line. Started by scripts/bench/knowledge-scale.
 * Run: node --single-threaded --expose-gc --import tsx scripts/bench/warm-isolate.ts <rounds> upstash <url> <token> [node-http|fetch]
 *      node --single-threaded --expose-gc --import tsx scripts/bench/warm-isolate.ts <rounds> memory <chunks>
 */
import { Catalogue } from '../../src/knowledge/catalogue';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { createIndex } from '../../src/search/knowledge-index';
import { LiveKnowledge } from '../../src/search/live-index';
import type { AnalyzerData } from '../../src/search/analyzer';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { nodeSend } from '../../src/store/node-send';
import { UpstashStore } from '../../src/store/upstash';
import { liveCorpus } from './corpus';
import { warmRounds, type WarmFigures } from './warm-rounds';
import { loadQuestions, isInScope } from './eval-set';
import bundleJson from '../../src/generated/bundle.json';
import knowledgeJson from '../../src/generated/knowledge.json';

/** What the process prints. */
export interface WarmProcessFigures extends WarmFigures {
  /** The live index's memory after the warm rounds (MB): heap and array buffers grown. */
  indexMb: number;
  /** The whole process's heap after them (MB), the bundled index included. */
  heapMb: number;
}

const [rounds = '3', mode, ...rest] = process.argv.slice(2);
const usage = 'usage: warm-isolate.ts <rounds> upstash <url> <token> [node-http|fetch] | <rounds> memory <chunks>';
if (!process.execArgv.includes('--single-threaded')) throw new Error('warm-isolate.ts runs with node --single-threaded (see scripts/bench/warm-rounds)');
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const analyzer = (bundleJson as { analyzer: AnalyzerData }).analyzer;
const seed = KnowledgeBundleSchema.parse(knowledgeJson);
const base = createIndex(seed, analyzer);
let store: Store;
let catalogue: Catalogue;
if (mode === 'upstash' && (rest.length === 2 || (rest.length === 3 && ['node-http', 'fetch'].includes(rest[2]!)))) {
  // 'task' batching, as on Workers.
  store = new UpstashStore({ url: rest[0]!, token: rest[1]!, ...(rest[2] === 'fetch' ? {} : { send: nodeSend() }) });
  catalogue = new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 });
} else if (mode === 'memory' && rest.length === 1) {
  store = new MemoryStore();
  catalogue = new Catalogue({ store, analyzer, now: () => new Date(), maxUploadMb: 50 });
  await catalogue.publishBundle(liveCorpus(seed, Number(rest[0])), 'bench');
  // The store keeps values as the publish built them, joined from pieces that V8 copies into one
  // string the first time each is read: read every value once now, so that this store's own
  // growth (16 MB over the warm rounds) is not counted as the index's.
  for (const key of await store.keysWithPrefix('kb:')) {
    const type = await store.type(key);
    if (type === 'string') (await store.get(key))?.charCodeAt(0);
    else if (type === 'hash') for (const v of Object.values(await store.hashGetAll(key))) v.charCodeAt(0);
  }
} else throw new Error(usage);
// Reads of the segment's terms and texts (the manifest's revision checks aside).
let reads = 0;
for (const method of ['get', 'hashGetMany'] as const) {
  const read = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
  (store as unknown as Record<string, unknown>)[method] = (key: string, ...rest: unknown[]) => {
    if (key.startsWith('kb:seg:')) reads++;
    return read(key, ...rest);
  };
}
/** Heap and array buffers (decoded posting lists keep their numbers outside the heap). */
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
gc();
const heap0 = used();
const live = new LiveKnowledge(base, catalogue, { analyzer, refreshMs: 5000 });
await live.hybridSearch(loadQuestions().filter(isInScope)[0]!.question, { limit: 5 });
const figures = await warmRounds(live, seed, analyzer, Number(rounds), () => reads);
gc();
const out: WarmProcessFigures = { ...figures, indexMb: (used() - heap0) / 1024 / 1024, heapMb: process.memoryUsage().heapUsed / 1024 / 1024 };
process.stdout.write(`${JSON.stringify(out)}\n`);
