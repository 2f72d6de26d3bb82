import type { LiveExtentRow } from '@mxs/persistence';
import type { DeviceHealth, FleetSpec, HostState, SwitchState, VmSpec } from '@mxs/topology';

/** Rows the view reads from PostgreSQL; PostgreSQL is the truth, the view a cache of it. */
export type { LiveExtentRow };
export type VmRow = VmSpec;

export interface LayoutRow {
  readonly version: number;
  readonly spec: FleetSpec;
}

/** What one placement needs to know about the hardware around one host, fresh from the database. */
export interface HostNeighbourhood {
  /** The snapshot it was read at (pg_snapshot as text): the devices' next `since`. */
  readonly snapshot: string;
  readonly layoutVersion: number | null;
  readonly vm: VmRow | null;
  readonly hostState: HostState | null;
  readonly devices: readonly { readonly id: string; readonly health: DeviceHealth }[];
  readonly switches: readonly { readonly id: string; readonly state: SwitchState }[];
  /** Every live extent of the expansions placed on the host's devices since the view read them. */
  readonly extents: readonly LiveExtentRow[];
  /** The expansions released on those devices since then. */
  readonly gone: readonly string[];
  /** VMs that own those expansions (placement needs their hosts and DRAM). */
  readonly owners: readonly VmRow[];
  readonly tenant: { readonly usedGiB: number; readonly quotaGiB: number } | null;
  readonly idempotency: StoredAnswer | null;
}

export interface StoredAnswer {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

/** Groups extent rows into allocations, in a stable order. */
export function groupAllocations(rows: readonly LiveExtentRow[]): Map<string, { vmId: string; extents: LiveExtentRow[] }> {
  const byId = new Map<string, { vmId: string; extents: LiveExtentRow[] }>();
  for (const row of rows) {
    const entry = byId.get(row.expansionId) ?? { vmId: row.vmId, extents: [] };
    entry.extents.push(row);
    byId.set(row.expansionId, entry);
  }
  return byId;
}
