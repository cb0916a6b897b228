/**
 * @module handlers/procedures
 * Administrative procedures (thủ tục hành chính): "/thutuc <từ khóa>", "thủ tục …" and free
 * questions about a procedure get a card from the structured records, a precise question
 * ("làm căn cước mất bao lâu") gets that field directly, several matches get a pick-list; and
 * "tra cứu hồ sơ <mã>" checks a dossier code and asks the configured lookup service. Answers
 * come only from the records; the handler never writes a fact of its own.
 */
import type { Handler, HandlerBasics } from '../src/core/handler';
import type { Locale, Reply } from '../src/core/types';
import { formatDate, type Texts } from '../src/core/texts';
import { fold } from '../src/text/normalize';
import type { ProcedureService } from '../src/procedures/service';
import { fieldFromKey, readIntent } from '../src/procedures/intent';
import { emptyQuery, fieldAnswer, INTENT, notFound, pickList, procedureCard } from '../src/procedures/card';
import { PORTAL_DOSSIER_URL, type DossierLookup } from '../src/procedures/dossier';
import { checkDossierCode, findDossierCode } from '../src/text/dossier-code';
import { describeError } from '../src/log';

const DOSSIER_PHRASE = 'tra cuu ho so';

/** A named procedure scoring at least this is taken to be what the message is about. */
const CLEAR_MATCH = 0.8;
const LIKELY_MATCH = 0.6;

interface ProceduresDeps extends HandlerBasics {
  /** Procedure records, matching and the dossier status lookup. */
  procedures: ProcedureService;
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
      const best = service.shortlist(intent.subject)[0]?.score ?? 0;
      const asks = intent.fields.length > 0;
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

      // "/thutuc <id|mã> [field]": what the buttons send.
      const [first = '', second, ...rest] = query.split(/\s+/);
      const named = service.get(first);
      if (named && rest.length === 0) {
        const field = second ? fieldFromKey(second) : undefined;
        if (!second) return procedureCard(named, texts, locale);
        if (field) return fieldAnswer(named, [field], texts, locale);
      }

      const intent = readIntent(query);
      const matches = service.shortlist(intent.subject);
      if (matches.length === 0) return notFound(texts, locale);
      if (matches.length > 1) return pickList(matches, intent.fields, texts, locale);
      const procedure = matches[0]!.procedure;
      return intent.fields.length ? fieldAnswer(procedure, intent.fields, texts, locale) : procedureCard(procedure, texts, locale);
    },
  };
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
