/**
 * @module text/json-lines
 * Where things start in a JSON text, so an import can report a bad record by its line: the
 * elements of the top-level array, or of the array under one key of the top-level object.
 */

/** 1-based line of character `index`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** The line of the first non-blank character (a lone record's line). */
export function firstLine(text: string): number {
  const i = text.search(/\S/);
  return i < 0 ? 1 : lineAt(text, i);
}

/** The line JSON.parse's error points at (V8 names a position), else 1. */
export function jsonErrorLine(text: string, error: unknown): number {
  const m = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  return m ? lineAt(text, Number(m[1])) : 1;
}

/**
 * Lines where the elements of the top-level array start, or (with `key`) of the array under
 * that key of the top-level object. Assumes `text` is valid JSON.
 */
export function elementLines(text: string, key?: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let target = key ? -1 : 1;
  let expecting = false;
  let lastKeyAtTop: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inString = false;
        if (key && depth === 1) lastKeyAtTop = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (expecting && depth === target && ch !== ']') {
      out.push(lineAt(text, i));
      expecting = false;
    }
    if (ch === '"') {
      inString = true;
      stringStart = i;
    } else if (ch === '[' || ch === '{') {
      depth++;
      if (key && target === -1 && ch === '[' && depth === 2 && lastKeyAtTop === key) target = 2;
      if (ch === '[' && depth === target) expecting = true;
    } else if (ch === ']' || ch === '}') {
      depth--;
      if (key && depth === 1 && target === 2) target = -2;
    } else if (ch === ',' && depth === target) {
      expecting = true;
    }
  }
  return out;
}
