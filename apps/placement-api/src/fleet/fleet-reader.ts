import { Injectable } from '@nestjs/common';
import type { DeviceHealth, HostState, SwitchState } from '@mxs/topology';
import { DataSource } from 'typeorm';
import type { Queued } from '@mxs/messaging';
import type { FullFleetState } from '@mxs/persistence';
import { EXTENT_TUPLE_SQL, readFleetState, splitExtentTuples } from '@mxs/persistence';
import { Batcher, preparedStatement, runPrepared } from '@mxs/messaging';
import type { HostNeighbourhood, VmRow } from './fleet-snapshot';

/** Neighbourhoods read in one statement at most, and such statements running at once. */
const MAX_BATCH = 64;
const READS_IN_FLIGHT = 2;

/** Extent rows travel as arrays, not objects: thousands per second, so keep them small. */
type ExtentTuple = Parameters<typeof splitExtentTuples>[0][number];

const VM_JSON = `json_build_object('id', v.id, 'tenantId', v.tenant_id, 'hostId', v.host_id, 'dramGiB', v.dram_gib)`;

// One round trip answers everything a placement needs to know: the layout version (to notice a
// reload), the VM, the states around its host, what changed on the host's devices, the tenant's
// quota, and any earlier answer under the same idempotency key.
// The changes come from a per-device feed: the caller sends, for each device, the snapshot it
// last read that device at (`since`); the extent rows a transaction placed or released since
// then (`changed_xid` not visible in that snapshot, found by the (device_id, changed_xid) index)
// say which allocations are new there and which are gone. The new ones come back in full (every
// extent, on any device) with their VMs; the answer carries the statement's own snapshot, the
// caller's next `since`. The cost grows with what changed, not with what is allocated (a full
// read cost 3 ms of server CPU at 20% use; a diff against every held id grew with them too).
// Every lookup is a LATERAL subquery fenced with OFFSET 0, so it can only run as an index probe
// per device or per id. The statement is prepared: its generic plan is made once, often while
// the tables are nearly empty (a fresh fleet), and a join left to the planner then became a
// hash join over a sequential scan of all extents or all VMs, a cost that grew with them.
// (Seen in bench:api: the read went from 1 to 5 ms for four placements, the rate from 1,000/s to 570;
// and, while the devices had no statistics, `devices WHERE id = ANY(...)` scanned every device: 0.3 ms a placement.)
// Placements prepared at the same moment are read together, a row each (`n` says whose).
export const NEIGHBOURHOODS = preparedStatement('mxs_neighbourhoods', `
WITH i AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS i(n int, vm_id text, host_id text, device_ids text[], since text[], switch_ids text[], tenant_id text, idem_key text)
)
SELECT
  i.n,
  pg_current_snapshot()::text AS snapshot,
  (SELECT version FROM fleet_layout WHERE id = 1) AS layout_version,
  (SELECT ${VM_JSON} FROM vms v WHERE v.id = i.vm_id AND v.unregistered_at IS NULL) AS vm,
  (SELECT state FROM hosts WHERE id = i.host_id) AS host_state,
  (SELECT coalesce(json_agg(json_build_object('id', d.id, 'health', d.health)), '[]')
     FROM unnest(i.device_ids) AS n(id) CROSS JOIN LATERAL (SELECT id, health FROM devices WHERE id = n.id OFFSET 0) AS d) AS devices,
  (SELECT coalesce(json_agg(json_build_object('id', s.id, 'state', s.state)), '[]')
     FROM unnest(i.switch_ids) AS n(id) CROSS JOIN LATERAL (SELECT id, state FROM switches WHERE id = n.id OFFSET 0) AS s) AS switches,
  (SELECT coalesce(json_agg(${EXTENT_TUPLE_SQL}), '[]')
     FROM unnest(ch.added) AS n(id)
     CROSS JOIN LATERAL (SELECT e.vm_id FROM expansions e WHERE e.id = n.id OFFSET 0) AS e
     CROSS JOIN LATERAL (SELECT v.tenant_id, v.host_id, v.dram_gib FROM vms v WHERE v.id = e.vm_id OFFSET 0) AS v
     CROSS JOIN LATERAL (SELECT * FROM expansion_extents x WHERE x.expansion_id = n.id AND x.live OFFSET 0) AS x) AS extents,
  array_to_json(ch.gone) AS gone,
  (SELECT json_build_object('usedGiB', used_gib, 'quotaGiB', quota_gib) FROM tenants WHERE id = i.tenant_id) AS tenant,
  (SELECT json_build_object('requestHash', request_hash, 'status', status_code, 'body', response)
     FROM idempotency_keys WHERE tenant_id = i.tenant_id AND key = i.idem_key) AS idempotency
FROM i CROSS JOIN LATERAL (
  SELECT coalesce(array_agg(DISTINCT x.expansion_id) FILTER (WHERE x.live), '{}') AS added,
         coalesce(array_agg(DISTINCT x.expansion_id) FILTER (WHERE NOT x.live), '{}') AS gone
  FROM unnest(i.device_ids, i.since::pg_snapshot[]) AS d(id, since)
  CROSS JOIN LATERAL (
    SELECT x.expansion_id, x.live FROM expansion_extents x
    WHERE x.device_id = d.id AND x.changed_xid >= pg_snapshot_xmin(d.since) AND NOT pg_visible_in_snapshot(x.changed_xid, d.since)
    OFFSET 0
  ) AS x
) AS ch`);

interface NeighbourhoodRow {
  n: number;
  snapshot: string;
  layout_version: number | null;
  vm: VmRow | null;
  host_state: HostState | null;
  devices: { id: string; health: DeviceHealth }[];
  switches: { id: string; state: SwitchState }[];
  extents: ExtentTuple[];
  gone: string[];
  tenant: { usedGiB: number; quotaGiB: number } | null;
  idempotency: { requestHash: string; status: number; body: unknown } | null;
}

export interface NeighbourhoodQuery {
  readonly vmId: string;
  readonly hostId: string;
  readonly deviceIds: readonly string[];
  readonly switchIds: readonly string[];
  /** For each of `deviceIds`, the snapshot the view last read it at: the answer is what changed since. */
  readonly since: readonly string[];
  readonly tenantId: string;
  readonly idempotencyKey: string | null;
}

export type { FullFleetState };

/** Reads the fleet's state from PostgreSQL for the in-memory view. */
@Injectable()
export class FleetReader {
  constructor(private readonly db: DataSource) {}

  private readonly batcher = new Batcher<NeighbourhoodQuery, HostNeighbourhood>({ maxBatch: MAX_BATCH, maxInFlight: READS_IN_FLIGHT }, (batch) => this.readBatch(batch));

  /** The neighbourhood of one placement, read together with any prepared at the same moment. */
  neighbourhood(q: NeighbourhoodQuery): Promise<HostNeighbourhood> {
    return this.batcher.submit(q);
  }

  private async readBatch(batch: readonly Queued<NeighbourhoodQuery, HostNeighbourhood>[]): Promise<void> {
    const items = batch.map(({ item: q }, n) => ({
      n,
      vm_id: q.vmId,
      host_id: q.hostId,
      device_ids: q.deviceIds,
      since: q.since,
      switch_ids: q.switchIds,
      tenant_id: q.tenantId,
      idem_key: q.idempotencyKey ?? '',
    }));
    const rows = await runPrepared<NeighbourhoodRow>(this.db, NEIGHBOURHOODS, [JSON.stringify(items)]);
    const byN = new Map(rows.map((row) => [row.n, row]));
    batch.forEach((q, n) => {
      const row = byN.get(n);
      if (row === undefined) q.reject(new Error('neighbourhood query returned no row'));
      else q.resolve(toNeighbourhood(row));
    });
  }

  async vm(vmId: string): Promise<VmRow | null> {
    const rows: { vm: VmRow }[] = await this.db.query(`SELECT ${VM_JSON} AS vm FROM vms v WHERE v.id = $1 AND v.unregistered_at IS NULL`, [vmId]);
    return rows[0]?.vm ?? null;
  }

  /** Everything, for a (re)load: one transaction, so the parts agree with each other. */
  everything(): Promise<FullFleetState> {
    return readFleetState(this.db);
  }
}

function toNeighbourhood(row: NeighbourhoodRow): HostNeighbourhood {
  const { extents, owners } = splitExtentTuples(row.extents);
  return {
    snapshot: row.snapshot,
    layoutVersion: row.layout_version,
    vm: row.vm,
    hostState: row.host_state,
    devices: row.devices,
    switches: row.switches,
    extents,
    owners,
    gone: row.gone,
    tenant: row.tenant,
    idempotency: row.idempotency,
  };
}
