/**
 * @module llm/followup
 * Follow-up questions ("còn cấp xã thì sao?", "what about fees?") only make sense with the
 * question before them. These pure helpers say when a message looks like one, find the
 * question it follows, and build a search query from both when no model can rewrite it.
 */
import type { Turn } from '../core/conversation';
import { fold } from '../text/normalize';

/** Intents whose questions a follow-up can continue (free questions and procedure look-ups). */
const CONTINUABLE = new Set(['ask', 'procedure', 'procedures']);

const LEADS = ['con ', 'the con ', 'vay con ', 'vay ', 'the ', 'neu ', 'va ', 'con neu ', 'what about ', 'how about ', 'and ', 'and if '];
const MARKERS = ['thi sao', 'the nao', 'ra sao', 'thi the nao', 'o dau', 'bao nhieu', 'bao lau', 'can gi', 'what about', 'how about'];
const PRONOUNS = ['no', 'cai do', 'van ban do', 'thu tuc do', 'thu tuc nay', 'chi thi do', 'viec do', 'it', 'that one', 'this one'];
/** A follow-up is short; a long message carries its own context. */
const MAX_FOLLOW_UP_WORDS = 10;

/** Whether a message reads like it continues the previous question rather than standing alone. */
export function looksLikeFollowUp(text: string): boolean {
  const f = fold(text.normalize('NFC').toLowerCase()).replace(/[?!.…]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!f) return false;
  const words = f.split(' ');
  if (words.length > MAX_FOLLOW_UP_WORDS) return false;
  if (LEADS.some((l) => (f + ' ').startsWith(l))) return true;
  if (words.length <= 5 && MARKERS.some((m) => f.includes(m))) return true;
  return words.some((w, i) => PRONOUNS.includes(w) || PRONOUNS.includes(`${w} ${words[i + 1] ?? ''}`));
}

/**
 * The last user question that an answer of a continuable intent followed, or undefined.
 * Turns are oldest first, as Conversation.recent returns them.
 */
export function previousQuestion(history: Turn[]): string | undefined {
  for (let i = history.length - 1; i > 0; i--) {
    const t = history[i]!;
    const before = history[i - 1]!;
    if (t.role === 'assistant' && before.role === 'user') {
      return t.intent === undefined || CONTINUABLE.has(t.intent) ? before.text : undefined;
    }
  }
  return undefined;
}

/**
 * Without a model: the previous question joined with the follow-up, minus its filler words,
 * so the search sees both the old subject and the new detail.
 */
export function heuristicStandalone(previous: string, followUp: string): string {
  const detail = followUp
    .normalize('NFC')
    .replace(/^\s*(còn|thế còn|vậy còn|vậy|thế|và|nếu|what about|how about|and)\s+/iu, '')
    .replace(/\s*(thì sao|thì thế nào|ra sao|thế nào)\s*[?!.]*\s*$/iu, '')
    .replace(/[?!.]+\s*$/u, '')
    .trim();
  return `${previous.trim().replace(/[?!.]+$/u, '')} ${detail}`.trim();
}
