import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  answerJsonSchema,
  mapCitations,
  parseModelAnswer,
  partialAnswer,
  stripMarkers,
  ungroundedClaims,
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

describe('ungroundedClaims', () => {
  const sources = [
    'Nộp hồ sơ tại https://www.dichvucong.binhduong.gov.vn/p/home; hỏi qua hotro@binhduong.gov.vn hoặc +84 274 3822 111.',
    'Quyết định do Chủ tịch UBND tỉnh Võ Văn Minh ký ngày 30/9/2023.',
  ];
  const kinds = (answer: string) => ungroundedClaims(answer, sources).map((c) => `${c.kind}:${c.text}`);

  it('accepts addresses, e-mails and phones written otherwise than in the passage', () => {
    expect(kinds('Xem dichvucong.binhduong.gov.vn hoặc http://dichvucong.binhduong.gov.vn/p/home/ [1].')).toEqual([]);
    expect(kinds('Gửi về HOTRO@binhduong.gov.vn, gọi 0274.3822.111 [1].')).toEqual([]);
  });

  it('names the kind and the claim that no source holds, an address or phone number as one claim', () => {
    expect(kinds('Xem dichvucong.binhduong.gov.vn/p/khac, gọi 0274 3822 112 hoặc viết cho tro@binhduong.gov.vn [1].')).toEqual([
      'email:tro@binhduong.gov.vn',
      'url:dichvucong.binhduong.gov.vn/p/khac',
      'phone:0274 3822 112',
    ]);
  });

  it('does not read abbreviations with dots as addresses', () => {
    expect(kinds('Tại TP.HCM, Q.Bình Thạnh, v.v. và Điều 30.a [1].')).toEqual([]);
  });

  it('finds names with and without diacritics, after a title or from a family name on', () => {
    expect(kinds('Ông Võ Văn Minh ký; Vo Van Minh là Chủ tịch [1].')).toEqual([]);
    expect(kinds('Bà Lê Thị Hoa ký, đồng chí Phạm Minh Chính chỉ đạo, Mr Tran Van Nam trả lời [1].')).toEqual([
      'name:Lê Thị Hoa',
      'name:Phạm Minh Chính',
      'name:Tran Van Nam',
    ]);
    expect(kinds('Người ký là ông Thành [1].')).toEqual(['name:Thành']);
    // A place before the name is not part of it: the passage has "tỉnh Võ Văn Minh", not "Dương Võ…".
    expect(kinds('Chủ tịch UBND tỉnh Bình Dương Võ Văn Minh ký [1].')).toEqual([]);
    expect(kinds('Chủ tịch UBND tỉnh Bình Dương Võ Văn Nam ký [1].')).toEqual(['name:Dương Võ Văn Nam']);
  });

  it('does not take places, bodies and titles for persons\' names', () => {
    expect(
      kinds('Ủy ban nhân dân tỉnh Bình Dương, Thủ tướng Chính phủ, Trung tâm Phục vụ hành chính công, Sở Tư pháp, Đảng Cộng sản Việt Nam, Bình Phước [1].'),
    ).toEqual([]);
  });

  it('takes a name in a translated answer without the English words after it', () => {
    expect(ungroundedClaims('Signed by Vo Van Minh in Ho Chi Minh City [1].', [...sources, 'TP. Hồ Chí Minh'])).toEqual([]);
  });

  it('finds promises about the user\'s own dossier, with and without diacritics, in Vietnamese and English', () => {
    expect(kinds('Hồ sơ của chị sẽ được giải quyết trong ngày [1].')).toEqual(['promise:Hồ sơ của chị sẽ được giải quyết']);
    expect(kinds('hồ sơ bạn đã được tiếp nhận [1]')).toEqual(['promise:hồ sơ bạn đã được tiếp nhận']);
    expect(kinds('Ho so cua ban dang duoc xu ly [1].')).toEqual(['promise:Ho so cua ban dang duoc xu ly']);
    expect(kinds('Chung toi se goi lai [1].')).toEqual(['promise:Chung toi se']);
    expect(kinds("We'll send it today; your dossier was approved [1].")).toEqual(["promise:We'll", 'promise:your dossier was approved']);
  });

  it('does not take rules about dossiers in general for promises', () => {
    expect(kinds('Hồ sơ gồm tờ khai; hồ sơ chỉ được tiếp nhận khi đủ giấy tờ; ho so chi can nop mot bo [1].')).toEqual([]);
    expect(kinds('Bạn có thể nộp hồ sơ của bạn tại trung tâm [1].')).toEqual([]);
  });

  it('accepts a promise a passage itself makes', () => {
    expect(ungroundedClaims('Chúng tôi sẽ trả lời trong 5 ngày [1].', ['Chúng tôi sẽ trả lời trong 5 ngày làm việc.'])).toEqual([]);
  });
});
