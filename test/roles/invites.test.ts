/**
 * Invite codes and role bindings on their own (no app): single use, expiry, revocation, the
 * failure brake, and what the store keeps (never the code itself).
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import {
  Invites,
  MAX_FAILED_REDEEMS,
  RoleDirectory,
  normalizeCode,
  parseBinding,
  requireRole,
  roleKey,
} from '../../src/core/roles';
import { Texts, type TextTable } from '../../src/core/texts';
import bundle from '../../src/generated/bundle.json';

function setup(start = '2026-11-21T08:00:00+07:00') {
  let now = new Date(start);
  const clock = () => now;
  const store = new MemoryStore({ now: () => now.getTime() });
  const roles = new RoleDirectory(store, ['zalo:allow-1']);
  const invites = new Invites(store, roles, clock);
  return {
    store,
    roles,
    invites,
    advanceHours: (h: number) => {
      now = new Date(now.getTime() + h * 3_600_000);
    },
  };
}

/** A store whose get() of keys under `prefix` holds the first `parties` callers until all have come. */
function withBarrier(store: Store, prefix: string, parties: number): Store {
  let arrived = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop !== 'get') return typeof value === 'function' ? value.bind(target) : value;
      return async (key: string) => {
        const found = await target.get(key);
        if (key.startsWith(prefix) && arrived < parties) {
          if (++arrived === parties) release();
          await released;
        }
        return found;
      };
    },
  });
}

const terms = { role: 'official' as const, units: ['so-noi-vu'], expiresInHours: 72, createdBy: 'lan' };

describe('invite codes', () => {
  it('bind their role and units to the redeeming channel and user', async () => {
    const { invites, roles } = setup();
    const { code, invite } = await invites.issue(terms);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    const outcome = await invites.redeem('telegram', '1001', code);
    expect(outcome).toEqual({ ok: true, binding: { role: 'official', units: ['so-noi-vu'], since: '2026-11-21T01:00:00.000Z', invite: invite.id } });
    expect(await roles.roleOf('telegram', '1001')).toBe('official');
    expect(await roles.unitsOf('telegram', '1001')).toEqual(['so-noi-vu']);
    // Bound to that channel and user only.
    expect(await roles.roleOf('zalo', '1001')).toBe('citizen');
    expect(await roles.roleOf('telegram', '1002')).toBe('citizen');
    expect((await invites.get(invite.id))?.status).toBe('used');
  });

  it('work once: a second redeem, by anyone, is refused as used', async () => {
    const { invites, roles } = setup();
    const { code } = await invites.issue(terms);
    expect((await invites.redeem('telegram', '1001', code)).ok).toBe(true);
    expect(await invites.redeem('telegram', '1002', code)).toEqual({ ok: false, reason: 'used' });
    expect(await invites.redeem('telegram', '1001', code)).toEqual({ ok: false, reason: 'used' });
    expect(await roles.roleOf('telegram', '1002')).toBe('citizen');
  });

  it('let exactly one of three simultaneous redeems win, even when all saw the code open', async () => {
    const { store, roles } = setup();
    const { code } = await new Invites(store, roles, () => new Date('2026-11-21T08:00:00+07:00')).issue(terms);
    // Every redeem reads the invite record, then waits until all three have read it: each one
    // sees it open, so only the atomic claim can keep the code single-use.
    const invites = new Invites(withBarrier(store, 'invite:', 3), roles, () => new Date('2026-11-21T08:00:00+07:00'));
    const outcomes = await Promise.all([
      invites.redeem('telegram', 'a1', code),
      invites.redeem('zalo', 'b2', code),
      invites.redeem('web', 'c3c3c3c3', code),
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.reason)).toEqual(['used', 'used']);
    const bound = await roles.list();
    expect(bound).toHaveLength(1);
  });

  it('expire: a code redeemed after its expiry is refused as expired and binds nothing', async () => {
    const { invites, roles, advanceHours } = setup();
    const { code, invite } = await invites.issue({ ...terms, expiresInHours: 2 });
    advanceHours(2.01);
    expect(await invites.redeem('telegram', '1001', code)).toEqual({ ok: false, reason: 'expired' });
    expect(await roles.roleOf('telegram', '1001')).toBe('citizen');
    expect((await invites.get(invite.id))?.status).toBe('expired');
  });

  it('still work just before their expiry', async () => {
    const { invites, advanceHours } = setup();
    const { code } = await invites.issue({ ...terms, expiresInHours: 2 });
    advanceHours(1.99);
    expect((await invites.redeem('telegram', '1001', code)).ok).toBe(true);
  });

  it('read as invalid once even the record has gone, long after expiry', async () => {
    const { invites, advanceHours } = setup();
    const { code } = await invites.issue({ ...terms, expiresInHours: 1 });
    advanceHours(24 * 40);
    expect(await invites.redeem('telegram', '1001', code)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('accept the code typed in lower case, without the dash, or with O and I for 0 and 1', async () => {
    const { invites } = setup();
    const { code } = await invites.issue(terms);
    const typed = code.toLowerCase().replace('-', ' ').replace(/0/g, 'o').replace(/1/g, 'i');
    expect((await invites.redeem('telegram', '1001', `  ${typed} `)).ok).toBe(true);
    expect(normalizeCode('abcde-fghjk')).toBe('ABCDEFGHJK');
    expect(normalizeCode('ABCDE-FGHJ')).toBeNull();
    expect(normalizeCode('ABCDE-FGHJU')).toBeNull();
  });

  it('refuse a wrong code as invalid, and stop trying after repeated failures for an hour', async () => {
    const { invites, advanceHours } = setup();
    const { code } = await invites.issue(terms);
    for (let i = 0; i < MAX_FAILED_REDEEMS; i++) {
      expect(await invites.redeem('telegram', '1001', 'ZZZZZ-ZZZZZ')).toEqual({ ok: false, reason: 'invalid' });
    }
    // Even the right code is refused while the brake holds, so guessing cannot go on.
    expect(await invites.redeem('telegram', '1001', code)).toEqual({ ok: false, reason: 'throttled' });
    // Another user is not affected.
    expect(await invites.redeem('telegram', '1002', 'ZZZZZ-ZZZZZ')).toEqual({ ok: false, reason: 'invalid' });
    advanceHours(1.01);
    expect((await invites.redeem('telegram', '1001', code)).ok).toBe(true);
  });

  it('revoked while open cannot be redeemed', async () => {
    const { invites } = setup();
    const { code, invite } = await invites.issue(terms);
    const outcome = await invites.revoke(invite.id);
    expect(outcome).toMatchObject({ found: true, alreadyRevoked: false, roleRevoked: false, invite: { status: 'revoked' } });
    expect(await invites.redeem('telegram', '1001', code)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('revoked after use take the bound role back', async () => {
    const { invites, roles } = setup();
    const first = await invites.issue(terms);
    const second = await invites.issue({ ...terms, role: 'staff' });
    await invites.redeem('telegram', '1001', first.code);
    await invites.redeem('zalo', '2002', second.code);
    expect(await invites.revoke(first.invite.id)).toMatchObject({ found: true, roleRevoked: true });
    expect(await roles.roleOf('telegram', '1001')).toBe('citizen');
    expect(await roles.roleOf('zalo', '2002')).toBe('staff');
    expect(await invites.revoke(first.invite.id)).toMatchObject({ found: true, alreadyRevoked: true });
    expect(await invites.revoke('inv_00000000000')).toEqual({ found: false });
  });

  it('are kept only as a hash: no stored key or value contains the code', async () => {
    const { invites, store } = setup();
    const { code } = await invites.issue({ ...terms, note: 'chị Lan, Sở Nội vụ' });
    const bare = code.replace('-', '');
    for (const key of await store.keysWithPrefix('')) {
      expect(key).not.toContain(bare);
      expect((await store.get(key)) ?? '').not.toContain(bare);
    }
  });

  it('list newest first with status and without the code or its hash', async () => {
    const { invites, advanceHours } = setup();
    const a = await invites.issue(terms);
    advanceHours(1);
    const b = await invites.issue({ ...terms, expiresInHours: 1 });
    advanceHours(2);
    const list = await invites.list();
    expect(list.map((i) => [i.id, i.status])).toEqual([
      [b.invite.id, 'expired'],
      [a.invite.id, 'open'],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/code/i);
  });
});

describe('RoleDirectory', () => {
  it('reads the JSON bindings it writes, and nothing else', async () => {
    const { store, roles } = setup();
    await store.set(roleKey('zalo', '7'), 'staff');
    expect(await roles.roleOf('zalo', '7')).toBe('citizen');
    await roles.bind('zalo', '8', { role: 'admin', units: ['ubnd-tinh'], since: '2026-11-21T01:00:00.000Z' });
    expect(await roles.roleOf('zalo', '8')).toBe('admin');
    expect(parseBinding('not json')).toBeNull();
    expect(parseBinding('{"role":"king","since":""}')).toBeNull();
  });

  it('treats allow-listed users as officials without storing anything, and a bound role wins', async () => {
    const { store, roles } = setup();
    expect(await roles.roleOf('zalo', 'allow-1')).toBe('official');
    expect(await roles.bindingOf('zalo', 'allow-1')).toBeNull();
    expect(await store.keysWithPrefix('')).toEqual([]);
    await roles.bind('zalo', 'allow-1', { role: 'admin', units: [], since: '' });
    expect(await roles.roleOf('zalo', 'allow-1')).toBe('admin');
  });

  it('revokes a binding and lists the remaining ones with channel and user id', async () => {
    const { roles } = setup();
    await roles.bind('telegram', '1', { role: 'staff', units: [], since: 'x' });
    await roles.bind('web', 'sess-abc:def', { role: 'official', units: [], since: 'y' });
    expect(await roles.revoke('telegram', '1')).toBe(true);
    expect(await roles.revoke('telegram', '1')).toBe(false);
    expect(await roles.list()).toEqual([{ channel: 'web', userId: 'sess-abc:def', binding: { role: 'official', units: [], since: 'y' } }]);
  });
});

describe('requireRole', () => {
  const texts = new Texts(bundle.prompts as TextTable);

  it.each([
    ['citizen', 'official', false],
    ['staff', 'official', false],
    ['official', 'official', true],
    ['admin', 'official', true],
    ['staff', 'staff', true],
    ['citizen', 'staff', false],
  ] as const)('lets a %s through a gate for %s: %s', (role, needed, passes) => {
    const refused = requireRole({ role, locale: 'vi' }, needed, texts, 'kpi');
    if (passes) expect(refused).toBeNull();
    else {
      expect(refused).toMatchObject({ intent: 'kpi', found: false, citations: [] });
      expect(refused!.blocks[0]).toMatchObject({ text: expect.stringContaining('/xacthuc') });
    }
  });

  it('names the needed role in the asker\'s language', () => {
    const refused = requireRole({ role: 'citizen', locale: 'en' }, 'official', texts, 'stats');
    expect(refused!.blocks[0]).toMatchObject({ text: expect.stringContaining('verified officials') });
  });
});
