/**
 * @module kpi/service
 * The KPI service the composition root builds once and hands to the KPI handler, the
 * /admin/metrics route and the KPI jobs: the catalogue, the stored values, a KPI's view
 * (history, latest value, status), ingestion, and alert subscriptions. With `liveRefreshMs`,
 * definitions published live (kpi/live) lie over the bundled catalogue: `refresh()` (before each
 * message, admin request and scheduled run) brings them in within that interval.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import { describeError, type Logger } from '../log';
import type { ChannelName, Locale, Recipient } from '../core/types';
import { KpiCatalog, bundledKpis, canSee, type Viewer } from './definitions';
import { LiveKpiDefinitions } from './live';
import { ObservationStore } from './observations';
import { asOfDate, evaluateStatus, type StatusResult } from './status';
import { vnDay } from '../core/vn-time';
import type { IsoDate } from './period';
import { ingestRows, type IngestReport, type SourcedRow } from './ingest';
import type { KpiDefinition, Observation, ObservationOrigin } from './schema';

export interface KpiView {
  def: KpiDefinition;
  /** Oldest period first. */
  history: Observation[];
  latest: Observation | null;
  /** The day the latest value describes. */
  asOf: IsoDate | null;
  evaluation: StatusResult;
}

export const SUBSCRIBERS_KEY = 'kpi:subscribers';

export const SubscriberSchema = z.object({
  channel: z.enum(['telegram', 'zalo', 'web']),
  chatId: z.string().min(1),
  locale: z.enum(['vi', 'en']),
  /** Who subscribed, so their role can be checked again before each alert. */
  userId: z.string().min(1),
  since: z.string(),
});
export type Subscriber = z.infer<typeof SubscriberSchema>;

interface KpiServiceDeps {
  store: Store;
  now: () => Date;
  /** Defaults to a catalogue of its own over the bundled file (live definitions are laid over it). */
  catalog?: KpiCatalog;
  log?: Logger;
  /** Turns on live definitions: the store's revision is checked at most this often (ms). */
  liveRefreshMs?: number;
  /** Milliseconds for the refresh throttle (tests). */
  clock?: () => number;
}

/** The status of a KPI at instant `at` from its values (pure). */
export function evaluate(def: KpiDefinition, history: Observation[], at: Date): StatusResult {
  return evaluateStatus({
    direction: def.direction,
    target: def.target,
    deadline: def.deadline,
    milestones: def.milestones,
    cadence: def.cadence,
    staleAfterDays: def.staleAfterDays,
    points: history.map((o) => ({ asOf: asOfDate(o.period, o.recordedAt), value: o.value })),
    today: vnDay(at),
  });
}

/** A KPI with its history (oldest first), latest value and status at `at`. */
export function kpiView(def: KpiDefinition, history: Observation[], at: Date): KpiView {
  const latest = history[history.length - 1] ?? null;
  return {
    def,
    history,
    latest,
    asOf: latest ? asOfDate(latest.period, latest.recordedAt) : null,
    evaluation: evaluate(def, history, at),
  };
}

export class KpiService {
  readonly catalog: KpiCatalog;
  readonly observations: ObservationStore;
  /** Definitions published live; absent without `liveRefreshMs`. */
  readonly live?: LiveKpiDefinitions;
  private overlaid: string | null = null;

  constructor(private readonly deps: KpiServiceDeps) {
    this.catalog = deps.catalog ?? new KpiCatalog(bundledKpis());
    this.observations = new ObservationStore(deps.store, this.catalog);
    if (deps.liveRefreshMs !== undefined) {
      this.live = new LiveKpiDefinitions({
        store: deps.store,
        now: deps.now,
        refreshMs: deps.liveRefreshMs,
        clock: deps.clock,
        onError: (e) => deps.log?.warn('kpi: live definitions check failed; answering from what is loaded', { error: describeError(e) }),
      });
    }
  }

  /**
   * Lays the stored live definitions over the catalogue when their revision moved (checked at
   * most once per interval unless `force`). Never throws: a store failure keeps what is loaded.
   */
  async refresh(force = false): Promise<void> {
    if (!this.live) return;
    await this.live.refresh(force);
    const { revision, entries, records } = this.live.state;
    if (revision === this.overlaid) return;
    const retired = new Set([...entries.values()].filter((e) => e.status === 'retired').map((e) => e.id));
    this.catalog.overlay([...records.values()], retired);
    this.overlaid = revision;
  }

  now(): Date {
    return this.deps.now();
  }

  /** The definitions a viewer may see, in catalogue order. */
  visible(viewer: Viewer, group?: KpiDefinition['group']): KpiDefinition[] {
    return this.catalog.all().filter((d) => canSee(d, viewer) && (!group || d.group === group));
  }

  async view(def: KpiDefinition, at: Date = this.deps.now()): Promise<KpiView> {
    return kpiView(def, await this.observations.history(def.id), at);
  }

  views(defs: KpiDefinition[], at: Date = this.deps.now()): Promise<KpiView[]> {
    return Promise.all(defs.map((d) => this.view(d, at)));
  }

  ingest(
    rows: SourcedRow[],
    opts: { origin: ObservationOrigin; defaultSource: string; dryRun?: boolean; at?: Date },
  ): Promise<IngestReport> {
    return ingestRows(rows, {
      catalog: this.catalog,
      observations: this.observations,
      now: opts.at ?? this.deps.now(),
      origin: opts.origin,
      defaultSource: opts.defaultSource,
      dryRun: opts.dryRun,
      log: this.deps.log,
    });
  }

  /** Adds (or refreshes) a chat's subscription to off-track alerts; false when it was already there. */
  async subscribe(to: Recipient, userId: string): Promise<boolean> {
    const field = subscriberField(to.channel, to.chatId);
    const existed = field in (await this.deps.store.hashGetAll(SUBSCRIBERS_KEY));
    const sub: Subscriber = { channel: to.channel, chatId: to.chatId, locale: to.locale, userId, since: this.deps.now().toISOString() };
    await this.deps.store.hashSet(SUBSCRIBERS_KEY, { [field]: JSON.stringify(sub) });
    return !existed;
  }

  /** True when the chat was subscribed. */
  async unsubscribe(channel: ChannelName, chatId: string): Promise<boolean> {
    return (await this.deps.store.hashDel(SUBSCRIBERS_KEY, subscriberField(channel, chatId))) > 0;
  }

  async isSubscribed(channel: ChannelName, chatId: string): Promise<boolean> {
    return subscriberField(channel, chatId) in (await this.deps.store.hashGetAll(SUBSCRIBERS_KEY));
  }

  async subscribers(): Promise<Subscriber[]> {
    const all = await this.deps.store.hashGetAll(SUBSCRIBERS_KEY);
    return Object.keys(all)
      .sort()
      .flatMap((f) => {
        try {
          const parsed = SubscriberSchema.safeParse(JSON.parse(all[f]!));
          return parsed.success ? [parsed.data] : [];
        } catch {
          return [];
        }
      });
  }
}

export function subscriberField(channel: ChannelName, chatId: string): string {
  return `${channel}:${chatId}`;
}

export function recipientOf(sub: Subscriber): Recipient {
  return { channel: sub.channel, chatId: sub.chatId, locale: sub.locale as Locale };
}
