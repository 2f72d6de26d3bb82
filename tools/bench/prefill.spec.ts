/// <reference types="jest" />
import { Fleet, generateFleetSpec } from '@mxs/topology';
import type { PrefillVm } from './prefill';
import { planPrefill } from './prefill';

const spec = { ...generateFleetSpec({ preset: 'small', seed: 5 }), vms: [], allocations: [] };
const vms: PrefillVm[] = spec.hosts.flatMap((h, i) => [0, 1].map((k) => ({ id: `vm-${i}-${k}`, tenantId: `t${(i + k) % 3}`, hostId: h.id, dramGiB: 128 })));

describe('planPrefill', () => {
  it('brings the fleet to the target with allocations the fleet model accepts, the same for the same seed', () => {
    const plan = planPrefill(spec, vms, 0.3, 1);
    expect(plan.utilization).toBeGreaterThanOrEqual(0.3);
    expect(plan.utilization).toBeLessThan(0.32);
    expect(planPrefill(spec, vms, 0.3, 1).expansions.map((e) => [e.vm.id, e.sizeGiB, e.extents])).toEqual(plan.expansions.map((e) => [e.vm.id, e.sizeGiB, e.extents]));
    // Replayed on a fresh model (which refuses overlaps and past-capacity extents), the plan fits.
    const fleet = Fleet.fromSpec(spec);
    for (const vm of vms) fleet.addVm(vm);
    for (const e of plan.expansions) {
      fleet.allocate(e.id, e.vm.id, e.extents);
      expect(e.extents.reduce((sum, x) => sum + x.sizeGiB, 0)).toBe(e.sizeGiB);
      expect(e.placedTier).toBe(e.extents.some((x) => fleet.device(x.deviceId).tier === 'pooled') ? 'pooled' : 'direct');
    }
    expect(fleet.usedGiB / fleet.capacityGiB).toBeCloseTo(plan.utilization, 10);
  });

  it('stops where the VMs can take no more, short of an unreachable target', () => {
    const few = vms.slice(0, 2);
    const plan = planPrefill(spec, few, 0.99, 1);
    expect(plan.utilization).toBeLessThan(0.99);
    expect(plan.expansions.reduce((sum, e) => sum + e.sizeGiB, 0)).toBeLessThanOrEqual(2 * 4 * 128);
  });
});
