/**
 * @module handlers/ask
 * Free questions about procedures and the reform directives, plans and targets. Personal
 * numbers are masked first (and the user gently told); questions outside the assistant's remit
 * get a polite refusal saying what it can do; a follow-up is made standalone before the search.
 * With a model, the answer is written from the retrieved passages and cites them; without one,
 * or when the model fails or the day's token budget is spent, the best passages are quoted with
 * their sources. When nothing relevant is found it says so and where to ask; it never guesses.
 * Places and time: "what is Bình Dương now" is answered from the place registry; a former
 * province named in a question is labelled with what it is part of now; a quote from an old
 * source carries its date, and a question about the present that only old sources answer says so.
 * A quote is given only when a sentence carries the fact asked for (src/answer): a number for
 * "bao nhiêu", a name for "ai", of the place and year asked; otherwise the reply says it does not
 * know and offers the passages apart, as related reading. A question about the district level as
 * it is now ("UBND cấp huyện còn giải quyết … không") is told that level ended, from the sources.
 */
import type { Handler, HandlerBasics, HandlerContext } from '../src/core/handler';
import type { Conversation, Turn } from '../src/core/conversation';
import type { Block, Citation, Locale, Reply } from '../src/core/types';
import type { KnowledgeSearch } from '../src/search/live-index';
import type { SearchHit } from '../src/search/relevance';
import { MIN_COVERAGE } from '../src/search/relevance';
import { redact, withoutPlaceholders } from '../src/privacy/mask';
import { classifyScope } from '../src/llm/scope';
import { heuristicStandalone, looksLikeFollowUp, previousQuestion } from '../src/llm/followup';
import type { Llm } from '../src/llm/llm';
import type { PassageInput } from '../src/llm/prompt';
import { describeError } from '../src/log';
import { formatDate } from '../src/core/texts';
import { placeStatusAnswer, joinList, type PlaceRegistry } from '../src/knowledge/places';
import { asksAboutPresent, isOldSource } from '../src/knowledge/time';
import { asksAboutGoneLevel, classifyAsk, foldedWords, levelsIn } from '../src/answer/ask-type';
import { carriesAsked, judge } from '../src/answer/answers';
import { documentFact, historyNote, noLongerInForce, parseDocumentQuestion } from '../src/knowledge/document-facts';
import { vnDay } from '../src/core/vn-time';
import type { SearchResult } from '../src/search/relevance';

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


interface AskDeps extends HandlerBasics {
  knowledge: KnowledgeSearch;
  /** Chat memory, for follow-ups and the model's context. */
  conversation: Conversation;
  /** The model for generated answers; absent without OPENAI_API_KEY (answers then quote passages). */
  llm?: Llm;
  /** The place registry (knowledge/places.json): what each former province is part of now. */
  places?: PlaceRegistry;
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
  // "Is Bình Dương still a province?" has one answer, the registry's: no search, no model. Asked
  // of the message itself: a follow-up joined to an earlier place question must not repeat it.
  const direct = deps.places && placeStatusAnswer(deps.places, plain, texts, locale);
  if (direct) return registryAnswer(deps, direct.text, direct.docIds);
  // "05-NQ/TU về nội dung gì / ban hành ngày nào / ai ký / còn hiệu lực không": from the metadata.
  const fact = documentQuestion(deps, plain, locale);
  if (fact) return registryAnswer(deps, fact.text, fact.docIds);
  // "UBND cấp huyện còn … không": the level is gone; no passage about it answers for today.
  const plainAsk = classifyAsk(plain, deps.places);
  if (asksAboutGoneLevel(plainAsk, plain)) return goneLevelAnswer(deps, plainAsk.kind === 'yes-no', locale);
  const time = timeFrame(deps, query, locale);

  // Hybrid (words + embeddings) when a model is configured; words alone otherwise or on failure.
  const search = (q: string) => knowledge.hybridSearch(q, { limit: 8, embedder: llm?.embedder, timeoutMs: EMBED_TIMEOUT_MS });
  let result = inForce(deps, query, await search(query));
  if (!result.relevant && query !== plain) result = inForce(deps, plain, await search(plain));
  const quoted = (): Reply => {
    const picked = pickForQuote(result.hits);
    // A quote is an answer only when a sentence carries the fact asked for, of the place, year
    // and document asked about; passages about another place or year are not quoted at all.
    const asked = classifyAsk(query, deps.places);
    const sentences = new Map(picked.map((h) => [h, knowledge.bestSentences(h.chunk, query)]));
    const verdicts = picked.map((h) => judge(asked, { text: sentences.get(h)!.join(' '), context: `${h.doc.title}\n${h.chunk.heading}` }, deps.places));
    if (!verdicts.includes('answers')) return { ...notFound(texts.get(locale, 'not-found')), related: citationsOf(picked) };
    // A level asked ("chỉ tiêu cấp xã") is answered only by passages about that level.
    const kept = picked.filter((_, i) => verdicts[i] === 'answers' || (verdicts[i] === 'off' && !asked.levels.length));
    const reply = quoteAnswer(kept, query, (h) => sentences.get(h)!, time.intro, time.frame);
    const [intro, ...rest] = reply.blocks;
    return { ...reply, blocks: [intro!, ...time.notes(kept.map((h) => h.doc.date)), ...rest, ...historyNotes(deps, kept, locale)] };
  };

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
    case 'answer': {
      // The model's "answerable" is held to the question's constraints as a quote is: an answer
      // about another place, year, level or document (a sibling province's figure) is refused,
      // its sources offered only as related reading.
      const asked = classifyAsk(query, deps.places);
      const context = outcome.citations.map((c) => c.title).join('\n');
      if (judge(asked, { text: outcome.text, context }, deps.places) === 'contradicts') {
        return { ...notFound(texts.get(locale, 'not-found')), related: outcome.citations };
      }
      // And to the ask's type: prose with no amount for "bao nhiêu", no name for "ai" did not
      // answer; the sources are quoted instead when a sentence of theirs does.
      if (!carriesAsked(asked, outcome.text, deps.places)) {
        return result.relevant ? quoted() : { ...notFound(texts.get(locale, 'not-found')), related: outcome.citations };
      }
      return {
        intent: 'ask',
        blocks: [
          { type: 'text', text: outcome.text },
          ...time.notes(outcome.citations.map((c) => c.date), true),
          { type: 'text', text: texts.get(locale, 'ask-generated-disclaimer') },
        ],
        citations: outcome.citations,
        found: true,
      };
    }
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

/** Search words for the sources that tell the district level ended (history, not a direction). */
const LEVEL_ENDED_QUERY = 'cấp huyện kết thúc hoạt động từ 1/7/2025, không còn UBND quận huyện';
/** A sentence that says so: it names the district level and its end. */
const LEVEL_ENDED = /\b(ket thuc|khong con|bo cap huyen|chuyen ve)\b/;

/**
 * "The district level no longer exists" (the date from the place registry), with the sentences
 * of the sources that say so quoted and cited; "Không." first for a yes/no question.
 */
async function goneLevelAnswer(deps: AskDeps, yesNo: boolean, locale: Locale): Promise<Reply> {
  const { knowledge, texts } = deps;
  const since = deps.places ? formatDate(deps.places.since) : '1/7/2025';
  const result = await knowledge.hybridSearch(LEVEL_ENDED_QUERY, { limit: 5 });
  const quotes = result.hits
    .map((h) => ({ hit: h, text: knowledge.bestSentences(h.chunk, LEVEL_ENDED_QUERY).join(' ') }))
    .filter((q) => levelsIn(q.text).has('district') && LEVEL_ENDED.test(foldedWords(q.text)))
    .slice(0, 2);
  const citations: Citation[] = [];
  const blocks: Block[] = [];
  if (yesNo) blocks.push({ type: 'text', text: texts.get(locale, 'place-no') });
  blocks.push({ type: 'text', text: texts.get(locale, 'ask-level-gone', { since }) });
  for (const q of quotes) {
    let n = citations.findIndex((c) => c.id === q.hit.doc.id);
    if (n < 0) n = citations.push(citationOf(q.hit)) - 1;
    blocks.push({ type: 'quote', text: q.text, cite: n + 1 });
  }
  return { intent: 'ask', blocks, citations, found: true };
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

/** The registry's answer, citing the documents that state it. */
/** A question about a published document itself, answered from its metadata (knowledge/document-facts). */
function documentQuestion(deps: AskDeps, question: string, locale: Locale): { text: string; docIds: string[] } | undefined {
  const asked = parseDocumentQuestion(question);
  const doc = asked && deps.knowledge.findByNumber?.(asked.number)[0];
  if (!asked || !doc) return undefined;
  return documentFact(doc, asked.ask, { texts: deps.texts, locale, today: vnDay(deps.now()), document: (id) => deps.knowledge.document(id) });
}

/**
 * A question about the present is not answered from a document no longer in force (superseded
 * or expired); other questions may be, for history, with a note (historyNotes).
 */
function inForce<R extends SearchResult>(deps: AskDeps, query: string, result: R): R {
  if (!asksAboutPresent(query)) return result;
  const today = vnDay(deps.now());
  const hits = result.hits.filter((h) => !noLongerInForce(h.doc, today));
  if (hits.length === result.hits.length) return result;
  return { ...result, hits, relevant: result.relevant && hits.length > 0 };
}

/** "Lưu ý: … đã hết hiệu lực từ …, thay bằng …" under quotes from documents no longer in force. */
function historyNotes(deps: AskDeps, hits: readonly SearchHit[], locale: Locale): Block[] {
  const deps2 = { texts: deps.texts, locale, today: vnDay(deps.now()), document: (id: string) => deps.knowledge.document(id) };
  const seen = new Set<string>();
  return hits.flatMap((h) => {
    if (seen.has(h.doc.id)) return [];
    seen.add(h.doc.id);
    const note = historyNote(h.doc, deps2);
    return note ? [{ type: 'text' as const, text: note }] : [];
  });
}

function registryAnswer(deps: AskDeps, text: string, docIds: string[]): Reply {
  const citations: Citation[] = docIds.flatMap((id) => {
    const d = deps.knowledge.document(id);
    return d ? [{ id: d.id, title: d.title, source: d.source, date: d.date, url: d.url }] : [];
  });
  return { intent: 'ask', blocks: [{ type: 'text', text }], citations, found: true };
}

interface TimeFrame {
  /** The line before the quotes: names the former provinces the question is about, if any. */
  intro: string;
  /** "Theo tin ngày 6/7/2022:" before a quote from an old source. */
  frame: (hit: SearchHit) => string | undefined;
  /**
   * Notes for an answer built on sources of these dates: that they are old, when the question
   * asks about the present and every one of them is; with `placeNote`, the former provinces too.
   */
  notes: (dates: string[], placeNote?: boolean) => Block[];
}

function timeFrame(deps: AskDeps, question: string, locale: Locale): TimeFrame {
  const { texts } = deps;
  const now = deps.now();
  const formers = deps.places ? deps.places.formerIn(question).map((p) => deps.places!.formerLabel(p, texts, locale)) : [];
  const places = joinList(formers, texts, locale);
  const present = asksAboutPresent(question);
  return {
    intro: formers.length ? texts.get(locale, 'quote-intro-place', { places }) : texts.get(locale, 'quote-intro'),
    frame: (hit) => (isOldSource(hit.doc.date, now) ? texts.get(locale, 'quote-dated', { date: formatDate(hit.doc.date) }) : undefined),
    notes: (dates, placeNote = false) => {
      const blocks: Block[] = [];
      if (placeNote && formers.length) blocks.push({ type: 'text', text: texts.get(locale, 'ask-place-note', { places }) });
      const newest = [...dates].sort().at(-1);
      if (present && newest && isOldSource(newest, now)) {
        blocks.push({ type: 'text', text: texts.get(locale, 'ask-old-sources', { date: formatDate(newest) }) });
      }
      return blocks;
    },
  };
}

function notFound(text: string): Reply {
  return { intent: 'ask', blocks: [{ type: 'text', text }], citations: [], found: false };
}

/**
 * One quote block per passage, each pointing at its document's citation number; `frame` gives
 * the line that dates a quote from an old source ("Theo tin ngày 6/7/2022:"), said once for a
 * run of quotes it frames alike. It stays outside the quote: the source did not say it.
 */
export function quoteAnswer(
  hits: SearchHit[],
  query: string,
  sentences: (hit: SearchHit, query: string) => string[],
  intro: string,
  frame: (hit: SearchHit) => string | undefined = () => undefined,
): Reply {
  const citations: Citation[] = [];
  const blocks: Block[] = [{ type: 'text', text: intro }];
  const quoted = new Set<string>();
  let lastFrame: string | undefined;
  for (const hit of hits) {
    // Records that share a sentence (three kinds of chứng thực, say) would quote it thrice.
    const text = sentences(hit, query).join(' ');
    if (quoted.has(text)) continue;
    quoted.add(text);
    const framing = frame(hit);
    if (framing && framing !== lastFrame) blocks.push({ type: 'text', text: framing });
    lastFrame = framing;
    let n = citations.findIndex((c) => c.id === hit.doc.id);
    if (n < 0) {
      citations.push(citationOf(hit));
      n = citations.length - 1;
    }
    blocks.push({ type: 'quote', text, cite: n + 1 });
  }
  return { intent: 'ask', blocks, citations, found: true };
}

function citationOf(hit: SearchHit): Citation {
  return { id: hit.doc.id, title: hit.doc.title, source: hit.doc.source, date: hit.doc.date, url: hit.doc.url };
}

/** Each document of these passages once, in order: the related reading offered with a refusal. */
function citationsOf(hits: SearchHit[]): Citation[] {
  return [...new Map(hits.map((h) => [h.doc.id, citationOf(h)])).values()];
}
