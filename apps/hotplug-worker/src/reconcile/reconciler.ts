import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DeviceStateView, HostAgent, HostStateView } from '@mxs/host-agent';
import { DataSource } from 'typeorm';
import type { WorkerConfig } from '../config';
import { DegradedExpansions, DRIFT_PREFIX } from '../maintenance/degraded-expansions';
import { MaintenanceMetrics } from '../maintenance/maintenance-metrics';
import { errorCode, settleEach } from '../maintenance/settle-each';
import { HOST_AGENT, WORKER_CONFIG } from '../tokens';
import { LostOperations } from './lost-operations';

export type DriftKind = 'no-region' | 'no-vm-plug';

/** Counts per kind of what one pass found and did; logged, and returned as the job's result. */
export interface ReconcileSummary {
  readonly operationsChecked: number;
  readonly jobsRequeued: number;
  readonly orphanExtentsReleased: number;
  /** Failed expansions' capacity given back once the fabric had released it. */
  readonly capacityReturned: number;
  readonly drift: Readonly<Record<DriftKind, number>>;
  readonly downtimeClosed: number;
  readonly devicesUnread: number;
  readonly hostsUnread: number;
}

/** Expansion states in which the fabric must not hold anything for it. */
const ENDED = ['released', 'failed', 'rejected'];

/**
 * The `reconcile` job: compares PostgreSQL with what the fabric and the hosts report and repairs
 * what it can (lost jobs, orphan extents), and marks what it cannot (an active expansion without
 * its region or its plug in the VM) as `degraded` with a `drift: …` reason.
 */
@Injectable()
export class Reconciler {
  private readonly log = new Logger(Reconciler.name);

  constructor(
    private readonly db: DataSource,
    @Inject(HOST_AGENT) private readonly agent: HostAgent,
    private readonly lost: LostOperations,
    private readonly expansions: DegradedExpansions,
    private readonly metrics: MaintenanceMetrics,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async reconcile(): Promise<ReconcileSummary> {
    const lost = await this.lost.requeue();
    this.metrics.repaired('lost-job', lost.requeued.length);
    const orphans = await this.releaseOrphanExtents();
    const drift = await this.markDrift();
    const downtimeClosed = await this.closeEndedDowntime();
    const summary: ReconcileSummary = {
      operationsChecked: lost.checked, jobsRequeued: lost.requeued.length, orphanExtentsReleased: orphans.released, capacityReturned: orphans.capacityReturned, drift: drift.counts, downtimeClosed,
      devicesUnread: orphans.unread, hostsUnread: drift.unread,
    };
    this.log.log({ ...summary }, 'reconciliation pass');
    return summary;
  }

  /** Extents the fabric still gives a host for an expansion that has ended (or that PostgreSQL never knew): released by force. */
  private async releaseOrphanExtents(): Promise<{ released: number; unread: number; capacityReturned: number }> {
    const devices = (await this.db.query(`SELECT id FROM devices ORDER BY id`)) as { id: string }[];
    const states = await settleEach(devices, this.config.MXS_TELEMETRY_CONCURRENCY, (d) => this.agent.deviceState(d.id));
    const held = new Map<string, { expansionId: string; hostId: string }>();
    const atFabric = new Set<string>();
    let unread = 0;
    for (const s of states) {
      if (s.status === 'rejected') {
        unread++;
        this.metrics.pollFailed('device', errorCode(s.reason));
        continue;
      }
      for (const e of (s.value as DeviceStateView).extents) {
        atFabric.add(e.expansionId);
        // Releasing or sanitizing: already on its way back.
        if (e.state === 'offered' || e.state === 'accepted') held.set(`${e.expansionId}\u0000${e.hostId}`, { expansionId: e.expansionId, hostId: e.hostId });
      }
    }
    // Only with every device heard from can "the fabric holds nothing for it" be told.
    const capacityReturned = unread === 0 ? await this.returnReleasedCapacity(atFabric) : 0;
    if (held.size === 0) return { released: 0, unread, capacityReturned };
    const ids = [...new Set([...held.values()].map((h) => h.expansionId))];
    const known = (await this.db.query(
      `SELECT e.id::text AS id, e.state, EXISTS (SELECT 1 FROM operations o WHERE o.expansion_id = e.id AND o.state IN ('pending','running','compensating')) AS busy
       FROM expansions e WHERE e.id::text = ANY($1::text[])`,
      [ids],
    )) as { id: string; state: string; busy: boolean }[];
    const byId = new Map(known.map((k) => [k.id, k]));
    const orphans = [...held.values()].filter((h) => {
      const x = byId.get(h.expansionId);
      return x === undefined || (ENDED.includes(x.state) && !x.busy);
    });
    const results = await settleEach(orphans, this.config.MXS_TELEMETRY_CONCURRENCY, async (o) => {
      await this.agent.releaseExtents({ expansionId: o.expansionId, hostId: o.hostId, force: true });
      this.log.warn({ expansionId: o.expansionId, hostId: o.hostId, dbState: byId.get(o.expansionId)?.state ?? 'unknown' }, 'released orphan extents at the fabric');
    });
    const released = results.filter((r) => r.status === 'fulfilled').length;
    this.metrics.repaired('orphan-extent', released);
    return { released, unread, capacityReturned };
  }

  /**
   * A failed expansion whose saga could not free its capacity (the release waited on a failed
   * device) holds it in PostgreSQL; once the fabric holds nothing for it, it is returned.
   */
  private async returnReleasedCapacity(atFabric: ReadonlySet<string>): Promise<number> {
    const held = (await this.db.query(
      `SELECT e.id::text AS id FROM expansions e WHERE e.state = 'failed' AND EXISTS (SELECT 1 FROM expansion_extents x WHERE x.expansion_id = e.id AND x.live)
         AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.expansion_id = e.id AND o.state IN ('pending','running','compensating'))`,
    )) as { id: string }[];
    let returned = 0;
    for (const { id } of held.filter((h) => !atFabric.has(h.id))) {
      const [row] = (await this.db.query(
        `WITH x AS (UPDATE expansion_extents SET live = false WHERE expansion_id = $1 AND live RETURNING size_gib),
         e AS (SELECT tenant_id, host_id FROM expansions WHERE id = $1 AND state = 'failed'),
         freed AS (SELECT coalesce(sum(size_gib), 0)::int AS gib FROM x),
         t AS (UPDATE tenants SET used_gib = used_gib - freed.gib, updated_at = now() FROM e, freed WHERE tenants.id = e.tenant_id AND freed.gib > 0),
         h AS (UPDATE hosts SET mapped_gib = mapped_gib - freed.gib, updated_at = now() FROM e, freed WHERE hosts.id = e.host_id AND freed.gib > 0)
         SELECT gib FROM freed`,
        [id],
      )) as { gib: number }[];
      if ((row?.gib ?? 0) > 0) {
        returned++;
        this.log.warn({ expansionId: id, gib: row?.gib }, 'returned the capacity of a failed expansion the fabric has released');
      }
    }
    this.metrics.repaired('capacity-returned', returned);
    return returned;
  }

  /** Active expansions whose host has no region for them, or whose VM has no such plug. */
  private async markDrift(): Promise<{ counts: Record<DriftKind, number>; unread: number }> {
    const rows = (await this.db.query(
      `SELECT id, host_id, vm_id FROM expansions WHERE state = 'active' AND updated_at < now() - $1 * interval '1 millisecond'`,
      [this.config.MXS_RECONCILE_GRACE_MS],
    )) as { id: string; host_id: string; vm_id: string }[];
    const hostIds = [...new Set(rows.map((r) => r.host_id))];
    const hosts = await settleEach(hostIds, this.config.MXS_TELEMETRY_CONCURRENCY, (id) => this.agent.hostState(id));
    const seen = new Map<string, HostStateView>();
    hosts.forEach((h, i) => {
      if (h.status === 'fulfilled') seen.set(hostIds[i] as string, h.value);
      else this.metrics.pollFailed('host', errorCode(h.reason));
    });
    const counts: Record<DriftKind, number> = { 'no-region': 0, 'no-vm-plug': 0 };
    const at = new Date();
    for (const x of rows) {
      const host = seen.get(x.host_id);
      // A host that is down cannot say what it has: that is an outage, not drift.
      if (host === undefined || !host.up) continue;
      const kind = driftOf(host, x.id, x.vm_id);
      if (kind === null) continue;
      const reason = `${DRIFT_PREFIX}${kind === 'no-region' ? `host ${x.host_id} has no region for it` : `VM ${x.vm_id} on ${x.host_id} has no plug for it`}`;
      const outcome = await this.expansions.degrade(x.id, reason, at, this.config.MXS_AUTO_REPLACE);
      if (!outcome.degraded) continue;
      counts[kind]++;
      this.metrics.drifted(kind);
      this.log.warn({ expansionId: x.id, hostId: x.host_id, replaced: outcome.replaced }, reason);
    }
    return { counts, unread: hostIds.length - seen.size };
  }

  /** An outage ends when its expansion leaves `degraded` by any path (removed, failed, given back): at that transition. */
  private async closeEndedDowntime(): Promise<number> {
    // A CTE, so the answer is rows (TypeORM answers a bare UPDATE with [rows, count]).
    const [row] = (await this.db.query(
      `WITH closed AS (
         UPDATE expansion_downtime d SET ended_at = greatest(d.started_at, coalesce((SELECT max(t.at) FROM expansion_transitions t WHERE t.expansion_id = d.expansion_id), now()))
         FROM expansions e WHERE e.id = d.expansion_id AND d.ended_at IS NULL AND e.state NOT IN ('degraded', 'detaching')
         RETURNING d.id)
       SELECT count(*)::int AS n FROM closed`,
    )) as { n: number }[];
    return row?.n ?? 0;
  }
}

function driftOf(host: HostStateView, expansionId: string, vmId: string): DriftKind | null {
  if (!host.regions.some((r) => r.expansionId === expansionId)) return 'no-region';
  const vm = host.vms.find((v) => v.vmId === vmId);
  if (vm === undefined || !(expansionId in vm.expansions)) return 'no-vm-plug';
  return null;
}
