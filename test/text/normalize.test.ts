import { describe, expect, it } from 'vitest';
import { canonicalNumbers, fold, foldWord, hasDiacritics, normalize, phraseTokens, syllables } from '../../src/text/normalize';

describe('Vietnamese normalisation', () => {
  it('folds tone and vowel marks and maps đ to d', () => {
    expect(fold('Đăng ký hộ kinh doanh')).toBe('Dang ky ho kinh doanh');
    expect(fold('nghị quyết, chỉ thị, ủy ban')).toBe('nghi quyet, chi thi, uy ban');
  });

  it('composes decomposed input (NFD) to NFC before anything else', () => {
    const nfd = 'Chỉ thị'.normalize('NFD');
    expect(normalize(nfd)).toBe('chỉ thị');
  });

  it('writes dates and decimals one way', () => {
    expect(canonicalNumbers('trước 30.9.2023')).toBe('trước 30/9/2023');
    expect(canonicalNumbers('ngày 06/07/2022')).toBe('ngày 6/7/2022');
    expect(canonicalNumbers('đạt 85,52%')).toBe('đạt 85.52%');
    expect(canonicalNumbers('1.711 biên chế, 58.000 doanh nghiệp')).toBe('1711 biên chế, 58000 doanh nghiệp');
  });

  it('keeps codes and dates whole as tokens', () => {
    expect(syllables('Chỉ thị số 22-CT/TU ngày 22/6/2022')).toEqual(['chỉ', 'thị', 'số', '22-ct/tu', 'ngày', '22/6/2022']);
    expect(syllables('tỷ lệ 85,52%')).toEqual(['tỷ', 'lệ', '85.52%']);
  });

  it('tells text typed with marks from text typed without', () => {
    expect(hasDiacritics('chi thi 22')).toBe(false);
    expect(hasDiacritics('chỉ thị 22')).toBe(true);
    expect(hasDiacritics('đ')).toBe(true);
    expect(foldWord('được')).toBe('duoc');
  });

  it('marks where punctuation starts a new phrase, but not inside dates or at hyphens', () => {
    expect(phraseTokens('(Bình Dương, năm 2022) kinh tế - xã hội 30.9.2023').map((t) => [t.token, t.breakBefore])).toEqual([
      ['bình', true],
      ['dương', false],
      ['năm', true],
      ['2022', false],
      ['kinh', true],
      ['tế', false],
      ['xã', false],
      ['hội', false],
      ['30/9/2023', false],
    ]);
  });
});
