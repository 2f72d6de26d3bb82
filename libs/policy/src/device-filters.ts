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

/** Each device's share must be whole dynamic-capacity blocks. */
export function wholeBlocks(path: Path, need: Need): Drop | undefined {
  const block = path.device.extentBlockGiB;
  return need.shareGiB % block !== 0 ? drop(path, 'block-size', block, need.shareGiB) : undefined;
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
  const placeable = placeableGiB(path.device, need.maxExtentsPerDevice, need.shareGiB);
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
 * The most GiB the device could give one placement from at most `maxExtents` free runs
 * (stops counting once `enoughGiB` is reached).
 */
export function placeableGiB(device: CxlDevice, maxExtents: number, enoughGiB = Number.POSITIVE_INFINITY): number {
  const block = device.extentBlockGiB;
  const largest = device.largestFreeRunGiB;
  if (largest >= enoughGiB || maxExtents === 1) return largest;
  return device.free.largestRunsTotal(maxExtents, enoughGiB / block) * block;
}
