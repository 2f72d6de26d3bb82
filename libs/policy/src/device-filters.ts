import type { CxlDevice, Path } from '@mxs/topology';
import type { Need } from './request';

export type DeviceFilterName = 'tier' | 'path-down' | 'health' | 'latency' | 'block-size' | 'slots' | 'bandwidth' | 'capacity';

/** Why one candidate device was dropped, with the figures that decided it. */
export interface Drop {
  readonly deviceId: string;
  readonly filter: DeviceFilterName;
  /** The bound the device had to meet (ns, GiB, GB/s, slots), where one applies. */
  readonly limit?: number;
  /** What the device offered against that bound. */
  readonly actual?: number;
}

export interface DeviceFilter {
  readonly name: DeviceFilterName;
  /** Undefined when the device passes. */
  check(path: Path, need: Need): Drop | undefined;
}

const drop = (path: Path, filter: DeviceFilterName, limit?: number, actual?: number): Drop => ({
  deviceId: path.device.id,
  filter,
  limit,
  actual,
});

/** The switch on the path must be up (device health is checked separately). */
export function pathUp(path: Path): Drop | undefined {
  return path.isUp ? undefined : drop(path, 'path-down');
}

export function tierMatches(path: Path, need: Need): Drop | undefined {
  return need.tier !== 'any' && path.device.tier !== need.tier ? drop(path, 'tier') : undefined;
}

/** Only healthy devices take new memory: degraded, draining and failed ones do not. */
export function deviceHealthy(path: Path): Drop | undefined {
  return path.device.health !== 'healthy' ? drop(path, 'health') : undefined;
}

export function withinLatency(path: Path, need: Need): Drop | undefined {
  return path.addedLatencyNs > need.maxAddedLatencyNs ? drop(path, 'latency', need.maxAddedLatencyNs, path.addedLatencyNs) : undefined;
}

/**
 * The unit a share is cut in on this path: whole dynamic-capacity blocks of the device that the
 * host can also online in whole memory blocks (2 GiB on large hosts). Both are powers of two,
 * so the larger is a multiple of the other.
 */
export function extentUnitGiB(path: Path): number {
  return Math.max(path.device.extentBlockGiB, path.host.memoryBlockGiB);
}

/** Each device's share must be whole units of `extentUnitGiB`. */
export function wholeBlocks(path: Path, need: Need): Drop | undefined {
  const unit = extentUnitGiB(path);
  return need.shareGiB % unit !== 0 ? drop(path, 'block-size', unit, need.shareGiB) : undefined;
}

/** A host not yet bound to the device takes one of its logical-device slots. */
export function slotFree(path: Path): Drop | undefined {
  const device = path.device;
  return device.hasSlotFor(path) ? undefined : drop(path, 'slots', device.maxLogicalDevices, device.boundHostCount);
}

export function bandwidthHeadroom(path: Path, need: Need): Drop | undefined {
  const available = bandwidthAvailableGBps(path.device, need);
  return need.shareBandwidthGBps > available ? drop(path, 'bandwidth', need.shareBandwidthGBps, available) : undefined;
}

export function capacityFits(path: Path, need: Need): Drop | undefined {
  const placeable = placeableGiB(path.device, need.maxExtentsPerDevice, need.shareGiB, extentUnitGiB(path));
  return placeable < need.shareGiB ? drop(path, 'capacity', need.shareGiB, placeable) : undefined;
}

/**
 * The filters in the order they run: a device is dropped by the first it fails. Tier goes first:
 * a device of the wrong tier says nothing about why the right ones were refused.
 */
export const DEVICE_FILTERS: readonly DeviceFilter[] = [
  { name: 'tier', check: tierMatches },
  { name: 'path-down', check: pathUp },
  { name: 'health', check: deviceHealthy },
  { name: 'latency', check: withinLatency },
  { name: 'block-size', check: wholeBlocks },
  { name: 'slots', check: slotFree },
  { name: 'bandwidth', check: bandwidthHeadroom },
  { name: 'capacity', check: capacityFits },
];

/**
 * `DEVICE_FILTERS` run in order, written out so each call site stays monomorphic: this runs for
 * every candidate of every decision. A test holds the two equal.
 */
export function firstDrop(path: Path, need: Need): Drop | undefined {
  return (
    tierMatches(path, need) ??
    pathUp(path) ??
    deviceHealthy(path) ??
    withinLatency(path, need) ??
    wholeBlocks(path, need) ??
    slotFree(path) ??
    bandwidthHeadroom(path, need) ??
    capacityFits(path, need)
  );
}

export function bandwidthAvailableGBps(device: CxlDevice, need: Need): number {
  return Math.max(0, device.bandwidthGBps * (1 - need.bandwidthHeadroomFraction) - device.reservedBandwidthGBps);
}

/**
 * The most GiB the device could give one placement from at most `maxExtents` free runs, each
 * cut to whole `unitGiB` (stops counting once `enoughGiB` is reached).
 */
export function placeableGiB(device: CxlDevice, maxExtents: number, enoughGiB = Number.POSITIVE_INFINITY, unitGiB = device.extentBlockGiB): number {
  const block = device.extentBlockGiB;
  const largest = device.largestFreeRunGiB;
  if (unitGiB === block) {
    // One free run or none (most devices at high utilization): no need to open the index.
    if (largest >= enoughGiB || maxExtents === 1 || largest === device.freeGiB) return largest;
    return device.free.largestRunsTotal(maxExtents, enoughGiB / block) * block;
  }
  // Hosts with memory blocks larger than the device's: count only whole units of each run.
  const largestUsable = largest - (largest % unitGiB);
  if (largestUsable >= enoughGiB || maxExtents === 1) return largestUsable;
  let total = 0;
  let taken = 0;
  for (const run of device.free.runsBySizeDescending()) {
    const usable = run.length * block - ((run.length * block) % unitGiB);
    if (usable === 0 || taken === maxExtents || total >= enoughGiB) break;
    total += usable;
    taken++;
  }
  return total;
}
