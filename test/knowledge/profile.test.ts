/**
 * The deployment's profile (knowledge/profile.json, src/knowledge/profile.ts): validated, checked
 * against the place registry, bundled, and the source of every {{profile…}} value in the texts
 * that send a citizen somewhere.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PlaceRegistrySchema, ProfileSchema, type Profile } from '../../src/knowledge/schema';
import { PlaceRegistry } from '../../src/knowledge/places';
import { checkProfile, profileTextVars } from '../../src/knowledge/profile';
import { Texts, type TextTable } from '../../src/core/texts';
import { buildBundle } from '../../scripts/build-bundle';

const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
const registry = new PlaceRegistry(PlaceRegistrySchema.parse(readJson('knowledge/places.json')));
const profile = ProfileSchema.parse(readJson('knowledge/profile.json'));
type Built = { prompts: TextTable; profile: unknown; places: unknown };
const built = JSON.parse(buildBundle()) as Built;
/** The bundled texts as a deployment with this profile gets them. */
const filled = (p: Profile) => new Texts((JSON.parse(buildBundle({ profile: p })) as Built).prompts);

describe('the deployment profile', () => {
  it('is the demo for the former Bình Dương and Hậu Giang, each with the current unit it became, and is bundled', () => {
    expect(profile.areas.map((a) => [a.former, a.current])).toEqual([
      ['binh-duong', 'ho-chi-minh'],
      ['hau-giang', 'can-tho'],
    ]);
    expect(checkProfile(profile, registry)).toEqual([]);
    expect(built.profile).toEqual(profile);
    expect(built.places).toEqual(registry.data);
  });

  it('says what is not confirmed instead of inventing it: no 1022 for Cần Thơ, no opening hours', () => {
    expect(profile.areas.find((a) => a.current === 'can-tho')!.hotline).toBeNull();
    expect(profile.areas.flatMap((a) => a.centres).every((c) => c.hours === null)).toBe(true);
  });

  it('is refused when an area names the wrong current unit or an unknown place', () => {
    const wrong = structuredClone(profile);
    wrong.areas[0]!.current = 'dong-nai';
    expect(checkProfile(wrong, registry)).toEqual(['area binh-duong: it became ho-chi-minh, not dong-nai']);
    wrong.areas[0]!.former = 'atlantis';
    expect(checkProfile(wrong, registry)[0]).toContain('no such former unit');
    expect(() => profileTextVars(wrong, registry, new Texts(built.prompts))).toThrow(/knowledge\/profile\.json/);
    expect(() => buildBundle({ profile: wrong })).toThrow(/knowledge\/profile\.json/);
    expect(ProfileSchema.safeParse({ ...profile, portals: [{ name: { vi: 'Cổng', en: 'Portal' }, url: 'http://x.example' }] }).success).toBe(false);
  });
});

describe('texts that send a citizen somewhere are filled from the profile', () => {
  it('names the centres with addresses, the hotline or its absence, the hours or their absence, the portal', () => {
    const t = filled(profile);
    const vi = t.get('vi', 'not-found');
    expect(vi).toContain('Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh (43 Nguyễn Văn Bá, phường Thủ Đức, TP. Hồ Chí Minh)');
    expect(vi).toContain('Trung tâm Phục vụ hành chính công TP. Cần Thơ (109 Nguyễn Trãi, phường Ninh Kiều, TP. Cần Thơ)');
    expect(vi).toContain('gọi đường dây nóng: 1022 (TP. Hồ Chí Minh); TP. Cần Thơ: chưa xác minh được');
    expect(vi).toContain('Giờ làm việc của các trung tâm: chưa có thông tin đã xác minh');
    expect(vi).toContain('Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)');
    expect(t.get('en', 'not-found')).toContain('call the hotline: 1022 (Hồ Chí Minh City); Cần Thơ City: none confirmed yet');
    expect(t.get('vi', 'ask-refusal-legal')).toContain('Trung tâm Trợ giúp pháp lý nhà nước của TP. Hồ Chí Minh hoặc TP. Cần Thơ');
    expect(t.get('vi', 'dossier-unconfigured', { code: 'X', url: 'u' })).toContain('hoặc Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh (43 Nguyễn Văn Bá');
  });

  it('follows the profile: another deployment\'s office, hours and hotline replace the demo\'s', () => {
    const other = structuredClone(profile);
    other.areas = [{ ...other.areas[1]!, hotline: { number: '1900' }, centres: [{ ...other.areas[1]!.centres[0]!, address: '1 Đường Thử, phường Thử', hours: '7:00-17:00' }] }];
    const vi = filled(other).get('vi', 'not-found');
    expect(vi).toContain('(1 Đường Thử, phường Thử)');
    expect(vi).toContain('1900 (TP. Cần Thơ)');
    expect(vi).toContain('7:00-17:00');
    expect(vi).not.toContain('Nguyễn Văn Bá');
    expect(filled(other).get('vi', 'start')).toContain('cho Hậu Giang (nay thuộc TP. Cần Thơ từ 1/7/2025)');
  });

  it('leaves no {{profile…}} placeholder open in any bundled text, in either language', () => {
    const open = (['vi', 'en'] as const).flatMap((locale) =>
      Object.entries(built.prompts[locale]).filter(([, text]) => /\{\{profile/.test(text)).map(([key]) => `${locale}:${key}`),
    );
    expect(open).toEqual([]);
    // …while the prompt files themselves hold the placeholders, not the demo's addresses.
    const source = readFileSync(new URL('../../prompts/vi/not-found.md', import.meta.url), 'utf8');
    expect(source).toContain('{{profileCentres}}');
    expect(source).not.toContain('Nguyễn Văn Bá');
  });
});
