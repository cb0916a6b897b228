import { describe, expect, it } from 'vitest';
import { createIndex, serializeIndex, type KnowledgeIndex } from '../../src/search/knowledge-index';
import { buildKnowledgeBundle } from '../../src/knowledge/build';
import { KnowledgeBundleSchema, type KnowledgeBundle, type KnowledgeDocument } from '../../src/knowledge/schema';
import type { AnalyzerData } from '../../src/search/analyzer';

const docs: KnowledgeDocument[] = [
  {
    id: 'ct-22',
    title: 'Chỉ thị 22-CT/TU về cải cách hành chính',
    source: 'Báo A',
    date: '2022-07-06',
    kind: 'directive',
    keywords: ['CCHC'],
    text: '## Ngày ban hành\nChỉ thị số 22-CT/TU được Tỉnh ủy ban hành ngày 22/6/2022. Nội dung gồm 5 giải pháp.\n\n## Mục tiêu\nNâng cao trách nhiệm người đứng đầu.',
  },
  {
    id: 'nq-05',
    title: 'Nghị quyết 05-NQ/TU về chuyển đổi số',
    source: 'Báo B',
    date: '2022-07-06',
    kind: 'resolution',
    keywords: [],
    text: '## Số hóa hồ sơ\nTỷ lệ số hóa hồ sơ đạt 50% cấp tỉnh, 40% cấp huyện và 35% cấp xã.\n\n## Ủy ban nhân dân\nỦy ban nhân dân tỉnh chủ trì.',
  },
  {
    id: 'hop',
    title: 'Cuộc họp của Ban Chỉ đạo',
    source: 'Báo C',
    date: '2023-08-21',
    kind: 'meeting',
    keywords: [],
    text: '## Thành phần\nÔng Mai Hùng Dũng dự họp; chi phí thì do tỉnh bố trí.\n\n## Mức độ hài lòng\nMức độ hài lòng của người dân đạt 85,52% vào ngày 30.9.2023.',
  },
];
const data: AnalyzerData = {
  abbreviations: [
    { short: 'UBND', long: ['ủy ban nhân dân'] },
    { short: 'CCHC', long: ['cải cách hành chính'] },
  ],
  stopwords: ['là', 'của', 'nào', 'gì', 'bao', 'nhiêu', 'bạn', 'thì', 'gi', 'nao', 'la'],
};
const bundle = buildKnowledgeBundle(docs);
const index = createIndex(bundle, data);

const top = (ix: KnowledgeIndex, q: string) => ix.search(q).hits[0]?.chunk.id;

describe('knowledge search', () => {
  it('finds the passage with diacritics', () => {
    const r = index.search('Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect(r.relevant).toBe(true);
    expect(r.hits[0]!.chunk.id).toBe('ct-22#1');
  });

  it('finds the same passage typed without diacritics', () => {
    const r = index.search('chi thi 22 ct tu ban hanh ngay nao');
    expect(r.relevant).toBe(true);
    expect(r.hits[0]!.chunk.id).toBe('ct-22#1');
  });

  it('expands abbreviations both ways', () => {
    expect(index.search('UBND tinh chu tri').hits[0]!.chunk.docId).toBe('nq-05');
    expect(index.search('cai cach hanh chinh chi thi').hits[0]!.chunk.docId).toBe('ct-22');
  });

  it('reads dates and decimals however they are written', () => {
    expect(top(index, 'ngày 30/9/2023')).toBe('hop#2');
    expect(top(index, 'ty le 85.52%')).toBe('hop#2');
  });

  it('tells a phrase typed without marks from the same syllables apart (bigrams)', () => {
    // "chi thi" is the phrase "chỉ thị" in ct-22, but only "chi ... thì" scattered in hop#1.
    const ids = index.search('chi thi', { limit: 5 }).hits.map((h) => h.chunk.docId);
    expect(ids[0]).toBe('ct-22');
  });

  it('matches stopwords as typed, so a folded content word is not dropped', () => {
    // "bạn" is a stopword but "Ban" (Ban Chỉ đạo) is not, though both fold to "ban".
    expect(index.search('ban chi dao hop').hits[0]!.chunk.docId).toBe('hop');
  });

  it('says nothing relevant for an unrelated question', () => {
    expect(index.search('giá vàng hôm nay bao nhiêu').relevant).toBe(false);
    expect(index.search('thời tiết Hà Nội').relevant).toBe(false);
    expect(index.search('').relevant).toBe(false);
  });

  it('rejects a query whose words occur only apart, never as the phrase asked', () => {
    // Every syllable occurs somewhere ("ty le", "so hoa", "ho so"), but no pair of them does.
    const r = index.search('hoa le dat ho');
    expect(r.relevant).toBe(false);
  });

  it('reports coverage: the share of query words found in the hit', () => {
    const hit = index.search('số hóa hồ sơ cấp xã').hits[0]!;
    expect(hit.chunk.id).toBe('nq-05#1');
    expect(hit.coverage).toBe(1);
    expect(hit.weightedCoverage).toBe(1);
    // Pairs: số hóa, hóa hồ, hồ sơ, cấp xã are in the text; "sơ cấp" is not.
    expect(hit.phraseCoverage).toBeCloseTo(4 / 5);
  });

  it('honours the limit', () => {
    expect(index.search('tỉnh', { limit: 2 }).hits.length).toBeLessThanOrEqual(2);
    expect(index.search('tỉnh', { limit: 0 }).hits.length).toBe(1);
  });

  it('quotes the sentence that answers, not the whole chunk', () => {
    const hit = index.search('ban hành ngày nào chỉ thị 22').hits[0]!;
    expect(index.bestSentences(hit.chunk, 'ban hành ngày nào chỉ thị 22', 1)).toEqual([
      'Chỉ thị số 22-CT/TU được Tỉnh ủy ban hành ngày 22/6/2022.',
    ]);
  });

  it('quotes the sentence with the detail asked for, not one that only names the subject', () => {
    const ix = createIndex(
      buildKnowledgeBundle([
        {
          id: 'ct',
          title: 'Chỉ thị 22-CT/TU',
          source: 'Báo A',
          date: '2022-07-06',
          kind: 'directive',
          keywords: [],
          text: '## Thông tin ban hành Chỉ thị 22-CT/TU\n- Văn bản: Chỉ thị số 22-CT/TU của Tỉnh ủy.\n- Ngày ban hành: 22/6/2022.\n- Chủ đề: cải cách hành chính.',
        },
      ]),
      data,
    );
    const q = 'chi thi 22-ct/tu ban hanh ngay nao';
    expect(ix.bestSentences(ix.search(q).hits[0]!.chunk, q, 1)).toEqual(['Ngày ban hành: 22/6/2022.']);
  });

  it('exposes the documents it holds', () => {
    expect(index.size).toBe(bundle.chunks.length);
    expect(index.documentCount).toBe(3);
    expect(index.document('nq-05')?.title).toMatch(/Nghị quyết/);
    expect(index.document('nope')).toBeUndefined();
  });
});

describe('the serialised index', () => {
  const withIndex: KnowledgeBundle = { ...bundle, index: serializeIndex(bundle, data) };
  const queries = ['chi thi 22 ban hanh ngay nao', 'UBND tinh', 'mức độ hài lòng', 'so hoa ho so cap huyen', 'giá vàng'];

  it('is loaded instead of rebuilt when it matches the analyzer and chunks', () => {
    const loaded = createIndex(KnowledgeBundleSchema.parse(JSON.parse(JSON.stringify(withIndex))), data);
    expect(loaded.origin).toBe('serialized');
    expect(index.origin).toBe('built');
  });

  it('answers exactly as the index built from the texts', () => {
    const loaded = createIndex(withIndex, data);
    for (const q of queries) expect(loaded.search(q, { limit: 10 })).toEqual(index.search(q, { limit: 10 }));
  });

  it('is rebuilt when the analyzer data changed since ingest', () => {
    const other = { ...data, stopwords: [...data.stopwords, 'tỉnh'] };
    expect(createIndex(withIndex, other).origin).toBe('built');
  });

  it('is deterministic: the same bundle serialises to the same text', () => {
    expect(JSON.stringify(serializeIndex(bundle, data))).toBe(JSON.stringify(withIndex.index));
  });

  it('refuses a damaged index with a clear error rather than answering wrongly', () => {
    const damaged = { ...withIndex, index: { ...withIndex.index!, postings: withIndex.index!.postings.slice(4) } };
    expect(() => createIndex(damaged, data)).toThrow(/index: postings do not match/);
  });
});
