/** @jsxImportSource hono/jsx */
/**
 * @module console/pages/people
 * Người dùng: invites (create, list, revoke: /admin/invites) and the roles bound in chat
 * (/admin/roles, take one back). A new code is shown once, in the answer to its creation, and
 * never again: the store keeps only its hash, and this page is not cached.
 */
import type { PageContext } from '../deps';
import { CsrfField, Table, vnDateTime, type Notice } from '../view';

const ROLES = ['staff', 'official', 'admin'] as const;

interface InviteView {
  id: string;
  role: string;
  units: string[];
  note?: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  status: 'open' | 'used' | 'revoked' | 'expired';
}

interface RoleRow {
  channel: string;
  userId: string;
  role: string;
  units?: string[];
  since?: string;
  invite?: string;
}

export interface IssuedCodes {
  codes: Array<{ id: string; code: string; role: string; expiresAt: string }>;
}

export async function peoplePage(ctx: PageContext, extra: { notices?: Notice[]; issued?: IssuedCodes } = {}) {
  const { v, api } = ctx;
  const { t } = v;
  const notices: Notice[] = [...(extra.notices ?? [])];
  const [invites, roles] = await Promise.all([api.get<{ invites: InviteView[] }>('/invites'), api.get<{ users: RoleRow[] }>('/roles')]);
  for (const r of [invites, roles]) if (!r.ok) notices.push({ kind: 'error', text: t('console-failed'), detail: r.error });
  const list = invites.ok ? invites.data.invites.slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt)) : [];
  const users = roles.ok ? roles.data.users : [];

  const body = (
    <>
      {extra.issued ? (
        <section class="notice ok" role="status" aria-labelledby="codes-h">
          <h2 id="codes-h">{t('console-invite-codes')}</h2>
          <p>{t('console-invite-codes-once')}</p>
          <ul>
            {extra.issued.codes.map((c) => (
              <li>
                <span class="code" data-invite-code={c.id}>
                  {c.code}
                </span>{' '}
                — {t(`console-role-${c.role}`)}, {t('console-invite-expires', { at: vnDateTime(c.expiresAt) })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section class="card" aria-labelledby="new-invite-h">
        <h2 id="new-invite-h">{t('console-invite-new')}</h2>
        <form method="post" action="/console/people/invites" class="stack">
          <CsrfField v={v} />
          <div class="row">
            <div class="field">
              <label for="role">{t('console-invite-role')}</label>
              <select id="role" name="role">
                {ROLES.map((r) => (
                  <option value={r}>{t(`console-role-${r}`)}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="expires">{t('console-invite-hours')}</label>
              <input id="expires" name="expiresInHours" type="number" min={1} max={720} value="72" required />
            </div>
            <div class="field">
              <label for="count">{t('console-invite-count')}</label>
              <input id="count" name="count" type="number" min={1} max={50} value="1" required />
            </div>
          </div>
          <div class="field">
            <label for="units">
              {t('console-invite-units')} <span class="hint">{t('console-invite-units-hint')}</span>
            </label>
            <input id="units" name="units" type="text" maxlength={400} />
          </div>
          <div class="field">
            <label for="note">{t('console-invite-note')}</label>
            <input id="note" name="note" type="text" maxlength={120} />
          </div>
          <div>
            <button type="submit">{t('console-invite-create')}</button>
          </div>
        </form>
      </section>

      <h2>{t('console-invites')}</h2>
      <Table
        label={t('console-invites')}
        columns={[
          t('console-invite-id'),
          t('console-invite-role'),
          t('console-invite-units'),
          t('console-invite-note'),
          t('console-invite-created'),
          t('console-task-status'),
          t('console-actions'),
        ]}
        empty={t('console-none')}
        rows={list}
        row={(i) => (
          <tr id={`invite-${i.id}`}>
            <td>{i.id}</td>
            <td>{t(`console-role-${i.role}`)}</td>
            <td>{i.units.join(', ') || '—'}</td>
            <td>{i.note ?? ''}</td>
            <td>
              {vnDateTime(i.createdAt)}
              <div class="muted">{i.createdBy}</div>
            </td>
            <td>
              <span class={`status ${i.status}`}>{t(`console-invite-${i.status}`)}</span>
            </td>
            <td>
              {i.status === 'open' || i.status === 'used' ? (
                <form method="post" action={`/console/people/invites/${encodeURIComponent(i.id)}/revoke`} class="inline">
                  <CsrfField v={v} />
                  <button type="submit" class="danger" aria-label={t('console-invite-revoke-named', { id: i.id })}>
                    {t('console-invite-revoke')}
                  </button>
                </form>
              ) : null}
            </td>
          </tr>
        )}
      />

      <h2>{t('console-roles')}</h2>
      <Table
        label={t('console-roles')}
        columns={[t('console-channel'), t('console-role-user'), t('console-invite-role'), t('console-invite-units'), t('console-role-since'), t('console-actions')]}
        empty={t('console-none')}
        rows={users}
        row={(u) => (
          <tr>
            <td>{t(`console-channel-${u.channel}`)}</td>
            <td>{u.userId}</td>
            <td>{t(`console-role-${u.role}`)}</td>
            <td>{(u.units ?? []).join(', ') || '—'}</td>
            <td>{vnDateTime(u.since)}</td>
            <td>
              <form method="post" action={`/console/people/roles/${encodeURIComponent(u.channel)}/${encodeURIComponent(u.userId)}/revoke`} class="inline">
                <CsrfField v={v} />
                <button type="submit" class="danger" aria-label={t('console-role-revoke-named', { user: u.userId })}>
                  {t('console-role-revoke')}
                </button>
              </form>
            </td>
          </tr>
        )}
      />
    </>
  );
  return { title: t('console-nav-people'), body, notices };
}
