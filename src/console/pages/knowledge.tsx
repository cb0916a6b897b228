/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/knowledge
 * Tài liệu: the search tester (the way Dify shows retrieval tests: the ranked passages with their
 * scores, which words of the question each one holds, whether the relevance rule passed, and
 * the reply a user would get), the procedures as users see their cards (and the import of a
 * catalogue export: pages/procedure-import), and the documents of
 * the living knowledge when its admin API (/admin/documents) is mounted.
 *
 * The reply shown follows the assistant's own routing for the question, as the web chat would
 * route it for a citizen, but only read-only handlers are run (deps.testerHandlers: help,
 * procedures, KPI, the ask without its miss count) and nothing is recorded: no statistics, no
 * conversation memory, no rate limit. Commands and any other handler (a handoff that would notify
 * staff, reminders, account actions) are not run; the page says so.
 */
import type { Child } from 'hono/jsx';
import type { Reply } from '../../core/types';
import type { SearchHit } from '../../search/relevance';
import { RELEVANCE } from '../../search/relevance';
import { fold } from '../../text/normalize';
import { renderPlain } from '../../channels/plain';
import { procedureCard } from '../../procedures/card';
import { describeError } from '../../log';
import type { PageContext } from '../deps';
import { documentsSection, type DocumentsState } from './documents';
import { procedureImportSection, type ProcedureImportState } from './procedure-import';
import { percent, Table, vnDate, type Notice } from '../view';

const MAX_QUERY_CHARS = 500;
const HITS = 8;
const TESTER_CHAT = 'console-search-tester';

/** The words of a question as the tester lists them (letters and digits, case and marks kept). */
function questionWords(q: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const w of q.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (!seen.has(fold(w))) {
      seen.add(fold(w));
      words.push(w);
    }
  }
  return words;
}

/** Which of the question's words a passage holds (its title, heading or text), marks ignored. */
function matchedWords(words: string[], hit: SearchHit): Set<string> {
  const hay = ` ${fold(`${hit.doc.title} ${hit.chunk.heading} ${hit.chunk.text}`.normalize('NFC').toLowerCase()).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  return new Set(words.filter((w) => hay.includes(` ${fold(w)} `)));
}

async function userReply(ctx: PageContext, q: string): Promise<{ reply?: Reply; skipped?: string }> {
  const { deps, locale, v } = ctx;
  const route = deps.assistant.route(q);
  if (route.via === 'command' || route.via === 'unknown-command' || route.handler.sensitive) return { skipped: v.t('console-tester-no-commands') };
  const handler = deps.testerHandlers.get(route.handler.id);
  if (!handler) return { skipped: v.t('console-tester-not-run') };
  try {
    const reply = await handler.handle({
      inbound: { channel: 'web', chatId: TESTER_CHAT, userId: TESTER_CHAT, text: q, locale, role: 'citizen' },
      args: route.args,
    });
    return { reply };
  } catch (e) {
    deps.log.warn('console: tester reply failed', { error: describeError(e) });
    return { skipped: v.t('console-failed') };
  }
}

export async function knowledgePage(ctx: PageContext, documents: DocumentsState = {}, extra: Notice[] = [], imported: ProcedureImportState = {}) {
  const { v, deps, locale, query } = ctx;
  const { t } = v;
  const notices: Notice[] = [...extra];
  const q = (query('q') ?? '').normalize('NFC').trim().slice(0, MAX_QUERY_CHARS);
  const procId = query('procedure');

  let tester: Child = null;
  if (q) {
    // The path chat questions take (live documents, sharded segments fetched on demand), without a model.
    const result = await deps.knowledge().hybridSearch(q, { limit: HITS });
    const words = questionWords(q);
    const { reply, skipped } = await userReply(ctx, q);
    tester = (
      <>
        <p>
          {t('console-verdict')}{' '}
          {result.relevant ? <span class="pass">{t('console-relevant')}</span> : <span class="fail">{t('console-not-relevant')}</span>}{' '}
          <span class="muted">
            {t('console-verdict-detail', {
              confidence: percent(result.confidence, locale),
              threshold: percent(RELEVANCE.minWeightedCoverage, locale),
              words: result.queryWords,
            })}
          </span>
        </p>
        <h3>{t('console-passages')}</h3>
        {result.hits.length === 0 ? (
          <p class="muted">{t('console-no-passages')}</p>
        ) : (
          <ol class="hits">
            {result.hits.map((hit) => {
              const matched = matchedWords(words, hit);
              const quote = deps.knowledge().bestSentences(hit.chunk, q, 2).join(' ') || hit.chunk.text.slice(0, 400);
              return (
                <li>
                  <strong>{hit.doc.title}</strong>
                  {hit.chunk.heading ? <span class="muted"> — {hit.chunk.heading}</span> : null}
                  <div class="muted">
                    {hit.doc.source}, {vnDate(hit.doc.date)}
                  </div>
                  <blockquote>{quote}</blockquote>
                  <dl class="facts">
                    <dt>{t('console-score')}</dt>
                    <dd>{hit.score.toFixed(3)}</dd>
                    <dt>{t('console-coverage')}</dt>
                    <dd>
                      {percent(hit.coverage, locale)} · {t('console-weighted')} {percent(hit.weightedCoverage, locale)} · {t('console-pairs')}{' '}
                      {percent(hit.phraseCoverage, locale)}
                    </dd>
                    <dt>{t('console-matched-words')}</dt>
                    <dd>
                      {words.map((w, i) => (
                        <>
                          {i > 0 ? ' ' : ''}
                          {matched.has(w) ? <mark>{w}</mark> : <s>{w}</s>}
                        </>
                      ))}
                    </dd>
                  </dl>
                </li>
              );
            })}
          </ol>
        )}
        <h3>{t('console-user-reply')}</h3>
        {reply ? (
          <>
            <p class="muted">{t('console-user-reply-hint', { intent: reply.intent })}</p>
            <pre class="reply">{renderPlain(reply, deps.texts, locale)}</pre>
          </>
        ) : (
          <p class="muted">{skipped}</p>
        )}
      </>
    );
  }

  const procedure = procId ? deps.procedures.get(procId) : undefined;
  if (procId && !procedure) notices.push({ kind: 'error', text: t('console-no-procedure') });

  const docs = await documentsSection(ctx, q, documents);
  notices.push(...docs.notices);

  const body = (
    <>
      <section class="card" id="tester" aria-labelledby="tester-h">
        <h2 id="tester-h">{t('console-tester')}</h2>
        <form method="get" action="/console/knowledge#tester" class="row">
          <div class="field">
            <label for="q">{t('console-tester-question')}</label>
            <input id="q" name="q" type="search" value={q} maxlength={MAX_QUERY_CHARS} size={50} />
          </div>
          <button type="submit">{t('console-tester-run')}</button>
        </form>
        {tester}
      </section>

      <section class="card" id="documents" aria-labelledby="documents-h">
        <h2 id="documents-h">{t('console-documents')}</h2>
        {docs.node}
      </section>

      <section class="card" id="procedures" aria-labelledby="procedures-h">
        <h2 id="procedures-h">{t('console-procedures')}</h2>
        <p class="muted">{t('console-procedures-hint', { n: deps.procedures.procedures.length })}</p>
        {procedure ? (
          <>
            <h3>{t('console-procedure-card', { name: procedure.name })}</h3>
            <pre class="reply">{renderPlain(procedureCard(procedure, deps.texts, locale), deps.texts, locale)}</pre>
          </>
        ) : null}
        <Table
          label={t('console-procedures')}
          columns={[t('console-procedure-code'), t('console-procedure-name'), t('console-procedure-field'), t('console-procedure-level')]}
          rows={deps.procedures.procedures}
          row={(p) => (
            <tr>
              <td>{p.code ?? '—'}</td>
              <td>
                <a href={`/console/knowledge?procedure=${encodeURIComponent(p.id)}#procedures`} aria-current={p.id === procedure?.id ? 'true' : undefined}>
                  {p.name}
                </a>
              </td>
              <td>{p.field}</td>
              <td>{p.level ?? '—'}</td>
            </tr>
          )}
        />
        {procedureImportSection(ctx, imported)}
      </section>
    </>
  );
  return { title: t('console-nav-knowledge'), body, notices };
}

