/**
 * @module knowledge/document-facts
 * Questions about a document itself, answered from its metadata rather than from a passage:
 * "05-NQ/TU về nội dung gì", "… ban hành ngày nào", "… ai ký", "… do cơ quan nào ban hành",
 * "… còn hiệu lực không". Only a question that names a số ký hiệu and asks one of these is
 * taken; "theo 412/KH-UBND, trung tâm mở cửa ngày nào?" asks about the content and is left to
 * the search. Validity is read from the data (effectiveAt, expiresAt, supersededBy) on the day
 * asked. Also the note an answer quoting a document no longer in force carries. Pure.
 */
import type { Locale } from '../core/types';
import { formatDate, type Texts } from '../core/texts';
import { fold } from '../text/normalize';
import type { DocumentMeta } from './schema';

export type DocumentAsk = 'subject' | 'issued' | 'signer' | 'issuer' | 'validity';

/** A số ký hiệu as written: 22-CT/TU, 05-NQ/TU, 202/2025/QH15, 118/2025/NĐ-CP, 766/QĐ-TTg, 412/KH-UBND. */
const NUMBER = /(?<![\p{L}\d])(\d{1,5}(?:\/\d{4})?[/-]\p{L}{1,6}\d{0,3}(?:[-/][\p{L}\d]{1,10}){0,3})(?![\p{L}\d])/u;

/** What is asked, on folded text; the first that matches wins (validity before dates: "có hiệu lực từ ngày nào"). */
const ASKS: Array<[DocumentAsk, RegExp]> = [
  ['validity', /\b(con hieu luc|het hieu luc|co hieu luc|hieu luc (tu|den|khi)|con ap dung|con duoc ap dung|bi thay the|da bi bai bo|con dung duoc)\b/],
  ['signer', /\b(ai ky|nguoi ky|do ai ky|ky boi|ai la nguoi ky)\b/],
  ['issuer', /\b(co quan nao ban hanh|ai ban hanh|don vi nao ban hanh|cua co quan nao|do ai ban hanh|noi ban hanh)\b/],
  ['issued', /\b(ban hanh (ngay|khi|vao|nam|luc|bao gio)|ngay ban hanh|ky ngay nao|ky khi nao|ra doi (khi|nam|ngay))/],
  ['subject', /\b(noi dung (gi|la gi|ra sao|chinh)|ve (noi dung|viec) gi|noi ve (gi|viec gi|van de gi)|quy dinh (ve )?(gi|nhung gi)|trich yeu|la van ban gi|ve van de gi)\b/],
];

/** The số ký hiệu a question names and what it asks about it; undefined for any other question. */
export function parseDocumentQuestion(question: string): { number: string; ask: DocumentAsk } | undefined {
  const text = question.normalize('NFC');
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const folded = fold(text.toLowerCase()).replace(/[^a-z0-9/-]+/g, ' ');
  const ask = ASKS.find(([, re]) => re.test(folded))?.[0];
  return ask ? { number: m[1]!, ask } : undefined;
}

type Validity = { state: 'in-force'; since?: string } | { state: 'not-yet'; from: string } | { state: 'expired'; on: string } | { state: 'superseded'; by: string };

/** A document's validity on `today` (YYYY-MM-DD). */
export function validityOn(doc: DocumentMeta, today: string): Validity {
  if (doc.supersededBy) return { state: 'superseded', by: doc.supersededBy };
  if (doc.expiresAt && doc.expiresAt < today) return { state: 'expired', on: doc.expiresAt };
  if (doc.effectiveAt && doc.effectiveAt > today) return { state: 'not-yet', from: doc.effectiveAt };
  return { state: 'in-force', since: doc.effectiveAt };
}

interface FactDeps {
  texts: Texts;
  locale: Locale;
  /** YYYY-MM-DD, Vietnam time. */
  today: string;
  /** A document's metadata by id (to name a successor). */
  document: (id: string) => DocumentMeta | undefined;
}

/** The answer to a parsed document question about `doc`, and the documents it cites. */
export function documentFact(doc: DocumentMeta, ask: DocumentAsk, deps: FactDeps): { text: string; docIds: string[] } {
  const { texts, locale } = deps;
  const title = doc.title;
  const number = doc.number ?? title;
  const issuer = doc.issuer ? texts.get(locale, 'doc-issuer', { issuer: doc.issuer }) : '';
  switch (ask) {
    case 'subject':
      return { text: texts.get(locale, 'doc-subject', { title: number, subject: subjectOf(doc) }), docIds: [doc.id] };
    case 'issued':
    case 'issuer':
      if (!doc.issuedAt) return { text: texts.get(locale, 'doc-issued-unknown', { number }), docIds: [doc.id] };
      return { text: texts.get(locale, 'doc-issued', { title, date: formatDate(doc.issuedAt), issuer }), docIds: [doc.id] };
    case 'signer':
      if (!doc.signer) return { text: texts.get(locale, 'doc-signer-unknown', { number }), docIds: [doc.id] };
      return { text: texts.get(locale, 'doc-signer', { title, signer: doc.signer }), docIds: [doc.id] };
    case 'validity': {
      const v = validityOn(doc, deps.today);
      switch (v.state) {
        case 'superseded': {
          const next = deps.document(v.by);
          return { text: texts.get(locale, 'doc-superseded', { title, successor: next?.title ?? v.by }), docIds: next ? [doc.id, next.id] : [doc.id] };
        }
        case 'expired':
          return { text: texts.get(locale, 'doc-expired', { title, date: formatDate(v.on) }), docIds: [doc.id] };
        case 'not-yet':
          return { text: texts.get(locale, 'doc-not-yet', { title, date: formatDate(v.from) }), docIds: [doc.id] };
        case 'in-force': {
          const since = v.since ? texts.get(locale, 'doc-in-force-since', { date: formatDate(v.since) }) : '';
          return { text: texts.get(locale, 'doc-in-force', { title, since }), docIds: [doc.id] };
        }
      }
    }
  }
}

/** The note under a quote from a document no longer in force on `today`; undefined while it is. */
export function historyNote(doc: DocumentMeta, deps: FactDeps): string | undefined {
  const v = validityOn(doc, deps.today);
  if (v.state !== 'superseded' && v.state !== 'expired') return undefined;
  const { texts, locale } = deps;
  const since = v.state === 'expired' ? texts.get(locale, 'doc-history-since', { date: formatDate(v.on) }) : '';
  const next = v.state === 'superseded' ? deps.document(v.by) : undefined;
  const successor = v.state === 'superseded' ? texts.get(locale, 'doc-history-successor', { successor: next?.title ?? v.by }) : '';
  return texts.get(locale, 'doc-history-note', { title: doc.title, since, successor });
}

/** True when a document no longer in force on `today` (answers about the present skip it). */
export function noLongerInForce(doc: DocumentMeta, today: string): boolean {
  const state = validityOn(doc, today).state;
  return state === 'superseded' || state === 'expired';
}

/** The trích yếu: the title without its kind and number ("Kế hoạch 412/KH-UBND về việc …" → "về việc …"). */
function subjectOf(doc: DocumentMeta): string {
  const about = /\s(v[eề]\s.*|v\/v\s.*)$/iu.exec(doc.title);
  return (about ? about[1]! : doc.title).replace(/\.$/, '');
}
