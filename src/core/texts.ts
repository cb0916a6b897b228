/**
 * @module core/texts
 * User-facing texts by locale, loaded from the prompts/ files (bundled at build time because
 * Workers has no file system). Vietnamese first; an English text missing falls back to it.
 */
import type { Locale } from './types';

export type TextTable = Record<Locale, Record<string, string>>;

export class Texts {
  constructor(private readonly table: TextTable) {}

  /** The text for key in locale with {{name}} placeholders filled; throws on an unknown key. */
  get(locale: Locale, key: string, vars: Record<string, string | number> = {}): string {
    const text = this.table[locale]?.[key] ?? this.table.vi[key];
    if (text === undefined) throw new Error(`Unknown text key: ${key}`);
    return text.replace(/\{\{(\w+)\}\}/g, (m, name: string) =>
      name in vars ? String(vars[name]) : m,
    );
  }
}

/** Formats an ISO date (YYYY-MM-DD) the Vietnamese way: 2023-09-30 -> 30/9/2023. */
export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  return `${+m[3]!}/${+m[2]!}/${m[1]}`;
}
