import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Analyzer, type AnalyzerData } from '../../src/search/analyzer';
import { foldWord, phraseTokens } from '../../src/text/normalize';
import bundleJson from '../../src/generated/bundle.json';

const analyzer = new Analyzer({
  abbreviations: [
    { short: 'UBND', long: ['ủy ban nhân dân'] },
    { short: 'PAR Index', long: ['chỉ số cải cách hành chính'] },
  ],
  stopwords: ['là', 'gì', 'bạn', 'hỏi', 'về', 'la', 'gi', 've'],
});

const terms = (text: string) => [...analyzer.termSet(text)];

describe('Vietnamese analyzer', () => {
  it('indexes every syllable folded and, when it has marks, also as written', () => {
    expect(terms('Chỉ thị')).toEqual(expect.arrayContaining(['chi', 'chỉ', 'thi', 'thị']));
    // A syllable without marks has one form.
    expect(terms('Ban').filter((t) => !t.includes(' '))).toEqual(['ban']);
  });

  it('adds folded bigrams of adjacent syllables', () => {
    expect(terms('hộ kinh doanh')).toEqual(expect.arrayContaining(['ho kinh', 'kinh doanh']));
  });

  it('makes no pair across punctuation', () => {
    const t = terms('(Bình Dương, năm 2022)');
    expect(t).toEqual(expect.arrayContaining(['binh duong', 'nam 2022']));
    expect(t).not.toContain('duong nam');
  });

  it('reads "%" as "phần trăm", so either way of asking matches', () => {
    expect(terms('đạt 50%')).toEqual(expect.arrayContaining(['50%', '50', 'phan', 'tram', 'phan tram']));
    expect(analyzer.analyzeQuery('bao nhiêu phần trăm').bigrams).toContain('phan tram');
  });

  it('keeps codes and dates whole and by their parts', () => {
    expect(terms('Chỉ thị 22-CT/TU ngày 30.9.2023')).toEqual(
      expect.arrayContaining(['22-ct/tu', '22', 'ct', 'tu', '30/9/2023', '30', '9', '2023']),
    );
  });

  it('expands an abbreviation to its long form and the long form to the abbreviation', () => {
    expect(terms('UBND tỉnh')).toEqual(expect.arrayContaining(['uy', 'ban', 'nhan', 'dan', 'uy ban', 'nhan dan']));
    expect(terms('Ủy ban nhân dân tỉnh')).toContain('ubnd');
    expect(terms('chỉ số cải cách hành chính')).toEqual(expect.arrayContaining(['par', 'index', 'par index']));
  });

  it('matches stopwords as typed: "bạn" is dropped, "Ban" (Ban Chỉ đạo) is kept', () => {
    const q = analyzer.analyzeQuery('Bạn hỏi về Ban Chỉ đạo là gì');
    expect(q.words.map((w) => w.folded)).toEqual(['ban', 'chi', 'dao']);
    expect(q.words[0]).toEqual({ folded: 'ban' });
    expect(q.words[1]).toEqual({ folded: 'chi', exact: 'chỉ' });
  });

  it('drops an unaccented stopword only when the list has it without marks', () => {
    const q = analyzer.analyzeQuery('ban chi dao la gi');
    expect(q.words.map((w) => w.folded)).toEqual(['ban', 'chi', 'dao']);
    expect(q.accented).toBe(false);
  });

  it('weights a syllable 1 whether typed with marks (folded 0.5 + as typed 0.5) or without; pairs 1, pairs with a stopword 0.5', () => {
    const q = analyzer.analyzeQuery('chỉ thị là gì');
    expect(Object.fromEntries(q.terms.map((t) => [t.term, t.weight]))).toEqual({
      chi: 0.5,
      chỉ: 0.5,
      thi: 0.5,
      thị: 0.5,
      'chi thi': 1,
      'thi la': 0.5,
    });
    expect(Object.fromEntries(analyzer.analyzeQuery('chi thi').terms.map((t) => [t.term, t.weight]))).toEqual({ chi: 1, thi: 1, 'chi thi': 1 });
    // Only pairs of content words count as phrase evidence.
    expect(q.bigrams).toEqual(['chi thi']);
  });

  it('fingerprints its data, so an index built with other data is detected', () => {
    const other = new Analyzer({ abbreviations: [], stopwords: ['là'] });
    expect(other.fingerprint).not.toBe(analyzer.fingerprint);
    expect(new Analyzer({ abbreviations: [], stopwords: ['là'] }).fingerprint).toBe(other.fingerprint);
  });
});

/**
 * The analysis before it was made cheaper (every phrase of up to maxPhrase syllables looked up
 * from each syllable, every token split by regex), kept as the reference the analyzer must
 * still agree with term for term and count for count, in the same order.
 */
function referenceIndexTerms(data: AnalyzerData, text: string): Array<[string, number]> {
  const stop = new Set(data.stopwords.map((w) => w.normalize('NFC').toLowerCase().trim()));
  const scan = (t: string) => {
    const out = { folded: [] as string[], exact: [] as string[], stop: [] as boolean[], breaks: [] as boolean[], compounds: [] as Array<[string, string]> };
    for (const { token, breakBefore } of phraseTokens(t)) {
      const parts = token.split(/[./%-]+/).filter(Boolean);
      if (parts.length > 1 || (parts.length === 1 && parts[0] !== token)) out.compounds.push([foldWord(token), token]);
      parts.forEach((part, i) => {
        out.folded.push(foldWord(part));
        out.exact.push(part);
        out.stop.push(stop.has(part));
        out.breaks.push(breakBefore && i === 0);
      });
      if (token.endsWith('%')) {
        out.folded.push('phan', 'tram');
        out.exact.push('phần', 'trăm');
        out.stop.push(false, false);
        out.breaks.push(false, false);
      }
    }
    return out;
  };
  const expansions = new Map<string, string[][]>();
  let maxPhrase = 1;
  const add = (from: string[], to: string[]) => {
    const key = from.join(' ');
    const list = expansions.get(key) ?? [];
    if (!list.some((l) => l.join(' ') === to.join(' '))) list.push(to);
    expansions.set(key, list);
    maxPhrase = Math.max(maxPhrase, from.length);
  };
  for (const entry of data.abbreviations) {
    const short = scan(entry.short).folded;
    for (const long of entry.long) {
      const l = scan(long).folded;
      if (short.join(' ') === l.join(' ')) continue;
      add(short, l);
      add(l, short);
    }
  }
  const s = scan(text);
  const counts = new Map<string, number>();
  const inc = (t: string) => counts.set(t, (counts.get(t) ?? 0) + 1);
  for (let i = 0; i < s.folded.length; i++) {
    if (s.stop[i]) continue;
    inc(s.folded[i]!);
    if (s.exact[i] !== s.folded[i]) inc(s.exact[i]!);
  }
  for (const [f, e] of s.compounds) {
    inc(f);
    if (e !== f) inc(e);
  }
  for (let i = 0; i + 1 < s.folded.length; i++) {
    if (s.breaks[i + 1] || (s.stop[i] && s.stop[i + 1])) continue;
    inc(s.folded[i]! + ' ' + s.folded[i + 1]!);
  }
  const seq = s.folded;
  for (let i = 0; i < seq.length; i++) {
    let phrase = '';
    for (let n = 1; n <= maxPhrase && i + n <= seq.length; n++) {
      phrase = n === 1 ? seq[i]! : phrase + ' ' + seq[i + n - 1]!;
      for (const words of expansions.get(phrase) ?? []) {
        for (let k = 0; k < words.length; k++) {
          if (!stop.has(words[k]!)) inc(words[k]!);
          if (k + 1 < words.length) inc(words[k]! + ' ' + words[k + 1]!);
        }
      }
    }
  }
  return [...counts];
}

describe('indexing agrees with the reference analysis', () => {
  const data = (bundleJson as { analyzer: AnalyzerData }).analyzer;
  const real = new Analyzer(data);
  const indexed = (a: Analyzer, text: string) => {
    const counts = new Map<string, number>();
    a.indexTerms(text, counts);
    return [...counts];
  };
  // Words of the real abbreviation list (so long expansions and their prefixes occur), with
  // codes, dates, percentages and punctuation between them.
  const vocabulary = [
    ...new Set(data.abbreviations.flatMap((e) => [e.short, ...e.long]).flatMap((p) => p.split(/\s+/))),
    'tỉnh', 'Bình', 'Dương', 'là', 'của', '22-CT/TU', '30.9.2023', '50%', '1.711', '85,52', 'v/v', 'Điều', '5', 'a)',
  ];
  const sep = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '\n', ' - ', ' (', ') ');
  const texts = fc.array(fc.tuple(fc.constantFrom(...vocabulary), sep), { maxLength: 60 }).map((ws) => ws.map(([w, s]) => w + s).join(''));

  it('gives the same terms, counts and order as the reference on random texts', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(indexed(real, text)).toEqual(referenceIndexTerms(data, text));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same terms on every long form and abbreviation written out, and on a legal text', () => {
    for (const e of data.abbreviations) {
      for (const text of [e.short, ...e.long, `${e.long.join(' và ')} ${e.short}`]) expect(indexed(real, text)).toEqual(referenceIndexTerms(data, text));
    }
    const legal = 'Điều 5. Ủy ban nhân dân tỉnh thực hiện cải cách hành chính, dịch vụ công trực tuyến toàn trình theo Nghị định 118/2025/NĐ-CP ngày 09.6.2025; đạt 85,52%.';
    expect(indexed(real, legal)).toEqual(referenceIndexTerms(data, legal));
  });
});
