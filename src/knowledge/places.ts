/**
 * @module knowledge/places
 * The place registry (knowledge/places.json): every province-level unit before and after the
 * 2025 reorganisation, what each old unit became and since when. It finds the places a
 * question names (with or without marks), tells a former unit ("Bình Dương") from a current
 * one, answers "is it still a province / what is it part of now" directly, and labels a former
 * unit for answers found by search ("Bình Dương (nay thuộc TP. Hồ Chí Minh từ 1/7/2025)").
 * Pure: the texts come in, the sentences go out.
 */
import { formatDate, type Texts } from '../core/texts';
import type { Locale } from '../core/types';
import { PlaceMatcher, placeKey } from '../search/places';
import type { CurrentPlaceUnit, PlaceRegistryData, PlaceUnit } from './schema';

/** One place a text names, resolved against the registry. */
export interface NamedPlace {
  /** The old unit of that name, if there was one. */
  old?: PlaceUnit;
  /** The current unit of that name, if there is one. */
  current?: CurrentPlaceUnit;
  /** The current unit this place is, or is now part of. */
  now: CurrentPlaceUnit;
  /** Named as a unit that no longer exists on its own (no current unit has the name). */
  former: boolean;
}

export class PlaceRegistry {
  private readonly matcher: PlaceMatcher;
  private readonly byKey = new Map<string, { old?: PlaceUnit; current?: CurrentPlaceUnit }>();
  private readonly became = new Map<string, CurrentPlaceUnit>();

  constructor(readonly data: PlaceRegistryData) {
    for (const c of data.current) for (const id of c.from) this.became.set(id, c);
    const add = (u: PlaceUnit, slot: 'old' | 'current', unit: PlaceUnit | CurrentPlaceUnit) => {
      for (const name of [u.name, ...u.aliases]) {
        const entry = this.byKey.get(placeKey(name)) ?? {};
        this.byKey.set(placeKey(name), { ...entry, [slot]: unit });
      }
    };
    for (const o of data.old) add(o, 'old', o);
    for (const c of data.current) add(c, 'current', c);
    this.matcher = new PlaceMatcher(this.nameGroups());
  }

  /** Each unit's names (name and aliases), old and current: what the search's place check matches. */
  nameGroups(): string[][] {
    return [...this.data.old, ...this.data.current].map((u) => [u.name, ...u.aliases]);
  }

  /** The day the current units began to work (ISO). */
  get since(): string {
    return this.data.reorganisation.effective;
  }

  /** The current unit an old unit became. */
  currentOf(oldId: string): CurrentPlaceUnit | undefined {
    return this.became.get(oldId);
  }

  old(id: string): PlaceUnit | undefined {
    return this.data.old.find((u) => u.id === id);
  }

  current(id: string): CurrentPlaceUnit | undefined {
    return this.data.current.find((u) => u.id === id);
  }

  /** The places a text names, in the order it names them. */
  namedIn(text: string): NamedPlace[] {
    const haystack = ` ${placeKey(text)} `;
    const seen = new Set<string>();
    const found: Array<{ at: number; place: NamedPlace }> = [];
    for (const key of this.matcher.namedIn(text)) {
      const entry = this.byKey.get(key);
      const now = entry?.current ?? (entry?.old && this.became.get(entry.old.id));
      // Two names of one unit ("TP.HCM", "Sài Gòn") are one place.
      const id = `${entry?.old?.id}|${entry?.current?.id}`;
      if (!entry || !now || seen.has(id)) continue;
      seen.add(id);
      found.push({ at: haystack.indexOf(` ${key} `), place: { ...entry, now, former: !entry.current } });
    }
    return found.sort((a, b) => a.at - b.at).map((f) => f.place);
  }

  /** The former units a text names (for the "nay thuộc …" label). */
  formerIn(text: string): NamedPlace[] {
    return this.namedIn(text).filter((p) => p.former);
  }

  /** "tỉnh Tây Ninh", "TP. Hồ Chí Minh" (vi); "Tây Ninh province", "Hồ Chí Minh City" (en). */
  display(unit: PlaceUnit, texts: Texts, locale: Locale): string {
    return texts.get(locale, `place-display-${unit.type}`, { name: unit.name });
  }

  /** "Bình Dương (nay thuộc TP. Hồ Chí Minh từ 1/7/2025)". */
  formerLabel(place: NamedPlace, texts: Texts, locale: Locale): string {
    return texts.get(locale, 'place-now-part-of', {
      name: place.old?.name ?? place.now.name,
      current: this.display(place.now, texts, locale),
      since: formatDate(this.since),
    });
  }

  /** The knowledge documents an answer about these places cites: the act's first. */
  citedDocs(places: NamedPlace[]): string[] {
    const ids = [this.data.reorganisation.docId, ...places.map((p) => p.old?.docId ?? p.now.docId)];
    return [...new Set(ids.filter((id): id is string => id !== undefined))];
  }
}

/** Joins names the way a sentence lists them: "A, B và C". */
export function joinList(items: string[], texts: Texts, locale: Locale, joiner = 'list-and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${texts.get(locale, joiner)} ${items.at(-1)}`;
}

/** What a status question asks, on folded words (see placeKey). */
type StatusAsk = 'exists' | 'belongs' | 'merged';
const STATUS: Array<[StatusAsk, RegExp]> = [
  // "còn là tỉnh không", "còn UBND tỉnh không", "Hậu Giang còn không"
  ['exists', /\bcon (la )?(mot )?(tinh|thanh pho|tp)\b|\bcon (ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan|chinh quyen)\b|\bcon (khong|ko)$|\bkhong con la\b|\bstill (a |an )?(separate )?(province|city|exists?)\b/],
  // "thuộc thành phố nào", "nhập vào đâu", "bây giờ là tỉnh gì", "tên mới là gì", "có thuộc TP.HCM không"
  ['belongs', /\b(thuoc|nhap vao|gop vao|sap nhap vao) (tinh |thanh pho |tp |dia phuong |don vi )?(nao|gi|dau)\b|\b(la|thanh) (tinh|thanh pho|tp) (nao|gi)\b|\bten (moi|goi moi|hien nay|bay gio)\b|\bthuoc\b.*\b(khong|ko)$|\b(part of|belongs? to|in) (which|what)\b|\b(which|what) (province|city) (is|does)\b|\bnew name\b/],
  // "sáp nhập với tỉnh nào", "gồm những tỉnh nào", "đã sáp nhập chưa"
  ['merged', /\b(sap nhap|nhap|gop|hop nhat) (voi|cung) (nhung |cac )?(tinh|thanh pho|tp|dia phuong|don vi)?( cu)? ?(nao|gi|dau)\b|\b(gom|bao gom) (nhung |cac )?(tinh|thanh pho|tinh thanh|dia phuong|don vi)( cu)? nao\b|\b(sap nhap|nhap|gop|hop nhat)( voi| vao)? (chua|khong|ko)$|\bmerged? (with|into) (which|what)\b|\b(was|been) merged\b/],
];

function statusAsked(words: string): StatusAsk | undefined {
  return STATUS.find(([, re]) => re.test(words))?.[0];
}

/** A direct answer: the sentences and the knowledge documents that back them. */
interface PlaceAnswer {
  text: string;
  docIds: string[];
}

/**
 * Answers a question about what a named province-level unit is now ("Bình Dương bây giờ còn
 * là tỉnh không?", "hau giang hien nay thuoc thanh pho nao"); undefined for any other question.
 */
export function placeStatusAnswer(registry: PlaceRegistry, question: string, texts: Texts, locale: Locale): PlaceAnswer | undefined {
  const words = placeKey(question);
  const ask = statusAsked(words);
  if (!ask) return undefined;
  const named = registry.namedIn(question);
  if (named.length === 0) return undefined;
  const formers = named.filter((p) => p.former);
  const subjects = (formers.length ? formers : named).slice(0, 3);
  const sentences = subjects.map((p) => describe(registry, p, texts, locale));
  const verdict = yesNo(ask, words, subjects, named);
  if (verdict !== undefined) sentences.unshift(texts.get(locale, verdict ? 'place-yes' : 'place-no'));
  return { text: sentences.join(' '), docIds: registry.citedDocs(subjects) };
}

/** The yes or no a yes/no question gets, when it is one this registry can settle. */
function yesNo(ask: StatusAsk, words: string, subjects: NamedPlace[], named: NamedPlace[]): boolean | undefined {
  if (subjects.length !== 1 || !/\b(khong|ko|chua)$|^(is|does|has|was|are)\b/.test(words)) return undefined;
  const p = subjects[0]!;
  if (ask === 'exists') return !p.former;
  if (ask === 'merged') return p.former || p.now.from.length > 1;
  // "Bình Dương có thuộc TP.HCM không?": yes when the other place named is what it became.
  const other = named.find((n) => n !== p && n.current);
  return other ? other.current!.id === p.now.id : undefined;
}

function describe(registry: PlaceRegistry, p: NamedPlace, texts: Texts, locale: Locale): string {
  const display = (u: PlaceUnit) => registry.display(u, texts, locale);
  const basis = texts.get(locale, 'place-basis', {
    basis: registry.data.reorganisation.basis,
    issuer: registry.data.reorganisation.issuer,
    adopted: formatDate(registry.data.reorganisation.adopted),
  });
  const since = formatDate(registry.since);
  const current = display(p.now);
  const part = (u: PlaceUnit) => (u.id === p.now.id ? texts.get(locale, 'place-old-part', { name: display(u) }) : display(u));
  const parts = p.now.from.map((id) => registry.old(id)!);
  let sentence: string;
  if (p.former) {
    const partners = parts.filter((u) => u.id !== p.old!.id).map(part);
    sentence = texts.get(locale, 'place-former', {
      name: p.old!.name,
      kind: texts.get(locale, `place-kind-${p.old!.type}`),
      current,
      partners: joinList(partners, texts, locale),
      since,
      basis,
    });
  } else if (parts.length > 1) {
    sentence = texts.get(locale, 'place-merged', { current, parts: joinList(parts.map(part), texts, locale), since, basis });
  } else {
    sentence = texts.get(locale, 'place-unchanged', { current, basis });
  }
  return p.now.unconfirmed ? `${sentence} ${texts.get(locale, 'place-unconfirmed', { current })}` : sentence;
}
