import { Injectable } from '@nestjs/common';
import type { ExpansionState } from '@mxs/contracts';
import { fleetOf, readFleetState } from '@mxs/persistence';
import { capacitySummary, deviceFragmentation, isReachableByGrowingHost } from '@mxs/sla-metrics';
import type { CxlDevice, DeviceAttachment, DeviceHealth, Fleet, HostState, SwitchState } from '@mxs/topology';
import { DataSource } from 'typeorm';
import { ApiError } from '../errors';

export interface DeviceView {
  readonly id: string;
  readonly rackId: string;
  readonly tier: 'direct' | 'pooled';
  readonly attachment: DeviceAttachment;
  readonly capacityGiB: number;
  readonly usedGiB: number;
  readonly freeGiB: number;
  readonly strandedGiB: number;
  readonly largestFreeRunGiB: number;
  readonly fragmentation: number;
  readonly liveExtents: number;
  readonly health: DeviceHealth;
  readonly healthReason: string | null;
  readonly baseLatencyNs: number;
  readonly extentBlockGiB: number;
}

export interface FleetDescription {
  readonly name: string;
  readonly version: number;
  readonly loadedAt: string;
  readonly totals: { capacityGiB: number; usedGiB: number; freeGiB: number; utilization: number; strandedGiB: number; fragmentation: number };
  readonly racks: readonly { id: string; regionId: string }[];
  readonly hosts: readonly { id: string; rackId: string; state: HostState; dramGiB: number; cfmwsWindowGiB: number; mappedGiB: number; switchIds: readonly string[] }[];
  readonly switches: readonly { id: string; rackId: string; state: SwitchState }[];
  readonly devices: readonly DeviceView[];
}

export interface DeviceExtentView {
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  readonly expansionId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly vmId: string;
  readonly state: ExpansionState;
}

export interface DeviceDetail extends DeviceView {
  readonly hostIds: readonly string[];
  readonly telemetry: Record<string, unknown> | null;
  readonly telemetryAt: string | null;
  readonly extents: readonly DeviceExtentView[];
}

interface Snapshot {
  readonly fleet: Fleet;
  readonly racks: readonly { id: string; regionId: string }[];
  readonly version: number;
  readonly loadedAt: Date;
  readonly reasons: ReadonlyMap<string, string>;
  readonly mappedGiB: ReadonlyMap<string, number>;
  readonly extentsPerDevice: ReadonlyMap<string, number>;
}

/**
 * The fleet as operators look at it: one consistent read of PostgreSQL made into the topology
 * model, so used, free, stranded and fragmented space come from the same rules placement uses.
 */
@Injectable()
export class FleetReport {
  constructor(private readonly db: DataSource) {}

  async describe(): Promise<FleetDescription> {
    const s = await this.snapshot();
    const totals = capacitySummary(s.fleet);
    return {
      name: s.fleet.name,
      version: s.version,
      loadedAt: s.loadedAt.toISOString(),
      totals: {
        capacityGiB: totals.capacityGiB,
        usedGiB: totals.usedGiB,
        freeGiB: totals.freeGiB,
        utilization: totals.utilization,
        strandedGiB: totals.strandedGiB,
        fragmentation: totals.fragmentation,
      },
      racks: s.racks.map((r) => ({ id: r.id, regionId: r.regionId })),
      hosts: s.fleet.hosts.map((h) => ({
        id: h.id,
        rackId: h.spec.rackId,
        state: h.state,
        dramGiB: h.spec.dramGiB,
        cfmwsWindowGiB: h.spec.cfmwsWindowGiB,
        mappedGiB: s.mappedGiB.get(h.id) ?? 0,
        switchIds: h.spec.switchIds,
      })),
      switches: s.fleet.switches.map((w) => ({ id: w.id, rackId: w.spec.rackId, state: w.state })),
      devices: s.fleet.devices.map((d) => deviceView(d, s)),
    };
  }

  /** One device with what lies on it, along its address range. */
  async device(id: string): Promise<DeviceDetail> {
    const [s, telemetryRows, extents] = await Promise.all([
      this.snapshot(),
      this.db.query(`SELECT telemetry, telemetry_at FROM devices WHERE id = $1`, [id]) as Promise<{ telemetry: Record<string, unknown> | null; telemetry_at: Date | null }[]>,
      this.db.query(
        `SELECT x.offset_gib, x.size_gib, x.expansion_id, e.tenant_id, t.name AS tenant_name, e.vm_id, e.state
           FROM expansion_extents x JOIN expansions e ON e.id = x.expansion_id JOIN tenants t ON t.id = e.tenant_id
          WHERE x.device_id = $1 AND x.live ORDER BY x.offset_gib`,
        [id],
      ) as Promise<{ offset_gib: number; size_gib: number; expansion_id: string; tenant_id: string; tenant_name: string; vm_id: string; state: ExpansionState }[]>,
    ]);
    const device = s.fleet.devices.find((d) => d.id === id);
    if (device === undefined) throw new ApiError('device-not-found', `device ${id} does not exist`);
    const telemetry = telemetryRows[0];
    return {
      ...deviceView(device, s),
      hostIds: device.paths.map((p) => p.host.id),
      telemetry: telemetry?.telemetry ?? null,
      telemetryAt: telemetry?.telemetry_at?.toISOString() ?? null,
      extents: extents.map((x) => ({
        offsetGiB: x.offset_gib,
        sizeGiB: x.size_gib,
        expansionId: x.expansion_id,
        tenantId: x.tenant_id,
        tenantName: x.tenant_name,
        vmId: x.vm_id,
        state: x.state,
      })),
    };
  }

  /** The model from readFleetState; beside it only what the model does not hold (load time, reasons, mapped GiB). */
  private async snapshot(): Promise<Snapshot> {
    const [state, extras] = await Promise.all([
      readFleetState(this.db),
      this.db.query(
        `SELECT (SELECT loaded_at FROM fleet_layout WHERE id = 1) AS loaded_at,
                (SELECT coalesce(json_object_agg(id, health_reason), '{}') FROM devices WHERE health_reason IS NOT NULL) AS reasons,
                (SELECT coalesce(json_object_agg(id, mapped_gib), '{}') FROM hosts) AS mapped`,
      ) as Promise<{ loaded_at: Date | null; reasons: Record<string, string>; mapped: Record<string, number> }[]>,
    ]);
    const fleet = fleetOf(state);
    const loadedAt = extras[0]?.loaded_at ?? null;
    if (fleet === null || state.layout === null || loadedAt === null) throw new ApiError('fleet-not-loaded', 'no fleet is loaded; PUT /admin/v1/fleet first');
    const extentsPerDevice = new Map<string, number>();
    for (const e of state.extents) extentsPerDevice.set(e.deviceId, (extentsPerDevice.get(e.deviceId) ?? 0) + 1);
    return {
      fleet,
      racks: state.layout.spec.racks,
      version: state.layout.version,
      loadedAt,
      reasons: new Map(Object.entries(extras[0]?.reasons ?? {})),
      mappedGiB: new Map(Object.entries(extras[0]?.mapped ?? {})),
      extentsPerDevice,
    };
  }
}

function deviceView(d: CxlDevice, s: Snapshot): DeviceView {
  // Free space on a device that takes no new memory is unavailable, not stranded.
  const stranded = d.health === 'healthy' && d.freeGiB > 0 && !isReachableByGrowingHost(d) ? d.freeGiB : 0;
  return {
    id: d.id,
    rackId: d.spec.rackId,
    tier: d.tier,
    attachment: d.attachment,
    capacityGiB: d.capacityGiB,
    usedGiB: d.usedGiB,
    freeGiB: d.freeGiB,
    strandedGiB: stranded,
    largestFreeRunGiB: d.largestFreeRunGiB,
    fragmentation: deviceFragmentation(d),
    liveExtents: s.extentsPerDevice.get(d.id) ?? 0,
    health: d.health,
    healthReason: s.reasons.get(d.id) ?? null,
    baseLatencyNs: d.spec.baseLatencyNs,
    extentBlockGiB: d.extentBlockGiB,
  };
}
