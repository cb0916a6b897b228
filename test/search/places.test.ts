import { describe, expect, it } from 'vitest';
import { PlaceMatcher } from '../../src/search/places';
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
});
