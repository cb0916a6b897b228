/**
 * @module handlers/ask
 * Free questions about procedures and the reform directives, plans and targets. Personal
 * numbers are masked first (and the user gently told); questions outside the assistant's remit
 * get a polite refusal saying what it can do; a follow-up is made standalone before the search.
 * With a model, the answer is written from the retrieved passages and cites them; without one,
 * or when the model fails or the day's token budget is spent, the best passages are quoted with
 * their sources. When nothing relevant is found it says so and where to ask; it never guesses.
 */
import type { Handler, HandlerBasics, HandlerContext } from '../src/core/handler';
import type { Conversation, Turn } from '../src/core/conversation';
import type { Block, Citation, Locale, Reply } from '../src/core/types';
import type { KnowledgeIndex } from '../src/search/knowledge-index';
import type { SearchHit } from '../src/search/relevance';
import { MIN_COVERAGE } from '../src/search/relevance';
import { redact, withoutPlaceholders } from '../src/privacy/mask';
import { classifyScope } from '../src/llm/scope';
import { heuristicStandalone, looksLikeFollowUp, previousQuestion } from '../src/llm/followup';
import type { Llm } from '../src/llm/llm';
import type { PassageInput } from '../src/llm/prompt';
import { describeError } from '../src/log';

/** Passages quoted at most, and how close to the best a passage must score to be quoted. */
const MAX_PASSAGES = 3;
const RELATIVE_SCORE = 0.6;
/** A model reads a little more than we would quote. */
const MODEL_PASSAGES = 5;
const MODEL_RELATIVE_SCORE = 0.4;
/** Turns of memory read for a follow-up and sent to the model. */
const HISTORY_TURNS = 6;
/** The query's embedding is skipped (words alone answer) when it takes longer than this. */
const EMBED_TIMEOUT_MS = 1500;


export interface AskDeps extends HandlerBasics {
  knowledge: KnowledgeIndex;
  /** Chat memory, for follow-ups and the model's context. */
  conversation: Conversation;
  /** The model for generated answers; absent without OPENAI_API_KEY (answers then quote passages). */
  llm?: Llm;
}

export function createAskHandler(deps: AskDeps): Handler {
  return {
    id: 'ask',
    commands: ['hoi', 'ask'],
    handle: (ctx) => ask(deps, ctx),
  };
}

async function ask(deps: AskDeps, ctx: HandlerContext): Promise<Reply> {
  const { inbound } = ctx;
  const { texts } = deps;
  const locale = inbound.locale;
  const { text: question, found: personal } = redact(ctx.args.normalize('NFC').trim());
  const notes: Block[] = personal.length ? [{ type: 'text', text: texts.get(locale, 'ask-personal-data') }] : [];
  const withNotes = (reply: Reply): Reply => (notes.length ? { ...reply, blocks: [...reply.blocks, ...notes] } : reply);

  if (!question) {
    return { intent: 'ask', blocks: [{ type: 'text', text: texts.get(locale, 'ask-empty') }], citations: [] };
  }
  const scope = classifyScope(question);
  if (!scope.inScope) {
    return withNotes({
      intent: 'out-of-scope',
      blocks: [
        { type: 'text', text: texts.get(locale, `ask-refusal-${scope.topic}`) },
        { type: 'text', text: texts.get(locale, 'ask-can-do') },
      ],
      citations: [],
      found: false,
    });
  }
  return withNotes(await answer(deps, ctx, question));
}

async function answer(deps: AskDeps, ctx: HandlerContext, question: string): Promise<Reply> {
  const { knowledge, texts } = deps;
  const locale = ctx.inbound.locale;
  // A web client's spending also counts against its address's fair part of the day's budget.
  const llm = deps.llm && ctx.inbound.clientAddress ? deps.llm.forShare(`addr:${ctx.inbound.clientAddress}`) : deps.llm;
  const history = await recentTurns(deps, ctx);
  // Placeholders such as [số điện thoại] are masking, not words to search for.
  const query = withoutPlaceholders(await standaloneQuery(question, history, llm, locale));
  const plain = withoutPlaceholders(question);

  // Hybrid (words + embeddings) when a model is configured; words alone otherwise or on failure.
  const search = (q: string) => knowledge.hybridSearch(q, { limit: 8, embedder: llm?.embedder, timeoutMs: EMBED_TIMEOUT_MS });
  let result = await search(query);
  if (!result.relevant && query !== plain) result = await search(plain);
  const quoted = () => quoteAnswer(pickForQuote(result.hits), query, (h, q) => knowledge.bestSentences(h.chunk, q), texts.get(locale, 'quote-intro'));

  if (!llm) return result.relevant ? quoted() : notFound(texts.get(locale, 'not-found'));
  // With no passage and no tool to look further, a model could only say "not found" at a cost.
  if (!result.relevant && llm.tools.size === 0) return notFound(texts.get(locale, 'not-found'));

  const outcome = await llm.answer({
    question,
    passages: result.relevant ? pickForModel(result.hits).map(toPassage) : [],
    history,
    locale,
    onPartial: ctx.onPartial,
  });
  switch (outcome.kind) {
    case 'answer':
      return {
        intent: 'ask',
        blocks: [
          { type: 'text', text: outcome.text },
          { type: 'text', text: texts.get(locale, 'ask-generated-disclaimer') },
        ],
        citations: outcome.citations,
        found: true,
      };
    case 'not-found':
      return notFound(texts.get(locale, 'not-found'));
    case 'fallback': {
      // Failures the user should know about get a short note; an answer we rejected does not.
      const note: Block[] = outcome.reason === 'ungrounded' ? [] : [{ type: 'text', text: texts.get(locale, 'ask-model-unavailable') }];
      const reply = result.relevant ? quoted() : notFound(texts.get(locale, 'not-found'));
      return { ...reply, blocks: [...note, ...reply.blocks] };
    }
  }
}

/** The last turns of this chat (masked when stored); none when memory is unreachable. */
async function recentTurns(deps: AskDeps, ctx: HandlerContext): Promise<Turn[]> {
  try {
    return await deps.conversation.recent(ctx.inbound.channel, ctx.inbound.chatId, HISTORY_TURNS);
  } catch (e) {
    deps.log.warn('conversation unreadable, answering without it', { error: describeError(e) });
    return [];
  }
}

/** The question to search with: a follow-up rewritten (by the model, else by joining it to the last question). */
async function standaloneQuery(question: string, history: Turn[], llm: Llm | undefined, locale: Locale): Promise<string> {
  const previous = previousQuestion(history);
  if (!previous || !looksLikeFollowUp(question)) return question;
  return (await llm?.rewrite(question, history, locale)) ?? heuristicStandalone(previous, question);
}

function pickForQuote(hits: SearchHit[]): SearchHit[] {
  const best = hits[0]?.score ?? 0;
  return hits.filter((h) => h.coverage >= MIN_COVERAGE && h.score >= best * RELATIVE_SCORE).slice(0, MAX_PASSAGES);
}

function pickForModel(hits: SearchHit[]): SearchHit[] {
  const best = hits[0]?.score ?? 0;
  return hits.filter((h) => h.score >= best * MODEL_RELATIVE_SCORE).slice(0, MODEL_PASSAGES);
}

function toPassage(h: SearchHit): PassageInput {
  return {
    docId: h.doc.id,
    title: h.doc.title,
    source: h.doc.source,
    date: h.doc.date,
    ...(h.doc.url ? { url: h.doc.url } : {}),
    heading: h.chunk.heading,
    text: h.chunk.text,
  };
}

function notFound(text: string): Reply {
  return { intent: 'ask', blocks: [{ type: 'text', text }], citations: [], found: false };
}

/** One quote block per passage, each pointing at its document's citation number. */
export function quoteAnswer(
  hits: SearchHit[],
  query: string,
  sentences: (hit: SearchHit, query: string) => string[],
  intro: string,
): Reply {
  const citations: Citation[] = [];
  const blocks: Block[] = [{ type: 'text', text: intro }];
  const quoted = new Set<string>();
  for (const hit of hits) {
    // Records that share a sentence (three kinds of chứng thực, say) would quote it thrice.
    const text = sentences(hit, query).join(' ');
    if (quoted.has(text)) continue;
    quoted.add(text);
    let n = citations.findIndex((c) => c.id === hit.doc.id);
    if (n < 0) {
      citations.push({ id: hit.doc.id, title: hit.doc.title, source: hit.doc.source, date: hit.doc.date, url: hit.doc.url });
      n = citations.length - 1;
    }
    blocks.push({ type: 'quote', text, cite: n + 1 });
  }
  return { intent: 'ask', blocks, citations, found: true };
}
