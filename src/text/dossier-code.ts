/**
 * @module text/dossier-code
 * What a dossier code (mã hồ sơ) looks like (Thông tư 01/2018/TT-VPCP, Điều 19):
 * V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX, i.e. the receiving unit's code in four groups, the date
 * received as YYMMDD and a 4-digit sequence number for that day. Codes seen in practice may differ
 * from the letter of the circular, so a code with the same "-YYMMDD-NNNN" tail but another unit
 * code is accepted as "loose". A pure text rule: the dossier lookup and the masking of personal
 * numbers (a dossier code is not one) both use it.
 */

const STRICT = /^([A-Z0-9]{3})\.([A-Z0-9]{2})\.([A-Z0-9]{2})\.([A-Z][0-9]{2})-(\d{2})(\d{2})(\d{2})-(\d{4})$/;
const LOOSE = /^[A-Z0-9]{1,6}(?:\.[A-Z0-9]{1,6}){0,4}-(\d{2})(\d{2})(\d{2})-(\d{4,6})$/;

type CodeCheck =
  | { ok: true; code: string; strict: boolean; received: string }
  | { ok: false; code: string };

/** Normalises (trim, upper case) and checks a dossier code; `received` is the ISO date it encodes. */
export function checkDossierCode(raw: string): CodeCheck {
  const code = raw.trim().replace(/[.,;:!?)"'”]+$/, '').replace(/^["'“(]+/, '').toUpperCase();
  const strict = STRICT.exec(code);
  const loose = strict ? null : LOOSE.exec(code);
  const [yy, mm, dd] = strict ? [strict[5], strict[6], strict[7]] : loose ? [loose[1], loose[2], loose[3]] : [];
  if (!yy || !mm || !dd) return { ok: false, code };
  const received = validDate(2000 + Number(yy), Number(mm), Number(dd));
  if (!received) return { ok: false, code };
  return { ok: true, code, strict: strict !== null, received };
}

/** The first token in a text that looks like a dossier code (either form), if any. */
export function findDossierCode(text: string): string | undefined {
  for (const token of text.split(/\s+/)) {
    const check = checkDossierCode(token);
    if (check.ok) return check.code;
  }
  return undefined;
}

function validDate(y: number, m: number, d: number): string | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}
