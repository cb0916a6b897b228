/** The procedure schema refuses records that would mislead: no sources, a district level, … */
import { describe, expect, it } from 'vitest';
import { ProcedureCatalogSchema, ProcedureSchema } from '../../src/procedures/schema';
import { minimal } from './fixtures/records';

const issues = (input: unknown) => {
  const r = ProcedureSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('ProcedureSchema', () => {
  it('accepts a record with only what is known and fills the lists in', () => {
    const p = ProcedureSchema.parse(minimal());
    expect(p.channels).toEqual([]);
    expect(p.documents).toEqual([]);
    expect(p.level).toBeUndefined();
  });

  it('refuses a record that does not say where its facts come from', () => {
    expect(issues(minimal({ sources: [] }))[0]).toContain('sources');
  });

  it('refuses a district level, which no longer exists since 1/7/2025', () => {
    expect(issues(minimal({ level: { value: 'district' as never } }))[0]).toContain('level.value');
  });

  it('refuses the same channel twice, a malformed code, a bad date and unknown fields', () => {
    expect(issues(minimal({ channels: [{ kind: 'online' }, { kind: 'online' }] }))[0]).toContain('channels');
    expect(issues(minimal({ code: '1001193' }))[0]).toContain('code');
    expect(issues(minimal({ asOf: '21/11/2026' }))[0]).toContain('asOf');
    expect(issues({ ...minimal(), fee: '10.000 đồng' })[0]).toMatch(/fee|Unrecognized/);
  });

  it('refuses an as-of date later than every source check', () => {
    expect(issues(minimal({ asOf: '2026-12-01' }))[0]).toContain('asOf');
  });

  it('refuses ids that would not fit a Telegram button', () => {
    expect(issues(minimal({ id: 'a'.repeat(41) }))[0]).toContain('id');
    expect(issues(minimal({ id: 'Có Dấu' }))[0]).toContain('id');
  });
});

describe('ProcedureCatalogSchema', () => {
  it('refuses two records with the same id or national code', () => {
    const a = minimal({ code: '1.000001' });
    const b = minimal({ id: 'khac', code: '1.000001' });
    const r = ProcedureCatalogSchema.safeParse({ version: 1, procedures: [a, b] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toContain('1.000001');
  });
});
