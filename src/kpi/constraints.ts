/**
 * @module kpi/constraints
 * The place and the years a KPI question names, held against the catalogue: a definition
 * belongs to the province its `region` names, and a value to the year its period starts in.
 * A question for Hậu Giang is never answered with a Bình Dương KPI, nor a question for 2020
 * with the 2022 value. Pure: the place registry and the question's ask come in.
 */
import type { NamedPlace, PlaceRegistry } from '../knowledge/places';
import type { Texts } from '../core/texts';
import type { Locale } from '../core/types';
import { parsePeriod } from './period';
import type { KpiDefinition, Observation } from './schema';

/** The years a question asks about, one slot each: a single year, or a span ("2021-2025"). */
export interface YearSlot {
  from: number;
  to: number;
}

/** The constraints of a KPI question the catalogue can be held against. */
export interface KpiConstraints {
  places: NamedPlace[];
  slots: YearSlot[];
}

/** The slots from an ask's years and period (see answer/ask-type classifyAsk). */
export function yearSlots(ask: { years: number[]; period?: { from: number; to: number } }): YearSlot[] {
  const slots = ask.years.map((y) => ({ from: y, to: y }));
  if (ask.period) slots.push({ from: ask.period.from, to: ask.period.to });
  return slots.sort((a, b) => a.from - b.from);
}

/** One unit, old or current, as a comparable key: a former province is not the city it joined. */
function unitKey(p: NamedPlace): string {
  return p.old && p.former ? `old:${p.old.id}` : `now:${p.now.id}`;
}

/** The place a definition's region names; undefined when the registry does not know it. */
export function placeOf(def: KpiDefinition, places: PlaceRegistry): NamedPlace | undefined {
  return places.namedIn(def.region)[0];
}

/**
 * How an answer names the place asked about (or, when none was named, the KPI's own): a unit that
 * no longer exists on its own as the former one ("tỉnh Bình Dương (cũ)"), a current one as it is
 * called now ("TP. Hồ Chí Minh").
 */
export function placeLabel(named: NamedPlace | undefined, def: KpiDefinition, places: PlaceRegistry, texts: Texts, locale: Locale): string {
  const place = named ?? placeOf(def, places);
  if (!place) return def.region;
  if (place.former && place.old) return texts.get(locale, 'kpi-place-former', { place: places.display(place.old, texts, locale) });
  return places.display(place.current ?? place.now, texts, locale);
}

/** The definitions that belong to one of the named places (all of them when none is named). */
export function forPlaces(defs: KpiDefinition[], named: NamedPlace[], places: PlaceRegistry): KpiDefinition[] {
  if (named.length === 0) return defs;
  const wanted = new Set(named.map(unitKey));
  return defs.filter((d) => {
    const own = placeOf(d, places);
    return own !== undefined && wanted.has(unitKey(own));
  });
}

/** The values whose period starts within the slot, oldest first. */
export function inSlot(history: Observation[], slot: YearSlot): Observation[] {
  return history.filter((o) => {
    const start = parsePeriod(o.period)?.start;
    const year = start ? +start.slice(0, 4) : NaN;
    return year >= slot.from && year <= slot.to;
  });
}
