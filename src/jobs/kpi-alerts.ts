/**
 * @module jobs/kpi-alerts
 * The scheduled job that tells subscribed officials, once, when a KPI turns off track. It
 * remembers each KPI's last status; a turn to off track opens an event named after the latest
 * value's period, and each subscriber is told about an event once (an atomic claim per
 * subscriber, released when a send fails for a reason that may pass, so the next run retries).
 * A stale value raises no alert: it needs new data, not an alarm.
 */
import { z } from 'zod';
import type { Job, JobContext } from './job';
import type { Outbound, Role, ChannelName } from '../core/types';
import { hasRole } from '../core/roles';
import type { Texts } from '../core/texts';
import { describeError } from '../log';
import { alertReply } from '../kpi/render';
import { recipientOf, subscriberField, type KpiService, type Subscriber } from '../kpi/service';
import type { KpiStatus } from '../kpi/status';

export const ALERT_STATE_KEY = 'kpi:alert-state';
/** How long "this subscriber was told about this event" is remembered. */
const ALERT_CLAIM_TTL_SECONDS = 400 * 86_400;

function alertClaimKey(kpi: string, event: string, sub: Pick<Subscriber, 'channel' | 'chatId'>): string {
  return `kpi:alerted:${kpi}:${event}:${subscriberField(sub.channel, sub.chatId)}`;
}

const AlertState = z.object({ status: z.string(), event: z.string().optional() });
type AlertState = { status: KpiStatus; event?: string };

interface AlertJobDeps {
  kpi: KpiService;
  outbound: Outbound;
  texts: Texts;
  /** The subscriber's role now; one who is no longer an official is unsubscribed, not told. */
  roleOf?: (channel: ChannelName, userId: string) => Promise<Role>;
}

export function kpiAlertJob(deps: AlertJobDeps): Job {
  return {
    id: 'kpi-alerts',
    run: (ctx) => runAlerts(deps, ctx),
  };
}

async function runAlerts(deps: AlertJobDeps, ctx: JobContext): Promise<Record<string, number>> {
  const counts = { checked: 0, offTrack: 0, turned: 0, sent: 0, failed: 0, dropped: 0 };
  const subscribers = await currentOfficials(deps, counts);
  const state = await readState(ctx);
  const changes: Record<string, string> = {};

  for (const def of deps.kpi.catalog.all()) {
    counts.checked++;
    const view = await deps.kpi.view(def, ctx.at);
    const { status, stale } = view.evaluation;
    if (stale) continue;
    const prev = state[def.id];
    if (status !== 'off_track') {
      if (prev?.status !== status) changes[def.id] = JSON.stringify({ status });
      continue;
    }
    counts.offTrack++;
    let event = prev?.status === 'off_track' ? prev.event : undefined;
    if (!event) {
      event = view.latest?.period ?? 'no-data';
      counts.turned++;
      changes[def.id] = JSON.stringify({ status, event });
    }
    for (const sub of subscribers) {
      const key = alertClaimKey(def.id, event, sub);
      if (!(await ctx.store.claim(key, ALERT_CLAIM_TTL_SECONDS, ctx.at.toISOString()))) continue;
      const outcome = await send(deps, sub, view, ctx);
      if (outcome === 'sent') counts.sent++;
      else {
        counts.failed++;
        if (outcome === 'permanent') {
          await deps.kpi.unsubscribe(sub.channel, sub.chatId);
        } else {
          // Not told yet: let the next run try again.
          await ctx.store.del(key);
        }
      }
    }
  }
  if (Object.keys(changes).length) await ctx.store.hashSet(ALERT_STATE_KEY, changes);
  ctx.log.info('kpi alerts ran', counts);
  return counts;
}

async function send(
  deps: AlertJobDeps,
  sub: Subscriber,
  view: Awaited<ReturnType<KpiService['view']>>,
  ctx: JobContext,
): Promise<'sent' | 'permanent' | 'transient'> {
  try {
    const result = await deps.outbound.send(recipientOf(sub), alertReply(view, sub.locale, deps.texts));
    if (result.ok) return 'sent';
    ctx.log.warn('kpi alert not delivered', { kpi: view.def.id, channel: sub.channel, permanent: result.permanent, reason: result.reason });
    return result.permanent ? 'permanent' : 'transient';
  } catch (e) {
    ctx.log.warn('kpi alert send failed', { kpi: view.def.id, channel: sub.channel, error: describeError(e) });
    return 'transient';
  }
}

/** Subscribers who are still officials; the others are unsubscribed. */
async function currentOfficials(deps: AlertJobDeps, counts: { dropped: number }): Promise<Subscriber[]> {
  const all = await deps.kpi.subscribers();
  if (!deps.roleOf) return all;
  const kept: Subscriber[] = [];
  for (const sub of all) {
    if (hasRole(await deps.roleOf(sub.channel, sub.userId), 'official')) kept.push(sub);
    else {
      counts.dropped++;
      await deps.kpi.unsubscribe(sub.channel, sub.chatId);
    }
  }
  return kept;
}

async function readState(ctx: JobContext): Promise<Record<string, AlertState>> {
  const raw = await ctx.store.hashGetAll(ALERT_STATE_KEY);
  const out: Record<string, AlertState> = {};
  for (const [kpi, v] of Object.entries(raw)) {
    try {
      const parsed = AlertState.safeParse(JSON.parse(v));
      if (parsed.success) out[kpi] = parsed.data as AlertState;
    } catch {
      // A corrupt entry reads as "no previous status".
    }
  }
  return out;
}
