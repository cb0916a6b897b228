/**
 * @module handlers/procedures
 * Administrative procedures (thủ tục hành chính): "/thutuc <từ khóa>", "thủ tục …" and free
 * questions about a procedure get a card from the structured records, a precise question
 * ("làm căn cước mất bao lâu") gets that field directly, a yes/no question "Có."/"Không." first,
 * a question naming two procedures ("khai sinh và khai tử") both, several close matches a
 * pick-list, a question naming the former district level where it is done now and that the district
 * level ended; and "tra cứu hồ sơ <mã>" checks a dossier code and asks the configured lookup
 * service. Answers come only from the records; the handler never writes a fact of its own.
 */
import type { Handler, HandlerBasics } from '../src/core/handler';
import type { Locale, Reply } from '../src/core/types';
import { formatDate, type Texts } from '../src/core/texts';
import { fold } from '../src/text/normalize';
import type { ProcedureService } from '../src/procedures/service';
import { fieldFromKey, readIntent, subjectParts, type Field } from '../src/procedures/intent';
import { emptyQuery, fieldAnswer, INTENT, multiAnswer, notFound, pickList, procedureCard } from '../src/procedures/card';
import type { Procedure } from '../src/procedures/schema';
import type { ProcedureMatch } from '../src/procedures/match';
import { vnDay } from '../src/core/vn-time';
import { PORTAL_DOSSIER_URL, type DossierLookup } from '../src/procedures/dossier';
import { checkDossierCode, findDossierCode } from '../src/text/dossier-code';
import { describeError } from '../src/log';
import type { PlaceRegistry } from '../src/knowledge/places';

const DOSSIER_PHRASE = 'tra cuu ho so';

/** A named procedure scoring at least this is taken to be what the message is about. */
const CLEAR_MATCH = 0.8;
const LIKELY_MATCH = 0.6;

interface ProceduresDeps extends HandlerBasics {
  /** Procedure records, matching and the dossier status lookup. */
  procedures: ProcedureService;
  /** The place registry: the day the district level ended, told to a question that names it. */
  places?: PlaceRegistry;
}

export function createProceduresHandler(deps: ProceduresDeps): Handler {
  const service = deps.procedures;
  return {
    id: INTENT,
    commands: ['thutuc'],
    phrases: ['thu tuc', DOSSIER_PHRASE],

    detect(text) {
      const code = findDossierCode(text);
      if (code) {
        const check = checkDossierCode(code);
        if (check.ok && check.strict) return 0.9;
      }
      const intent = readIntent(text);
      const best = Math.max(service.shortlist(intent.subject)[0]?.score ?? 0, ...namedApart(service, intent.subject).map((m) => m.score));
      const asks = intent.fields.length > 0 || intent.yesNo.length > 0 || intent.goneLevel !== undefined;
      if (best >= CLEAR_MATCH) return asks ? 0.85 : 0.75;
      if (best >= LIKELY_MATCH && (asks || intent.procedureCue)) return 0.6;
      return 0;
    },

    async handle({ inbound, args }) {
      const { texts } = deps;
      const locale = inbound.locale;
      const said = fold(inbound.text.normalize('NFC').toLowerCase()).trim();
      if (said.startsWith(DOSSIER_PHRASE) || findDossierCode(args)) {
        return dossierReply(args, deps, locale);
      }

      const query = args.trim();
      if (!query) return emptyQuery(texts, locale);
      const today = vnDay(deps.now());

      // "/thutuc <id|mã> [field]": what the buttons send.
      const [first = '', second, ...rest] = query.split(/\s+/);
      const named = service.get(first);
      if (named && rest.length === 0) {
        const field = second ? fieldFromKey(second) : undefined;
        if (!second) return procedureCard(named, texts, locale, today);
        if (field) return fieldAnswer(named, [field], texts, locale, { today });
      }

      const intent = readIntent(query);
      // "… còn nộp ở UBND huyện không": that level ended (the date from the place registry); the
      // record then says where the procedure is done now.
      const levelGone = intent.goneLevel && deps.places ? { since: formatDate(deps.places.since), yesNo: intent.goneLevel.yesNo } : undefined;
      if (intent.goneLevel && !intent.fields.length) intent.fields.push('where');
      const matches = service.shortlist(intent.subject);
      // Two procedures named ("khai sinh và khai tử …") are both answered, not offered as a choice.
      const several = namedApart(service, intent.subject).filter((_, __, all) => matches.length !== 1 || !all.every((m) => covers(matches[0]!.procedure, m.procedure)));
      if (several.length > 1) {
        const procedures = several.map((m) => m.procedure);
        return multiAnswer(procedures, (p) => withDeadline(p, intent.fields, intent.eitherDuration), texts, locale, { today, yesNo: intent.yesNo, levelGone });
      }
      if (matches.length === 0) return notFound(texts, locale);
      if (matches.length > 1) return pickList(matches, intent.fields, texts, locale);
      const procedure = matches[0]!.procedure;
      const fields = withDeadline(procedure, intent.fields, intent.eitherDuration);
      if (!fields.length && !intent.yesNo.length) return procedureCard(procedure, texts, locale, today);
      return fieldAnswer(procedure, fields, texts, locale, { today, yesNo: intent.yesNo, levelGone });
    },
  };
}

/**
 * The procedures a subject names one per part ("khai sinh và khai tử", "tạm trú tạm vắng"):
 * each part must name exactly one procedure, and they must differ; otherwise none.
 */
function namedApart(service: ProcedureService, subject: string): ProcedureMatch[] {
  const parts = subjectParts(subject);
  if (parts.length < 2) return [];
  const found: ProcedureMatch[] = [];
  for (const part of parts) {
    const m = service.shortlist(part);
    if (m.length !== 1) continue;
    if (!found.some((f) => f.procedure.id === m[0]!.procedure.id)) found.push(m[0]!);
  }
  return found.length >= 2 ? found : [];
}

const FILLER = new Set('lam dang ky cap the xin giay thu tuc cho o dau nop can va'.split(' '));

/**
 * Whether one procedure's own name or aliases already name another ("liên thông khai sinh,
 * thường trú, BHYT" names "thường trú"): then a question naming both is about the first alone.
 */
function covers(whole: Procedure, part: Procedure): boolean {
  if (whole.id === part.id) return true;
  const have = new Set(fold([whole.name, ...whole.aliases].join(' ').toLowerCase()).split(/[^a-z0-9]+/));
  const words = fold(part.name.toLowerCase()).split(/[^a-z0-9]+/).filter((w) => w && !FILLER.has(w));
  return words.every((w) => have.has(w));
}

/** "Trong bao lâu" asks for the citizen's deadline when the record has one, else the time limit. */
function withDeadline(p: Procedure, fields: Field[], either: boolean): Field[] {
  if (!either || !p.deadline) return fields;
  return [...new Set(fields.map((f): Field => (f === 'time' ? 'deadline' : f)))];
}

async function dossierReply(args: string, deps: ProceduresDeps, locale: Locale): Promise<Reply> {
  const { texts, procedures: service } = deps;
  const token = findDossierCode(args) ?? args.trim().split(/\s+/)[0] ?? '';
  if (!token) return say(texts.get(locale, 'dossier-ask-code'), false);
  const check = checkDossierCode(token);
  if (!check.ok) return say(texts.get(locale, 'dossier-bad-format', { code: check.code.slice(0, 40) }), false);
  const prefix = check.strict ? [] : [texts.get(locale, 'dossier-loose-format')];

  let result: DossierLookup;
  try {
    result = await service.lookupDossier(check.code);
  } catch (e) {
    result = { kind: 'error', reason: describeError(e) };
  }
  const vars = { code: check.code, url: PORTAL_DOSSIER_URL };
  switch (result.kind) {
    case 'unconfigured':
      return say([...prefix, texts.get(locale, 'dossier-unconfigured', vars)].join('\n'), false);
    case 'not-found':
      return say([...prefix, texts.get(locale, 'dossier-not-found', vars)].join('\n'), false);
    case 'error':
      // The reason names the failure (timeout, status, shape), never the code or a secret.
      deps.log.warn('dossier lookup failed', { reason: result.reason });
      return say([...prefix, texts.get(locale, 'dossier-error', vars)].join('\n'), false);
    case 'found':
      return dossierFound(result.record, prefix, texts, locale, deps.now());
  }
}

function dossierFound(
  r: Extract<DossierLookup, { kind: 'found' }>['record'],
  prefix: string[],
  texts: Texts,
  locale: Locale,
  now: Date,
): Reply {
  const lines: string[] = [];
  if (r.procedure) lines.push(texts.get(locale, 'dossier-procedure', { value: r.procedure }));
  if (r.agency) lines.push(texts.get(locale, 'dossier-agency', { value: r.agency }));
  if (r.receivedAt) lines.push(texts.get(locale, 'dossier-received', { value: formatDate(r.receivedAt) }));
  if (r.dueAt) lines.push(texts.get(locale, 'dossier-due', { value: formatDate(r.dueAt) }));
  if (r.updatedAt) lines.push(texts.get(locale, 'dossier-updated', { value: formatDate(r.updatedAt) }));
  return {
    intent: INTENT,
    blocks: [
      ...prefix.map((text) => ({ type: 'text' as const, text })),
      { type: 'heading', text: texts.get(locale, 'dossier-found', { code: r.code, status: r.status }) },
      ...(lines.length ? [{ type: 'list' as const, items: lines }] : []),
    ],
    citations: [
      {
        id: `dossier:${r.code}`,
        title: r.code,
        source: texts.get(locale, 'dossier-source'),
        date: (r.updatedAt ?? now.toISOString()).slice(0, 10),
      },
    ],
    found: true,
  };
}

function say(text: string, found: boolean): Reply {
  return { intent: INTENT, blocks: [{ type: 'text', text }], citations: [], found };
}
