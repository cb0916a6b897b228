/**
 * @module handlers/ask
 * Free questions about the reform directives, plans and targets: answered from the knowledge
 * search by quoting the best passages with their sources. When nothing relevant is found it
 * says so and where to ask instead; it never guesses.
 */
import type { Handler } from '../src/core/handler';
import type { Block, Citation, Reply } from '../src/core/types';
import type { SearchHit } from '../src/search/index';
import { MIN_COVERAGE } from '../src/search/index';

/** Passages quoted at most, and how close to the best a passage must score to be quoted. */
const MAX_PASSAGES = 3;
const RELATIVE_SCORE = 0.6;

export const askHandler: Handler = {
  id: 'ask',
  commands: ['hoi', 'ask'],
  async handle({ inbound, args, services }) {
    const { knowledge, texts } = services;
    const locale = inbound.locale;
    if (!args.trim()) {
      return { intent: 'ask', blocks: [{ type: 'text', text: texts.get(locale, 'ask-empty') }], citations: [] };
    }
    const result = knowledge.search(args, { limit: 8 });
    if (!result.relevant) return notFound(texts.get(locale, 'not-found'));

    const best = result.hits[0]!.score;
    const chosen = result.hits
      .filter((h) => h.coverage >= MIN_COVERAGE && h.score >= best * RELATIVE_SCORE)
      .slice(0, MAX_PASSAGES);
    return quoteAnswer(chosen, args, (h, q) => knowledge.bestSentences(h.chunk, q), texts.get(locale, 'quote-intro'));
  },
};

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
  for (const hit of hits) {
    let n = citations.findIndex((c) => c.id === hit.doc.id);
    if (n < 0) {
      citations.push({ id: hit.doc.id, title: hit.doc.title, source: hit.doc.source, date: hit.doc.date, url: hit.doc.url });
      n = citations.length - 1;
    }
    blocks.push({ type: 'quote', text: sentences(hit, query).join(' '), cite: n + 1 });
  }
  return { intent: 'ask', blocks, citations, found: true };
}
