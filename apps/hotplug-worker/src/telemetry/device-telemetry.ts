import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DeviceHealthInfo, HostAgent, SwitchStateView } from '@mxs/host-agent';
import { isHostAgentError } from '@mxs/host-agent';
import type { DeviceHealth, FleetSpec } from '@mxs/topology';
import { DataSource } from 'typeorm';
import type { WorkerConfig } from '../config';
import { DegradedExpansions, DRIFT_PREFIX } from '../maintenance/degraded-expansions';
import { MaintenanceMetrics } from '../maintenance/maintenance-metrics';
import { errorCode, settleEach } from '../maintenance/settle-each';
import { HOST_AGENT, WORKER_CONFIG } from '../tokens';
import type { HealthThresholds, Verdict } from './device-verdict';
import { nextHealth, verdictOf } from './device-verdict';
import type { FabricReport } from './fabric-paths';
import { expansionCut } from './fabric-paths';

/** What one sweep did, for its log line and for tests. */
export interface TelemetrySummary {
  readonly devicesRead: number;
  readonly devicesUnread: number;
  readonly switchesUnread: number;
  readonly healthChanges: readonly { readonly deviceId: string; readonly from: DeviceHealth; readonly to: DeviceHealth; readonly reason: string | null }[];
  readonly degraded: number;
  readonly restored: number;
  readonly replaced: number;
}

interface DeviceReading {
  readonly info: DeviceHealthInfo | null;
  readonly failed: boolean;
}

/** Keeps the last few event records with the telemetry row: enough for an operator, not a log. */
const EVENTS_KEPT = 20;

/**
 * The `device-telemetry` sweep: reads every device's health info and state and every switch,
 * stores the telemetry, turns devices past a threshold `degraded` (or `failed`), and moves the
 * expansions whose path to their host is cut to `degraded`, and back once it is whole again.
 */
@Injectable()
export class DeviceTelemetry {
  private readonly log = new Logger(DeviceTelemetry.name);
  private readonly thresholds: HealthThresholds;

  constructor(
    private readonly db: DataSource,
    @Inject(HOST_AGENT) private readonly agent: HostAgent,
    private readonly expansions: DegradedExpansions,
    private readonly metrics: MaintenanceMetrics,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.thresholds = {
      lifeUsedPct: config.MXS_DEVICE_DEGRADED_LIFE_USED_PCT,
      correctedErrors: config.MXS_DEVICE_DEGRADED_CORRECTED_ERRORS,
      poisonRecords: config.MXS_DEVICE_DEGRADED_POISON_RECORDS,
    };
  }

  async sweep(): Promise<TelemetrySummary> {
    const [layout] = (await this.db.query(`SELECT spec FROM fleet_layout WHERE id = 1`)) as { spec: FleetSpec }[];
    const devices = (await this.db.query(`SELECT id FROM devices ORDER BY id`)) as { id: string }[];
    const concurrency = this.config.MXS_TELEMETRY_CONCURRENCY;
    const readings = await settleEach(devices, concurrency, (d) => this.readDevice(d.id));
    const switchIds = layout?.spec.switches.map((s) => s.id) ?? [];
    const switches = await settleEach(switchIds, concurrency, (id) => this.agent.switchState(id));
    const at = new Date();

    const deviceFailed = new Map<string, boolean>();
    const healthChanges: TelemetrySummary['healthChanges'][number][] = [];
    const stored = await settleEach(devices, 4, async (d, i) => {
      const r = readings[i];
      if (r?.status !== 'fulfilled') return;
      deviceFailed.set(d.id, r.value.failed);
      const change = await this.store(d.id, r.value);
      if (change !== null) healthChanges.push(change);
    });
    this.warnFailures('storing device telemetry', stored);
    const switchReports = new Map<string, SwitchStateView>();
    switches.forEach((s, i) => {
      if (s.status === 'fulfilled') switchReports.set(switchIds[i] as string, s.value);
      else this.metrics.pollFailed('switch', errorCode(s.reason));
    });
    for (const [id, sw] of switchReports) {
      await this.db.query(`UPDATE switches SET state = $2, updated_at = now() WHERE id = $1 AND state <> $2`, [id, sw.up ? 'up' : 'down']);
    }
    const moved = layout === undefined ? { degraded: 0, restored: 0, replaced: 0 } : await this.moveExpansions(layout.spec, { deviceFailed, switches: switchReports }, at);
    const summary: TelemetrySummary = {
      devicesRead: deviceFailed.size, devicesUnread: devices.length - deviceFailed.size, switchesUnread: switchIds.length - switchReports.size, healthChanges, ...moved,
    };
    if (healthChanges.length > 0 || moved.degraded + moved.restored > 0 || summary.devicesUnread > 0) this.log.log({ ...summary }, 'device telemetry sweep');
    return summary;
  }

  /** A device that answers `device-failed` (as a real fabric manager may) is a failed device, not a failed read. */
  private async readDevice(deviceId: string): Promise<DeviceReading> {
    try {
      const [info, state] = await Promise.all([this.agent.deviceHealth(deviceId), this.agent.deviceState(deviceId)]);
      this.metrics.deviceTelemetry(info);
      return { info, failed: state.failed || info.mediaStatus === 'failed' };
    } catch (error) {
      if (isHostAgentError(error, 'device-failed')) return { info: null, failed: true };
      this.metrics.pollFailed('device', errorCode(error));
      throw error;
    }
  }

  /** Stores the telemetry and, when telemetry owns the device's health, the health it implies. */
  private async store(deviceId: string, reading: DeviceReading): Promise<TelemetrySummary['healthChanges'][number] | null> {
    return this.db.transaction(async (m) => {
      const [row] = (await m.query(`SELECT health, health_reason, telemetry -> 'applied' AS applied FROM devices WHERE id = $1 FOR UPDATE`, [deviceId])) as
        { health: DeviceHealth; health_reason: string | null; applied: Verdict | null }[];
      if (row === undefined) return null;
      const verdict: Verdict = reading.info === null ? { health: 'failed', reason: 'the fabric reports the device failed' } : verdictOf(reading.info, reading.failed, this.thresholds);
      const current = { health: row.health, reason: row.health_reason };
      const next = nextHealth(current, row.applied, verdict);
      const stillOwned = row.applied !== null && row.applied.health === current.health && row.applied.reason === current.reason;
      const applied = next ?? (stillOwned ? row.applied : null);
      const telemetry = { ...(reading.info ?? {}), events: reading.info?.events.slice(-EVENTS_KEPT) ?? [], failed: reading.failed, verdict, applied };
      await m.query(
        `UPDATE devices SET telemetry = $2, telemetry_at = now(), health = coalesce($3, health), health_reason = CASE WHEN $3::text IS NULL THEN health_reason ELSE $4 END,
           updated_at = CASE WHEN $3::text IS NULL THEN updated_at ELSE now() END WHERE id = $1`,
        [deviceId, JSON.stringify(telemetry), next?.health ?? null, next?.reason ?? null],
      );
      this.metrics.deviceHealth(deviceId, next?.health ?? row.health);
      return next === null ? null : { deviceId, from: row.health, to: next.health, reason: next.reason };
    });
  }

  private async moveExpansions(fleet: FleetSpec, report: FabricReport, at: Date): Promise<{ degraded: number; restored: number; replaced: number }> {
    const rows = (await this.db.query(
      `SELECT e.id, e.host_id, e.state, e.reason, array_agg(DISTINCT x.device_id) AS device_ids
       FROM expansions e JOIN expansion_extents x ON x.expansion_id = e.id AND x.live
       WHERE e.state IN ('active', 'degraded') GROUP BY e.id`,
    )) as { id: string; host_id: string; state: 'active' | 'degraded'; reason: string | null; device_ids: string[] }[];
    const counts = { degraded: 0, restored: 0, replaced: 0 };
    const results = await settleEach(rows, 4, async (x) => {
      const cut = expansionCut(fleet, report, x.host_id, x.device_ids);
      if (x.state === 'active' && typeof cut === 'string') {
        const outcome = await this.expansions.degrade(x.id, cut, at, this.config.MXS_AUTO_REPLACE);
        if (outcome.degraded) counts.degraded++;
        if (outcome.replaced) counts.replaced++;
      } else if (x.state === 'degraded' && cut === null && !(x.reason ?? '').startsWith(DRIFT_PREFIX)) {
        if (await this.expansions.restore(x.id, at)) counts.restored++;
      }
    });
    this.warnFailures('moving expansions', results);
    return counts;
  }

  private warnFailures(what: string, results: readonly PromiseSettledResult<unknown>[]): void {
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) this.log.warn(`${what}: ${failed.length} failed, first: ${String(failed[0]?.reason instanceof Error ? failed[0].reason.message : failed[0]?.reason)}`);
  }
}
