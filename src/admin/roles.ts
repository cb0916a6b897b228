/**
 * @module admin/roles
 * GET /admin/roles lists the roles bound in chat (channel, user id, role, units, since, invite);
 * DELETE /admin/roles/:channel/:userId takes one back. Both are audited; the audit names the
 * invite a role came from, not the user id, so /xoadulieu leaves no id behind in the log.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { RoleDirectory } from '../core/roles';
import type { AdminEnv, Audit } from './index';

const ChannelSchema = z.enum(['telegram', 'zalo', 'web']);

interface RolesAppDeps {
  roles: RoleDirectory;
  audit: Audit;
}

export function rolesApp(deps: RolesAppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { roles, audit } = deps;

  app.get('/', async (c) => {
    const users = await roles.list();
    // Reading who holds which role reveals user ids: that is an action worth a trace.
    await audit({ actor: c.get('actor'), action: 'roles.list', detail: { count: users.length } });
    return c.json({ users: users.map((u) => ({ channel: u.channel, userId: u.userId, ...u.binding })) });
  });

  app.delete('/:channel/:userId', async (c) => {
    const channel = ChannelSchema.safeParse(c.req.param('channel'));
    if (!channel.success) return c.json({ error: 'channel must be telegram, zalo or web' }, 400);
    const userId = c.req.param('userId');
    const binding = await roles.bindingOf(channel.data, userId);
    if (!binding || !(await roles.revoke(channel.data, userId))) {
      return c.json({ error: 'no role is bound to this user' }, 404);
    }
    await audit({
      actor: c.get('actor'),
      action: 'roles.revoke',
      target: binding.invite ?? 'role',
      detail: { channel: channel.data, role: binding.role },
    });
    return c.json({ revoked: { channel: channel.data, role: binding.role, invite: binding.invite ?? null } });
  });

  return app;
}
