/**
 * The stored head of a sharded segment (knowledge/sharded-head): format 3 gives back exactly the
 * documents and chunk owners it was given, in a fraction of format 2's size; format 2 heads
 * already in a store are still read; anything malformed is refused, never half-read.
 */
import { describe, expect, it } from 'vitest';
import { decodeHead, encodeHead } from '../../src/knowledge/sharded-head';
import type { ShardedHead } from '../../src/search/live-index';
import type { DocumentMeta } from '../../src/knowledge/schema';

function head(): ShardedHead {
  const documents: DocumentMeta[] = Array.from({ length: 300 }, (_, i) => ({
    id: `doc-${i}`,
    title: `Văn bản số ${i}`,
    source: i % 3 ? 'Hồ sơ thủ tục hành chính của trợ lý CCHC' : 'UBND thành phố Cần Thơ',
    date: '2026-12-06',
    kind: i % 2 ? 'procedure' : 'directive',
    keywords: [],
    version: 1,
    ...(i % 10 === 0 ? { number: `${i}/KH-UBND`, supersededBy: 'doc-1' } : {}),
  })) as DocumentMeta[];
  const docOf: number[] = [];
  documents.forEach((_, d) => {
    for (let k = 0; k < 1 + (d % 7); k++) docOf.push(d);
  });
  // A document whose chunks are not all together.
  docOf.push(0, 0, 5);
  return { format: 2, fingerprint: 'fp-1', documents, docOf, shards: 12, blockSize: 64 };
}

describe('sharded segment heads', () => {
  it('format 3 gives back the same documents and chunk owners, in well under half the characters', () => {
    const h = head();
    const stored = encodeHead(h);
    const back = decodeHead(JSON.parse(JSON.stringify(stored)));
    expect(back).toEqual(h);
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(h).length / 2);
  });

  it('says whether the segment stores term lists, and a head written before them reads as whole shards', () => {
    const h = { ...head(), termLists: true };
    const stored = encodeHead(h);
    expect(stored.postings).toBe('terms');
    expect(decodeHead(JSON.parse(JSON.stringify(stored)))).toEqual(h);
    const { postings: _postings, ...before } = stored;
    expect(decodeHead(JSON.parse(JSON.stringify(before))).termLists).toBeUndefined();
    expect(encodeHead(head()).postings).toBeUndefined();
  });

  it('still reads a format 2 head written before', () => {
    const h = head();
    expect(decodeHead(JSON.parse(JSON.stringify(h)))).toEqual(h);
  });

  it('refuses malformed heads', () => {
    const good = encodeHead(head());
    const cases: unknown[] = [
      null,
      'text',
      { ...good, format: 9 },
      { ...good, shards: 0 },
      { ...good, runs: [0] },
      { ...good, runs: [0, -1] },
      { ...good, runs: [400, 1] },
      { ...good, documentCount: 3 },
      { ...good, columns: [['id', ['a']]] },
      { ...good, columns: [...good.columns, ['__proto__', [{ polluted: true }]]] },
      { ...good, columns: good.columns.map((c) => (c[0] === 'title' ? ['title', c[1], c[2]!.map(() => 9999)] : c)) },
      { ...head(), docOf: [0, 'x'] },
      { ...head(), documents: [{ id: 'a' }] },
      // A postings layout this code does not know, or one format 2 never had.
      { ...good, postings: 'rows' },
      { ...good, postings: true },
      { ...head(), postings: 'terms' },
    ];
    for (const c of cases) expect(() => decodeHead(c), JSON.stringify(c)?.slice(0, 80)).toThrow(/sharded head/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
