/**
 * @module procedures/match
 * Finds the procedures a question is about. Each procedure is known by its name and the other
 * ways people say it (aliases); a question matches a phrase when it contains the phrase's words
 * (weighted by how rare each word is across procedures, so "đăng ký" counts less than "khai
 * sinh") and its syllable pairs ("căn cước" as a pair, not two loose syllables). Text goes
 * through the project's search Analyzer, so folding, abbreviations (CCCD, BHYT, HKD …) and
 * stopwords behave exactly as in the knowledge search.
 */
import { Analyzer } from '../search/analyzer';
import { foldWord, phraseTokens } from '../text/normalize';
import type { Procedure } from './schema';

export interface ProcedureMatch {
  procedure: Procedure;
  /** 0..1: how well the best name or alias is covered, tempered by how much of the question it explains. */
  score: number;
}

/** Below this a procedure is not a match at all. */
const MIN_MATCH = 0.45;
/** Procedures scoring within this share of the best are offered together as a pick-list. */
const AMBIGUITY_RATIO = 0.88;
/** A bare keyword lists only procedures at least this close to it. */
const MIN_SHARED = 0.3;
/** Pick-lists stay short. */
export const MAX_CHOICES = 5;

/** Words so common in questions about procedures that they say nothing about which one. */
const GENERIC = new Set(
  'thu tuc hanh chinh giay xin lam cho con be toi minh em anh chi oi a nhe vay duoc khong muon hoi biet giup can phai nao gi the nhu sao roi moi the'.split(' '),
);

/**
 * Words of a procedure's name people leave out ("cấp lại căn cước" for "cấp lại thẻ căn cước"),
 * as written: a name is also matched without them.
 */
const OPTIONAL = new Set(['thẻ', 'giấy']);

/**
 * Words the search reads as filler (knowledge/stopwords.json) that tell procedures apart: "cấp
 * lại" is a re-issue, "cấp" a first issue. The matcher reads them as content words.
 */
const DISTINCTIVE = new Set(['lại']);
const DISTINCTIVE_FOLDED = new Set([...DISTINCTIVE].map(foldWord));

/** Folded word -> the form typed with marks, when it was (so "trụ" does not match "trú"). */
type Words = Map<string, string | undefined>;
/** Folded word -> every marked form it was written in. */
type Vocabulary = Map<string, Set<string>>;

interface Terms {
  words: Words;
  pairs: Set<string>;
}

interface Phrase extends Terms {
  weight: number;
  /** The phrase without its optional words, and the pairs its other words then make side by side. */
  bare?: Phrase;
}

interface Entry {
  procedure: Procedure;
  phrases: Phrase[];
  vocabulary: Vocabulary;
}

export class ProcedureMatcher {
  private readonly entries: Entry[];
  private readonly idf = new Map<string, number>();
  private readonly byKey = new Map<string, Procedure>();
  private readonly analyzer: Analyzer;

  constructor(procedures: readonly Procedure[], analyzer: Analyzer) {
    this.analyzer = analyzer;
    const df = new Map<string, number>();
    this.entries = procedures.map((procedure) => {
      const texts = [procedure.name, ...procedure.aliases];
      const phrases = texts.map((p) => this.phrase(p));
      // The vocabulary also holds abbreviation expansions ("thẻ căn cước" brings "cccd").
      const vocabulary = this.vocabulary([...texts, procedure.field].join(' . '));
      for (const w of vocabulary.keys()) df.set(w, (df.get(w) ?? 0) + 1);
      this.byKey.set(procedure.id, procedure);
      if (procedure.code) this.byKey.set(procedure.code, procedure);
      return { procedure, phrases, vocabulary };
    });
    const n = Math.max(procedures.length, 1);
    for (const [w, f] of df) this.idf.set(w, Math.log(1 + n / f));
    for (const e of this.entries) {
      for (const p of [...e.phrases, ...e.phrases.flatMap((x) => (x.bare ? [x.bare] : []))]) p.weight = this.weigh([...p.words.keys()]);
    }
  }

  /** A procedure by its id or national code, exactly. */
  get(key: string): Procedure | undefined {
    return this.byKey.get(key.trim().toLowerCase()) ?? this.byKey.get(key.trim());
  }

  /** Matching procedures for a question's subject (field words already removed), best first. */
  find(subject: string): ProcedureMatch[] {
    return this.scoreAll(this.terms(subject)).filter((m) => m.score >= MIN_MATCH);
  }

  /**
   * The procedures worth showing: one when it clearly wins, several (at most MAX_CHOICES) when
   * others score close to it, none when nothing matches. A bare keyword of one or two words
   * that several procedures share ("căn cước") lists them all, unless it is exactly one
   * procedure's name or alias ("tạm trú"). A close match lacking a distinctive word of the
   * question that the best one has ("lại") is not offered beside it.
   */
  shortlist(subject: string): ProcedureMatch[] {
    const q = this.terms(subject);
    const scored = this.scoreAll(q);
    if (q.words.size > 0 && q.words.size <= 2 && !this.isExactPhrase(q)) {
      const sharing = scored.filter((m) => {
        if (m.score < MIN_SHARED) return false;
        const vocabulary = this.vocabularyOf(m.procedure);
        return [...q.words].every(([w, exact]) => known(vocabulary, w, exact));
      });
      if (sharing.length >= 2) return sharing.slice(0, MAX_CHOICES);
    }
    const matches = scored.filter((m) => m.score >= MIN_MATCH);
    const best = matches[0];
    if (!best) return [];
    const close = matches.filter((m) => m.score >= best.score * AMBIGUITY_RATIO);
    // "Làm lại căn cước": "lại" names the re-issue; a first issue that has no "lại" does not
    // compete with it, however well it covers the rest ("làm căn cước").
    const telling = [...q.words].filter(
      ([w, exact]) => DISTINCTIVE_FOLDED.has(w) && (exact === undefined || DISTINCTIVE.has(exact)) && known(this.vocabularyOf(best.procedure), w, exact),
    );
    return close.filter((m) => telling.every(([w, exact]) => known(this.vocabularyOf(m.procedure), w, exact))).slice(0, MAX_CHOICES);
  }

  private vocabularyOf(procedure: Procedure): Vocabulary {
    return this.entries.find((e) => e.procedure === procedure)!.vocabulary;
  }

  private scoreAll(q: Terms): ProcedureMatch[] {
    const content = [...q.words].filter(([w]) => !GENERIC.has(w));
    if (content.length === 0) return [];
    const contentWeight = this.weigh(content.map(([w]) => w));
    const matches: ProcedureMatch[] = [];
    for (const e of this.entries) {
      let best = 0;
      for (const p of e.phrases) best = Math.max(best, this.phraseScore(p, q));
      if (best === 0) continue;
      const explained = this.weigh(content.filter(([w, exact]) => known(e.vocabulary, w, exact)).map(([w]) => w));
      const coverage = contentWeight > 0 ? explained / contentWeight : 0;
      matches.push({ procedure: e.procedure, score: round(best * (0.5 + 0.5 * coverage)) });
    }
    return matches.sort((a, b) => b.score - a.score || a.procedure.id.localeCompare(b.procedure.id));
  }

  /** Whether the query is, word for word and pair for pair, one procedure's name or alias. */
  private isExactPhrase(q: Terms): boolean {
    return this.entries.some(
      (e) => e.phrases.some((p) => sameSet(new Set(p.words.keys()), new Set(q.words.keys())) && sameSet(p.pairs, q.pairs)),
    );
  }

  /** How well the query covers a phrase, written in full or without its optional words. */
  private phraseScore(p: Phrase, q: Terms): number {
    return Math.max(this.phraseShare(p, q), p.bare ? this.phraseShare(p.bare, q) : 0);
  }

  /** A name or alias, and the same without its optional words when it has any ("cấp lại căn cước"). */
  private phrase(text: string): Phrase {
    const terms = this.terms(text);
    const order = [...new Set(phraseTokens(text).map((t) => foldWord(t.token)))].filter((w) => terms.words.has(w));
    const kept = order.filter((w) => !OPTIONAL.has(terms.words.get(w) ?? w));
    if (kept.length === order.length || kept.length === 0) return { ...terms, weight: 0 };
    const words: Words = new Map(kept.map((w) => [w, terms.words.get(w)]));
    const pairs = new Set(kept.slice(1).map((w, i) => `${kept[i]} ${w}`));
    return { ...terms, weight: 0, bare: { words, pairs, weight: 0 } };
  }

  private phraseShare(p: Phrase, q: Terms): number {
    if (p.weight === 0) return 0;
    let covered = 0;
    for (const [w, exact] of p.words) {
      if (q.words.has(w) && sameMarks(q.words.get(w), exact)) covered += this.idf.get(w) ?? 0;
    }
    const wordShare = covered / p.weight;
    if (wordShare === 0) return 0;
    if (p.pairs.size === 0) return wordShare;
    let pairs = 0;
    for (const pair of p.pairs) if (q.pairs.has(pair)) pairs += 1;
    return 0.75 * wordShare + 0.25 * (pairs / p.pairs.size);
  }

  private weigh(words: Iterable<string>): number {
    let sum = 0;
    for (const w of words) sum += this.idf.get(w) ?? Math.log(2);
    return sum;
  }

  /** Folded content words and folded syllable pairs of a text, as the search reads a query. */
  private terms(text: string): Terms {
    const a = this.analyzer.analyzeQuery(text.normalize('NFC'));
    const words: Words = new Map(a.words.map((w) => [w.folded, w.exact]));
    const pairs = new Set(a.bigrams);
    // A distinctive word the analyzer stops comes back, with the pairs it makes ("cap lai", "lai can").
    const tokens = phraseTokens(text);
    const plain = (i: number) => /^\p{L}+$/u.test(tokens[i]?.token ?? '') && !this.analyzer.isStopword(tokens[i]!.token);
    tokens.forEach(({ token }, i) => {
      if (!DISTINCTIVE.has(token)) return;
      const folded = foldWord(token);
      words.set(folded, token);
      if (i > 0 && !tokens[i]!.breakBefore && plain(i - 1)) pairs.add(`${foldWord(tokens[i - 1]!.token)} ${folded}`);
      if (i + 1 < tokens.length && !tokens[i + 1]!.breakBefore && plain(i + 1)) pairs.add(`${folded} ${foldWord(tokens[i + 1]!.token)}`);
    });
    return { words, pairs };
  }

  /** Every single-word index term of a text (abbreviation expansions included), by folded form. */
  private vocabulary(text: string): Vocabulary {
    const out: Vocabulary = new Map();
    const add = (t: string) => {
      const folded = foldWord(t);
      const forms = out.get(folded) ?? new Set<string>();
      if (t !== folded) forms.add(t);
      out.set(folded, forms);
    };
    for (const t of this.analyzer.termSet(text.normalize('NFC'))) {
      if (t.includes(' ') || /[./%-]/.test(t)) continue;
      add(t);
    }
    for (const { token } of phraseTokens(text)) if (DISTINCTIVE.has(token)) add(token);
    return out;
  }
}

/** Marks must agree when both sides have them; a side typed without marks matches either. */
function sameMarks(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function known(vocabulary: Vocabulary, folded: string, exact: string | undefined): boolean {
  const forms = vocabulary.get(folded);
  if (!forms) return false;
  return exact === undefined || forms.size === 0 || forms.has(exact);
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
