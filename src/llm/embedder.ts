/**
 * @module llm/embedder
 * Text embeddings from an OpenAI-compatible /v1/embeddings endpoint, for the hybrid search.
 * Texts are masked before they leave, the reply is checked with zod (one vector per text, in
 * order), and the tokens count against the same daily budget as answers (fail closed).
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import type { Embedder } from '../search/vectors';
import type { TokenBudget } from './budget';
import { LlmFailure, toFailure } from './client';
import { estimateTokens } from './prompt';
import { maskPersonalData } from '../privacy/mask';

export type { Embedder };

const EmbeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().nonnegative() }).loose().nullish(),
});

/** Characters of one text sent for embedding (a query or a passage is far shorter). */
const MAX_TEXT_CHARS = 4000;

export class OpenAIEmbedder implements Embedder {
  constructor(
    private readonly client: OpenAI,
    /** The search compares it with the stored vectors' model before using them. */
    readonly model: string,
    private readonly budget: TokenBudget,
  ) {}

  /** One vector per text, in order; rejects with an LlmFailure (the search then falls back to words). */
  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const input = texts.map((t) => maskPersonalData(t.normalize('NFC')).slice(0, MAX_TEXT_CHARS));
    const reservation = await this.budget.reserve(estimateTokens(input.reduce((n, t) => n + t.length, 0)));
    if (!reservation) throw new LlmFailure('budget', 'daily token budget spent');
    let used = reservation.tokens;
    try {
      const raw: unknown = await this.client.embeddings.create(
        { model: this.model, input, encoding_format: 'float' },
        { signal },
      );
      const parsed = EmbeddingsSchema.safeParse(raw);
      if (!parsed.success || parsed.data.data.length !== input.length) {
        throw new LlmFailure('malformed', 'embeddings reply has the wrong shape');
      }
      if (parsed.data.usage) used = parsed.data.usage.prompt_tokens;
      return [...parsed.data.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    } catch (e) {
      throw toFailure(e);
    } finally {
      await this.budget.settle(reservation, used);
    }
  }
}
