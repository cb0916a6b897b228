import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/search/analyzer';

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
