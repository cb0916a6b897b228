/**
 * @module core/roles
 * Who is asking, and how they prove it. Citizens need nothing: citizen is the default. Staff,
 * officials and admins redeem a one-time invite code (issued through the admin API) in chat,
 * which binds the role and the units it covers to that channel and user id in the store; the
 * OFFICIAL_ALLOWLIST still names officials from configuration. Handlers ask this module (or
 * read `inbound.role`, which the assistant fills from it), never a channel.
 *
 * Store layout (nothing here holds a user id inside a value, so erasing the role key erases
 * the link between a person and an invite):
 *   role:<channel>:<userId>      JSON RoleBinding
 *   invite:<id>                  JSON InviteRecord; the code itself is kept only as a hash
 *   invite-code:<sha256(code)>   the invite id, kept as long as the record so a spent code
 *                                is told apart from a wrong one
 *   invite-claim:<id>            SET NX guard: the one redeem (or revoke) that wins
 *   invite-fail:<channel>:<userId>  failed redeems in the last hour (brute-force brake)
 *
 * Over ~350 lines on purpose: RoleDirectory and Invites share the store layout described here and change together.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import type { Texts } from './texts';
import type { ChannelName, Locale, Reply, Role } from './types';

const ROLES: readonly Role[] = ['citizen', 'staff', 'official', 'admin'];

export function roleKey(channel: ChannelName, userId: string): string {
  return `role:${channel}:${userId}`;
}

export function inviteFailKey(channel: ChannelName, userId: string): string {
  return `invite-fail:${channel}:${userId}`;
}

const ROLE_PREFIX = 'role:';
const CHANNELS = ['telegram', 'zalo', 'web'] as const satisfies readonly ChannelName[];

const RoleBindingSchema = z.object({
  role: z.enum(['citizen', 'staff', 'official', 'admin']),
  /** Units (agency codes) the role covers, e.g. ["so-noi-vu"]; empty means not unit-scoped. */
  units: z.array(z.string()).default([]),
  /** ISO time the role was bound. */
  since: z.string(),
  /** The invite it came from, so revoking the invite can find it. */
  invite: z.string().optional(),
});
type RoleBinding = z.infer<typeof RoleBindingSchema>;

interface BoundUser {
  channel: ChannelName;
  userId: string;
  binding: RoleBinding;
}

/** Reads a stored binding; null when there is none or it is unreadable. */
export function parseBinding(raw: string | null): RoleBinding | null {
  if (raw === null) return null;
  try {
    const parsed = RoleBindingSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class RoleDirectory {
  constructor(
    private readonly store: Store,
    private readonly allowlist: readonly string[] = [],
  ) {}

  /** The role bound in the store, or null (allow-listed officials have none stored). */
  async bindingOf(channel: ChannelName, userId: string): Promise<RoleBinding | null> {
    return parseBinding(await this.store.get(roleKey(channel, userId)));
  }

  async roleOf(channel: ChannelName, userId: string): Promise<Role> {
    const binding = await this.bindingOf(channel, userId);
    if (binding) return binding.role;
    return this.isAllowListed(channel, userId) ? 'official' : 'citizen';
  }

  async unitsOf(channel: ChannelName, userId: string): Promise<string[]> {
    return (await this.bindingOf(channel, userId))?.units ?? [];
  }

  isAllowListed(channel: ChannelName, userId: string): boolean {
    return this.allowlist.includes(`${channel}:${userId}`);
  }

  async bind(channel: ChannelName, userId: string, binding: RoleBinding): Promise<void> {
    await this.store.set(roleKey(channel, userId), JSON.stringify(RoleBindingSchema.parse(binding)));
  }

  /** Removes a stored role; true when there was one. */
  async revoke(channel: ChannelName, userId: string): Promise<boolean> {
    return (await this.store.del(roleKey(channel, userId))) > 0;
  }

  /** Every stored binding (a SCAN: for the admin API, not for a chat turn). */
  async list(): Promise<BoundUser[]> {
    const keys = await this.store.keysWithPrefix(ROLE_PREFIX);
    const users: BoundUser[] = [];
    for (const key of keys) {
      const [, channel, ...rest] = key.split(':');
      const userId = rest.join(':');
      if (!isChannel(channel) || !userId) continue;
      const binding = parseBinding(await this.store.get(key));
      if (binding) users.push({ channel, userId, binding });
    }
    return users;
  }
}

function isChannel(s: string | undefined): s is ChannelName {
  return (CHANNELS as readonly string[]).includes(s ?? '');
}

/** True when `role` is at least `needed` in the order citizen < staff < official < admin. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * The polite refusal a gated handler returns when the asker's role is below `needed`, or null
 * when they may go on. Usage in a handler:
 * @example
 *   const refused = requireRole(inbound, 'official', services.texts, 'kpi');
 *   if (refused) return refused;
 */
export function requireRole(
  inbound: { role: Role; locale: Locale },
  needed: Role,
  texts: Texts,
  intent: string,
): Reply | null {
  if (hasRole(inbound.role, needed)) return null;
  const text = texts.get(inbound.locale, 'role-required', {
    role: texts.get(inbound.locale, `role-${needed}`),
  });
  return { intent, blocks: [{ type: 'text', text }], citations: [], found: false };
}

// ---------------------------------------------------------------------------------------------
// Invites: one-time codes that bind a role.

export const INVITE_ROLES = ['staff', 'official', 'admin'] as const;
type InviteRole = (typeof INVITE_ROLES)[number];

/** Crockford base32: no I, L, O, U, so a code read aloud or retyped survives. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 symbols × 5 bits = 50 bits: out of reach behind the failure brake below. */
const CODE_LENGTH = 10;
/** Used, revoked and expired invites stay listable this long after their expiry. */
const RECORD_GRACE_MS = 30 * 86_400_000;
/** Failed redeems allowed per user per hour before /xacthuc stops trying. */
export const MAX_FAILED_REDEEMS = 5;
const FAIL_WINDOW_SECONDS = 3600;

const InviteRecordSchema = z.object({
  id: z.string(),
  role: z.enum(INVITE_ROLES),
  units: z.array(z.string()),
  note: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string(),
  codeHash: z.string(),
  status: z.enum(['open', 'used', 'revoked']),
  usedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
type InviteRecord = z.infer<typeof InviteRecordSchema>;

/** What the admin sees of an invite: never the code or its hash. */
interface InviteView {
  id: string;
  role: InviteRole;
  units: string[];
  note?: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  status: 'open' | 'used' | 'revoked' | 'expired';
  usedAt?: string;
  revokedAt?: string;
}

interface IssueRequest {
  role: InviteRole;
  units: string[];
  expiresInHours: number;
  note?: string;
  createdBy: string;
}

type RedeemOutcome =
  | { ok: true; binding: RoleBinding }
  | { ok: false; reason: 'invalid' | 'expired' | 'used' | 'revoked' | 'throttled' };

type RevokeOutcome =
  | { found: false }
  | { found: true; alreadyRevoked: boolean; roleRevoked: boolean; invite: InviteView };

const inviteKey = (id: string) => `invite:${id}`;
const codeKey = (hash: string) => `invite-code:${hash}`;
const claimKey = (id: string) => `invite-claim:${id}`;
const INVITE_PREFIX = 'invite:';

export class Invites {
  constructor(
    private readonly store: Store,
    private readonly roles: RoleDirectory,
    private readonly now: () => Date,
  ) {}

  /** Creates one invite; the code is returned here only and stored as a hash. */
  async issue(req: IssueRequest): Promise<{ code: string; invite: InviteView }> {
    const now = this.now();
    const code = newCode();
    const hash = await sha256Hex(code);
    const expires = new Date(now.getTime() + req.expiresInHours * 3_600_000);
    const record: InviteRecord = {
      id: `inv_${crypto.randomUUID().slice(0, 12).replace('-', '')}`,
      role: req.role,
      units: req.units,
      ...(req.note ? { note: req.note } : {}),
      createdAt: now.toISOString(),
      createdBy: req.createdBy,
      expiresAt: expires.toISOString(),
      codeHash: hash,
      status: 'open',
    };
    // The record first: a code that resolves to a missing record would read as "invalid".
    await this.save(record);
    await this.store.set(codeKey(hash), record.id, this.recordTtl(record, now));
    return { code: formatCode(code), invite: view(record, now) };
  }

  /**
   * Binds the invite's role to this channel and user when the code is open and unexpired. The
   * SET NX claim makes it single-use even when two people send the same code at once.
   */
  async redeem(channel: ChannelName, userId: string, rawCode: string): Promise<RedeemOutcome> {
    const failKey = inviteFailKey(channel, userId);
    if (Number((await this.store.get(failKey)) ?? 0) >= MAX_FAILED_REDEEMS) return { ok: false, reason: 'throttled' };
    const outcome = await this.tryRedeem(channel, userId, rawCode);
    if (!outcome.ok) await this.store.incr(failKey, 1, FAIL_WINDOW_SECONDS);
    return outcome;
  }

  private async tryRedeem(channel: ChannelName, userId: string, rawCode: string): Promise<RedeemOutcome> {
    const code = normalizeCode(rawCode);
    if (!code) return { ok: false, reason: 'invalid' };
    const hash = await sha256Hex(code);
    const id = await this.store.get(codeKey(hash));
    const record = id ? await this.load(id) : null;
    if (!record || record.codeHash !== hash) return { ok: false, reason: 'invalid' };
    const now = this.now();
    if (record.status === 'revoked') return { ok: false, reason: 'revoked' };
    if (record.status === 'used') return { ok: false, reason: 'used' };
    if (now.getTime() > Date.parse(record.expiresAt)) return { ok: false, reason: 'expired' };
    if (!(await this.store.claim(claimKey(record.id), this.recordTtl(record, now), 'used'))) {
      const again = await this.load(record.id);
      return { ok: false, reason: again?.status === 'revoked' ? 'revoked' : 'used' };
    }
    const binding: RoleBinding = { role: record.role, units: record.units, since: now.toISOString(), invite: record.id };
    try {
      await this.roles.bind(channel, userId, binding);
    } catch (e) {
      // Give the code back so a store hiccup does not burn it.
      await this.store.del(claimKey(record.id)).catch(() => 0);
      throw e;
    }
    await this.save({ ...record, status: 'used', usedAt: now.toISOString() });
    return { ok: true, binding };
  }

  async get(id: string): Promise<InviteView | null> {
    const record = await this.load(id);
    return record ? view(record, this.now()) : null;
  }

  /** Every invite still kept, newest first (a SCAN: admin API only). */
  async list(): Promise<InviteView[]> {
    const now = this.now();
    const keys = await this.store.keysWithPrefix(INVITE_PREFIX);
    const records = await Promise.all(keys.map((k) => this.load(k.slice(INVITE_PREFIX.length))));
    return records
      .filter((r): r is InviteRecord => r !== null)
      .map((r) => view(r, now))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Closes an invite: an open code can no longer be redeemed, and when it was already redeemed
   * the role it bound is removed too (found by the invite id stored in the binding).
   */
  async revoke(id: string): Promise<RevokeOutcome> {
    const record = await this.load(id);
    if (!record) return { found: false };
    const now = this.now();
    if (record.status === 'revoked') return { found: true, alreadyRevoked: true, roleRevoked: false, invite: view(record, now) };
    // Taking the claim shuts out a redeem racing with this revoke; losing it means one won.
    const closedOpen = await this.store.claim(claimKey(record.id), this.recordTtl(record, now), 'revoked');
    let roleRevoked = false;
    if (!closedOpen) roleRevoked = (await this.revokeBindingsOf(record.id)) > 0;
    const revoked: InviteRecord = { ...record, status: 'revoked', revokedAt: now.toISOString() };
    await this.save(revoked);
    return { found: true, alreadyRevoked: false, roleRevoked, invite: view(revoked, now) };
  }

  private async revokeBindingsOf(inviteId: string): Promise<number> {
    let removed = 0;
    for (const user of await this.roles.list()) {
      if (user.binding.invite === inviteId && (await this.roles.revoke(user.channel, user.userId))) removed++;
    }
    return removed;
  }

  private async load(id: string): Promise<InviteRecord | null> {
    const raw = await this.store.get(inviteKey(id));
    if (!raw) return null;
    try {
      const parsed = InviteRecordSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async save(record: InviteRecord): Promise<void> {
    await this.store.set(inviteKey(record.id), JSON.stringify(record), this.recordTtl(record, this.now()));
  }

  private recordTtl(record: InviteRecord, now: Date): number {
    return secondsUntil(new Date(Date.parse(record.expiresAt) + RECORD_GRACE_MS), now);
  }
}

function view(record: InviteRecord, now: Date): InviteView {
  const { codeHash: _hash, ...rest } = record;
  const expired = record.status === 'open' && now.getTime() > Date.parse(record.expiresAt);
  return { ...rest, status: expired ? 'expired' : record.status };
}

/** Whole seconds from now until `at`, at least 1 (store TTLs must be positive). */
function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  // 256 is a multiple of 32, so taking 5 bits of each byte is unbiased.
  return Array.from(bytes, (b) => CODE_ALPHABET[b & 31]).join('');
}

/** ABCDE-FGHJK: easier to read out and retype. */
function formatCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/**
 * The canonical code from what a person typed: case, spaces and dashes ignored, and the letters
 * Crockford's alphabet leaves out read as the digits they look like. Null when it cannot be a code.
 */
export function normalizeCode(input: string): string | null {
  const code = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
