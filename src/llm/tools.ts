/**
 * @module llm/tools
 * Tools the model may call while answering, and the registry that runs them. Every tool is
 * read-only by construction: it declares `readOnly: true`, its arguments are checked with its
 * zod schema before it runs, and it gets a store view that has no write methods at all. So
 * nothing a model says can write state or perform an admin action; the worst it can do is
 * read what the assistant could already quote. Features add their tools (procedure look-up,
 * KPI status, deadlines) from the composition root.
 */
import { z } from 'zod';
import type { Locale } from '../core/types';
import type { Store } from '../store/store';
import type { KnowledgeSearch } from '../search/live-index';
import type { Embedder } from '../search/vectors';
import { MIN_COVERAGE } from '../search/relevance';
import type { PassageInput } from './prompt';

/** The store as a tool sees it: reads only. */
type ReadOnlyStore = Pick<Store, 'kind' | 'get' | 'ttl' | 'listRange' | 'setMembers' | 'hashGetAll' | 'zRangeByScore'>;

/** A view of `store` carrying only its read methods (the write methods are not there to call). */
export function readOnlyStore(store: Store): ReadOnlyStore {
  return {
    kind: store.kind,
    get: (key) => store.get(key),
    ttl: (key) => store.ttl(key),
    listRange: (key, start, stop) => store.listRange(key, start, stop),
    setMembers: (key) => store.setMembers(key),
    hashGetAll: (key) => store.hashGetAll(key),
    zRangeByScore: (key, min, max) => store.zRangeByScore(key, min, max),
  };
}

export interface ToolContext {
  locale: Locale;
  store: ReadOnlyStore;
  now(): Date;
}

/**
 * What a tool gives back: passages the model may cite (they get the next numbers), and/or
 * plain data (a KPI's status, a list of deadlines) sent to the model as JSON.
 */
interface ToolResult {
  passages?: PassageInput[];
  data?: unknown;
}

export interface Tool<Args extends z.ZodObject = z.ZodObject> {
  /** snake_case, as the model calls it. */
  name: string;
  /** For the model: what it finds and when to use it. */
  description: string;
  parameters: Args;
  /** A promise to the registry that the tool changes nothing; tools without it are refused. */
  readOnly: true;
  run(args: z.output<Args>, ctx: ToolContext): Promise<ToolResult>;
}

/** Declares a tool with its argument types inferred from the schema. */
export function defineTool<Args extends z.ZodObject>(tool: Tool<Args>): Tool<Args> {
  return tool;
}

/** The function definition sent in `tools`. */
interface ToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

type ToolOutcome = { ok: true; result: ToolResult } | { ok: false; error: string };

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** Characters of data sent back from one tool call. */
const MAX_DATA_CHARS = 4000;

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Tool[] = []) {
    for (const t of tools) this.add(t);
  }

  /** Adds a tool; throws on a bad or duplicate name, a non-object schema, or no read-only promise. */
  add(tool: Tool): this {
    if (!NAME.test(tool.name)) throw new Error(`tool name "${tool.name}" must be snake_case`);
    if (this.tools.has(tool.name)) throw new Error(`tool "${tool.name}" registered twice`);
    if ((tool as { readOnly?: unknown }).readOnly !== true) throw new Error(`tool "${tool.name}" is not declared read-only`);
    if (!(tool.parameters instanceof z.ZodObject)) throw new Error(`tool "${tool.name}" needs a z.object() schema`);
    this.tools.set(tool.name, tool);
    return this;
  }

  get size(): number {
    return this.tools.size;
  }

  get names(): string[] {
    return [...this.tools.keys()];
  }

  definitions(): ToolDefinition[] {
    return [...this.tools.values()].map((t) => {
      const { $schema: _drop, ...parameters } = z.toJSONSchema(t.parameters) as Record<string, unknown>;
      return { type: 'function', function: { name: t.name, description: t.description, parameters } };
    });
  }

  /**
   * Runs a call the model asked for. Unknown names, arguments that are not JSON or fail the
   * schema, and errors inside the tool all come back as an error the model can read: a tool
   * call never breaks the answer.
   */
  async run(name: string, rawArgs: string, ctx: ToolContext): Promise<ToolOutcome> {
    const tool = this.tools.get(name);
    if (!tool) return { ok: false, error: `unknown tool "${name.slice(0, 64)}"; available: ${this.names.join(', ')}` };
    let json: unknown;
    try {
      json = rawArgs.trim() ? JSON.parse(rawArgs) : {};
    } catch {
      return { ok: false, error: 'arguments are not valid JSON' };
    }
    const args = tool.parameters.safeParse(json);
    if (!args.success) {
      return { ok: false, error: `invalid arguments: ${args.error.issues.map((i) => `${i.path.join('.') || '(args)'} ${i.message}`).join('; ')}` };
    }
    try {
      const result = await tool.run(args.data, ctx);
      return { ok: true, result: capData(result) };
    } catch {
      return { ok: false, error: 'the tool failed; answer from the passages you have' };
    }
  }
}

function capData(result: ToolResult): ToolResult {
  if (result.data === undefined) return result;
  const json = JSON.stringify(result.data);
  return json.length <= MAX_DATA_CHARS ? result : { ...result, data: `${json.slice(0, MAX_DATA_CHARS)}…` };
}

/** Passages per call of the knowledge search tool. */
const SEARCH_TOOL_PASSAGES = 3;

/** Searches the knowledge again with the model's own words (e.g. a narrower query). */
export function knowledgeSearchTool(index: KnowledgeSearch, embedder?: Embedder): Tool {
  return defineTool({
    name: 'search_knowledge',
    description:
      'Search the reform directives, plans, targets and procedures for passages about a topic. ' +
      'Use it when the numbered passages you have do not answer the question. Returns new numbered passages.',
    parameters: z.object({ query: z.string().min(2).max(200).describe('A short search query in Vietnamese') }),
    readOnly: true,
    async run({ query }) {
      const result = await index.hybridSearch(query, { limit: 6, embedder, timeoutMs: 1500 });
      if (!result.relevant) return { data: { found: false } };
      const passages = result.hits
        .filter((h) => h.coverage >= MIN_COVERAGE)
        .slice(0, SEARCH_TOOL_PASSAGES)
        .map(
          (h): PassageInput => ({
            docId: h.doc.id,
            title: h.doc.title,
            source: h.doc.source,
            date: h.doc.date,
            url: h.doc.url,
            heading: h.chunk.heading,
            text: h.chunk.text,
          }),
        );
      return { passages };
    },
  });
}
