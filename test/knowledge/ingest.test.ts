import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OUT, DEFAULT_SOURCE, ingestFolder } from '../../scripts/ingest';
import { buildBundle } from '../../scripts/build-bundle';
import { KnowledgeBundleSchema } from '../../src/knowledge/schema';
import { parseKnowledgeFile } from '../../src/knowledge/parse';

const root = join(import.meta.dirname, '../..');

describe('knowledge files and the bundled index', () => {
  it('every knowledge document passes the schema', () => {
    const files = readdirSync(DEFAULT_SOURCE).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const [doc] = parseKnowledgeFile(f, readFileSync(join(DEFAULT_SOURCE, f), 'utf8'));
      expect(doc!.text.length, f).toBeGreaterThan(100);
      expect(doc!.source, f).not.toMatch(/^\d{3}_/);
    }
  });

  it('the bundled index is exactly what ingest builds from knowledge/documents (run npm run ingest)', () => {
    const result = ingestFolder(DEFAULT_SOURCE);
    expect(result.errors).toEqual([]);
    expect(readFileSync(DEFAULT_OUT, 'utf8')).toBe(result.content);
    expect(KnowledgeBundleSchema.parse(JSON.parse(result.content!)).chunks.length).toBeGreaterThan(10);
  });

  it('the bundled texts and page are up to date (run npm run build:bundle)', () => {
    expect(readFileSync(join(root, 'src/generated/bundle.json'), 'utf8')).toBe(buildBundle());
  });

  it('ingests raw saved articles (plain text: title line, then the date) from a folder', () => {
    // Test fixtures in the repository, written by the project in the shape of a saved news page.
    const dir = join(root, 'test/fixtures/raw-articles');
    const result = ingestFolder(dir);
    expect(result.errors).toEqual([]);
    expect(result.documents).toBe(2);
    const docs = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .map((f) => parseKnowledgeFile(f, readFileSync(join(dir, f), 'utf8'))[0]!);
    expect(docs.map((d) => [d.title, d.date])).toEqual([
      ['Bài mẫu kiểm thử: bộ phận Một cửa nhận hồ sơ cả ngày thứ Bảy', '2022-09-15'],
      ['Bài mẫu kiểm thử: số hóa kết quả giải quyết thủ tục hành chính', '2023-11-03'],
    ]);
  });

  it('reports a bad file with its name and reason and builds nothing', () => {
    expect(() => parseKnowledgeFile('bad.md', '---\nid: Bad Id\ntitle: x\n---\nbody')).toThrow(/bad\.md.*id/s);
    expect(() => parseKnowledgeFile('x.json', '{oops')).toThrow(/x\.json: invalid JSON/);
    expect(() => parseKnowledgeFile('x.pdf', '')).toThrow(/unsupported/);
  });

  it('every Vietnamese text key has an English counterpart', () => {
    const bundle = JSON.parse(buildBundle()) as { prompts: { vi: Record<string, string>; en: Record<string, string> } };
    expect(Object.keys(bundle.prompts.en).sort()).toEqual(Object.keys(bundle.prompts.vi).sort());
  });
});
