import type { CxlDevice, Fleet } from '@mxs/topology';

/** Capacity figures for the whole fleet, in GiB and fractions of one. */
export interface CapacitySummary {
  readonly capacityGiB: number;
  /** Capacity on devices that take new memory (healthy). */
  readonly placeableCapacityGiB: number;
  readonly usedGiB: number;
  readonly freeGiB: number;
  /** Used over all capacity. */
  readonly utilization: number;
  readonly strandedGiB: number;
  readonly fragmentation: number;
}

/** Used GiB over all capacity, 0 for an empty fleet. */
export function fleetUtilization(fleet: Fleet): number {
  return fleet.capacityGiB === 0 ? 0 : fleet.usedGiB / fleet.capacityGiB;
}

/**
 * Whether some host that could still grow can reach this device's free space: a healthy host
 * with window and movable-ratio room, an up path, and a logical-device slot (or one it holds).
 */
export function isReachableByGrowingHost(device: CxlDevice): boolean {
  return device.paths.some((path) => path.isUp && path.host.growthRoomGiB > 0 && device.hasSlotFor(path));
}

/**
 * Stranded capacity: free GiB on healthy devices that no host with room to grow can reach.
 * Free space on devices that take no new memory (degraded, draining, failed) is not counted:
 * it is unavailable, not stranded.
 */
export function strandedGiB(fleet: Fleet): number {
  let stranded = 0;
  for (const device of fleet.devices) {
    if (device.health !== 'healthy' || device.freeGiB === 0) continue;
    if (!isReachableByGrowingHost(device)) stranded += device.freeGiB;
  }
  return stranded;
}

/** 1 − largest free run / free space: 0 when the free space is one run (or none), near 1 when shattered. */
export function deviceFragmentation(device: CxlDevice): number {
  const free = device.freeGiB;
  return free === 0 ? 0 : 1 - device.largestFreeRunGiB / free;
}

/** Fragmentation of the healthy devices, weighted by their free space. */
export function fleetFragmentation(fleet: Fleet): number {
  let free = 0;
  let weighted = 0;
  for (const device of fleet.devices) {
    if (device.health !== 'healthy') continue;
    free += device.freeGiB;
    weighted += deviceFragmentation(device) * device.freeGiB;
  }
  return free === 0 ? 0 : weighted / free;
}

export function capacitySummary(fleet: Fleet): CapacitySummary {
  let placeable = 0;
  for (const device of fleet.devices) if (device.health === 'healthy') placeable += device.capacityGiB;
  return {
    capacityGiB: fleet.capacityGiB,
    placeableCapacityGiB: placeable,
    usedGiB: fleet.usedGiB,
    freeGiB: fleet.capacityGiB - fleet.usedGiB,
    utilization: fleetUtilization(fleet),
    strandedGiB: strandedGiB(fleet),
    fragmentation: fleetFragmentation(fleet),
  };
}
