import type { createDataSource } from '@mxs/persistence';
import { PlacementEngine } from '@mxs/policy';
import type { FleetSpec } from '@mxs/topology';
import { Fleet } from '@mxs/topology';
import { randomUUID } from 'node:crypto';
import { ExpansionMix } from './api-mix';

export interface PrefillVm {
  readonly id: string;
  readonly tenantId: string;
  readonly hostId: string;
  readonly dramGiB: number;
}

export interface PrefilledExpansion {
  readonly id: string;
  readonly vm: PrefillVm;
  readonly sizeGiB: number;
  readonly tier: 'direct' | 'pooled' | 'any';
  readonly placedTier: 'direct' | 'pooled';
  readonly layout: 'pack' | 'spread' | 'interleave';
  readonly interleaveWays: number | null;
  readonly maxAddedLatencyNs: number | null;
  readonly extents: readonly { deviceId: string; offsetGiB: number; sizeGiB: number }[];
}

/**
 * Expansions that bring the fleet to `targetUtilization`, decided by the placement engine on the
 * request mix of the benchmark: the state a fleet in service is in, so the benchmark can measure
 * placements among existing allocations, not only on empty hardware.
 */
export function planPrefill(spec: FleetSpec, vms: readonly PrefillVm[], targetUtilization: number, seed: number): { expansions: PrefilledExpansion[]; utilization: number } {
  const fleet = Fleet.fromSpec({ ...spec, vms: [], allocations: [] });
  const byId = new Map(vms.map((vm) => [vm.id, vm]));
  for (const vm of vms) fleet.addVm({ id: vm.id, tenantId: vm.tenantId, hostId: vm.hostId, dramGiB: vm.dramGiB });
  const engine = new PlacementEngine();
  const mix = new ExpansionMix(vms.map((vm) => ({ id: vm.id, tenantKey: '' })), seed, 'prefill');
  const expansions: PrefilledExpansion[] = [];
  let refusedInARow = 0;
  // Refusals in a row mean the VMs or devices are full before the target: stop there.
  while (fleet.usedGiB < targetUtilization * fleet.capacityGiB && refusedInARow < vms.length) {
    const r = mix.next();
    const layout = r.body.layout ?? 'pack';
    const decision = engine.place(fleet, {
      vmId: r.vmId,
      sizeGiB: r.body.sizeGiB,
      tier: r.body.tier,
      layout,
      ...(r.body.interleaveWays === undefined ? {} : { interleaveWays: r.body.interleaveWays }),
      ...(r.body.maxAddedLatencyNs === undefined ? {} : { maxAddedLatencyNs: r.body.maxAddedLatencyNs }),
    });
    if (decision.outcome === 'rejected') {
      refusedInARow++;
      continue;
    }
    refusedInARow = 0;
    const id = randomUUID();
    const extents = decision.extents.map((e) => ({ deviceId: e.deviceId, offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB }));
    fleet.allocate(id, r.vmId, extents);
    expansions.push({
      id,
      vm: byId.get(r.vmId) as PrefillVm,
      sizeGiB: r.body.sizeGiB,
      tier: r.body.tier,
      placedTier: extents.some((e) => fleet.device(e.deviceId).tier === 'pooled') ? 'pooled' : 'direct',
      layout,
      interleaveWays: r.body.interleaveWays ?? null,
      maxAddedLatencyNs: r.body.maxAddedLatencyNs ?? null,
      extents,
    });
  }
  return { expansions, utilization: fleet.usedGiB / fleet.capacityGiB };
}

const CHUNK = 5_000;

/**
 * Writes planned expansions as active ones, straight into the tables (no transitions, hot-add
 * operations or jobs: they are history), and charges them to their tenants and hosts. The
 * database's constraints check every extent as they would an API placement's. ANALYZE last, as
 * autovacuum would have on a database in service.
 */
export async function writePrefill(db: ReturnType<typeof createDataSource>, expansions: readonly PrefilledExpansion[]): Promise<void> {
  await db.transaction(async (m) => {
    for (let i = 0; i < expansions.length; i += CHUNK) {
      const chunk = expansions.slice(i, i + CHUNK);
      const column = <T>(pick: (e: PrefilledExpansion) => T) => chunk.map(pick);
      await m.query(
        `INSERT INTO expansions (id, tenant_id, vm_id, host_id, size_gib, tier, placed_tier, layout, interleave_ways, max_added_latency_ns, state)
         SELECT *, 'active' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::int[])`,
        [
          column((e) => e.id), column((e) => e.vm.tenantId), column((e) => e.vm.id), column((e) => e.vm.hostId), column((e) => e.sizeGiB),
          column((e) => e.tier), column((e) => e.placedTier), column((e) => e.layout), column((e) => e.interleaveWays), column((e) => e.maxAddedLatencyNs),
        ],
      );
      const extents = chunk.flatMap((e) => e.extents.map((x) => ({ ...x, expansionId: e.id })));
      await m.query(
        `INSERT INTO expansion_extents (expansion_id, device_id, offset_gib, size_gib) SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[])`,
        [extents.map((x) => x.expansionId), extents.map((x) => x.deviceId), extents.map((x) => x.offsetGiB), extents.map((x) => x.sizeGiB)],
      );
    }
    await m.query(`UPDATE tenants t SET used_gib = s.gib FROM (SELECT tenant_id, sum(size_gib)::int AS gib FROM expansions GROUP BY tenant_id) s WHERE s.tenant_id = t.id`);
    await m.query(`UPDATE hosts h SET mapped_gib = s.gib FROM (SELECT host_id, sum(size_gib)::int AS gib FROM expansions GROUP BY host_id) s WHERE s.host_id = h.id`);
  });
  await db.query('ANALYZE');
}
