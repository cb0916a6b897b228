/**
 * @module llm/answer
 * What comes back from the model, checked before anyone reads it: the structured answer
 * (zod schema, also sent as the JSON schema of the response format), its passage numbers
 * mapped to the reply's citations (numbers pointing at no passage dropped, markers in the text
 * renumbered), the answer's text while it is still streaming, and a check that every number
 * in the answer (a date, a fee, a time limit) appears in a passage it could come from.
 */
import { z } from 'zod';
import type { Citation } from '../core/types';
import type { Passage } from './prompt';

export const ModelAnswerSchema = z
  .object({
    answer: z.string().max(6000),
    citations: z.array(z.number().int()).max(50),
    answerable: z.boolean(),
  })
  .strict();
export type ModelAnswer = z.infer<typeof ModelAnswerSchema>;

/** The JSON schema sent as `response_format` (strict structured output). */
export function answerJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(ModelAnswerSchema) as Record<string, unknown>;
  return schema;
}

/**
 * Parses the model's content leniently about wrapping (a ```json fence or words around the
 * object, as some compatible servers produce) and strictly about the shape. Undefined when it
 * is not a valid answer.
 */
export function parseModelAnswer(content: string | null | undefined): ModelAnswer | undefined {
  if (!content) return undefined;
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const parsed = ModelAnswerSchema.safeParse(JSON.parse(content.slice(start, end + 1)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The text of the "answer" field so far, from a JSON object still being streamed
 * (`{"answer":"Theo Chỉ thị [1], hạn chót là 30/` → `Theo Chỉ thị [1], hạn chót là 30/`).
 * Undefined until the field has started.
 */
export function partialAnswer(json: string): string | undefined {
  const m = /"answer"\s*:\s*"/.exec(json);
  if (!m) return undefined;
  let out = '';
  for (let i = m.index + m[0].length; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = json[i + 1];
    if (next === undefined) return out; // escape cut in half: wait for the rest
    if (next === 'u') {
      const hex = json.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return out;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
    i += 1;
  }
  return out;
}

/** Text without citation markers ([1], [1, 2]) and without a marker cut off at the end. */
export function stripMarkers(text: string): string {
  return text
    .replace(/\s*\[\d+(?:\s*[,;]\s*\d+)*\]/g, '')
    .replace(/\s*\[[\d,;\s]*$/, '')
    .trimEnd();
}

export interface MappedAnswer {
  text: string;
  citations: Citation[];
}

/**
 * Turns passage numbers into the reply's citations: one per document, in order of first
 * citation, numbered from 1; markers in the text are renumbered to match and markers to no
 * passage are removed. Numbers the model listed but did not place in the text still count.
 */
export function mapCitations(answer: string, cited: number[], passages: Passage[]): MappedAnswer {
  const byN = new Map(passages.map((p) => [p.n, p]));
  const citations: Citation[] = [];
  const citationOf = (n: number): number | undefined => {
    const p = byN.get(n);
    if (!p) return undefined;
    let i = citations.findIndex((c) => c.id === p.docId);
    if (i < 0) {
      citations.push({ id: p.docId, title: p.title, source: p.source, date: p.date, ...(p.url ? { url: p.url } : {}) });
      i = citations.length - 1;
    }
    return i + 1;
  };
  const inText = [...answer.matchAll(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g)].flatMap((m) => m[1]!.split(/[,;]/).map((x) => Number(x.trim())));
  const valid = new Set([...inText, ...cited].filter((n) => byN.has(n)));
  // Assign citation numbers in reading order first, then for numbers listed but not placed.
  for (const n of [...inText, ...cited]) if (valid.has(n)) citationOf(n);

  const text = answer
    .replace(/\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]/g, (_m, list: string) => {
      const nums = [...new Set(list.split(/[,;]/).map((x) => citationOf(Number(x.trim()))).filter((x): x is number => x !== undefined))];
      return nums.length ? ` ${nums.map((k) => `[${k}]`).join('')}` : '';
    })
    .trim();
  return { text, citations };
}

/**
 * Numbers in the answer (dates, fees, time limits, percentages) that appear in none of the
 * given texts: a sign the model added a fact. Separators are ignored (1.711 = 1711) and a
 * number may also match part by part (30/9/2023 matches "30/9/2023" or "ngày 30 tháng 9 năm 2023").
 */
export function ungroundedNumbers(answer: string, sources: string[]): string[] {
  const known = new Set<string>();
  for (const s of sources) {
    for (const m of s.matchAll(NUMBER)) {
      known.add(canon(m[0]));
      for (const part of m[0].split(/[^\d]+/)) if (part) known.add(canon(part));
    }
  }
  const withoutMarkers = answer.replace(/\[\d+(?:\s*[,;]\s*\d+)*\]/g, ' ');
  const missing: string[] = [];
  for (const m of withoutMarkers.matchAll(NUMBER)) {
    const parts = m[0].split(/[^\d]+/).filter(Boolean);
    if (known.has(canon(m[0])) || parts.every((p) => known.has(canon(p)))) continue;
    missing.push(m[0]);
  }
  return missing;
}

/** A number with its separators: 30/9/2023, 1.711, 85,52, 2021-2025, 100.000. */
const NUMBER = /\d+(?:[./,:-]\d+)*/g;

function canon(n: string): string {
  return n.replace(/[^\d]/g, '').replace(/^0+(?=\d)/, '');
}
