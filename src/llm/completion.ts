/**
 * @module llm/completion
 * The parts of a chat completion this project reads, checked with zod whether they came as one
 * JSON object or as a stream of chunks: the content, the tool calls (assembled from their
 * deltas in a stream), why the model stopped, and the token usage. Anything else a server
 * sends is ignored, so any OpenAI-compatible server's extras do no harm.
 */
import { z } from 'zod';

const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const UsageSchema = z
  .object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() })
  .loose();

const CompletionSchema = z
  .object({
    choices: z
      .array(
        z
          .object({
            message: z
              .object({ content: z.string().nullish(), tool_calls: z.array(ToolCallSchema).nullish() })
              .loose(),
            finish_reason: z.string().nullish(),
          })
          .loose(),
      )
      .min(1),
    usage: UsageSchema.nullish(),
  })
  .loose();

export const ChunkSchema = z
  .object({
    choices: z
      .array(
        z
          .object({
            delta: z
              .object({
                content: z.string().nullish(),
                tool_calls: z
                  .array(
                    z
                      .object({
                        index: z.number().int().nonnegative(),
                        id: z.string().nullish(),
                        function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).loose().nullish(),
                      })
                      .loose(),
                  )
                  .nullish(),
              })
              .loose()
              .nullish(),
            finish_reason: z.string().nullish(),
          })
          .loose(),
      )
      .default([]),
    usage: UsageSchema.nullish(),
  })
  .loose();

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text as the model wrote it (validated by the tool's schema, not trusted). */
  arguments: string;
}

export interface CompletionResult {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | undefined;
  /** Tokens the server reported, or undefined when it did not say. */
  usedTokens: number | undefined;
}

/** A whole completion (non-streamed); undefined when it is not the shape we read. */
export function readCompletion(raw: unknown): CompletionResult | undefined {
  const parsed = CompletionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const choice = parsed.data.choices[0]!;
  const usage = parsed.data.usage;
  return {
    content: choice.message.content ?? '',
    toolCalls: (choice.message.tool_calls ?? []).map((t) => ({ id: t.id, name: t.function.name, arguments: t.function.arguments })),
    finishReason: choice.finish_reason ?? undefined,
    usedTokens: usage ? usage.prompt_tokens + usage.completion_tokens : undefined,
  };
}

/** Assembles a streamed completion chunk by chunk (tool-call arguments arrive in pieces). */
export class StreamAccumulator {
  private content = '';
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private finishReason: string | undefined;
  private usedTokens: number | undefined;

  /** Adds one chunk; returns the content so far, or undefined when the chunk is not one we read. */
  add(raw: unknown): string | undefined {
    const parsed = ChunkSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    for (const choice of parsed.data.choices) {
      if (choice.delta?.content) this.content += choice.delta.content;
      for (const t of choice.delta?.tool_calls ?? []) {
        const call = this.calls.get(t.index) ?? { id: '', name: '', arguments: '' };
        if (t.id) call.id = t.id;
        if (t.function?.name) call.name += t.function.name;
        if (t.function?.arguments) call.arguments += t.function.arguments;
        this.calls.set(t.index, call);
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    const usage = parsed.data.usage;
    if (usage) this.usedTokens = usage.prompt_tokens + usage.completion_tokens;
    return this.content;
  }

  result(): CompletionResult {
    return {
      content: this.content,
      toolCalls: [...this.calls.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([i, c]) => ({ id: c.id || `call_${i}`, name: c.name, arguments: c.arguments })),
      finishReason: this.finishReason,
      usedTokens: this.usedTokens,
    };
  }
}
