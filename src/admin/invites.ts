/**
 * @module admin/invites
 * POST/GET/DELETE /admin/invites: the admin issues one-time codes that bind a role (staff,
 * official, admin) and units to whoever redeems them with /xacthuc, lists them, and revokes
 * them (which also removes a role already bound from the code). The code is shown once, in
 * the creation response, and never again: the store keeps only its hash.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { INVITE_ROLES, type Invites } from '../core/roles';
import { jsonBody, queryParams, type AdminEnv, type Audit } from './index';

/** Unit (agency) codes as used in data files: so-noi-vu, ubnd-xa-an-phu. */
const UnitCodeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a unit code is 1-40 characters of a-z 0-9 - (e.g. so-noi-vu)');

export const InviteRequestSchema = z.strictObject({
  role: z.enum(INVITE_ROLES),
  units: z.array(UnitCodeSchema).max(20).default([]),
  /** How long the code may be redeemed: 1 hour to 30 days, 72 hours unless given. */
  expiresInHours: z.number().int().min(1).max(720).default(72),
  /** Several codes with the same terms in one call, e.g. for a training session. */
  count: z.number().int().min(1).max(50).default(1),
  /** Who the code is for, as a reminder to the admin (kept with the invite, not in the audit). */
  note: z.string().trim().min(1).max(120).optional(),
});

const ListQuerySchema = z.object({
  status: z.enum(['open', 'used', 'revoked', 'expired']).optional(),
});

const InviteIdSchema = z.string().regex(/^inv_[0-9a-f]{11}$/);

interface InvitesAppDeps {
  invites: Invites;
  audit: Audit;
}

export function invitesApp(deps: InvitesAppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { invites, audit } = deps;

  app.post('/', jsonBody(InviteRequestSchema), async (c) => {
    const { count, ...terms } = c.req.valid('json');
    const actor = c.get('actor');
    const issued = [];
    for (let i = 0; i < count; i++) {
      const { code, invite } = await invites.issue({ ...terms, createdBy: actor });
      await audit({ actor, action: 'invites.create', target: invite.id, detail: { role: invite.role, units: invite.units, expiresAt: invite.expiresAt } });
      issued.push({ ...invite, code });
    }
    return c.json({ invites: issued }, 201);
  });

  app.get('/', queryParams(ListQuerySchema), async (c) => {
    const { status } = c.req.valid('query');
    const all = await invites.list();
    return c.json({ invites: status ? all.filter((i) => i.status === status) : all });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const invite = InviteIdSchema.safeParse(id).success ? await invites.get(id) : null;
    return invite ? c.json({ invite }) : c.json({ error: `no invite ${id}` }, 404);
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!InviteIdSchema.safeParse(id).success) return c.json({ error: `no invite ${id}` }, 404);
    const outcome = await invites.revoke(id);
    if (!outcome.found) return c.json({ error: `no invite ${id}` }, 404);
    if (outcome.alreadyRevoked) return c.json({ error: `invite ${id} was already revoked`, invite: outcome.invite }, 409);
    await audit({ actor: c.get('actor'), action: 'invites.revoke', target: id, detail: { roleRevoked: outcome.roleRevoked } });
    return c.json({ invite: outcome.invite, roleRevoked: outcome.roleRevoked });
  });

  return app;
}
