import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  answerJsonSchema,
  mapCitations,
  parseModelAnswer,
  partialAnswer,
  stripMarkers,
  ungroundedNumbers,
} from '../../src/llm/answer';
import type { Passage } from '../../src/llm/prompt';

const passage = (n: number, docId: string, text = 'x'): Passage => ({
  n,
  docId,
  title: `Title ${docId}`,
  source: 'UBND tỉnh',
  date: '2022-06-22',
  text,
});

describe('parseModelAnswer', () => {
  it('reads a structured answer, also inside a code fence', () => {
    const json = '{"answer":"A [1]","citations":[1],"answerable":true}';
    expect(parseModelAnswer(json)).toEqual({ answer: 'A [1]', citations: [1], answerable: true });
    expect(parseModelAnswer('```json\n' + json + '\n```')).toEqual({ answer: 'A [1]', citations: [1], answerable: true });
  });

  it('rejects prose, broken JSON, wrong types and extra fields', () => {
    expect(parseModelAnswer('Theo Chỉ thị 22 thì…')).toBeUndefined();
    expect(parseModelAnswer('{"answer":"A","citations":[1]')).toBeUndefined();
    expect(parseModelAnswer('{"answer":"A","citations":["1"],"answerable":true}')).toBeUndefined();
    expect(parseModelAnswer('{"answer":"A","citations":[1],"answerable":true,"note":"x"}')).toBeUndefined();
    expect(parseModelAnswer('')).toBeUndefined();
  });

  it('sends a strict JSON schema with the three fields required', () => {
    const schema = answerJsonSchema();
    expect(schema.required).toEqual(['answer', 'citations', 'answerable']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema).not.toHaveProperty('$schema');
  });
});

describe('partialAnswer', () => {
  it('reads the answer field of a JSON object cut anywhere', () => {
    expect(partialAnswer('{"ans')).toBeUndefined();
    expect(partialAnswer('{"answer":"Hạn chót là 30/')).toBe('Hạn chót là 30/');
    expect(partialAnswer('{"answer":"Dòng 1\\nDòng \\"2\\"')).toBe('Dòng 1\nDòng "2"');
    expect(partialAnswer('{"answer":"a\\')).toBe('a');
    expect(partialAnswer('{"answer":"\\u0110\\u00e3 xong","citations":[1]')).toBe('Đã xong');
  });

  it('equals the parsed answer once the object is complete, for any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const json = JSON.stringify({ answer: text, citations: [], answerable: true });
        expect(partialAnswer(json)).toBe(text);
        // And every prefix is a prefix of the final text.
        for (let i = 0; i < json.length; i += 3) expect(text.startsWith(partialAnswer(json.slice(0, i)) ?? '')).toBe(true);
      }),
    );
  });
});

describe('stripMarkers', () => {
  it('removes citation markers, including one cut off at the end', () => {
    expect(stripMarkers('Ngày 22/6/2022 [1], hạn 30/9 [1, 2]. Xong [')).toBe('Ngày 22/6/2022, hạn 30/9. Xong');
  });
});

describe('mapCitations', () => {
  const passages = [passage(1, 'ct22'), passage(2, 'kh100'), passage(3, 'ct22')];

  it('maps passage numbers to one citation per document, numbered in reading order', () => {
    const r = mapCitations('Kế hoạch [2]. Chỉ thị [3] và [1].', [2, 3, 1], passages);
    expect(r.citations.map((c) => c.id)).toEqual(['kh100', 'ct22']);
    expect(r.text).toBe('Kế hoạch [1]. Chỉ thị [2] và [2].');
  });

  it('drops numbers that point at no passage, in the text and in the list', () => {
    const r = mapCitations('A [7]. B [2, 9].', [7, 2, 9], passages);
    expect(r.citations.map((c) => c.id)).toEqual(['kh100']);
    expect(r.text).toBe('A. B [1].');
  });

  it('leaves no citation when none is valid', () => {
    expect(mapCitations('A [4]', [4, 0, -1], passages).citations).toEqual([]);
  });

  it('keeps a citation the model listed without placing it in the text', () => {
    expect(mapCitations('Một câu.', [1], passages).citations.map((c) => c.id)).toEqual(['ct22']);
  });
});

describe('ungroundedNumbers', () => {
  const sources = ['Ban hành ngày 22/6/2022; hạn chót 30.9.2023; 1.711 biên chế; đạt 85,52%; lệ phí 50.000 đồng.'];

  it('accepts numbers written as in the passages or with other separators', () => {
    expect(ungroundedNumbers('Ngày 22/06/2022 [1], hạn 30/9/2023, 1711 biên chế, 85,52%, 50.000 đồng.', sources)).toEqual([]);
  });

  it('flags a fee, a date or a count found in no passage', () => {
    expect(ungroundedNumbers('Lệ phí 100.000 đồng, hạn 31/12/2024 [1].', sources)).toEqual(['100.000', '31/12/2024']);
  });

  it('does not count citation markers as numbers', () => {
    expect(ungroundedNumbers('Xem [7].', sources)).toEqual([]);
  });
});
