/**
 * Masking as a property: phone, landline, CCCD, CMND and account numbers written in groups of
 * any size with spaces, dots or dashes, in any mix of Unicode decimal digits, with invisible
 * characters interleaved, inside ordinary sentences. Whatever the shape, no digit of the number
 * may reach the masked text (the sentences hold none), so no run of 8+ digits survives either.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPersonalData, redact } from '../../src/privacy/mask';

/** The zero of each digit script used here: ASCII, full-width, Arabic-Indic, Persian, Devanagari, Bengali, Thai, Myanmar, mathematical bold. */
const ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0x1040, 0x1d7ce];
const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
const SEPARATORS = [' ', '.', '-', ' - ', '\u00a0', ''];
const TEMPLATES = ['{n}', 'số của tôi là {n} nhé', 'CCCD: {n}.', 'gọi ({n}) giúp em', 'STK {n}, cảm ơn', 'liên hệ:{n}', 'SĐT{n}'];

/** Every digit of the scripts above, to read the masked text back as ASCII independently of the masker. */
const DIGIT_VALUE = new Map(ZEROS.flatMap((z) => Array.from({ length: 10 }, (_, v) => [String.fromCodePoint(z + v), String(v)] as const)));

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const oneOf = (chars: string) => fc.constantFrom(...chars.split(''));

/** The digits of each kind of number, as ASCII. */
const numberDigits = fc.oneof(
  // Mobile: 0 or 84, then 3/5/7/8/9 and 8 more.
  fc.tuple(fc.constantFrom('0', '84'), oneOf('35789'), digits(8)).map((p) => p.join('')),
  // Landline: 0 or 84, then a 2x/2xx area code: 10 digits after the 0.
  fc.tuple(fc.constantFrom('0', '84'), digits(9)).map(([p, d]) => `${p}2${d}`),
  // CCCD: 12 digits starting with the province code's 0; CMND: 9 digits.
  digits(11).map((d) => `0${d}`),
  digits(9),
  // Accounts: 8 to 19 digits. An 8-digit one starts with 4-9 so that it is never also a date or a
  // year range (30.09.2023, 2021-2025), which stay readable by design (see redact.test.ts).
  fc.tuple(oneOf('456789'), digits(7)).map((p) => p.join('')),
  fc.integer({ min: 9, max: 19 }).chain(digits),
);

interface Shape {
  ascii: string;
  written: string;
}

/** The digits cut into groups of 1-5, joined by separators, each digit in some script, invisibles sprinkled in. */
const writtenNumber: fc.Arbitrary<Shape> = numberDigits.chain((ascii) =>
  fc
    .tuple(
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: ascii.length, maxLength: ascii.length }),
      fc.array(fc.constantFrom(...SEPARATORS), { minLength: ascii.length, maxLength: ascii.length }),
      fc.array(fc.constantFrom(...ZEROS), { minLength: ascii.length, maxLength: ascii.length }),
      fc.array(fc.array(fc.constantFrom(...INVISIBLES), { maxLength: 2 }), { minLength: ascii.length, maxLength: ascii.length }),
    )
    .map(([plus, sizes, seps, zeros, invisibles]) => {
      let written = plus && ascii.startsWith('84') ? '+' : '';
      let groupLeft = sizes[0]!;
      for (let i = 0; i < ascii.length; i++) {
        if (i > 0 && groupLeft === 0) {
          written += seps[i]!;
          groupLeft = sizes[i]!;
        }
        written += String.fromCodePoint(zeros[i]! + Number(ascii[i])) + invisibles[i]!.join('');
        groupLeft--;
      }
      return { ascii, written };
    }),
);

/** The masked text's digits read as ASCII, invisibles dropped. */
function readBack(masked: string): string {
  return [...masked]
    .filter((c) => !INVISIBLES.includes(c))
    .map((c) => DIGIT_VALUE.get(c) ?? c)
    .join('');
}

describe('masking, as a property', () => {
  it('leaves no digit of a phone, landline, CCCD, CMND or account number however it is written', () => {
    fc.assert(
      fc.property(writtenNumber, fc.constantFrom(...TEMPLATES), ({ ascii, written }, template) => {
        const r = redact(template.replace('{n}', written));
        const shown = readBack(r.text);
        expect(shown).not.toMatch(/\p{Nd}/u);
        expect(shown.replace(/\D/g, '')).not.toContain(ascii);
        expect(shown).not.toMatch(/\d(?:[\s.-]*\d){7}/);
        expect(r.found.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('masks each of several numbers in one message', () => {
    fc.assert(
      fc.property(writtenNumber, writtenNumber, (a, b) => {
        expect(readBack(maskPersonalData(`số ${a.written} và số ${b.written}`))).not.toMatch(/\p{Nd}/u);
      }),
      { numRuns: 200 },
    );
  });
});
