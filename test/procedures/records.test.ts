/**
 * The procedure records in knowledge/procedures: each one passes the schema, says where its
 * facts come from, and the bundled catalogue is exactly what the ingest script builds from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcedureCatalogSchema, ProcedureSchema, type Procedure } from '../../src/procedures/schema';
import { bundledProcedures } from '../../src/procedures/load';
import { buildCatalogue } from '../../src/procedures/import';
import { FIELD_KEYS } from '../../src/procedures/intent';

const dir = join(import.meta.dirname, '../../knowledge/procedures');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const records: Procedure[] = files.map((f) => ProcedureSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));

describe('procedure records', () => {
  it.each(files)('%s passes the schema and is named after its id', (file) => {
    const parsed = ProcedureSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(`${parsed.data!.id}.json`).toBe(file);
  });

  it('cover at least 25 procedures', () => {
    expect(records.length).toBeGreaterThanOrEqual(25);
  });

  it('cover the procedures people ask about most', () => {
    const ids = new Set(records.map((r) => r.id));
    for (const id of [
      'dang-ky-khai-sinh',
      'dang-ky-ket-hon',
      'dang-ky-khai-tu',
      'dang-ky-thuong-tru',
      'dang-ky-tam-tru',
      'cap-the-can-cuoc',
      'phieu-ly-lich-tu-phap',
      'chung-thuc-ban-sao',
      'dang-ky-ho-kinh-doanh',
      'giay-phep-xay-dung-nha-o',
      'sang-ten-so-do',
      'cap-lai-the-bhyt',
    ]) {
      expect(ids, id).toContain(id);
    }
  });

  it('say where each fact comes from and when it was checked, never after their as-of date', () => {
    for (const r of records) {
      expect(r.sources.length, r.id).toBeGreaterThan(0);
      expect(r.sources.some((s) => s.checkedAt >= r.asOf), r.id).toBe(true);
    }
  });

  it('use only the two local levels (and central), with the date a moved procedure applies from', () => {
    for (const r of records) {
      if (r.level) expect(['commune', 'province', 'central']).toContain(r.level.value);
    }
    const moved = records.filter((r) => r.level?.since === '2025-07-01').map((r) => r.id);
    expect(moved).toEqual(expect.arrayContaining(['dang-ky-khai-sinh', 'giay-phep-xay-dung-nha-o', 'dang-ky-ho-kinh-doanh']));
  });

  it('keep every button action within Telegram\'s 64-byte callback limit', () => {
    for (const r of records) {
      for (const key of Object.values(FIELD_KEYS)) {
        expect(new TextEncoder().encode(`/thutuc ${r.id} ${key}`).length, r.id).toBeLessThanOrEqual(64);
      }
    }
  });

  it('are bundled exactly as the ingest script builds them (run npm run ingest:procedures if this fails)', () => {
    const bundled = readFileSync(join(import.meta.dirname, '../../src/generated/procedures.json'), 'utf8');
    expect(bundled).toBe(buildCatalogue(records));
    expect(ProcedureCatalogSchema.parse(JSON.parse(bundled)).procedures.map((p) => p.id)).toEqual(bundledProcedures().map((p) => p.id));
  });
});
