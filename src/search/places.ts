/**
 * @module search/places
 * Province and city names. A question that names a place the found passages never mention
 * ("Chủ tịch UBND tỉnh Đồng Nai là ai?") is about somewhere the knowledge does not cover: the
 * words around the name match, the answer would not. Matching is on folded text, whole words.
 */
import { fold } from '../text/normalize';

function key(text: string): string {
  return ` ${fold(text.normalize('NFC').toLowerCase()).replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

export class PlaceMatcher {
  private readonly names: string[];

  constructor(places: readonly string[]) {
    // Longest first, so "Bà Rịa Vũng Tàu" is found before "Vũng Tàu".
    this.names = [...new Set(places.map((p) => key(p)).filter((k) => k.trim().includes(' ') || k.trim().length > 4))].sort(
      (a, b) => b.length - a.length,
    );
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

  /** True when `text` mentions at least one of `places` (folded keys from namedIn). */
  static mentionsAny(text: string, places: readonly string[]): boolean {
    const haystack = key(text);
    return places.some((p) => haystack.includes(` ${p} `));
  }
}
