import { describe, expect, it } from 'vitest';
import { PlaceMatcher } from '../../src/search/places';
import { checkPlaces, type SearchHit } from '../../src/search/relevance';
import { makeTestApp, postJson } from '../support/runtime';

const places = new PlaceMatcher(['Bình Dương', 'Đồng Nai', 'Cà Mau', 'Bà Rịa Vũng Tàu', 'Vũng Tàu', 'Hà Nội']);

describe('place names in questions', () => {
  it('finds provinces typed with or without marks, as whole words', () => {
    expect(places.namedIn('Chủ tịch UBND tỉnh Đồng Nai là ai?')).toEqual(['dong nai']);
    expect(places.namedIn('chi so papi 2024 cua tinh ca mau')).toEqual(['ca mau']);
    expect(places.namedIn('thủ tục ở Bà Rịa - Vũng Tàu')).toEqual(['ba ria vung tau']);
    expect(places.namedIn('làm căn cước mất bao lâu')).toEqual([]);
  });

  it('says whether a passage mentions one of them', () => {
    expect(PlaceMatcher.mentionsAny('UBND tỉnh Đồng Nai chủ trì', ['dong nai'])).toBe(true);
    expect(PlaceMatcher.mentionsAny('UBND tỉnh Bình Dương chủ trì', ['dong nai'])).toBe(false);
  });

  it('makes the assistant say "not found" for a province the knowledge does not cover, and still answer for one it does', async () => {
    const t = makeTestApp();
    const other = (await (await t.request('/api/chat', postJson({ message: 'Chủ tịch UBND tỉnh Đồng Nai là ai?' }))).json()) as { found: boolean };
    expect(other.found).toBe(false);
    const covered = (await (await t.request('/api/chat', postJson({ message: 'Chủ tịch UBND tỉnh Bình Dương là ai?' }))).json()) as { found: boolean; reply: string };
    expect(covered.found).toBe(true);
    expect(covered.reply).toContain('Võ Văn Minh');
  });

  it('counts a place as mentioned by any of its names', () => {
    const hcm = new PlaceMatcher([['Hồ Chí Minh', 'TP.HCM', 'Sài Gòn'], 'Đồng Nai']);
    expect(hcm.namedIn('tphcm co bao nhieu phuong, tp hcm')).toEqual(['tp hcm']);
    expect(hcm.mentions('168 đơn vị cấp xã của TP. Hồ Chí Minh', ['tp hcm'])).toBe(true);
    expect(hcm.mentions('Đồng Nai: Đồng Nai + Bình Phước', ['tp hcm'])).toBe(false);
  });

  it('does not let a passage that only lists the place answer for it: the other words must match there too', () => {
    const hit = (id: string, text: string, coverage: number): SearchHit => ({
      chunk: { id: `${id}#1`, docId: id, heading: '', text },
      doc: { id, title: id, source: 's', date: '2025-06-12', kind: 'news', keywords: [] },
      score: 1,
      coverage,
      weightedCoverage: coverage,
      phraseCoverage: 0.5,
    });
    // "Chủ tịch UBND tỉnh Đồng Nai là ai?": 6 words; the leaders' passage holds 5 of them but is
    // about Hậu Giang, the list holds "tỉnh" and the place's own two words.
    const leaders = hit('leaders', 'Chủ tịch UBND tỉnh Hậu Giang', 5 / 6);
    const list = hit('list', 'Các tỉnh mới: Đồng Nai + Bình Phước', 3 / 6);
    const result = { hits: [leaders, list], relevant: true, confidence: 5 / 6, queryWords: 6 };
    expect(checkPlaces(places, 'Chủ tịch UBND tỉnh Đồng Nai là ai?', result).relevant).toBe(false);
    const about = hit('about', 'Chủ tịch UBND tỉnh Đồng Nai', 1);
    expect(checkPlaces(places, 'Chủ tịch UBND tỉnh Đồng Nai là ai?', { ...result, hits: [leaders, list, about] }).relevant).toBe(true);
  });
});
