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

const SLO_PERIOD_SEC = 30 * 86_400;
const BUCKET_MS = 60_000;

export interface TenantSlaReport {
  readonly tenantId: string;
  readonly period: string;
  readonly timeToReady: LatencySummary;
  readonly hotRemove: LatencySummary;
  readonly uptime: UptimeSummary;
  /** SLA credits earned so far this month, in minor units of `currency` (≤ 0), null without a plan. */
  readonly creditsMinor: number | null;
  readonly currency: string | null;
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

export interface FleetSlaReport {
  readonly period: string;
  readonly fleet: { readonly timeToReady: LatencySummary; readonly hotRemove: LatencySummary; readonly uptime: UptimeSummary };
  readonly slos: readonly SloStatus[];
  readonly capacity: CapacitySummary | null;
  readonly tenants: readonly { tenantId: string; timeToReady: LatencySummary; hotRemove: LatencySummary; uptime: UptimeSummary }[];
}

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

  async fleetReport(): Promise<FleetSlaReport> {
    const now = nowSec();
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
