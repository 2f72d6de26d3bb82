import { Inject, Injectable } from '@nestjs/common';
import { fleetOf, readFleetState } from '@mxs/persistence';
import type { BurnAlertStatus, CapacitySummary, ErrorBudget, LatencySummary, SloBucket } from '@mxs/sla-metrics';
import { DEFAULT_BURN_ALERTS, capacitySummary, errorBudget, evaluateBurnAlerts } from '@mxs/sla-metrics';
import { DataSource } from 'typeorm';
import type { BillingConfig } from '../config';
import { BillingError } from '../errors';
import { BILLING_CONFIG } from '../infra/infra.module';
import { InvoicesService } from '../invoices/invoices.service';
import { monthAt, nowSec } from '../period/month';
import type { OperationKind, OperationSample, UptimeSummary } from './sla-figures';
import { latencySummary, meteredUptimeByTenant, operationSamples, totalUptime, uptimeSummary } from './sla-figures';
import { bucketByEnd, historyWindow } from './sla-history';

const SLO_PERIOD_SEC = 30 * 86_400;
const BUCKET_MS = 60_000;

export interface TenantSlaFigures {
  readonly tenantId: string;
  readonly timeToReady: LatencySummary;
  readonly hotRemove: LatencySummary;
  readonly uptime: UptimeSummary;
}

export interface TenantCredits {
  /** SLA credits earned so far this month, in minor units of `currency` (≤ 0), null without a plan. */
  readonly creditsMinor: number | null;
  readonly currency: string | null;
}

export interface TenantSlaReport extends TenantSlaFigures, TenantCredits {
  readonly period: string;
}

export interface SloStatus {
  readonly name: OperationKind;
  readonly objective: number;
  readonly thresholdMs: number;
  readonly good: number;
  readonly bad: number;
  readonly errorBudget: ErrorBudget;
  readonly burnAlerts: readonly BurnAlertStatus[];
}

/** The fleet's figures without the tenants' credits: what /metrics needs, with no month to rate. */
export interface FleetSlaFigures {
  readonly period: string;
  readonly fleet: { readonly timeToReady: LatencySummary; readonly hotRemove: LatencySummary; readonly uptime: UptimeSummary };
  readonly slos: readonly SloStatus[];
  readonly capacity: CapacitySummary | null;
  readonly tenants: readonly TenantSlaFigures[];
}

export interface FleetSlaReport extends Omit<FleetSlaFigures, 'tenants'> {
  readonly tenants: readonly (TenantSlaFigures & TenantCredits)[];
}

export interface SlaHistoryBucket {
  /** The bucket's first instant; it holds the operations that ended in `[start, start + bucketMinutes)`. */
  readonly start: string;
  readonly timeToReady: LatencySummary;
  readonly hotRemove: LatencySummary;
}

export interface SlaHistory {
  readonly from: string;
  /** The end of the last bucket (exclusive), the one holding now. */
  readonly to: string;
  readonly bucketMinutes: number;
  /** Oldest first, every bucket of the window. */
  readonly buckets: readonly SlaHistoryBucket[];
}

/** Each summary fills a fresh histogram (about 0.15 ms): a long history lets other requests in now and then. */
const HISTORY_BUCKETS_PER_TURN = 100;

/** SLA reports from the expansions' timelines (latencies) and billing's intervals (uptime). */
@Injectable()
export class SlaService {
  constructor(
    private readonly db: DataSource,
    private readonly invoices: InvoicesService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  async tenantReport(tenantId: string): Promise<TenantSlaReport> {
    const now = nowSec();
    const month = monthAt(now);
    const [ready, remove, uptime, credits] = await Promise.all([
      operationSamples(this.db, 'time-to-ready', month.startSec, now + 1, tenantId),
      operationSamples(this.db, 'hot-remove', month.startSec, now + 1, tenantId),
      meteredUptimeByTenant(this.db, month.startSec, now, tenantId),
      this.invoices.runningMonth(tenantId).catch((error: unknown) => {
        if (error instanceof BillingError && error.code === 'no-plan') return null;
        throw error;
      }),
    ]);
    return {
      tenantId,
      period: month.name,
      timeToReady: latencySummary(ready),
      hotRemove: latencySummary(remove),
      uptime: totalUptime(uptime.values()),
      creditsMinor: credits?.creditsMinor ?? null,
      currency: credits?.currency ?? null,
    };
  }

  /** The operator's report: the fleet's figures, and each tenant's credits from one rating of the month for all of them. */
  async fleetReport(): Promise<FleetSlaReport> {
    const now = nowSec();
    const figures = await this.fleetFigures(now);
    const rated = await this.invoices.runningMonthOf(figures.tenants.map((t) => t.tenantId), now);
    return {
      ...figures,
      tenants: figures.tenants.map((t) => {
        const invoice = rated.get(t.tenantId);
        return { ...t, creditsMinor: invoice?.creditsMinor ?? null, currency: invoice?.currency ?? null };
      }),
    };
  }

  /** The fleet, its SLOs and capacity, each tenant's latencies and uptime; /metrics evaluates it on every replica, so it rates nothing. */
  async fleetFigures(now = nowSec()): Promise<FleetSlaFigures> {
    const month = monthAt(now);
    const sloFrom = Math.min(month.startSec, now - SLO_PERIOD_SEC);
    const [ready, remove, perTenantUptime, fleetState] = await Promise.all([
      operationSamples(this.db, 'time-to-ready', sloFrom, now + 1, null),
      operationSamples(this.db, 'hot-remove', sloFrom, now + 1, null),
      meteredUptimeByTenant(this.db, month.startSec, now, null),
      readFleetState(this.db),
    ]);
    const fleet = fleetOf(fleetState);
    const monthMs = month.startSec * 1000;
    const readyThisMonth = ready.filter((s) => s.endedAtMs >= monthMs);
    const removeThisMonth = remove.filter((s) => s.endedAtMs >= monthMs);
    const readyByTenant = byTenant(readyThisMonth);
    const removeByTenant = byTenant(removeThisMonth);
    const tenantIds = [...new Set([...readyByTenant.keys(), ...removeByTenant.keys(), ...perTenantUptime.keys()])].sort();
    return {
      period: month.name,
      fleet: { timeToReady: latencySummary(readyThisMonth), hotRemove: latencySummary(removeThisMonth), uptime: totalUptime(perTenantUptime.values()) },
      slos: [this.sloStatus('time-to-ready', ready, this.config.MXS_SLO_READY_MS, now), this.sloStatus('hot-remove', remove, this.config.MXS_SLO_REMOVE_MS, now)],
      capacity: fleet === null ? null : capacitySummary(fleet),
      tenants: tenantIds.map((tenantId) => ({
        tenantId,
        timeToReady: latencySummary(readyByTenant.get(tenantId) ?? []),
        hotRemove: latencySummary(removeByTenant.get(tenantId) ?? []),
        uptime: perTenantUptime.get(tenantId) ?? uptimeSummary(0, 0),
      })),
    };
  }

  /** Fleet percentiles per bucket of `bucketMinutes` over the last `hours`, by when each operation ended. */
  async history(hours: number, bucketMinutes: number): Promise<SlaHistory> {
    const window = historyWindow(Date.now(), hours, bucketMinutes);
    const [ready, remove] = await Promise.all([
      operationSamples(this.db, 'time-to-ready', window.fromMs / 1000, window.toMs / 1000, null),
      operationSamples(this.db, 'hot-remove', window.fromMs / 1000, window.toMs / 1000, null),
    ]);
    const readyBuckets = bucketByEnd(ready, window);
    const removeBuckets = bucketByEnd(remove, window);
    const empty = latencySummary([]);
    const summary = (samples: readonly OperationSample[] | undefined): LatencySummary => (samples === undefined || samples.length === 0 ? empty : latencySummary(samples));
    const buckets: SlaHistoryBucket[] = [];
    for (let i = 0; i < window.count; i++) {
      if (i % HISTORY_BUCKETS_PER_TURN === HISTORY_BUCKETS_PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
      buckets.push({ start: new Date(window.fromMs + i * window.bucketMs).toISOString(), timeToReady: summary(readyBuckets[i]), hotRemove: summary(removeBuckets[i]) });
    }
    return { from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString(), bucketMinutes, buckets };
  }

  /** Good and bad operations of the last 30 days against the SLO, with multi-window burn rates. */
  private sloStatus(name: OperationKind, samples: readonly OperationSample[], thresholdMs: number, now: number): SloStatus {
    const objective = this.config.MXS_SLO_OBJECTIVE_BP / 10_000;
    const nowMs = now * 1000;
    const buckets = new Map<number, { good: number; bad: number }>();
    let good = 0;
    let bad = 0;
    for (const s of samples) {
      if (s.endedAtMs <= nowMs - SLO_PERIOD_SEC * 1000) continue;
      const isGood = !s.failed && s.durationMs <= thresholdMs;
      // A bucket is stamped at its end, so an event belongs to the windows that contain it.
      const atMs = Math.floor(s.endedAtMs / BUCKET_MS) * BUCKET_MS + BUCKET_MS;
      const bucket = buckets.get(atMs) ?? { good: 0, bad: 0 };
      if (isGood) bucket.good++;
      else bucket.bad++;
      buckets.set(atMs, bucket);
      if (isGood) good++;
      else bad++;
    }
    const list: SloBucket[] = [...buckets].map(([atMs, b]) => ({ atMs: Math.min(atMs, nowMs), ...b }));
    return {
      name,
      objective,
      thresholdMs,
      good,
      bad,
      errorBudget: errorBudget({ objective, good, bad }),
      burnAlerts: evaluateBurnAlerts(list, objective, nowMs, DEFAULT_BURN_ALERTS),
    };
  }
}

function byTenant(samples: readonly OperationSample[]): Map<string, OperationSample[]> {
  const out = new Map<string, OperationSample[]>();
  for (const s of samples) {
    const list = out.get(s.tenantId) ?? [];
    list.push(s);
    out.set(s.tenantId, list);
  }
  return out;
}
