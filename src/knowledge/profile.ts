/**
 * @module knowledge/profile
 * The deployment's profile (knowledge/profile.json): the area it serves and where a citizen
 * goes there. It checks the profile against the place registry and fills the {{profile…}}
 * placeholders of every text that sends someone somewhere (not-found, dossier, procedure
 * reminders, /start): the service centres and their addresses, the hotline or that none is
 * confirmed, the working hours or that none were published, the portal. The texts are filled
 * when they are bundled (scripts/build-bundle.ts), so every reader of the bundle gets them filled.
 */
import { Texts, type TextTable } from '../core/texts';
import type { Locale } from '../core/types';
import { joinList, type PlaceRegistry } from './places';
import type { Profile } from './schema';

/** What is wrong with the profile against the registry (empty when nothing). */
export function checkProfile(profile: Profile, registry: PlaceRegistry): string[] {
  const problems: string[] = [];
  for (const a of profile.areas) {
    if (!registry.old(a.former)) problems.push(`area ${a.former}: no such former unit in knowledge/places.json`);
    const became = registry.currentOf(a.former);
    if (became && became.id !== a.current) problems.push(`area ${a.former}: it became ${became.id}, not ${a.current}`);
  }
  return problems;
}

/** The {{profile…}} text values, per locale. */
export function profileTextVars(profile: Profile, registry: PlaceRegistry, texts: Texts): Record<Locale, Record<string, string>> {
  const problems = checkProfile(profile, registry);
  if (problems.length) throw new Error(`knowledge/profile.json: ${problems.join('; ')}`);
  const vars = (locale: Locale): Record<string, string> => {
    const currents = [...new Set(profile.areas.map((a) => a.current))].map((id) => registry.display(registry.current(id)!, texts, locale));
    const centres = profile.areas.flatMap((a) => a.centres);
    const hotlines = profile.areas.map((a) => {
      const place = registry.display(registry.current(a.current)!, texts, locale);
      return a.hotline ? texts.get(locale, 'profile-hotline', { number: a.hotline.number, place }) : texts.get(locale, 'profile-hotline-none', { place });
    });
    const portal = profile.portals[0]!;
    return {
      profileArea: joinList(
        profile.areas.map((a) => registry.formerLabel({ old: registry.old(a.former), now: registry.current(a.current)!, former: true }, texts, locale)),
        texts,
        locale,
      ),
      profileCities: joinList(currents, texts, locale, 'list-or'),
      profileCentres: joinList(
        centres.map((c) => texts.get(locale, 'profile-centre', { name: c.name[locale], address: c.address })),
        texts,
        locale,
        'list-or',
      ),
      profileHours: centres.every((c) => c.hours === null)
        ? texts.get(locale, 'profile-hours-unknown')
        : centres.map((c) => `${c.name[locale]}: ${c.hours ?? texts.get(locale, 'profile-hours-unknown')}`).join('; '),
      profileHotline: [...new Set(hotlines)].join('; '),
      profilePortal: texts.get(locale, 'profile-portal', { name: portal.name[locale], host: new URL(portal.url).host }),
      profilePortalUrl: portal.url,
    };
  };
  return { vi: vars('vi'), en: vars('en') };
}

/** The texts with every {{profile…}} placeholder filled from the profile (other placeholders stay). */
export function fillProfileTexts(table: TextTable, profile: Profile, registry: PlaceRegistry): TextTable {
  const vars = profileTextVars(profile, registry, new Texts(table));
  const fill = (locale: Locale): Record<string, string> =>
    Object.fromEntries(
      Object.entries(table[locale]).map(([key, text]) => [key, text.replace(/\{\{(profile\w+)\}\}/g, (m, name: string) => vars[locale][name] ?? m)]),
    );
  return { vi: fill('vi'), en: fill('en') };
}
