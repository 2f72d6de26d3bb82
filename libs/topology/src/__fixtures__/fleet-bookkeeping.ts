import type { Fleet } from '../fleet';

/**
 * Every counter a `Fleet` keeps, as plain data: two snapshots are equal when allocate and
 * release left the fleet exactly as it was.
 */
export function bookkeepingOf(fleet: Fleet, tenantIds: readonly string[]) {
  return {
    usedGiB: fleet.usedGiB,
    allocationIds: [...fleet.allocations].map((a) => a.id),
    devices: fleet.devices.map((d) => ({
      id: d.id,
      freeGiB: d.freeGiB,
      usedGiB: d.usedGiB,
      freeRuns: [...d.free.freeRuns()],
      largestFreeRunGiB: d.largestFreeRunGiB,
      reservedBandwidthGBps: d.reservedBandwidthGBps,
      boundHostCount: d.boundHostCount,
    })),
    hosts: fleet.hosts.map((h) => ({
      id: h.id,
      mappedGiB: h.mappedGiB,
      boundExtents: h.paths.map((p) => [p.device.id, p.boundExtents]),
    })),
    vms: [...fleet.vms].map((vm) => ({
      id: vm.id,
      cxlGiB: vm.cxlGiB,
      allocationIds: fleet.allocationsOf(vm.id).map((a) => a.id),
      extentsOnDevice: fleet.devices.map((d) => [d.id, vm.extentsOn(d)]),
      extentsBehindSwitch: fleet.switches.map((s) => [s.id, vm.extentsBehind(s)]),
    })),
    tenantUsedGiB: tenantIds.map((t) => [t, fleet.tenantUsedGiB(t)]),
  };
}
