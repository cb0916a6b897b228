/**
 * Loading a catalogue export: JSON and CSV are read into validated records, every bad row is
 * reported with its line and reason, and nothing is written unless every row is good.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalogue, parseCatalogueFile, recordFile } from '../../src/procedures/import';
import { ProcedureSchema } from '../../src/procedures/schema';
import { ingest } from '../../scripts/ingest-procedures';
import { fullRecord, minimal } from './fixtures/records';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const read = (name: string) => readFileSync(fixture(name), 'utf8');

function workspace(records: object[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'procedures-'));
  const dir = join(root, 'records');
  const out = join(root, 'procedures.json');
  mkdirSync(dir);
  for (const r of records) writeFileSync(join(dir, `${(r as { id: string }).id}.json`), JSON.stringify(r));
  return { dir, out, files: () => readdirSync(dir).sort() };
}

describe('CSV quoting in a catalogue', () => {
  const header = 'id,name,field,asOf,sources\n';
  const row = (id: string) => `${id},Tên,Hộ tịch,2026-11-01,Nguồn (2026-11-01)\n`;

  it('keeps quoted commas, quotes and newlines in a cell and remembers where each row starts', () => {
    const { records, errors } = parseCatalogueFile('x.csv', `${header}"thu-tuc-a","Tên, ""một""\nhai dòng",Hộ tịch,2026-11-01,Nguồn (2026-11-01)\nthu-tuc-b,Tên,Hộ tịch,,Nguồn (2026-11-01)\n`);
    expect(records.map((r) => r.name)).toEqual(['Tên, "một"\nhai dòng']);
    expect(errors).toEqual([expect.objectContaining({ line: 4, id: 'thu-tuc-b' })]);
  });

  it('refuses the file at the line of bad quoting, as the KPI import does', () => {
    expect(parseCatalogueFile('x.csv', `${header}${row('thu-tuc-a')}"thu-tuc-b,Tên,Hộ tịch,2026-11-01,Nguồn (2026-11-01)\n${row('thu-tuc-c')}`)).toEqual({
      records: [],
      errors: [{ line: 3, reason: 'a quoted field is not closed' }],
    });
    expect(parseCatalogueFile('x.csv', `${header}${row('thu-tuc-a')}thu-tuc-"b",Tên,Hộ tịch,2026-11-01,Nguồn (2026-11-01)\n`).errors).toEqual([
      { line: 3, reason: 'a quote may only start a field' },
    ]);
  });
});

describe('parseCatalogueFile', () => {
  it('reads a CSV export into full records: lists, channels, documents and sources', () => {
    const { records, errors } = parseCatalogueFile('export.csv', read('catalogue-good.csv'));
    expect(errors).toEqual([]);
    const one = records.find((r) => r.id === 'thu-tuc-csv-mot')!;
    expect(one.aliases).toEqual(['làm csv một', 'csv một']);
    expect(one.level).toEqual({ value: 'commune', since: '2025-07-01' });
    expect(one.channels).toEqual([
      { kind: 'in-person', timeLimit: '03 ngày làm việc.', fee: '20.000 đồng, miễn cho hộ nghèo' },
      { kind: 'online', where: 'Cổng DVC quốc gia' },
    ]);
    expect(one.documents).toEqual([
      { name: 'Tờ khai', originals: 1, copies: 0, form: 'CT01' },
      { name: 'Giấy ủy quyền', when: 'nếu làm thay' },
    ]);
    expect(one.sources).toEqual([{ title: 'Nguồn mẫu', url: 'https://example.gov.vn/a', checkedAt: '2026-11-01' }]);
    expect(records.find((r) => r.id === 'thu-tuc-csv-hai')!.channels).toEqual([]);
  });

  it('reports every bad CSV row with the line it starts on and why', () => {
    const { errors } = parseCatalogueFile('export.csv', read('catalogue-bad.csv'));
    expect(errors.map((e) => e.line)).toEqual([3, 5]);
    expect(errors[0]!.reason).toContain('asOf');
    expect(errors[0]!.id).toBe('thu-tuc-xau');
    expect(errors[1]!.reason).toContain('sources');
  });

  it('refuses a CSV with an unknown column instead of dropping it silently', () => {
    const { errors } = parseCatalogueFile('x.csv', 'id,name,field,asOf,sources,phiLePhi\n');
    expect(errors).toEqual([{ line: 1, reason: 'unknown column(s): phiLePhi' }]);
  });

  it('reports bad JSON records with their line, including an id used twice', () => {
    const { records, errors } = parseCatalogueFile('export.json', read('catalogue-bad.json'));
    expect(records.map((r) => r.id)).toEqual(['thu-tuc-json-tot', 'thu-tuc-json-tot']);
    expect(errors.map((e) => [e.line, e.id])).toEqual([
      [9, 'thu-tuc-json-huyen'],
      [17, 'thu-tuc-json-tot'],
    ]);
    expect(errors[0]!.reason).toContain('level.value');
    expect(errors[1]!.reason).toContain('already used on line 2');
  });

  it('reads a single JSON record and the { procedures: [...] } wrapper', () => {
    expect(parseCatalogueFile('one.json', JSON.stringify(minimal())).records).toHaveLength(1);
    const wrapped = JSON.stringify({ procedures: [minimal(), minimal({ id: 'hai' })] }, null, 2);
    expect(parseCatalogueFile('w.json', wrapped).records.map((r) => r.id)).toEqual(['thu-tuc-mau', 'hai']);
  });

  it('says where broken JSON breaks and refuses other file types', () => {
    expect(parseCatalogueFile('x.json', '[\n{"id": 1\n"x": 2}]').errors[0]!.line).toBe(3);
    expect(parseCatalogueFile('x.xlsx', '').errors[0]!.reason).toContain('unsupported');
  });
});

describe('buildCatalogue', () => {
  it('is the same whatever order the records come in', () => {
    const other = ProcedureSchema.parse(minimal({ id: 'a-truoc' }));
    expect(buildCatalogue([fullRecord, other])).toBe(buildCatalogue([other, fullRecord]));
  });

  it('writes a record file that reads back to the same record, without empty lists', () => {
    const sparse = ProcedureSchema.parse(minimal());
    expect(recordFile(sparse)).not.toContain('"steps"');
    expect(ProcedureSchema.parse(JSON.parse(recordFile(fullRecord)))).toEqual(fullRecord);
  });
});

describe('ingest (npm run ingest:procedures)', () => {
  it('loads a good export: one file per record and a rebuilt catalogue', () => {
    const ws = workspace([minimal({ id: 'co-san' })]);
    const result = ingest({ file: fixture('catalogue-good.csv'), dir: ws.dir, out: ws.out });
    expect(result.ok).toBe(true);
    expect(ws.files()).toEqual(['co-san.json', 'thu-tuc-csv-hai.json', 'thu-tuc-csv-mot.json']);
    const catalogue = JSON.parse(readFileSync(ws.out, 'utf8'));
    expect(catalogue.procedures.map((p: { id: string }) => p.id)).toEqual(['co-san', 'thu-tuc-csv-hai', 'thu-tuc-csv-mot']);
  });

  it('keeps nothing from an export with a bad row, and says which rows are bad', () => {
    const ws = workspace([minimal({ id: 'co-san' })]);
    const result = ingest({ file: fixture('catalogue-bad.csv'), dir: ws.dir, out: ws.out });
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatch(/^line 3 \(thu-tuc-xau\): asOf/);
    expect(result.message).toContain('nothing written');
    expect(ws.files()).toEqual(['co-san.json']);
    expect(existsSync(ws.out)).toBe(false);
  });

  it('refuses an export whose code clashes with an existing record, writing nothing', () => {
    const ws = workspace([minimal({ id: 'co-san', code: '9.100001' })]);
    const result = ingest({ file: fixture('catalogue-good.csv'), dir: ws.dir, out: ws.out });
    expect(result.ok).toBe(false);
    expect(result.errors.join()).toContain('9.100001');
    expect(ws.files()).toEqual(['co-san.json']);
  });

  it('validates without writing on a dry run, and --check notices a stale catalogue', () => {
    const ws = workspace([minimal()]);
    expect(ingest({ dir: ws.dir, out: ws.out, dryRun: true }).written).toEqual([ws.out]);
    expect(existsSync(ws.out)).toBe(false);
    expect(ingest({ dir: ws.dir, out: ws.out, check: true }).ok).toBe(false);
    ingest({ dir: ws.dir, out: ws.out });
    expect(ingest({ dir: ws.dir, out: ws.out, check: true }).ok).toBe(true);
    expect(ingest({ dir: ws.dir, out: ws.out }).written).toEqual([]);
  });

  it('refuses a record file named differently from its id', () => {
    const ws = workspace();
    writeFileSync(join(ws.dir, 'ten-khac.json'), JSON.stringify(minimal()));
    expect(ingest({ dir: ws.dir, out: ws.out }).errors).toEqual(['ten-khac.json: file name must be thu-tuc-mau.json']);
  });
});
