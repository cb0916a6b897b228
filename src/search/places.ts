/**
 * @module search/places
 * Province and city names. A question that names a place the found passages never mention
 * ("Chủ tịch UBND tỉnh Đồng Nai là ai?") is about somewhere the knowledge does not cover: the
 * words around the name match, the answer would not. Matching is on folded text, whole words.
 */
import { fold } from '../text/normalize';

/** A place name (or any text) as the matcher compares it: folded, lower case, words split by single spaces. */
export function placeKey(text: string): string {
  return fold(text.normalize('NFC').toLowerCase()).replace(/[^a-z0-9]+/g, ' ').trim();
}

function key(text: string): string {
  return ` ${placeKey(text)} `;
}

export class PlaceMatcher {
  private readonly names: string[];
  /** Each name's key -> every key that names the same place ("tp hcm" -> "ho chi minh", …). */
  private readonly synonyms = new Map<string, Set<string>>();

  /** Each entry is a name, or all the names of one place (a passage may use any of them). */
  constructor(places: ReadonlyArray<string | readonly string[]>) {
    for (const entry of places) {
      const keys = (typeof entry === 'string' ? [entry] : entry).map(placeKey).filter((k) => k.includes(' ') || k.length > 4);
      for (const k of keys) {
        const set = this.synonyms.get(k) ?? new Set<string>();
        keys.forEach((other) => set.add(other));
        this.synonyms.set(k, set);
      }
    }
    // Longest first, so "Bà Rịa Vũng Tàu" is found before "Vũng Tàu".
    this.names = [...this.synonyms.keys()].sort((a, b) => b.length - a.length).map((k) => ` ${k} `);
  }

  /** The places a text names, as folded keys. */
  namedIn(text: string): string[] {
    let haystack = key(text);
    const found: string[] = [];
    for (const name of this.names) {
      if (haystack.includes(name)) {
        found.push(name.trim());
        haystack = haystack.split(name).join(' ');
      }
    }
    return found;
  }

  /** True when `text` mentions one of `places` (keys from namedIn) by any of its names. */
  mentions(text: string, places: readonly string[]): boolean {
    return PlaceMatcher.mentionsAny(text, places.flatMap((p) => [...(this.synonyms.get(p) ?? [p])]));
  }

  /** True when `text` mentions at least one of `places` (folded keys from namedIn). */
  static mentionsAny(text: string, places: readonly string[]): boolean {
    const haystack = key(text);
    return places.some((p) => haystack.includes(` ${p} `));
  }
}
