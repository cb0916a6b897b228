/**
 * @module channels/web/address
 * Who a web client is, as far as limits go: its address as the entry found it (CF-Connecting-IP
 * on Workers, the socket or trusted proxies' X-Forwarded-For on Node), bucketed so that an IPv6
 * host cannot take a new address for every request.
 */
import type { Context } from 'hono';

/** How the entry finds the address of the client that sent a request (see worker.ts, node.ts). */
export type ClientAddressOf = (c: Context) => string | undefined;

/** Workers: Cloudflare sets CF-Connecting-IP itself, replacing whatever a client sent. */
export const cloudflareClientAddress: ClientAddressOf = (c) => c.req.header('cf-connecting-ip');

/**
 * The client behind `hops` trusted reverse proxies. Each proxy appends the address it saw to
 * X-Forwarded-For, so only the last `hops` entries are vouched for: the client is the entry
 * `hops` from the right (the leftmost when there are fewer), else X-Real-IP, else the socket.
 * With no trusted proxy only the socket counts: any client can write these headers.
 */
export function forwardedClientAddress(
  socket: string | undefined,
  headers: { forwardedFor?: string; realIp?: string },
  hops: number,
): string | undefined {
  if (hops <= 0) return socket;
  const chain = (headers.forwardedFor ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (chain.length === 0) return headers.realIp?.trim() || socket;
  return chain[Math.max(0, chain.length - hops)];
}

/**
 * What one client's limits count under: its IPv4 address, or the /64 of its IPv6 address (one
 * host usually holds a whole /64, and could otherwise take a new address for every request).
 * Anything unreadable counts under one shared "unknown".
 */
export function addressBucket(address: string | undefined): string {
  const a = (address ?? '').trim().toLowerCase();
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(a);
  if (v4) return v4[1]!;
  const v6 = a.replace(/^\[([^\]]*)\](?::\d+)?$/, '$1').replace(/%.*$/, '');
  const halves = v6.split('::');
  if (halves.length > 2 || !/^[0-9a-f:]+$/.test(v6)) return 'unknown';
  const groupsOf = (s: string | undefined) => (s ? s.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return 'unknown';
  const groups = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return 'unknown';
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
