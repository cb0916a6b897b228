/**
 * @module search/analyzer
 * Turns text into index terms, the same way for documents and queries: every syllable folded
 * (đ→d, marks stripped) and, when it carries marks, also as written; folded syllable bigrams
 * (so "hộ kinh doanh" matches as a phrase even typed without marks); codes and dates whole and
 * by their parts; abbreviations expanded both ways from knowledge/abbreviations.json; and a
 * small stopword list (knowledge/stopwords.json).
 *
 * Stopwords are matched on the token as typed: "bạn" is a stopword but "ban" (as in "Ban Chỉ
 * đạo") is not, because folded forms collide. A stopword written without marks in the list
 * ("la", "gi") also stops that unaccented token, so list only unaccented forms that are not
 * also a content word folded ("chi" is chị but also chỉ, so it is not listed).
 */
import { fnv1a } from '../text/hash';
import { foldWord, hasDiacritics, phraseTokens } from '../text/normalize';

interface AbbreviationEntry {
  short: string;
  long: string[];
}

export interface AnalyzerData {
  abbreviations: AbbreviationEntry[];
  stopwords: string[];
}

/** Bump when analysis changes, so an index serialised by older code is rebuilt, not trusted. */
const ANALYZER_VERSION = 4;

/**
 * Query-time weights of the term kinds. A syllable typed without marks weighs 1 (its folded
 * form); one typed with marks also weighs 1 when its marks match (folded 0.5 + as typed 0.5)
 * and 0.5 when only its letters do, so typing the marks sharpens the match but is never needed.
 */
const TERM_WEIGHTS = {
  /** The syllable as typed, when typed with marks. */
  exact: 0.5,
  /** The folded form of a syllable typed with marks (it also matches the same letters with other marks). */
  foldedMarked: 0.5,
  /** Adjacent folded syllables: phrase evidence, and what tells chỉ thị from chi thì. */
  bigram: 1,
  /** A pair with a stopword ("của Bình"): weak evidence, and not counted as a phrase matched. */
  stopwordBigram: 0.5,
} as const;

interface QueryTerm {
  term: string;
  weight: number;
}

interface QueryWord {
  folded: string;
  /** The syllable as typed, when typed with marks. */
  exact?: string;
}

interface QueryAnalysis {
  /** Distinct terms to look up, with their query weights. */
  terms: QueryTerm[];
  /** Distinct content syllables (by folded form): what coverage is measured on. */
  words: QueryWord[];
  /** Distinct folded bigrams of two content words: phrase evidence for the relevance rule. */
  bigrams: string[];
  /** Whether the query was typed with any marks. */
  accented: boolean;
}

interface Scan {
  /** Folded atomic syllables in order, stopwords included (bigrams and phrases span them). */
  folded: string[];
  /** The same syllables as written (lower case, NFC). */
  exact: string[];
  stop: boolean[];
  /** True where a syllable starts a new phrase (punctuation before it): no pair spans it. */
  breaks: boolean[];
  /** Whole multi-part tokens such as "22-ct/tu" or "30/9/2023": [folded, as written]. */
  compounds: Array<[string, string]>;
}

const PART_SEPARATOR = /[./%-]+/;
const HAS_SEPARATOR = /[./%-]/;

export class Analyzer {
  private readonly stop: Set<string>;
  /** folded phrase (space-joined) -> folded syllables of each other form it expands to */
  private readonly expansions = new Map<string, string[][]>();
  /**
   * Every leading run of syllables of an expansion's phrase, the phrase included: a scan stops
   * lengthening a phrase as soon as it is not one (most syllables start none), instead of
   * building and looking up all maxPhrase phrases from each syllable.
   */
  private readonly phrasePrefixes = new Set<string>();
  private readonly maxPhrase: number;
  /** Identifies the analysis (code version + data), stored with a serialised index. */
  readonly fingerprint: string;

  constructor(data: AnalyzerData) {
    this.stop = new Set(data.stopwords.map((w) => w.normalize('NFC').toLowerCase().trim()));
    let maxPhrase = 1;
    const add = (from: string[], to: string[]) => {
      const key = from.join(' ');
      const list = this.expansions.get(key) ?? [];
      if (!list.some((l) => l.join(' ') === to.join(' '))) list.push(to);
      this.expansions.set(key, list);
      maxPhrase = Math.max(maxPhrase, from.length);
    };
    for (const entry of data.abbreviations) {
      const short = this.scan(entry.short).folded;
      for (const long of entry.long) {
        const l = this.scan(long).folded;
        if (short.join(' ') === l.join(' ')) continue;
        add(short, l);
        add(l, short);
      }
    }
    this.maxPhrase = maxPhrase;
    for (const key of this.expansions.keys()) {
      const words = key.split(' ');
      for (let n = 1; n <= words.length; n++) this.phrasePrefixes.add(words.slice(0, n).join(' '));
    }
    this.fingerprint = `${ANALYZER_VERSION}:${fnv1a(JSON.stringify(data))}`;
  }

  /** Whether a lower-case token is a stopword (see the module note on marks). */
  isStopword(token: string): boolean {
    return this.stop.has(token);
  }

  /**
   * Adds one field's index terms to `counts` (term -> occurrences) and returns the field's
   * length in content syllables, for BM25 length normalisation.
   */
  indexTerms(text: string, counts: Map<string, number>): number {
    const s = this.scan(text);
    const inc = (t: string) => counts.set(t, (counts.get(t) ?? 0) + 1);
    let length = 0;
    for (let i = 0; i < s.folded.length; i++) {
      if (s.stop[i]) continue;
      length++;
      inc(s.folded[i]!);
      if (s.exact[i] !== s.folded[i]) inc(s.exact[i]!);
    }
    for (const [f, e] of s.compounds) {
      inc(f);
      if (e !== f) inc(e);
    }
    this.forEachBigram(s, inc);
    this.forEachExpansion(s, (words) => {
      for (let i = 0; i < words.length; i++) {
        if (!this.stop.has(words[i]!)) inc(words[i]!);
        if (i + 1 < words.length) inc(words[i]! + ' ' + words[i + 1]!);
      }
    });
    return length;
  }

  /** The distinct terms of a text (for scoring sentences against a query). */
  termSet(text: string): Set<string> {
    const counts = new Map<string, number>();
    this.indexTerms(text, counts);
    return new Set(counts.keys());
  }

  /** A query's terms with weights, and its content words. Abbreviations are expanded at index time. */
  analyzeQuery(text: string): QueryAnalysis {
    const s = this.scan(text);
    const weights = new Map<string, number>();
    const add = (t: string, w: number) => weights.set(t, Math.min((weights.get(t) ?? 0) + w, 2 * w));
    const words = new Map<string, QueryWord>();
    for (let i = 0; i < s.folded.length; i++) {
      if (s.stop[i]) continue;
      const folded = s.folded[i]!;
      const marked = s.exact[i] !== folded;
      if (!words.has(folded) || marked) words.set(folded, marked ? { folded, exact: s.exact[i]! } : { folded });
      add(folded, marked ? TERM_WEIGHTS.foldedMarked : 1);
      if (marked) add(s.exact[i]!, TERM_WEIGHTS.exact);
    }
    for (const [f, e] of s.compounds) {
      add(f, 1);
      if (e !== f) add(e, TERM_WEIGHTS.exact);
    }
    const bigrams = new Set<string>();
    this.forEachBigram(s, (t, withStopword) => {
      add(t, withStopword ? TERM_WEIGHTS.stopwordBigram : TERM_WEIGHTS.bigram);
      if (!withStopword) bigrams.add(t);
    });
    return {
      terms: [...weights].map(([term, weight]) => ({ term, weight })),
      words: [...words.values()],
      bigrams: [...bigrams],
      accented: hasDiacritics(text),
    };
  }

  private scan(text: string): Scan {
    const out: Scan = { folded: [], exact: [], stop: [], breaks: [], compounds: [] };
    for (const { token, breakBefore } of phraseTokens(text)) {
      // Most tokens are one plain syllable: the split (a regex per token) only where it can cut.
      const parts = HAS_SEPARATOR.test(token) ? token.split(PART_SEPARATOR).filter(Boolean) : [token];
      if (parts.length > 1 || (parts.length === 1 && parts[0] !== token)) {
        out.compounds.push([foldWord(token), token]);
      }
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        out.folded.push(foldWord(part));
        out.exact.push(part);
        out.stop.push(this.stop.has(part));
        out.breaks.push(breakBefore && i === 0);
      }
      // "50%" is read "50 phần trăm": index and query both ways of writing it alike.
      if (token.endsWith('%')) {
        out.folded.push('phan', 'tram');
        out.exact.push('phần', 'trăm');
        out.stop.push(false, false);
        out.breaks.push(false, false);
      }
    }
    return out;
  }

  /** Bigrams of adjacent syllables within a phrase, skipping pairs of two stopwords ("của các"). */
  private forEachBigram(s: Scan, emit: (term: string, withStopword: boolean) => void): void {
    for (let i = 0; i + 1 < s.folded.length; i++) {
      if (s.breaks[i + 1] || (s.stop[i] && s.stop[i + 1])) continue;
      emit(s.folded[i]! + ' ' + s.folded[i + 1]!, s.stop[i]! || s.stop[i + 1]!);
    }
  }

  /** Calls `emit` with the other forms of every abbreviation or expansion found in the text. */
  private forEachExpansion(s: Scan, emit: (words: string[]) => void): void {
    if (this.expansions.size === 0) return;
    const seq = s.folded;
    for (let i = 0; i < seq.length; i++) {
      let phrase = '';
      for (let n = 1; n <= this.maxPhrase && i + n <= seq.length; n++) {
        phrase = n === 1 ? seq[i]! : phrase + ' ' + seq[i + n - 1]!;
        // No expansion starts with this phrase: none starts with a longer one either.
        if (!this.phrasePrefixes.has(phrase)) break;
        const others = this.expansions.get(phrase);
        if (others) for (const words of others) emit(words);
      }
    }
  }
}
