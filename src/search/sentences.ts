/**
 * @module search/sentences
 * Splits a chunk's text into the sentences quoted to the user. A sentence ends at ".", "?",
 * "!" or "…" (and any closing quote or bracket) followed by a space and something that can
 * start a sentence; every line is its own sentence. A dot that belongs to a word does not end
 * one: Vietnamese abbreviations before a name or number ("TP. Thủ Dầu Một", "Q. 1",
 * "PGS.TS. Lê Văn A"), initials ("Nguyễn V. An"), list markers ("gồm: 1. …; 2. …") and "v.v."
 * inside a sentence. Dots with no space after them (1.711, 30.9.2023, URLs, e-mails) never do.
 */

/** Abbreviations that always precede a word (a place, a title before a name, a number), as written. */
const PREFIX_ABBREVIATIONS = new Set(['TP', 'Tp', 'tp', 'Q', 'P', 'TT', 'TX', 'H', 'ThS', 'TS', 'PGS', 'GS', 'St', 'No']);
/** "v.v." (etc.) closes a list: it ends the sentence only when a new one visibly starts. */
const ETC = 'v.v';
/** A list marker's number or letter: 1, 1.2, II, a. */
const LIST_MARKER = /^(?:\d{1,2}(?:\.\d{1,2})*|[IVXLC]+|[a-zđ])$/u;
/** A bullet at the start of a line, dropped from the quote. */
const BULLET = /^[-*•]\s+/;
/** Candidate ends: the marks (with closing quotes or brackets), the space after, the next character. */
const CANDIDATE_END = /([.!?…]+[”"’»)\]]*)\s+(?=(\S))/gu;
/** What may start the next sentence: a capital, a digit, an opening quote or bracket, a dash. */
const SENTENCE_START = /[\p{Lu}\p{Nd}“"«(\[–-]/u;
const CAPITAL = /\p{Lu}/u;
/** The word the dot is attached to: letters, digits and inner dots ("PGS.TS", "v.v", "1.2"). */
const WORD_BEFORE = /[\p{L}\p{N}.]+$/u;

/** The sentences of a text, in order, trimmed, list bullets dropped. */
export function splitSentences(text: string): string[] {
  return text.split(/\n+/).flatMap(splitLine);
}

function splitLine(line: string): string[] {
  const body = line.trim().replace(BULLET, '');
  const sentences: string[] = [];
  let start = 0;
  for (const m of body.matchAll(CANDIDATE_END)) {
    const marks = m[1]!;
    const end = m.index + marks.length;
    if (!endsSentence(body.slice(start, m.index), marks, m[2]!)) continue;
    sentences.push(body.slice(start, end));
    start = m.index + m[0].length;
  }
  sentences.push(body.slice(start));
  return sentences.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Whether `marks` after `before` (the sentence so far), followed by `next`, end the sentence. */
function endsSentence(before: string, marks: string, next: string): boolean {
  if (!SENTENCE_START.test(next)) return false;
  // Only a lone dot can belong to a word; "?", "!", "…", "..." and a closing quote end the sentence.
  if (marks !== '.') return true;
  const word = WORD_BEFORE.exec(before)?.[0] ?? '';
  if (word === ETC) return CAPITAL.test(next);
  if (word.split('.').every((part) => PREFIX_ABBREVIATIONS.has(part))) return false;
  if (/^\p{Lu}$/u.test(word)) return false; // an initial: "Nguyễn V. An", "H. Bàu Bàng"
  if (LIST_MARKER.test(word)) {
    // A marker opens the sentence or follows ":", ";" or ","; a number after a word ends one.
    const preceding = before.slice(0, before.length - word.length).trimEnd();
    if (preceding === '' || /[:;,]$/.test(preceding)) return false;
  }
  return true;
}
