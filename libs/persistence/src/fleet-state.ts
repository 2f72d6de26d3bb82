import type { AllocationSpec, DeviceHealth, FleetSpec, HostState, SwitchState, VmSpec } from '@mxs/topology';
import { Fleet } from '@mxs/topology';
import type { DataSource } from 'typeorm';

/** A live extent with the expansion it belongs to. */
export interface LiveExtentRow {
  readonly expansionId: string;
  readonly vmId: string;
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
}

/** The fleet as PostgreSQL holds it: the loaded layout, the states changed since, live extents and their VMs. */
export interface FullFleetState {
  readonly layout: { readonly version: number; readonly spec: FleetSpec } | null;
  readonly hostStates: ReadonlyMap<string, HostState>;
  readonly deviceHealth: ReadonlyMap<string, DeviceHealth>;
  readonly switchStates: ReadonlyMap<string, SwitchState>;
  readonly extents: readonly LiveExtentRow[];
  /** The VMs that own live extents. */
  readonly owners: readonly VmSpec[];
  /** The snapshot (pg_snapshot as text) all of this was read at: changes after it are not in it. */
  readonly snapshot: string;
}

/** Extent rows travel as arrays, not objects: a fleet holds many, so keep them small. */
type ExtentTuple = [string, string, string, number, number, string, string, number];

export const EXTENT_TUPLE_SQL = `json_build_array(x.expansion_id, e.vm_id, x.device_id, x.offset_gib, x.size_gib, v.tenant_id, v.host_id, v.dram_gib)`;
export const EXTENTS_JOIN_SQL = `expansion_extents x JOIN expansions e ON e.id = x.expansion_id JOIN vms v ON v.id = e.vm_id`;

/** Everything, in one transaction, so the parts agree with each other. */
export async function readFleetState(db: DataSource): Promise<FullFleetState> {
  return db.transaction('REPEATABLE READ', async (m) => {
    // One row whether or not a fleet is loaded: the transaction's snapshot, and the layout if any.
    const [{ snapshot, version, spec }] = (await m.query(
      `SELECT pg_current_snapshot()::text AS snapshot, l.version, l.spec FROM (SELECT 1) AS one LEFT JOIN fleet_layout l ON l.id = 1`,
    )) as [{ snapshot: string; version: number | null; spec: FleetSpec | null }];
    const hosts: { id: string; state: HostState }[] = await m.query(`SELECT id, state FROM hosts`);
    const devices: { id: string; health: DeviceHealth }[] = await m.query(`SELECT id, health FROM devices`);
    const switches: { id: string; state: SwitchState }[] = await m.query(`SELECT id, state FROM switches`);
    const tuples: { t: ExtentTuple }[] = await m.query(
      `SELECT ${EXTENT_TUPLE_SQL} AS t FROM ${EXTENTS_JOIN_SQL} WHERE x.live ORDER BY x.expansion_id, x.device_id, x.offset_gib`,
    );
    const { extents, owners } = splitExtentTuples(tuples.map((r) => r.t));
    return {
      layout: version === null || spec === null ? null : { version, spec },
      hostStates: new Map(hosts.map((h) => [h.id, h.state])),
      deviceHealth: new Map(devices.map((d) => [d.id, d.health])),
      switchStates: new Map(switches.map((s) => [s.id, s.state])),
      extents,
      owners,
      snapshot,
    };
  });
}

export function splitExtentTuples(tuples: readonly ExtentTuple[]): { extents: LiveExtentRow[]; owners: VmSpec[] } {
  const owners = new Map<string, VmSpec>();
  const extents = tuples.map(([expansionId, vmId, deviceId, offsetGiB, sizeGiB, tenantId, hostId, dramGiB]) => {
    if (!owners.has(vmId)) owners.set(vmId, { id: vmId, tenantId, hostId, dramGiB });
    return { expansionId, vmId, deviceId, offsetGiB, sizeGiB };
  });
  return { extents, owners: [...owners.values()] };
}

/** The layout with the states PostgreSQL holds now, and no VMs or allocations yet. */
export function currentLayoutSpec(state: FullFleetState): FleetSpec | null {
  if (state.layout === null) return null;
  const spec = state.layout.spec;
  return {
    ...spec,
    hosts: spec.hosts.map((h) => ({ ...h, state: state.hostStates.get(h.id) ?? h.state })),
    devices: spec.devices.map((d) => ({ ...d, health: state.deviceHealth.get(d.id) ?? d.health })),
    switches: spec.switches.map((s) => ({ ...s, state: state.switchStates.get(s.id) ?? s.state })),
    vms: [],
    allocations: [],
  };
}

/** A read-only model of the whole fleet with every live allocation, for reports; null before a fleet is loaded. */
export function fleetOf(state: FullFleetState): Fleet | null {
  const spec = currentLayoutSpec(state);
  if (spec === null) return null;
  const byExpansion = new Map<string, { vmId: string; extents: LiveExtentRow[] }>();
  for (const e of state.extents) {
    const entry = byExpansion.get(e.expansionId) ?? { vmId: e.vmId, extents: [] };
    entry.extents.push(e);
    byExpansion.set(e.expansionId, entry);
  }
  const allocations: AllocationSpec[] = [...byExpansion].map(([id, a]) => ({
    id,
    vmId: a.vmId,
    extents: a.extents.map(({ deviceId, offsetGiB, sizeGiB }) => ({ deviceId, offsetGiB, sizeGiB })),
  }));
  return Fleet.fromSpec({ ...spec, vms: state.owners, allocations });
}
