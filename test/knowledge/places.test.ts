/**
 * The place registry (knowledge/places.json, src/knowledge/places.ts) and the time rules
 * (src/knowledge/time.ts): the 63 old and 34 current units and what each became, places found
 * in questions typed with or without marks, the direct answers, and what counts as "now" and "old".
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PlaceRegistrySchema, KnowledgeBundleSchema, type PlaceRegistryData } from '../../src/knowledge/schema';
import { PlaceRegistry, placeStatusAnswer } from '../../src/knowledge/places';
import { asksAboutPresent, isOldSource } from '../../src/knowledge/time';
import { Texts, type TextTable } from '../../src/core/texts';
import { DEFAULT_OUT } from '../../scripts/ingest';
import bundle from '../../src/generated/bundle.json';

const raw = JSON.parse(readFileSync(new URL('../../knowledge/places.json', import.meta.url), 'utf8')) as PlaceRegistryData;
const registry = new PlaceRegistry(PlaceRegistrySchema.parse(raw));
const texts = new Texts((bundle as unknown as { prompts: TextTable }).prompts);
const answer = (q: string, locale: 'vi' | 'en' = 'vi') => placeStatusAnswer(registry, q, texts, locale);

describe('the place registry data', () => {
  it('holds the 63 old units and the 34 current ones (28 provinces, 6 cities), each old unit in exactly one', () => {
    const { old, current } = registry.data;
    expect(old).toHaveLength(63);
    expect(current).toHaveLength(34);
    expect(current.filter((c) => c.type === 'city').map((c) => c.name).sort()).toEqual(['Cần Thơ', 'Hà Nội', 'Hải Phòng', 'Huế', 'Hồ Chí Minh', 'Đà Nẵng'].sort());
    expect(current.filter((c) => c.from.length > 1)).toHaveLength(23);
    expect(current.filter((c) => c.from.length === 1)).toHaveLength(11);
    expect(current.flatMap((c) => c.from).sort()).toEqual(old.map((o) => o.id).sort());
    expect(registry.currentOf('binh-duong')!.id).toBe('ho-chi-minh');
    expect(registry.currentOf('hau-giang')!.id).toBe('can-tho');
    expect(registry.since).toBe('2025-07-01');
  });

  it('cites documents the bundled knowledge holds, the act\'s own first', () => {
    const docs = new Map(KnowledgeBundleSchema.parse(JSON.parse(readFileSync(DEFAULT_OUT, 'utf8'))).documents.map((d) => [d.id, d]));
    const cited = [registry.data.reorganisation.docId, ...[...registry.data.old, ...registry.data.current].flatMap((u) => (u.docId ? [u.docId] : []))];
    expect(cited.filter((id) => !docs.has(id))).toEqual([]);
    expect(docs.get(registry.data.reorganisation.docId)!.sourceTitle).toContain(registry.data.reorganisation.basis.replace('Nghị quyết ', ''));
  });

  it('refuses an old unit that became two current units, or none', () => {
    const twice = structuredClone(raw);
    twice.current.find((c) => c.id === 'tay-ninh')!.from.push('binh-duong');
    expect(PlaceRegistrySchema.safeParse(twice).error?.message).toContain('binh-duong is also part of');
    const none = structuredClone(raw);
    none.current.find((c) => c.id === 'can-tho')!.from = ['can-tho', 'soc-trang'];
    expect(PlaceRegistrySchema.safeParse(none).error?.message).toContain('hau-giang became no current unit');
  });
});

describe('places named in a question', () => {
  it('finds old and current units typed with or without marks, one place for all its names', () => {
    expect(registry.namedIn('binh duong bay gio thuoc dau').map((p) => [p.old?.id, p.now.id, p.former])).toEqual([['binh-duong', 'ho-chi-minh', true]]);
    expect(registry.namedIn('Cần Thơ và Hậu Giang').map((p) => [p.now.id, p.former])).toEqual([['can-tho', false], ['can-tho', true]]);
    expect(registry.namedIn('TP.HCM, Sài Gòn, thành phố Hồ Chí Minh')).toHaveLength(1);
    expect(registry.formerIn('Chỉ thị 22 ban hành ngày nào')).toEqual([]);
  });

  it('labels a former unit with what it is part of now', () => {
    const [bd] = registry.formerIn('Bình Dương');
    expect(registry.formerLabel(bd!, texts, 'vi')).toBe('Bình Dương (nay thuộc TP. Hồ Chí Minh từ 1/7/2025)');
    expect(registry.formerLabel(bd!, texts, 'en')).toBe('Bình Dương (part of Hồ Chí Minh City since 1/7/2025)');
  });
});

describe('direct answers about what a place is now', () => {
  it.each([
    ['Bình Dương bây giờ còn là tỉnh không?', /^Không\. Từ 1\/7\/2025, Bình Dương không còn là tỉnh riêng mà thuộc TP\. Hồ Chí Minh, cùng với TP\. Hồ Chí Minh cũ và tỉnh Bà Rịa - Vũng Tàu\. Căn cứ: Nghị quyết 202\/2025\/QH15/],
    ['hau giang hien nay thuoc thanh pho nao', /^Từ 1\/7\/2025, Hậu Giang không còn là tỉnh riêng mà thuộc TP\. Cần Thơ/],
    ['Hậu Giang còn UBND tỉnh không?', /^Không\. .*thuộc TP\. Cần Thơ/],
    ['Bình Dương có thuộc TP.HCM không?', /^Có\. .*thuộc TP\. Hồ Chí Minh/],
    ['Bình Dương có thuộc Đồng Nai không?', /^Không\. .*thuộc TP\. Hồ Chí Minh/],
    ['Cần Thơ sáp nhập với tỉnh nào?', /^Từ 1\/7\/2025, TP\. Cần Thơ là đơn vị mới hợp thành từ TP\. Cần Thơ cũ, tỉnh Sóc Trăng và tỉnh Hậu Giang/],
    ['ha noi con la thanh pho khong', /^Có\. TP\. Hà Nội giữ nguyên/],
    ['Đồng Nai gồm những tỉnh nào', /Bình Phước.*chỉ có theo một nguồn/],
  ])('%s', (q, expected) => {
    expect(answer(q)?.text).toMatch(expected);
  });

  it('answers in English too', () => {
    expect(answer('Is Bình Dương still a province?', 'en')?.text).toMatch(/^No\. Since 1\/7\/2025, Bình Dương is no longer a separate province: it is part of Hồ Chí Minh City/);
  });

  it('cites the act\'s document and the place\'s own', () => {
    expect(answer('Bình Dương bây giờ còn là tỉnh không?')?.docIds).toEqual(['vn-danh-sach-34-tinh-thanh-2025', 'vn-binh-duong-vao-tp-hcm-2025']);
    expect(answer('Long An bây giờ thuộc tỉnh nào?')?.docIds).toEqual(['vn-danh-sach-34-tinh-thanh-2025']);
  });

  it.each([
    'Bình Dương cũ có bao nhiêu phường xã trong TP.HCM?',
    'cong dich vu cong binh duong con dung duoc khong',
    'Chủ tịch UBND tỉnh Bình Dương là ai?',
    'Trung tâm Phục vụ hành chính công Cần Thơ ở đâu?',
    'tỉnh nào thuộc miền Tây',
  ])('leaves "%s" to search', (q) => {
    expect(answer(q)).toBeUndefined();
  });
});

describe('time', () => {
  it.each([
    ['Bình Dương bây giờ còn là tỉnh không?', true],
    ['hien nay ca nuoc con bao nhieu tinh', true],
    ['Giờ tôi nộp hồ sơ trực tuyến ở đâu?', true],
    ['giay to cu sau sap nhap con gia tri khong', true],
    ['Hậu Giang còn UBND tỉnh không?', true],
    ['Is it still a province now?', true],
    ['Chỉ thị 22-CT/TU ban hành ngày nào?', false],
    ['giờ làm việc của trung tâm', false],
    ['Con tôi có phải làm căn cước không?', false],
    ['Bình Dương xếp hạng PAR Index 2022?', false],
  ])('"%s" asks about the present: %s', (q, expected) => {
    expect(asksAboutPresent(q)).toBe(expected);
  });

  it('calls a source old after two years', () => {
    const today = new Date('2026-12-06T09:00:00+07:00');
    expect(isOldSource('2022-07-06', today)).toBe(true);
    expect(isOldSource('2024-12-05', today)).toBe(true);
    expect(isOldSource('2024-12-07', today)).toBe(false);
    expect(isOldSource('2025-06-12', today)).toBe(false);
  });
});
