/** @jsxImportSource hono/jsx */
/**
 * @module console
 * The operator console under /console: pages rendered on the server with Hono's JSX, no script
 * at all, one stylesheet served as a file. Every action goes through the admin API (called in
 * process with the signed-in operator's own token: one code path, one audit log).
 *
 * Security:
 * - sign-in with ADMIN_TOKEN (the operator "admin") or a named ADMIN_TOKENS token; a session is
 *   an HttpOnly, SameSite=Strict cookie whose expiry the store keeps (./session), Secure except
 *   over plain http to this machine (`npm start`), as the web chat's;
 * - sign-in attempts are limited per client address (the store counts each before its token is read);
 * - every form carries a CSRF token (the session's; before sign-in, a double-submit cookie's),
 *   and a POST from another site (Origin, Sec-Fetch-Site) is refused before it is read;
 * - a strict CSP: nothing inline runs (there is no script), styles only from this origin,
 *   never framed (frame-ancestors 'none'); pages are never cached.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { Child } from 'hono/jsx';
import type { AdminOperator } from '../config';
import type { Locale } from '../core/types';
import { operatorByToken } from '../admin/index';
import { addressBucket } from '../channels/web/address';
import { wantsSecureCookie } from '../channels/web/session';
import { describeError } from '../log';
import { AdminClient, type AdminResult } from './admin-client';
import type { ConsoleDeps, PageContext } from './deps';
import { ConsoleSessions, COOKIE_PATH, csrfMatches, newPreSessionToken, PRE_SESSION_COOKIE, SESSION_COOKIE, SignInLimiter, type ConsoleSession } from './session';
import { CONSOLE_CSS } from './style';
import { CsrfField, Layout, Notices, translator, type Notice, type PageId, type View } from './view';
import { overviewPage } from './pages/overview';
import { questionsPage } from './pages/questions';
import { knowledgePage } from './pages/knowledge';
import { kpisPage, uploadValues, type UploadInput } from './pages/kpis';
import { tasksPage } from './pages/tasks';
import { peoplePage, type IssuedCodes } from './pages/people';
import { auditPage } from './pages/audit';
import { conversationPage, supportPage } from './pages/support';
import { DOCUMENT_FIELDS, documentForm, forgetPending, keepPending, pendingFrom, takePending, type DocumentPreview } from './pages/documents';
import type { ProcedureImportResult } from './pages/procedure-import';

export type { ConsoleDeps } from './deps';

const LANG_COOKIE = 'cchc_console_lang';
type Form = Record<string, string | File>;
type ConsoleEnv = { Variables: { session: ConsoleSession; operator: AdminOperator; form: Form } };

/** Notices a page shows after a redirect (?ok=…): only these, so a link cannot put words on the page. */
const DONE = new Set(['document-retired', 'task-added', 'task-extended', 'task-closed', 'task-reopened', 'invite-revoked', 'role-revoked', 'signed-out', 'handoff-taken', 'handoff-replied', 'handoff-closed']);
/** Where the language switch and sign-in may send the browser back to: console paths only. */
const CONSOLE_PATH = /^\/console(?:\/[A-Za-z0-9/_.-]*)?(?:\?[^#\s]*)?$/;

/** The console's headers (hono/secure-headers) on every response. */
const consoleHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  xContentTypeOptions: true,
  // Not no-referrer: under it a browser sends "Origin: null" with a form post, which the
  // same-origin check could not tell from a sandboxed foreign page.
  referrerPolicy: 'same-origin',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  originAgentCluster: false,
});

export function consoleApp(deps: ConsoleDeps): Hono {
  const app = new Hono<ConsoleEnv>();
  const sessions = new ConsoleSessions(deps.store, deps.now);
  const limiter = new SignInLimiter(deps.store);
  const { log } = deps;

  app.use('*', consoleHeaders);
  app.get('/console.css', (c) => {
    c.header('cache-control', 'public, max-age=3600');
    return c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

  if (deps.operators.length === 0) {
    app.all('*', (c) => c.html(plainPage(c, 'console-off'), 404));
    return app as unknown as Hono;
  }

  app.get('/lang', (c) => {
    const to: Locale = c.req.query('to') === 'en' ? 'en' : 'vi';
    setCookie(c, LANG_COOKIE, to, { path: COOKIE_PATH, httpOnly: true, secure: secure(c), sameSite: 'Strict', maxAge: 365 * 86_400 });
    const back = c.req.query('back') ?? '';
    return c.redirect(CONSOLE_PATH.test(back) ? back : '/console', 303);
  });

  app.get('/signin', async (c) => {
    const pre = preSessionToken(c);
    const done = c.req.query('ok') === 'signed-out' ? [{ kind: 'ok' as const, text: translator(deps.texts, localeOf(c))('console-ok-signed-out') }] : [];
    return render(c, signInPage(c, pre, done, safeNext(c.req.query('next'))));
  });

  app.post('/signin', async (c) => {
    const t = translator(deps.texts, localeOf(c));
    if (crossSite(c)) return c.html(plainPage(c, 'console-cross-site'), 403);
    const form = await readForm(c);
    const pre = getCookie(c, PRE_SESSION_COOKIE);
    const next = safeNext(stringField(form, 'next'));
    if (!form || !(await csrfMatches(form._csrf, pre))) {
      return render(c, signInPage(c, preSessionToken(c), [{ kind: 'error', text: t('console-csrf') }], next), 403);
    }
    const bucket = addressBucket(deps.clientAddress?.(c));
    if (await limiter.overLimit(bucket)) {
      c.header('retry-after', String(15 * 60));
      return render(c, signInPage(c, pre!, [{ kind: 'error', text: t('console-signin-throttled') }], next), 429);
    }
    const operator = await operatorByToken(deps.operators, stringField(form, 'token').trim());
    if (!operator) {
      log.warn('console: failed sign-in', { address: bucket });
      return render(c, signInPage(c, pre!, [{ kind: 'error', text: t('console-signin-wrong') }], next), 401);
    }
    await limiter.clear(bucket);
    // Audited first: when the audit cannot be written, no session exists that it does not record.
    try {
      await deps.audit({ actor: operator.name, action: 'console.signin' });
    } catch (e) {
      log.error('console: sign-in not audited, no session made', { error: describeError(e) });
      return render(c, signInPage(c, pre!, [{ kind: 'error', text: t('console-failed') }], next), 500);
    }
    const { id } = await sessions.create(operator.name);
    setCookie(c, SESSION_COOKIE, id, { path: COOKIE_PATH, httpOnly: true, secure: secure(c), sameSite: 'Strict', maxAge: sessions.ttlSeconds });
    deleteCookie(c, PRE_SESSION_COOKIE, { path: COOKIE_PATH, secure: secure(c) });
    return c.redirect(next ?? '/console', 303);
  });

  // Everything below needs a live session; a POST also a same-site origin and the CSRF token.
  app.use('*', async (c, next) => {
    const isPost = c.req.method === 'POST';
    if (isPost && crossSite(c)) return c.html(plainPage(c, 'console-cross-site'), 403);
    const session = await sessions.read(getCookie(c, SESSION_COOKIE));
    const operator = session && deps.operators.find((o) => o.name === session.operator);
    if (!session || !operator) {
      if (!isPost && c.req.method === 'GET') {
        const here = new URL(c.req.url);
        return c.redirect(`/console/signin?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
      }
      return c.html(plainPage(c, 'console-session-expired'), 403);
    }
    if (isPost) {
      const form = await readForm(c);
      if (!form || !(await csrfMatches(form._csrf, session.csrf))) return c.html(plainPage(c, 'console-csrf'), 403);
      c.set('form', form);
    }
    c.set('session', session);
    c.set('operator', operator);
    await next();
  });

  app.post('/signout', async (c) => {
    await sessions.end(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: secure(c) });
    await deps.audit({ actor: c.get('operator').name, action: 'console.signout' });
    return c.redirect('/console/signin?ok=signed-out', 303);
  });

  const page = (id: PageId, build: (ctx: PageContext) => Promise<PageResult>) => async (c: Context<ConsoleEnv>) => respond(c, id, build);
  app.get('/', page('overview', overviewPage));
  app.get('/questions', page('questions', questionsPage));
  app.get('/knowledge', page('knowledge', knowledgePage));
  app.get('/kpis', page('kpis', kpisPage));
  app.get('/tasks', page('tasks', tasksPage));
  app.get('/people', page('people', peoplePage));
  app.get('/support', page('support', supportPage));
  app.get('/support/:id', (c) => respond(c, 'support', (ctx) => conversationPage(ctx, c.req.param('id')), (r) => r.status ?? 200));
  app.get('/audit', page('audit', auditPage));

  app.post('/kpis', async (c) => {
    const form = c.get('form');
    const input = await uploadInput(form);
    const dryRun = stringField(form, 'mode') !== 'write';
    return respond(c, 'kpis', async (ctx) => {
      if (!input) return kpisPage(ctx, { input: { content: '', format: 'csv' }, notices: [{ kind: 'error', text: ctx.v.t('console-kpi-empty') }] });
      return kpisPage(ctx, await uploadValues(ctx, input, dryRun));
    }, (result) => (result.notices.some((n) => n.kind === 'error') ? 400 : 200));
  });

  // The kept upload (keepPending, takePending, forgetPending) lives in the store: when the store
  // fails, the console's error page answers (guarded), not the app's bare 500.
  app.post('/knowledge/documents', guarded('knowledge', async (c) => {
    const form = c.get('form');
    const operator = c.get('operator').name;
    const api = client(c);
    const fields: Record<string, string> = {};
    for (const f of DOCUMENT_FIELDS) {
      const value = stringField(form, f).trim();
      if (value) fields[f] = value;
    }
    const replaces = stringField(form, 'replaces').trim() || undefined;
    const pendingId = stringField(form, 'pending');
    const kept = pendingId ? await takePending(deps.store, pendingId, operator) : null;
    const file = form.file instanceof File && form.file.size > 0 ? form.file : null;
    const fail = (key: string, status: number, detail?: string) =>
      respond(c, 'knowledge', (ctx) => knowledgePage(ctx, { fields, replaces }, [{ kind: 'error', text: ctx.v.t(key), detail }]), () => status);
    if (pendingId && !kept) return fail('console-doc-pending-gone', 400);
    if (!kept && !file) return fail('console-doc-no-file', 400);
    const upload = kept ?? pendingFrom(operator, file!, new Uint8Array(await file!.arrayBuffer()), fields, replaces);
    const target = upload.replaces ? `/documents/${encodeURIComponent(upload.replaces)}` : '/documents';
    const preview = !kept && stringField(form, 'mode') === 'preview';
    const res = await api.send<DocumentPreview>(upload.replaces ? 'PUT' : 'POST', preview ? `${target}?dryRun=1` : target, { form: documentForm(upload) });
    if (!res.ok) {
      return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, { fields, replaces }, [refusal(ctx.v, res)]), () => res.status);
    }
    if (preview) {
      const id = await keepPending(deps.store, upload);
      return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, { preview: res.data, pendingId: id, fields, replaces }));
    }
    if (pendingId) await forgetPending(deps.store, pendingId);
    const key = res.data.status === 'unchanged' ? 'console-doc-unchanged' : 'console-ok-document-published';
    return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, { preview: res.data }, [{ kind: 'ok', text: ctx.v.t(key, { id: res.data.id ?? '' }) }]), () => res.status);
  }));

  app.post('/knowledge/documents/:id/retire', async (c) => {
    const res = await client(c).send('DELETE', `/documents/${encodeURIComponent(c.req.param('id'))}`);
    if (res.ok) return c.redirect('/console/knowledge?ok=document-retired#documents', 303);
    return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, {}, [refusal(ctx.v, res)]), () => res.status);
  });

  // A procedure catalogue export: previewed (dry run, the file kept), then published from what was previewed.
  app.post('/knowledge/procedures', guarded('knowledge', async (c) => {
    const form = c.get('form');
    const operator = c.get('operator').name;
    const pendingId = stringField(form, 'pending');
    const kept = pendingId ? await takePending(deps.store, pendingId, operator) : null;
    const file = form.file instanceof File && form.file.size > 0 ? form.file : null;
    const fail = (key: string) => respond(c, 'knowledge', (ctx) => knowledgePage(ctx, {}, [{ kind: 'error', text: ctx.v.t(key) }]), () => 400);
    if (pendingId && !kept) return fail('console-doc-pending-gone');
    if (!kept && !file) return fail('console-proc-no-file');
    const upload = kept ?? pendingFrom(operator, file!, new Uint8Array(await file!.arrayBuffer()), {});
    const res = await client(c).send<ProcedureImportResult & { rows?: Array<{ line: number; reason: string }> }>('POST', kept ? '/procedures' : '/procedures?dryRun=1', { form: documentForm(upload) });
    if (!res.ok) return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, {}, [refusal(ctx.v, res)], { rows: res.data.rows }), () => res.status);
    if (!kept) {
      const id = await keepPending(deps.store, upload);
      return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, {}, [], { result: res.data, pendingId: id }));
    }
    await forgetPending(deps.store, pendingId);
    return respond(c, 'knowledge', (ctx) => knowledgePage(ctx, {}, [{ kind: 'ok', text: ctx.v.t('console-proc-published', { n: res.data.procedures.length }) }], { result: res.data }), () => res.status);
  }));

  app.post('/tasks', async (c) => {
    const form = c.get('form');
    const f = (k: string) => stringField(form, k).trim();
    const res = await client(c).send('POST', '/tasks', {
      json: {
        title: f('title'),
        owner: f('owner'),
        deadline: f('deadline'),
        source: { title: f('sourceTitle'), outlet: f('sourceOutlet'), date: f('sourceDate') },
      },
    });
    if (res.ok) return c.redirect('/console/tasks?ok=task-added', 303);
    return respond(c, 'tasks', (ctx) => tasksPage(ctx, { notices: [refusal(ctx.v, res)] }), () => res.status);
  });

  app.post('/tasks/:id', async (c) => {
    const form = c.get('form');
    const action = stringField(form, 'action');
    const patch = action === 'extend' ? { deadline: stringField(form, 'deadline').trim() } : action === 'close' ? { status: 'done' } : action === 'reopen' ? { status: 'open' } : null;
    const status = c.req.query('status');
    const keep = status && /^(open|done|cancelled)$/.test(status) ? `&status=${status}` : '';
    if (!patch) return respond(c, 'tasks', (ctx) => tasksPage(ctx, { notices: [{ kind: 'error', text: ctx.v.t('console-bad-action') }] }), () => 400);
    const res = await client(c).send('PUT', `/tasks/${encodeURIComponent(c.req.param('id'))}`, { json: patch });
    const done = action === 'extend' ? 'task-extended' : action === 'close' ? 'task-closed' : 'task-reopened';
    if (res.ok) return c.redirect(`/console/tasks?ok=${done}${keep}`, 303);
    return respond(c, 'tasks', (ctx) => tasksPage(ctx, { notices: [refusal(ctx.v, res)] }), () => res.status);
  });

  // Hỗ trợ: take, reply, close through /admin/handoffs; back to the conversation on success.
  for (const action of ['take', 'reply', 'close'] as const) {
    app.post(`/support/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      const text = stringField(c.get('form'), 'text');
      const res = await client(c).send('POST', `/handoffs/${encodeURIComponent(id)}/${action}`, action === 'reply' ? { json: { text } } : undefined);
      const done = action === 'reply' ? 'replied' : action === 'take' ? 'taken' : 'closed';
      if (res.ok) return c.redirect(`/console/support/${encodeURIComponent(id)}?ok=handoff-${done}`, 303);
      // The handoff API words these refusals in Vietnamese (who took it, why it was not delivered);
      // an undelivered reply is kept in the transcript, so the form starts empty again.
      const own = (res.status === 400 || res.status === 409 || res.status === 502) && res.error;
      return respond(
        c,
        'support',
        (ctx) => conversationPage(ctx, id, { notices: [own ? { kind: 'error', text: own } : refusal(ctx.v, res)], draft: res.status === 502 ? undefined : text, status: res.status === 502 ? 200 : res.status }),
        (r) => r.status ?? 200,
      );
    });
  }

  app.post('/people/invites', async (c) => {
    const form = c.get('form');
    const f = (k: string) => stringField(form, k).trim();
    const units = f('units').split(/[\s,;]+/).filter(Boolean);
    const note = f('note');
    const res = await client(c).send<{ invites: Array<{ id: string; code: string; role: string; expiresAt: string }> }>('POST', '/invites', {
      json: { role: f('role'), units, expiresInHours: wholeNumber(f('expiresInHours')), count: wholeNumber(f('count')), ...(note ? { note } : {}) },
    });
    if (!res.ok) return respond(c, 'people', (ctx) => peoplePage(ctx, { notices: [refusal(ctx.v, res)] }), () => res.status);
    const issued: IssuedCodes = { codes: res.data.invites.map((i) => ({ id: i.id, code: i.code, role: i.role, expiresAt: i.expiresAt })) };
    return respond(c, 'people', (ctx) => peoplePage(ctx, { issued }), () => 201);
  });

  app.post('/people/invites/:id/revoke', async (c) => {
    const res = await client(c).send('DELETE', `/invites/${encodeURIComponent(c.req.param('id'))}`);
    if (res.ok) return c.redirect('/console/people?ok=invite-revoked', 303);
    return respond(c, 'people', (ctx) => peoplePage(ctx, { notices: [refusal(ctx.v, res)] }), () => res.status);
  });

  app.post('/people/roles/:channel/:userId/revoke', async (c) => {
    const res = await client(c).send('DELETE', `/roles/${encodeURIComponent(c.req.param('channel'))}/${encodeURIComponent(c.req.param('userId'))}`);
    if (res.ok) return c.redirect('/console/people?ok=role-revoked', 303);
    return respond(c, 'people', (ctx) => peoplePage(ctx, { notices: [refusal(ctx.v, res)] }), () => res.status);
  });

  return app as unknown as Hono;

  // ---- helpers that need deps ----

  function localeOf(c: Context): Locale {
    return getCookie(c, LANG_COOKIE) === 'en' ? 'en' : 'vi';
  }

  function client(c: Context<ConsoleEnv>): AdminClient {
    return new AdminClient(deps.admin, c.get('operator').token, log);
  }

  function viewOf(c: Context, csrf: string, operator?: string): View {
    const locale = localeOf(c);
    const url = new URL(c.req.url);
    return { locale, t: translator(deps.texts, locale), csrf, operator, here: url.pathname + url.search };
  }

  async function respond<R extends PageResult>(
    c: Context<ConsoleEnv>,
    id: PageId,
    build: (ctx: PageContext) => Promise<R>,
    statusOf: (result: R) => number = () => 200,
  ): Promise<Response> {
    const v = viewOf(c, c.get('session').csrf, c.get('operator').name);
    const ctx: PageContext = { v, locale: v.locale, api: client(c), deps, query: (name) => c.req.query(name) };
    try {
      const result = await build(ctx);
      const ok = c.req.query('ok');
      const notices: Notice[] = ok && DONE.has(ok) && c.req.method === 'GET' ? [{ kind: 'ok', text: v.t(`console-ok-${ok}`) }, ...result.notices] : result.notices;
      return render(c, <Layout v={v} page={id} title={result.title} notices={notices}>{result.body}</Layout>, clampStatus(statusOf(result)));
    } catch (e) {
      log.error('console: page failed', { page: id, error: describeError(e) });
      return render(c, <Layout v={v} page={id} title={v.t(`console-nav-${id}`)} notices={[{ kind: 'error', text: v.t('console-failed') }]} />, 500);
    }
  }

  /** A POST whose failure (the store, the admin call) is the console's error page on its own page. */
  function guarded(id: PageId, run: (c: Context<ConsoleEnv>) => Promise<Response>) {
    return async (c: Context<ConsoleEnv>): Promise<Response> => {
      try {
        return await run(c);
      } catch (e) {
        // respond() logs the failure and renders the page's error notice with a 500.
        return respond(c, id, () => Promise.reject(e));
      }
    };
  }

  function preSessionToken(c: Context): string {
    const existing = getCookie(c, PRE_SESSION_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
    const token = newPreSessionToken();
    setCookie(c, PRE_SESSION_COOKIE, token, { path: COOKIE_PATH, httpOnly: true, secure: secure(c), sameSite: 'Strict', maxAge: 3600 });
    return token;
  }

  function signInPage(c: Context, csrf: string, notices: Notice[], next: string | undefined) {
    const v = viewOf(c, csrf);
    const { t } = v;
    const other: Locale = v.locale === 'vi' ? 'en' : 'vi';
    return (
      <html lang={v.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${t('console-signin')} · ${t('console-title')}`}</title>
          <link rel="stylesheet" href="/console/console.css" />
          <link rel="icon" href="data:," />
        </head>
        <body>
          <header class="top">
            <span class="brand">{t('console-title')}</span>
            <a href={`/console/lang?to=${other}&back=${encodeURIComponent(v.here)}`} lang={other} hreflang={other}>
              {t('console-other-language')}
            </a>
          </header>
          <main id="main" class="signin">
            <h1>{t('console-signin')}</h1>
            <Notices notices={notices} v={v} />
            <form method="post" action="/console/signin" class="stack card">
              <CsrfField v={v} />
              {next ? <input type="hidden" name="next" value={next} /> : null}
              <div class="field">
                <label for="token">
                  {t('console-token')} <span class="hint">{t('console-token-hint')}</span>
                </label>
                <input id="token" name="token" type="password" required autocomplete="current-password" autofocus />
              </div>
              <div>
                <button type="submit">{t('console-signin-button')}</button>
              </div>
            </form>
          </main>
        </body>
      </html>
    );
  }

  /** A short page for a refusal outside a signed-in page (off, expired, cross-site, CSRF). */
  function plainPage(c: Context, key: string): string {
    const t = translator(deps.texts, localeOf(c));
    const locale = localeOf(c);
    return `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(t('console-title'))}</title><link rel="stylesheet" href="/console/console.css"><link rel="icon" href="data:,"></head><body><main id="main" class="signin"><h1>${escapeHtml(t('console-title'))}</h1><div class="notice error" role="alert"><p>${escapeHtml(t(key))}</p></div><p><a href="/console/signin">${escapeHtml(t('console-signin'))}</a></p></main></body></html>`;
  }
}

interface PageResult {
  title: string;
  body: Child;
  notices: Notice[];
}

async function render(c: Context, node: Child, status = 200): Promise<Response> {
  const html = await (node as { toString(): string | Promise<string> }).toString();
  return c.html(`<!DOCTYPE html>${html}`, clampStatus(status));
}

function clampStatus(status: number): 200 | 201 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 {
  const allowed = [200, 201, 400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503] as const;
  return (allowed as readonly number[]).includes(status) ? (status as (typeof allowed)[number]) : status >= 500 ? 500 : 400;
}

/** The Vietnamese reason for an API refusal, with the API's own words kept beside it. */
function refusal(v: View, res: AdminResult<unknown>): Notice {
  const key = res.status === 404 ? 'console-refused-404' : res.status === 409 ? 'console-refused-409' : res.status < 500 ? 'console-refused-400' : 'console-failed';
  return { kind: 'error', text: v.t(key), detail: res.error };
}

/**
 * A browser says where a POST comes from (Sec-Fetch-Site, Origin); a request naming another
 * site is refused whatever it carries. Without either (a script), the CSRF token decides.
 */
function crossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site')?.trim().toLowerCase();
  if (site === 'same-origin') return false;
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== new URL(c.req.url).host;
  } catch {
    return true;
  }
}

async function readForm(c: Context): Promise<Form | null> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return null;
  try {
    return (await c.req.parseBody()) as Form;
  } catch {
    return null;
  }
}

function stringField(form: Form | null, name: string): string {
  const value = form?.[name];
  return typeof value === 'string' ? value : '';
}

function wholeNumber(text: string): number | string {
  return /^\d{1,6}$/.test(text) ? Number(text) : text;
}

function safeNext(next: string | undefined): string | undefined {
  return next && CONSOLE_PATH.test(next) && !next.startsWith('/console/signin') ? next : undefined;
}

/** The upload form's content: the chosen file, else the pasted text; its format by name, type or first character. */
async function uploadInput(form: Form): Promise<UploadInput | null> {
  const file = form.file;
  const source = stringField(form, 'source').trim() || undefined;
  if (file instanceof File && file.size > 0) {
    const content = await file.text();
    const json = /\.json$/i.test(file.name) || file.type === 'application/json' || /^\s*[[{]/.test(content);
    return { content, format: json ? 'json' : 'csv', source };
  }
  const content = stringField(form, 'content');
  if (!content.trim()) return null;
  return { content, format: /^\s*[[{]/.test(content) ? 'json' : 'csv', source };
}

/** Whether the console's cookies carry Secure for this request (not over plain http to localhost). */
function secure(c: Context): boolean {
  return wantsSecureCookie(new URL(c.req.url));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
