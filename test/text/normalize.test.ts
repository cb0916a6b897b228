import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

describe('phrase tokens', () => {
  // How it read tokens before the single-space shortcut: every gap sliced and tested.
  const reference = (text: string) => {
    const s = canonicalNumbers(normalize(text));
    const out: Array<{ token: string; breakBefore: boolean }> = [];
    let last = 0;
    for (const m of s.matchAll(/[\p{L}\p{N}]+(?:[./%-][\p{L}\p{N}%]+)*%?/gu)) {
      out.push({ token: m[0], breakBefore: out.length === 0 || /[,.;:!?()[\]{}"“”‘’'«»…|\n/]/.test(s.slice(last, m.index)) });
      last = m.index + m[0].length;
    }
    return out;
  };

  it('splits and flags phrase breaks as the reference does', () => {
    const piece = fc.constantFrom('Bình', 'Dương', 'năm', '2022', '22-CT/TU', '30.9.2023', '50%', '1.711', '85,52', 'đ', 'A', ' ', ' ', '  ', ', ', '.', '(', ')', '\n', '/', ' - ', '…', '“', '\t', '\u00a0');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(phraseTokens(text)).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        expect(phraseTokens(text)).toEqual(reference(text));
      }),
      { numRuns: 300 },
    );
  });
});
