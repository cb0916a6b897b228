/**
 * @module llm/llm
 * Grounded answers from an OpenAI-compatible model. Given the retrieved passages, the recent
 * turns and the question, it asks for structured output (answer, cited passage numbers,
 * answerable), lets the model call read-only tools for a round or two, streams the answer's
 * text as it is written, and checks the result: citations must point at passages and every
 * number, address, phone, name or promise in the answer must come from a cited one. Whatever goes wrong (deadline, 429, 5xx, a reply
 * that is not the JSON asked for, the day's token budget) comes back as an outcome the
 * assistant turns into a quoted answer; this class never throws at its caller.
 *
 * Over ~350 lines on purpose: one Llm class whose steps (prompt, tool rounds, stream, checks, budget) share its state and deadline.
 */
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Turn } from '../core/conversation';
import type { Texts } from '../core/texts';
import { formatDate } from '../core/texts';
import type { Citation, Locale } from '../core/types';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { answerJsonSchema, mapCitations, parseModelAnswer, partialAnswer, stripMarkers, ungroundedClaims } from './answer';
import { TokenBudget } from './budget';
import {
  createOpenAIClient,
  Deadline,
  LlmFailure,
  realSetTimer,
  realSleep,
  toFailure,
  withOneRetry,
  type DeadlineClock,
  type FailureKind,
  type RetryPolicy,
  type SetTimer,
} from './client';
import { readCompletion, StreamAccumulator, type CompletionResult, type ToolCall } from './completion';
import { OpenAIEmbedder, type Embedder } from './embedder';
import {
  buildAnswerMessages,
  buildRewriteMessages,
  DEFAULT_PROMPT_LIMITS,
  estimateTokens,
  messagesChars,
  numberPassages,
  renderPassages,
  toolResult,
  type Passage,
  type PassageInput,
  type PromptLimits,
} from './prompt';
import { maskPersonalData } from '../privacy/mask';
import { readOnlyStore, ToolRegistry, type Tool, type ToolContext } from './tools';

export interface LlmLimits {
  /** The whole answer (tool rounds and a retry included) must arrive within this. */
  timeoutMs: number;
  /** The follow-up rewrite gets its own, shorter clock. */
  rewriteTimeoutMs: number;
  /** Output cap of an answer, in tokens. */
  maxOutputTokens: number;
  /** Output cap of a rewritten question, in tokens. */
  rewriteMaxTokens: number;
  /** Model turns that may call tools before it must answer. */
  maxToolRounds: number;
  maxToolCallsPerRound: number;
  /** Passages numbered in one answer, tool results included. */
  maxPassages: number;
  retry: Omit<RetryPolicy, 'sleep'>;
  prompt: PromptLimits;
}

const DEFAULT_LIMITS: LlmLimits = {
  timeoutMs: 20_000,
  rewriteTimeoutMs: 8_000,
  maxOutputTokens: 700,
  rewriteMaxTokens: 120,
  maxToolRounds: 2,
  maxToolCallsPerRound: 3,
  maxPassages: 12,
  retry: { maxWaitMs: 3_000, defaultWaitMs: 500 },
  prompt: DEFAULT_PROMPT_LIMITS,
};

interface AnswerRequest {
  /** The user's question (masked again before it leaves). */
  question: string;
  passages: PassageInput[];
  /** Recent turns, oldest first, already masked by Conversation. */
  history: Turn[];
  locale: Locale;
  /** Receives the answer's text so far while it streams (citation markers left out). */
  onPartial?: (textSoFar: string) => void;
}

type FallbackReason = FailureKind | 'ungrounded';

type AnswerOutcome =
  | { kind: 'answer'; text: string; citations: Citation[] }
  | { kind: 'not-found' }
  | { kind: 'fallback'; reason: FallbackReason };

interface LlmDeps {
  client: OpenAI;
  model: string;
  /** OpenAI itself (max_completion_tokens) or a compatible server (max_tokens, understood by all). */
  isOpenAI: boolean;
  texts: Texts;
  budget: TokenBudget;
  tools: ToolRegistry;
  embedder: Embedder;
  store: Store;
  log: Logger;
  now: () => Date;
  limits?: Partial<LlmLimits>;
  sleep?: (ms: number) => Promise<void>;
  /** The timer a deadline runs on (real by default; tests pass a fake one with a fake `now`). */
  setTimer?: SetTimer;
}

interface CompleteOptions {
  deadline: Deadline;
  maxTokens: number;
  structured: boolean;
  offerTools: boolean;
  onContent?: (contentSoFar: string) => boolean;
}

export class Llm {
  readonly model: string;
  readonly tools: ToolRegistry;
  readonly embedder: Embedder;
  readonly budget: TokenBudget;
  private readonly limits: LlmLimits;
  private readonly retry: RetryPolicy;
  private readonly clock: DeadlineClock;

  constructor(
    private readonly deps: LlmDeps,
    /** plainOnly: set once the server refused tools or structured output (shared with forShare's views). */
    private readonly learned = { plainOnly: false },
  ) {
    this.model = deps.model;
    this.tools = deps.tools;
    this.embedder = deps.embedder;
    this.budget = deps.budget;
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    this.retry = { ...this.limits.retry, sleep: deps.sleep ?? realSleep };
    this.clock = { now: () => deps.now().getTime(), setTimer: deps.setTimer ?? realSetTimer };
  }

  /** The same model, its spending also counted against `share`'s part of the day's budget (a web client's address). */
  forShare(share: string): Llm {
    return new Llm({ ...this.deps, budget: this.deps.budget.forShare(share) }, this.learned);
  }

  /** A grounded answer, "not found", or a reason to fall back to quoting. Never throws. */
  async answer(req: AnswerRequest): Promise<AnswerOutcome> {
    const deadline = new Deadline(this.limits.timeoutMs, this.clock);
    try {
      return await this.generate(req, deadline);
    } catch (e) {
      const failure = toFailure(e, deadline);
      this.deps.log.warn('llm answer failed, quoting instead', { kind: failure.kind, reason: failure.message });
      return { kind: 'fallback', reason: failure.kind };
    } finally {
      deadline.dispose();
    }
  }

  /**
   * A follow-up rewritten as a standalone question in the user's language, or undefined when
   * the model could not (the caller then uses its own heuristic). Never throws.
   */
  async rewrite(question: string, history: Turn[], locale: Locale): Promise<string | undefined> {
    const deadline = new Deadline(this.limits.rewriteTimeoutMs, this.clock);
    try {
      const messages = buildRewriteMessages(this.deps.texts.get(locale, 'llm-rewrite'), question, history, this.limits.prompt);
      const result = await this.complete(messages, {
        deadline,
        maxTokens: this.limits.rewriteMaxTokens,
        structured: false,
        offerTools: false,
      });
      return cleanRewrite(result.content);
    } catch (e) {
      const failure = toFailure(e, deadline);
      this.deps.log.warn('llm rewrite failed', { kind: failure.kind, reason: failure.message });
      return undefined;
    } finally {
      deadline.dispose();
    }
  }

  private async generate(req: AnswerRequest, deadline: Deadline): Promise<AnswerOutcome> {
    let passages = numberPassages(req.passages.slice(0, this.limits.maxPassages), 1, this.limits.prompt);
    const system = this.deps.texts.get(req.locale, 'llm-system');
    const messages: ChatCompletionMessageParam[] = buildAnswerMessages(system, passages, req.question, req.history, this.limits.prompt);
    const ctx: ToolContext = { locale: req.locale, store: readOnlyStore(this.deps.store), now: this.deps.now };
    const called: string[] = [];
    let shown = '';
    const onContent = req.onPartial
      ? (soFar: string): boolean => {
          const text = partialAnswer(soFar);
          const visible = text === undefined ? '' : stripMarkers(text);
          if (!visible || visible === shown) return shown !== '';
          shown = visible;
          try {
            req.onPartial!(visible);
          } catch (e) {
            this.deps.log.warn('onPartial failed', { error: toFailure(e).message });
          }
          return true;
        }
      : undefined;

    for (let round = 0; ; round++) {
      const offerTools = this.tools.size > 0 && round < this.limits.maxToolRounds;
      const result = await this.complete(messages, {
        deadline,
        maxTokens: this.limits.maxOutputTokens,
        structured: true,
        offerTools,
        onContent,
      });
      if (offerTools && result.toolCalls.length > 0) {
        const calls = result.toolCalls.slice(0, this.limits.maxToolCallsPerRound);
        messages.push({
          role: 'assistant',
          content: result.content || null,
          tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
        });
        for (const call of calls) {
          called.push(call.name);
          const { content, added } = await this.runTool(call, ctx, passages);
          passages = [...passages, ...added];
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        }
        continue;
      }
      const outcome = this.check(result, passages);
      this.deps.log.info('llm answer', {
        model: this.model,
        rounds: round + 1,
        tools: called.join(',') || undefined,
        passages: passages.length,
        outcome: outcome.kind,
        reason: outcome.kind === 'fallback' ? outcome.reason : undefined,
        citations: outcome.kind === 'answer' ? outcome.citations.length : undefined,
      });
      return outcome;
    }
  }

  /** Runs one tool call; new passages get the next numbers and are rendered for the model. */
  private async runTool(call: ToolCall, ctx: ToolContext, have: Passage[]): Promise<{ content: string; added: Passage[] }> {
    const outcome = await this.tools.run(call.name, call.arguments, ctx);
    if (!outcome.ok) return { content: toolResult(JSON.stringify({ error: outcome.error })), added: [] };
    const room = Math.max(0, this.limits.maxPassages - have.length);
    const fresh = (outcome.result.passages ?? []).filter(
      (p) => !have.some((h) => h.docId === p.docId && h.heading === p.heading && h.text.startsWith(p.text.slice(0, 200))),
    );
    const added = numberPassages(fresh.slice(0, room), have.length + 1, this.limits.prompt);
    const parts: string[] = [];
    if (added.length) parts.push(renderPassages(added));
    else if (outcome.result.passages?.length) parts.push('(the passages found are already numbered above)');
    if (outcome.result.data !== undefined) parts.push(JSON.stringify(outcome.result.data));
    return { content: toolResult(parts.join('\n\n') || '(no results)'), added };
  }

  /** Turns the model's final content into an outcome: parsed, cited, grounded, or not. */
  private check(result: CompletionResult, passages: Passage[]): AnswerOutcome {
    const parsed = parseModelAnswer(result.content);
    if (!parsed) {
      throw new LlmFailure('malformed', result.finishReason === 'length' ? 'answer cut at the output cap' : 'answer is not the JSON asked for');
    }
    if (!parsed.answerable || !parsed.answer.trim()) return { kind: 'not-found' };
    const mapped = mapCitations(parsed.answer, parsed.citations, passages);
    if (mapped.citations.length === 0) return { kind: 'not-found' };
    // Not the question: a fee or a name the user suggested ("is the fee 50.000?") must still be in a
    // source, and only the documents the answer cites count: those are what the reader can check.
    const cited = new Set(mapped.citations.map((c) => c.id));
    const sources = passages
      .filter((p) => cited.has(p.docId))
      .flatMap((p) => [p.text, p.title, p.heading ?? '', p.source, p.url ?? '', p.date, formatDate(p.date)]);
    const invented = ungroundedClaims(mapped.text, sources);
    if (invented.length > 0) {
      // The kinds only: the claims themselves are the model's words about a user's question.
      const kinds = [...new Set(invented.map((c) => c.kind))].join(',');
      this.deps.log.info('llm answer has claims found in no cited passage, quoting instead', { kinds });
      return { kind: 'fallback', reason: 'ungrounded' };
    }
    return { kind: 'answer', text: mapped.text, citations: mapped.citations };
  }

  /** One model call under the budget, with at most one retry (none once output was shown). */
  private async complete(messages: ChatCompletionMessageParam[], opts: CompleteOptions): Promise<CompletionResult> {
    const plain = this.learned.plainOnly;
    try {
      return await this.completeOnce(messages, opts, plain);
    } catch (e) {
      const failure = toFailure(e, opts.deadline);
      if (plain || !failure.unsupportedFeature || !(opts.offerTools || opts.structured)) throw failure;
      // The prompt itself asks for the JSON answer, so a plain request still works, only less surely.
      this.learned.plainOnly = true;
      this.deps.log.warn('model server refused tools or structured output; sending plain requests from now on');
      return this.completeOnce(messages, opts, true);
    }
  }

  private async completeOnce(messages: ChatCompletionMessageParam[], opts: CompleteOptions, plain: boolean): Promise<CompletionResult> {
    const tools = opts.offerTools && !plain ? this.tools.definitions() : undefined;
    const inputTokens = estimateTokens(messagesChars(messages) + (tools ? JSON.stringify(tools).length : 0));
    const reservation = await this.budget.reserve(inputTokens + opts.maxTokens);
    if (!reservation) throw new LlmFailure('budget', 'daily token budget spent');
    let shown = false;
    let spent: number = reservation.tokens;
    try {
      const result = await withOneRetry(
        () => this.request(messages, tools, { ...opts, structured: opts.structured && !plain }, () => (shown = true)),
        this.retry,
        opts.deadline,
        () => !shown,
      );
      spent = result.usedTokens ?? inputTokens + estimateTokens(result.content.length + JSON.stringify(result.toolCalls).length);
      return result;
    } catch (e) {
      // Refused calls cost nothing; a timeout or a bad reply may have been paid for.
      const kind = toFailure(e, opts.deadline).kind;
      if (kind === 'rate-limited' || kind === 'server-error' || kind === 'connection' || kind === 'rejected') spent = 0;
      throw e;
    } finally {
      await this.budget.settle(reservation, spent);
    }
  }

  private async request(
    messages: ChatCompletionMessageParam[],
    tools: ReturnType<ToolRegistry['definitions']> | undefined,
    opts: CompleteOptions,
    markShown: () => void,
  ): Promise<CompletionResult> {
    const body = {
      model: this.model,
      messages,
      ...(this.deps.isOpenAI ? { max_completion_tokens: opts.maxTokens } : { max_tokens: opts.maxTokens }),
      ...(supportsTemperature(this.model) ? { temperature: 0.2 } : {}),
      ...(opts.structured
        ? { response_format: { type: 'json_schema' as const, json_schema: { name: 'grounded_answer', strict: true, schema: answerJsonSchema() } } }
        : {}),
      ...(tools ? { tools, tool_choice: 'auto' as const } : {}),
    };
    const requestOptions = { signal: opts.deadline.signal, timeout: Math.max(1, opts.deadline.remainingMs()), maxRetries: 0 };
    if (!opts.onContent) {
      const raw: unknown = await this.deps.client.chat.completions.create({ ...body, stream: false }, requestOptions);
      const result = readCompletion(raw);
      if (!result) throw new LlmFailure('malformed', 'completion has the wrong shape');
      return result;
    }
    const stream = await this.deps.client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      requestOptions,
    );
    const acc = new StreamAccumulator();
    for await (const chunk of stream) {
      const soFar = acc.add(chunk);
      if (soFar !== undefined && opts.onContent(soFar)) markShown();
    }
    const result = acc.result();
    if (!result.finishReason) throw new LlmFailure('malformed', 'stream ended before the model finished');
    return result;
  }
}

/** Reasoning models (o-series, gpt-5) accept only the default temperature. */
function supportsTemperature(model: string): boolean {
  return !/^(o\d|gpt-5)/i.test(model);
}

/** The rewritten question's first line, unquoted and masked; undefined when unusable. */
function cleanRewrite(content: string): string | undefined {
  const line = content
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) return undefined;
  const text = maskPersonalData(line.replace(/^(câu hỏi|question)\s*:\s*/i, '').replace(/^["“'«]+|["”'»]+$/g, '').trim());
  return text.length >= 3 && text.length <= 300 ? text : undefined;
}

export interface LlmSettings {
  apiKey: string;
  baseUrl?: string;
  model: string;
  embeddingModel: string;
  /** Tokens per day across all users; 0 turns generation off (quoting only). */
  dailyTokenBudget: number;
  /** Percent of the day's tokens one client address may spend (see forShare); absent means no cap. */
  addressSharePercent?: number;
}

interface CreateLlmDeps {
  store: Store;
  texts: Texts;
  log: Logger;
  now: () => Date;
  /** Read-only tools for the model (the composition root adds the features' tools). */
  tools?: Tool[];
  fetch?: typeof fetch;
  limits?: Partial<LlmLimits>;
  sleep?: (ms: number) => Promise<void>;
  /** The timer a deadline runs on (real by default; tests pass a fake one with a fake `now`). */
  setTimer?: SetTimer;
}

/** The Llm for a config: the SDK client, the daily budget, the tools and the embedder. */
export function createLlm(settings: LlmSettings, deps: CreateLlmDeps): Llm {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const client = createOpenAIClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl, timeoutMs: limits.timeoutMs, fetch: deps.fetch });
  const shareLimit =
    settings.addressSharePercent === undefined ? undefined : Math.floor((settings.dailyTokenBudget * settings.addressSharePercent) / 100);
  const budget = new TokenBudget(deps.store, settings.dailyTokenBudget, deps.now, deps.log, shareLimit);
  return new Llm({
    client,
    model: settings.model,
    isOpenAI: !settings.baseUrl || /^https:\/\/api\.openai\.com\b/.test(settings.baseUrl),
    texts: deps.texts,
    budget,
    tools: new ToolRegistry(deps.tools ?? []),
    embedder: new OpenAIEmbedder(client, settings.embeddingModel, budget),
    store: deps.store,
    log: deps.log,
    now: deps.now,
    limits,
    sleep: deps.sleep,
    setTimer: deps.setTimer,
  });
}
