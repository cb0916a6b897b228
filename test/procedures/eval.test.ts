/**
 * The procedure eval set (test/procedures/eval-questions.json): every question, typed with or without
 * marks, must be routed to the procedures handler and answered directly from the right record
 * with the expected fact. The file uses the shared eval schema (scripts/bench/eval-set.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bundledProcedures } from '../../src/procedures/load';
import { canonicalNumbers, fold, hasDiacritics, normalize } from '../../src/text/normalize';
import type { Reply } from '../../src/core/types';
import { bareProcedures } from './fixtures/services';

const EvalFile = z.strictObject({
  description: z.string(),
  questions: z
    .array(
      z.strictObject({
        id: z.string().startsWith('tt-'),
        question: z.string().min(2),
        doc: z.string(),
        fact: z.string().min(1),
        tags: z.array(z.string()),
      }),
    )
    .min(40),
});

const file = EvalFile.parse(JSON.parse(readFileSync(join(import.meta.dirname, 'eval-questions.json'), 'utf8')));
const { handler } = bareProcedures();
const comparable = (s: string) => fold(canonicalNumbers(normalize(s))).replace(/\s+/g, ' ');
const replyText = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');

describe('procedure eval set', () => {
  it('names real records and mixes questions typed with and without marks over every field', () => {
    const ids = new Set(bundledProcedures().map((p) => p.id));
    for (const q of file.questions) expect(ids, q.id).toContain(q.doc);
    const unaccented = file.questions.filter((q) => !hasDiacritics(q.question)).length;
    expect(unaccented).toBeGreaterThanOrEqual(15);
    expect(file.questions.length - unaccented).toBeGreaterThanOrEqual(15);
    const tags = new Set(file.questions.flatMap((q) => q.tags));
    for (const t of ['fee', 'time', 'documents', 'where', 'online']) expect(tags).toContain(t);
  });

  it.each(file.questions.map((q) => [q.id, q] as const))('%s is answered from the right record with its fact', async (_id, q) => {
    expect(handler.detect!(q.question)).toBeGreaterThanOrEqual(0.5);
    const reply = await handler.handle({
      inbound: { channel: 'web', chatId: 'eval', userId: 'eval', text: q.question, locale: 'vi', role: 'citizen' },
      args: q.question,
    });
    expect(reply.citations.map((c) => c.id)).toEqual([q.doc]);
    expect(comparable(replyText(reply))).toContain(comparable(q.fact));
  });
});
