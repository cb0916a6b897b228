/**
 * The KPI data: the generated bundle is fresh, every target of the sources is defined with its
 * number and deadline, the historical values carry over, and the Decision 766 index has its five
 * groups with formulas and full-score rules, unconfirmed parts marked as such.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKpis, KPI_OUT } from '../../scripts/build-kpis';
import { loadCatalog } from '../../src/kpi/definitions';
import type { KpiDefinition } from '../../src/kpi/schema';

const catalog = loadCatalog();
const def = (id: string): KpiDefinition => {
  const d = catalog.get(id);
  if (!d) throw new Error(`missing KPI ${id}`);
  return d;
};

describe('src/generated/kpis.json', () => {
  it('is what scripts/build-kpis.ts builds from knowledge/kpis (run it after editing)', () => {
    expect(readFileSync(KPI_OUT, 'utf8')).toBe(buildKpis());
  });
});

describe('targets from the sources', () => {
  it.each([
    ['bd-par-index-rank', 'rank', 'down', 10, '2023-12-31'],
    ['bd-dti-rank', 'rank', 'down', 10, '2023-12-31'],
    ['bd-dvc-toan-trinh', 'percent', 'up', 50, '2023-12-31'],
    ['bd-so-hoa-cap-tinh', 'percent', 'up', 50, '2025-12-31'],
    ['bd-so-hoa-cap-huyen', 'percent', 'up', 40, '2025-12-31'],
    ['bd-so-hoa-cap-xa', 'percent', 'up', 35, '2025-12-31'],
    ['bd-khong-dung-tien-mat', 'percent', 'up', 10, '2025-12-31'],
    ['bd-csdl-quoc-gia-ket-noi', 'percent', 'up', 80, '2025-12-31'],
    ['bd-tthc-chuyen-doi-so-hoan-toan', 'percent', 'up', 20, '2025-12-31'],
    ['bd-ho-so-lien-thong-dien-tu-co-quan-dang', 'percent', 'up', 80, '2025-12-31'],
    ['bd-ra-soat-tthc-2023', 'percent', 'up', 30, '2023-12-31'],
    ['hg-ict-index-rank', 'rank', 'down', 30, null],
  ])('defines %s as %s, %s, target %s by %s', (id, unit, direction, target, deadline) => {
    expect(def(id)).toMatchObject({ unit, direction, target, deadline });
  });

  it('has the 2030 stage of the Party agencies target and keeps it internal', () => {
    const d = def('bd-ho-so-lien-thong-dien-tu-co-quan-dang');
    expect(d.milestones).toEqual([expect.objectContaining({ target: 100, deadline: '2030-12-31' })]);
    expect(d.visibility).toBe('internal');
  });

  it('says why a deadline was inferred where the source gives none', () => {
    for (const id of ['bd-so-hoa-cap-tinh', 'bd-khong-dung-tien-mat', 'bd-csdl-quoc-gia-ket-noi']) {
      expect(def(id).deadlineNote).toMatch(/suy ra/);
    }
  });

  it('bundles the historical values with their sources', () => {
    const values = (id: string) => catalog.bundledObservations(id).map((o) => [o.period, o.value]);
    expect(values('bd-par-index-rank')).toEqual([['2021', 22], ['2022', 4], ['2024', 23]]);
    expect(values('bd-dti-rank')).toContainEqual(['2022', 19]);
    expect(values('bd-muc-do-hai-long')).toEqual([['2022', 85.52], ['2024', 87.8]]);
    for (const o of catalog.all().flatMap((d) => catalog.bundledObservations(d.id))) {
      expect(o.source.length).toBeGreaterThan(5);
      expect(o.origin).toBe('bundled');
    }
  });

  it('gives every KPI a source, a cadence, a visibility and at least one alias', () => {
    for (const d of catalog.all()) {
      expect(d.source.title.length, d.id).toBeGreaterThan(3);
      expect(['weekly', 'monthly', 'quarterly', 'yearly']).toContain(d.cadence);
      expect(['public', 'internal']).toContain(d.visibility);
      expect(d.aliases.length, d.id).toBeGreaterThan(0);
    }
  });
});

describe('Decision 766/QĐ-TTg', () => {
  const groups = catalog.all().filter((d) => d.id.startsWith('bd-766-nhom-'));

  it('has its five groups, whose points add up to the 100-point total', () => {
    expect(groups.map((g) => g.short)).toEqual([
      '766 nhóm 1: công khai, minh bạch',
      '766 nhóm 2: tiến độ giải quyết',
      '766 nhóm 3: trực tuyến, thanh toán',
      '766 nhóm 4: số hóa hồ sơ',
      '766 nhóm 5: mức độ hài lòng',
    ]);
    expect(groups.reduce((s, g) => s + (g.fullScore?.points ?? 0), 0)).toBe(def('bd-766-tong-diem').fullScore?.points);
  });

  it('marks the split of points between groups 3 and 4 as unconfirmed and the others as confirmed', () => {
    expect(groups.map((g) => g.fullScore?.pointsConfirmed)).toEqual([true, true, false, false, true]);
  });

  it('gives every indicator a formula, a full-score rule and a source for it', () => {
    const indicators = catalog.all().filter((d) => /^bd-766-\d-\d$/.test(d.id));
    expect(indicators.length).toBeGreaterThanOrEqual(15);
    for (const d of indicators) {
      expect(d.formula, d.id).toMatch(/×|\//);
      expect(d.fullScore?.rule, d.id).toBeTruthy();
      expect(d.visibility).toBe('internal');
      // A target taken from an unconfirmed full-score threshold says so.
      if (d.target !== null) {
        expect(d.fullScore?.thresholdConfirmed).toBe(false);
        expect(d.notes.join(' ')).toMatch(/chưa xác minh/);
      }
    }
  });

  it('records the confirmed satisfaction formula and its 6 of 18 points', () => {
    const d = def('bd-766-5-3');
    expect(d.formula).toContain('Tổng số hồ sơ TTHC');
    expect(d.fullScore).toMatchObject({ points: 6, pointsConfirmed: true, threshold: 90, thresholdConfirmed: false });
  });
});

describe('the 2024 index results (Bộ Nội vụ, announced 6/4/2025)', () => {
  it('carry Bình Dương\'s PAR Index rank 23 and SIPAS 87,80 with the announcement date and the article that reports them', () => {
    const at = (id: string, period: string) => catalog.bundledObservations(id).find((o) => o.period === period)!;
    for (const [id, value] of [['bd-par-index-rank', 23], ['bd-muc-do-hai-long', 87.8]] as const) {
      const o = at(id, '2024');
      expect(o.value).toBe(value);
      expect(o.recordedAt).toBe('2025-04-06');
      expect(o.source).toContain('Bộ Nội vụ');
      expect(o.source).toContain('(vn-chi-so-cchc-2024)');
      expect(o.url).toBe('https://baobinhduong.vn/en/binh-duong-enhances-the-index-of-public-satisfaction--a345061.html');
    }
    expect(at('bd-par-index-rank', '2024').note).toContain('89,13');
  });
});

describe('KPIs of the former provinces', () => {
  it('are labelled as the former province wherever the place is shown, with what it is part of now', () => {
    const former = catalog.all().filter((d) => d.region === 'Bình Dương' || d.region === 'Hậu Giang');
    expect(former).toHaveLength(catalog.all().length);
    for (const d of former) {
      expect(d.name, d.id).toContain(`tỉnh ${d.region} (cũ)`);
      expect(d.nameEn, d.id).toContain(`former ${d.region} province`);
      if (d.short.endsWith(')')) expect(d.short, d.id).toMatch(/ cũ\)$/);
      if (d.shortEn.endsWith(')')) expect(d.shortEn, d.id).toMatch(/\(former [^()]+\)$/);
      const now = d.region === 'Bình Dương' ? 'TP. Hồ Chí Minh' : 'TP. Cần Thơ';
      expect(d.notes[0], d.id).toBe(`Tỉnh ${d.region} (cũ) nay thuộc ${now} từ 1/7/2025 (Nghị quyết 202/2025/QH15); ${d.region === 'Bình Dương' ? 'chỉ tiêu và số liệu' : 'chỉ tiêu'} ở đây là của tỉnh cũ.`);
    }
  });

  it('are refused by the build when a former province\'s KPI is not labelled as such', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpis-'));
    const file = JSON.parse(readFileSync(join(KPI_OUT, '../../../knowledge/kpis/hg-muc-tieu.json'), 'utf8')) as { placeNote?: string; definitions: Array<Record<string, unknown>> };
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(file));
    expect(() => buildKpis(dir)).not.toThrow();
    const unlabelled = { definitions: [{ ...file.definitions[0], name: 'Xếp hạng ICT Index của tỉnh Hậu Giang', short: 'ICT Index (Hậu Giang)' }] };
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(unlabelled));
    expect(() => buildKpis(dir)).toThrow(/hg-ict-index-rank: Hậu Giang is a former unit: needs name holding "tỉnh Hậu Giang \(cũ\)"/);
    expect(() => buildKpis(dir)).toThrow(/needs a short name ending "cũ\)"/);
    expect(() => buildKpis(dir)).toThrow(/needs a first note saying it is part of TP\. Cần Thơ since 1\/7\/2025/);
  });
});
