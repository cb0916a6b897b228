/**
 * @module search/analyzer
 * Turns text into index terms: every syllable both as written and folded, folded syllable
 * bigrams (so "hộ kinh doanh" matches as a phrase), abbreviations expanded both ways, and a
 * small stopword list. Documents and queries go through the same analyzer.
 */
import { fold, syllables } from './normalize';

export interface AbbreviationEntry {
  short: string;
  long: string[];
}

export interface AnalyzerData {
  abbreviations: AbbreviationEntry[];
  stopwords: string[];
}

export interface Analysis {
  /** Folded content syllables, in order (stopwords removed): what coverage is measured on. */
  words: string[];
  /** Every term to index or look up, with repeats (term frequency matters). */
  terms: string[];
}

const BIGRAM = '_';

export class Analyzer {
  private readonly stop: Set<string>;
  /** folded abbreviation -> folded syllables of each expansion */
  private readonly expansions = new Map<string, string[][]>();
  /** folded expansion phrase (joined by space) -> folded abbreviation */
  private readonly contractions = new Map<string, string>();
  private readonly maxPhrase: number;

  constructor(data: AnalyzerData) {
    this.stop = new Set(data.stopwords.map((w) => fold(w.normalize('NFC').toLowerCase())));
    let maxPhrase = 1;
    for (const entry of data.abbreviations) {
      const short = syllables(entry.short).map(fold).join(' ');
      const longs = entry.long.map((l) => syllables(l).map(fold));
      this.expansions.set(short, longs);
      for (const l of longs) {
        this.contractions.set(l.join(' '), short);
        maxPhrase = Math.max(maxPhrase, l.length);
      }
      maxPhrase = Math.max(maxPhrase, short.split(' ').length);
    }
    this.maxPhrase = maxPhrase;
  }

  isStopword(foldedWord: string): boolean {
    return this.stop.has(foldedWord);
  }

  /** Full analysis of a text. With expand, abbreviations add their expansions and vice versa. */
  analyze(text: string, expand = true): Analysis {
    const terms: string[] = [];
    const words: string[] = [];
    /** folded atomic syllables in order, for bigrams and abbreviation phrases */
    const sequence: string[] = [];
    for (const token of syllables(text)) {
      const parts = token.split(/[./%-]+/).filter(Boolean);
      if (parts.length > 1) {
        // "22-CT/TU" and "30/9/2023" are indexed whole and by their parts.
        const f = fold(token);
        terms.push(f);
        if (f !== token) terms.push(token);
      }
      for (const part of parts) {
        const f = fold(part);
        sequence.push(f);
        if (this.stop.has(f)) continue;
        words.push(f);
        terms.push(f);
        if (part !== f) terms.push(part);
      }
    }
    // Bigrams span stopwords on purpose ("thủ tục đăng ký" keeps its neighbours), folded only.
    for (let i = 0; i + 1 < sequence.length; i++) terms.push(sequence[i]! + BIGRAM + sequence[i + 1]!);
    if (expand) this.addAbbreviationTerms(sequence, terms);
    return { words, terms };
  }

  private addAbbreviationTerms(folded: string[], terms: string[]): void {
    for (let i = 0; i < folded.length; i++) {
      for (let n = 1; n <= this.maxPhrase && i + n <= folded.length; n++) {
        const phrase = folded.slice(i, i + n).join(' ');
        const longs = this.expansions.get(phrase);
        if (longs) for (const l of longs) pushPhrase(l, terms);
        const short = this.contractions.get(phrase);
        if (short) pushPhrase(short.split(' '), terms);
      }
    }
  }
}

function pushPhrase(words: string[], terms: string[]): void {
  for (let i = 0; i < words.length; i++) {
    terms.push(words[i]!);
    if (i + 1 < words.length) terms.push(words[i]! + BIGRAM + words[i + 1]!);
  }
}
