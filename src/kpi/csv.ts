/**
 * @module kpi/csv
 * A small RFC 4180 CSV reader for KPI uploads and pulls: quoted fields (with "" for a quote,
 * commas and line breaks inside), CRLF or LF, a UTF-8 byte-order mark. It returns records with
 * their line numbers so a rejected row can be pointed at.
 */

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  override name = 'CsvError';
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedField = false;
  const endField = () => {
    fields.push(quotedField ? field : field.trim());
    field = '';
    quotedField = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is not a record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field.trim() !== '') throw new CsvError(`line ${line}: a quote may only start a field`);
      field = '';
      inQuotes = true;
      quotedField = true;
    } else if (ch === ',') {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (quotedField) {
        if (ch === ' ' || ch === '\t') continue;
        throw new CsvError(`line ${line}: text after a closing quote`);
      }
      field += ch;
    }
  }
  if (inQuotes) throw new CsvError(`line ${recordLine}: a quoted field is not closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
