/**
 * @module text/csv
 * CSV reading for every import (KPI uploads and pulls, procedure catalogues), with csv-parse's
 * RFC 4180 reader and one set of rules: a UTF-8 byte-order mark is dropped; CRLF, LF or CR ends
 * a line; blank lines are skipped; spaces around a field are dropped (inside quotes they are
 * kept); a quote may only open a field, and only a comma or a line end may follow its closing
 * quote. Bad quoting rejects the whole text with its line, since past it nobody can tell where
 * the next rows begin; a row with the wrong number of fields is the caller's to report, by the
 * line each record carries.
 */
import { CsvError as ParseError, parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const QUOTING_ERRORS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a quote may only start a field',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after a closing quote',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
};

export function parseCsv(text: string): CsvRecord[] {
  // One kind of line break: csv-parse counts a CRLF inside quotes as two lines.
  const src = text.replace(/\r\n?/g, '\n');
  const records: CsvRecord[] = [];
  let lastLine = 0;
  try {
    parse(src, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (fields: string[], { lines }) => {
        // `lines` is where the record ends; the line breaks inside its quoted fields lead back to its start.
        records.push({ line: lines - fields.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0), fields });
        lastLine = lines;
        return null;
      },
    });
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    const reason = QUOTING_ERRORS[e.code] ?? 'malformed';
    // csv-parse names the last line read; an unclosed quote belongs to the record it opened.
    const line = e.code === 'CSV_QUOTE_NOT_CLOSED' ? nextFilledLine(src, lastLine) : (e as { lines?: number }).lines ?? lastLine + 1;
    throw new CsvError(line, reason);
  }
  return records;
}

/** The first line after line `after` that holds more than spaces (1-based). */
function nextFilledLine(src: string, after: number): number {
  const lines = src.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i]!.trim() !== '') return i + 1;
  return after + 1;
}
