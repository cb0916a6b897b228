/**
 * @module llm/prompt
 * What the model is sent, built by pure functions: the retrieved passages numbered [1], [2]…
 * with their source and date, the recent turns, the question and each tool result, inside their
 * own tags so the system prompt can say that all of it is data, never instructions. Text placed
 * inside a tag is defused so it cannot open or close one; everything user-written is also masked
 * here again (belt and braces), and every part is capped so the input stays small.
 */
import type { Turn } from '../core/conversation';
import { formatDate } from '../core/texts';
import { maskPersonalData } from '../privacy/mask';

/** A passage as retrieved: a section of one knowledge document. */
export interface PassageInput {
  docId: string;
  title: string;
  source: string;
  /** ISO date of the document. */
  date: string;
  url?: string;
  heading?: string;
  text: string;
}

/** A passage with the number the model cites it by. */
export interface Passage extends PassageInput {
  n: number;
}

export interface PromptLimits {
  /** Characters of one passage's text. */
  passageChars: number;
  /** Characters of all passages together. */
  passagesChars: number;
  /** Turns of history (a question and its answer are two). */
  historyTurns: number;
  /** Characters of one history turn. */
  turnChars: number;
  /** Characters of the question. */
  questionChars: number;
}

export const DEFAULT_PROMPT_LIMITS: PromptLimits = {
  passageChars: 1500,
  passagesChars: 9000,
  historyTurns: 6,
  turnChars: 500,
  questionChars: 1000,
};

interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** Numbers passages from `first` on, cutting each to the limit and dropping any beyond the total. */
export function numberPassages(inputs: PassageInput[], first = 1, limits: PromptLimits = DEFAULT_PROMPT_LIMITS): Passage[] {
  const out: Passage[] = [];
  let total = 0;
  for (const p of inputs) {
    const text = clip(p.text, limits.passageChars);
    if (out.length > 0 && total + text.length > limits.passagesChars) break;
    total += text.length;
    out.push({ ...p, text, n: first + out.length });
  }
  return out;
}

/**
 * `[n] Title — Source, 30/9/2023 — Heading` then the text: the format the system prompt describes.
 * Defused: an uploaded document or a tool's passage is data just as the question is.
 */
export function renderPassages(passages: Passage[]): string {
  return passages
    .map((p) => {
      const head = [p.title, `${p.source}, ${formatDate(p.date)}`, p.heading].filter(Boolean).join(' — ');
      return `[${p.n}] ${defuse(oneLine(head))}\n${defuse(p.text)}`;
    })
    .join('\n\n');
}

/** A tool's answer as the content of its tool message: inside its own tag, defused. */
export function toolResult(content: string): string {
  return `<tool_result>\n${defuse(content)}\n</tool_result>`;
}

/** The user message for an answer: passages, recent turns and the question, each tagged. */
export function buildAnswerMessages(
  system: string,
  passages: Passage[],
  question: string,
  history: Turn[],
  limits: PromptLimits = DEFAULT_PROMPT_LIMITS,
): ChatMessage[] {
  const parts = [`<passages>\n${passages.length ? renderPassages(passages) : '(none)'}\n</passages>`];
  const turns = renderHistory(history, limits);
  if (turns) parts.push(`<history>\n${turns}\n</history>`);
  parts.push(`<question>\n${asData(question, limits.questionChars)}\n</question>`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** The user message for rewriting a follow-up into a standalone question. */
export function buildRewriteMessages(
  system: string,
  question: string,
  history: Turn[],
  limits: PromptLimits = DEFAULT_PROMPT_LIMITS,
): ChatMessage[] {
  return [
    { role: 'system', content: system },
    {
      role: 'user',
      content: `<history>\n${renderHistory(history, limits) || '(none)'}\n</history>\n\n<question>\n${asData(question, limits.questionChars)}\n</question>`,
    },
  ];
}

/** The last turns as "user: …" / "assistant: …" lines, masked and clipped. */
function renderHistory(history: Turn[], limits: PromptLimits = DEFAULT_PROMPT_LIMITS): string {
  return history
    .slice(-limits.historyTurns)
    .map((t) => `${t.role}: ${oneLine(asData(t.text, limits.turnChars))}`)
    .join('\n');
}

/** User text made safe to place between our tags: personal numbers masked, and defused. */
export function asData(text: string, maxChars: number): string {
  return clip(defuse(maskPersonalData(text.normalize('NFC'))), maxChars);
}

/** Every tag the prompts use, written as readsAsOurTag compares them: text inside one must not open or close any. */
const TAGS = new Set(['passages', 'history', 'question', 'toolresult', 'system']);
/** Angle brackets a model may read as such: ASCII, full-width, small-form, and the angle quotes. */
const OPENERS = '<\uFF1C\uFE64\u2039\u3008\u2329\u27E8';
const CLOSERS = '>\uFF1E\uFE65\u203A\u3009\u232A\u27E9';
/** An opening bracket, what follows it up to the next bracket (40 characters at most), and the closer if any. */
const TAG_LIKE = new RegExp(`[${OPENERS}][^${OPENERS}${CLOSERS}]{0,40}[${CLOSERS}]?`, 'gu');
const CLOSER_AT_END = new RegExp(`[${CLOSERS}]$`, 'u');

/**
 * Text made unable to open or close one of our tags: any bracketed word that reads as one of
 * them once widths, case, spaces and invisible characters are set aside (`< /question >`,
 * `</ QUESTION>`, `＜/question＞`, also unclosed) loses its brackets. Repeated until nothing
 * changes, so removing one tag cannot join the brackets around it into another (`<<question>>`).
 */
function defuse(text: string): string {
  let out = text;
  for (let before = ''; before !== out; ) {
    before = out;
    out = out.replace(TAG_LIKE, (m) => (readsAsOurTag(m.slice(1)) ? m.slice(1).replace(CLOSER_AT_END, '') : m));
  }
  return out;
}

/** Whether a bracket's content reads as one of our tags: `/ QUESTION>`, `ｔｏｏｌ result`, `question id=1`. */
function readsAsOurTag(inside: string): boolean {
  const bare = inside.normalize('NFKC').toLowerCase().replace(/\p{Cf}/gu, '').replace(/^\s*[/\\]?\s*/, '');
  const [first = '', second = ''] = bare.split(/[^a-z_-]+/).map((w) => w.replace(/[_-]/g, ''));
  return TAGS.has(first) || TAGS.has(first + second);
}

/** Rough token count for budgeting: Vietnamese runs about 2.5 characters a token. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 2.5);
}

export function messagesChars(messages: Array<{ content?: unknown }>): number {
  return messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length), 0);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
