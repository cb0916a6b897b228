import { describe, expect, it } from 'vitest';
import { createIndex } from '../../src/search/index';
import { buildKnowledgeBundle } from '../../src/knowledge/build';
import type { KnowledgeDocument } from '../../src/knowledge/schema';

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
];
const index = createIndex(buildKnowledgeBundle(docs), {
  abbreviations: [{ short: 'UBND', long: ['ủy ban nhân dân'] }, { short: 'CCHC', long: ['cải cách hành chính'] }],
  stopwords: ['là', 'của', 'nào', 'gì', 'bao', 'nhiêu'],
});

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

  it('says nothing relevant for an unrelated question', () => {
    expect(index.search('giá vàng hôm nay bao nhiêu').relevant).toBe(false);
    expect(index.search('thời tiết Hà Nội').relevant).toBe(false);
  });

  it('quotes the sentence that answers, not the whole chunk', () => {
    const hit = index.search('ban hành ngày nào chỉ thị 22').hits[0]!;
    expect(index.bestSentences(hit.chunk, 'ban hành ngày nào chỉ thị 22', 1)).toEqual([
      'Chỉ thị số 22-CT/TU được Tỉnh ủy ban hành ngày 22/6/2022.',
    ]);
  });
});
