/**
 * Since 1/7/2025 there is no district level: no text a user reads may send them to a district
 * People's Committee, police or office. Checked over every prompt (both languages), every
 * procedure record's fields, the deployment profile and the string literals of the code. A
 * sentence may still name the district level as history ("trước 1/7/2025 do UBND cấp huyện…",
 * "không còn cấp huyện"); the knowledge documents, which tell that history, are not checked.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fold } from '../../src/text/normalize';
import { buildBundle } from '../../scripts/build-bundle';

const root = new URL('../../', import.meta.url).pathname;

const DISTRICT =
  /\b(ubnd|uy ban nhan dan|hdnd|cong an|phong tu phap|phong tai nguyen va moi truong|phong kinh te|phong quan ly do thi|bo phan mot cua|trung tam phuc vu hanh chinh cong)( cap)? (huyen|quan|thi xa)\b|\bcap huyen\b|\bdistrict[- ](level|people s committee|police|office)/;
const HISTORY = /\b(truoc|khong con|ket thuc|bo cap huyen|da cu|chuyen tu|thay cho|tung|khong huong dan|before|no longer|ended|never|former|formerly|gone)\b/;

/** The sentences of a text that send someone to a district-level body (history excepted). */
function districtDirections(text: string): string[] {
  return text
    .split(/(?<=[.;!?])\s+|\n+/)
    .filter((s) => {
      const f = fold(s.toLowerCase()).replace(/[^a-z0-9]+/g, ' ');
      return DISTRICT.test(f) && !HISTORY.test(f);
    });
}

/** Every string in a JSON value, with its path, skipping keys that hold references rather than texts. */
function strings(value: unknown, path: string, skip: ReadonlySet<string>): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`, skip));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (skip.has(k) ? [] : strings(v, `${path}.${k}`, skip)));
  }
  return [];
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'generated' ? [] : tsFiles(join(dir, e.name))) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('no user-facing text sends anyone to a district-level body', () => {
  it('tells a direction from history', () => {
    expect(districtDirections('Nộp hồ sơ tại UBND cấp huyện. Mang theo căn cước.')).toEqual(['Nộp hồ sơ tại UBND cấp huyện.']);
    expect(districtDirections('nop tai ubnd huyen noi cu tru')).toHaveLength(1);
    expect(districtDirections('Ask the district People’s Committee.')).toHaveLength(1);
    expect(districtDirections('Trước 1/7/2025 do UBND cấp huyện giải quyết; nay UBND cấp xã.')).toEqual([]);
    expect(districtDirections('Nghị định 120/2025/NĐ-CP phân định lại thẩm quyền khi không còn cấp huyện.')).toEqual([]);
    expect(districtDirections('Nộp tại cơ quan có thẩm quyền hoặc Trung tâm Phục vụ hành chính công của phường, xã.')).toEqual([]);
  });

  it('in the prompts (vi and en)', () => {
    const { prompts } = JSON.parse(buildBundle()) as { prompts: Record<string, Record<string, string>> };
    const found = Object.entries(prompts).flatMap(([locale, table]) =>
      Object.entries(table).flatMap(([key, text]) => districtDirections(text).map((s) => `${locale}:${key}: ${s}`)),
    );
    expect(found).toEqual([]);
  });

  it('in the procedure records and the deployment profile', () => {
    const files = readdirSync(join(root, 'knowledge/procedures'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `knowledge/procedures/${f}`);
    // Source titles and notes describe what an article said when it was written; they are references, not directions.
    const skip = new Set(['sources', 'aliases', 'url', 'portalUrl']);
    const found = [...files, 'knowledge/profile.json'].flatMap((file) =>
      strings(JSON.parse(readFileSync(join(root, file), 'utf8')), file, skip).flatMap(([path, text]) => districtDirections(text).map((s) => `${path}: ${s}`)),
    );
    expect(found).toEqual([]);
  });

  it('in the string literals of the code (src/, handlers/)', () => {
    const found = [...tsFiles('src'), ...tsFiles('handlers')].flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line))
        .flatMap((line, i) => [...line.matchAll(/(['"`])((?:(?!\1).)*)\1/g)].flatMap((m) => districtDirections(m[2]!).map((s) => `${file}:${i + 1}: ${s}`))),
    );
    expect(found).toEqual([]);
  });
});
