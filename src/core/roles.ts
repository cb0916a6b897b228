/**
 * @module core/roles
 * Who is asking: citizen by default; officials and staff proven by a role bound to their
 * channel and user id in the store, or (until invites exist) named in OFFICIAL_ALLOWLIST.
 */
import type { Store } from '../store/store';
import type { ChannelName, Role } from './types';

export const ROLES: readonly Role[] = ['citizen', 'staff', 'official', 'admin'];

export function roleKey(channel: ChannelName, userId: string): string {
  return `role:${channel}:${userId}`;
}

export class RoleDirectory {
  constructor(
    private readonly store: Store,
    private readonly allowlist: readonly string[] = [],
  ) {}

  async roleOf(channel: ChannelName, userId: string): Promise<Role> {
    const stored = await this.store.get(roleKey(channel, userId));
    if (stored && (ROLES as readonly string[]).includes(stored)) return stored as Role;
    if (this.allowlist.includes(`${channel}:${userId}`)) return 'official';
    return 'citizen';
  }
}

/** True when `role` is at least `needed` in the order citizen < staff < official < admin. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
