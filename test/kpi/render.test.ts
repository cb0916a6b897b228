import { describe, expect, it } from 'vitest';
import { formatNumber, sparkline } from '../../src/kpi/render';
import { parseCsv } from '../../src/text/csv';
import { parseNumber } from '../../src/kpi/ingest';
import { loadCatalog } from '../../src/kpi/definitions';

describe('sparkline', () => {
  it('scales values from ▁ to █', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([38, 41.5, 44])).toBe('▁▅█');
  });

  it('turns the scale over where lower is better, so taller is always better', () => {
    expect(sparkline([22, 4], 'down')).toBe('▁█');
  });

  it('draws a flat line for equal values and nothing for none', () => {
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
  });
});

describe('numbers', () => {
  it('writes numbers the Vietnamese way for vi and the English way for en', () => {
    expect(formatNumber(85.52, 'vi')).toBe('85,52');
    expect(formatNumber(85.52, 'en')).toBe('85.52');
    expect(formatNumber(1711, 'vi')).toBe('1.711');
    expect(formatNumber(44, 'vi')).toBe('44');
    expect(formatNumber(33.456, 'vi')).toBe('33,46');
  });

  it('reads a decimal comma and refuses text that is not a number', () => {
    expect(parseNumber('85,52')).toBe(85.52);
    expect(parseNumber(' 44 ')).toBe(44);
    for (const bad of ['NaN', 'Infinity', '1e3', '12%', '', '1.711,5']) expect(parseNumber(bad)).toBeNaN();
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF and a BOM', () => {
    const csv = '\uFEFFkpi,note\r\na,"x, ""y""\nz"\r\n\r\nb, plain \n';
    expect(parseCsv(csv)).toEqual([
      { line: 1, fields: ['kpi', 'note'] },
      { line: 2, fields: ['a', 'x, "y"\nz'] },
      { line: 5, fields: ['b', 'plain'] },
    ]);
  });

  it('refuses an unclosed quote and text after a closing quote', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/not closed/);
    expect(() => parseCsv('a,"b"c\n')).toThrow(/after a closing quote/);
    expect(() => parseCsv('a,b"c\n')).toThrow(/line 1: a quote may only start a field/);
  });

  it('counts lines as an editor does: CRLF inside quotes is one line, an unclosed quote is where it opens', () => {
    expect(parseCsv('k,v\r\n"a\r\nb",1\r\n\r\nc,2\r\n').map((r) => r.line)).toEqual([1, 2, 5]);
    expect(() => parseCsv('k,v\n1,2\n\n"x,3\n4,5\n')).toThrow(/^line 4: a quoted field is not closed$/);
  });
});

describe('matching what people type', () => {
  const catalog = loadCatalog();
  const ids = (text: string) => catalog.match(text).map((m) => m.def.id);

  it('finds a KPI by id, by alias without diacritics, and prefers the most specific alias', () => {
    expect(ids('bd-dti-rank')).toEqual(['bd-dti-rank']);
    expect(ids('ty le dvc toan trinh')).toEqual(['bd-dvc-toan-trinh']);
    expect(ids('số hóa hồ sơ cấp huyện')).toEqual(['bd-so-hoa-cap-huyen']);
    expect(ids('số hóa hồ sơ')).toEqual(['bd-so-hoa-cap-tinh', 'bd-so-hoa-cap-huyen', 'bd-so-hoa-cap-xa']);
    expect(ids('Chỉ thị 22-CT/TU ban hành ngày nào?')).toEqual([]);
  });
});
