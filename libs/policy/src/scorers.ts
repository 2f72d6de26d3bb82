import type { CxlDevice, Host, Path, Vm } from '@mxs/topology';
import type { Layout, Need, ScoreWeights } from './request';

/** Each scorer rates a surviving candidate in [0, 1]; higher is better. */
export interface ScoreParts {
  readonly fit: number;
  readonly latency: number;
  readonly domain: number;
  readonly sharing: number;
}

/**
 * `pack` and `interleave`: best fit across devices, the share over the device's largest free
 * run (1 when it fills it exactly): the device whose largest run is the smallest that holds the
 * share takes it, so other devices keep their large runs. Within the device, `chooseExtents`
 * then takes the smallest run that fits. A share that needs several runs scores low.
 * `spread`: the emptier device scores higher.
 */
export function fitScore(device: CxlDevice, need: Need, layout: Layout): number {
  if (layout === 'spread') return device.freeGiB / device.capacityGiB;
  const largest = device.largestFreeRunGiB;
  return largest >= need.shareGiB ? need.shareGiB / largest : 0.1 * (need.shareGiB / device.freeGiB);
}

/** Lower added latency scores higher; 1 µs and beyond scores 0. */
export function latencyScore(path: Path): number {
  return 1 - Math.min(path.addedLatencyNs, 1000) / 1000;
}

/** Away from the VM's other memory: a new device scores 1, a new device behind a used switch 0.5. */
export function domainScore(path: Path, vm: Vm): number {
  if (vm.devicesInUse.length === 0) return 1;
  if (vm.extentsOn(path.device) > 0) return 0;
  if (path.viaSwitch !== undefined && vm.extentsBehind(path.viaSwitch) > 0) return 0.5;
  return 1;
}

/**
 * Capacity only this host can use goes first, so shared pools stay free for hosts that need
 * them (less stranding); among shared devices, reuse a slot this host already holds.
 */
export function sharingScore(path: Path): number {
  const device = path.device;
  if (device.exclusive) return 1;
  if (path.bound) return 0.6;
  return 0.4 * (1 - device.boundHostCount / device.maxLogicalDevices);
}

/**
 * True when the host, after taking `sizeGiB` from a shared device, could no longer fill the
 * free space of the devices only it reaches: that space would be stranded. The engine then
 * weighs `sharing` more, so the host's own devices go first.
 */
export function strandsExclusive(host: Host, sizeGiB: number): boolean {
  let exclusiveFreeGiB = 0;
  for (const path of host.paths) {
    if (path.device.exclusive && path.device.health === 'healthy') exclusiveFreeGiB += path.device.freeGiB;
  }
  return exclusiveFreeGiB > 0 && host.growthRoomGiB - sizeGiB < exclusiveFreeGiB;
}

export function scoreParts(path: Path, need: Need, vm: Vm): ScoreParts {
  return {
    fit: fitScore(path.device, need, need.layout),
    latency: latencyScore(path),
    domain: domainScore(path, vm),
    sharing: sharingScore(path),
  };
}

/** The weighted sum of `scoreParts`, without building them: this runs for every survivor. */
export function weightedScore(path: Path, need: Need, weights: ScoreWeights, vm: Vm): number {
  return (
    fitScore(path.device, need, need.layout) * weights.fit +
    latencyScore(path) * weights.latency +
    domainScore(path, vm) * weights.domain +
    sharingScore(path) * weights.sharing
  );
}
