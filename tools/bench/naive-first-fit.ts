import type { PlacedExtent, PlacementConfig, PlacementDecision, PlacementRequest } from '@mxs/policy';
import { admit, DEVICE_FILTERS, resolveConfig } from '@mxs/policy';
import type { CxlDevice, Fleet } from '@mxs/topology';

/**
 * The naive baseline: the same hard constraints as the engine, but it scans every device of the
 * fleet in order and takes the first that fits, at the lowest free offset. No scoring.
 */
export class NaiveFirstFit {
  readonly config: PlacementConfig;

  constructor(config: Partial<PlacementConfig> = {}) {
    this.config = resolveConfig(config);
  }

  place(fleet: Fleet, request: PlacementRequest): PlacementDecision {
    const { need, vm, rejection } = admit(fleet, request, this.config);
    const host = vm.host;
    const explanation = { vmId: vm.id, hostId: host.id, candidates: host.paths.length, hostUnderPressure: false, dropped: [], chosen: [] };
    const base = { vmId: vm.id, sizeGiB: need.sizeGiB, explanation };
    if (rejection !== undefined) return { outcome: 'rejected', ...base, reason: rejection };
    const picked: CxlDevice[] = [];
    for (const device of fleet.devices) {
      const path = fleet.pathBetween(host, device);
      if (path === undefined || DEVICE_FILTERS.some((f) => f.check(path, need) !== undefined)) continue;
      picked.push(device);
      if (picked.length === need.ways) break;
    }
    if (picked.length < need.ways) {
      return { outcome: 'rejected', ...base, reason: { code: 'no-capacity', message: 'no device fits' } };
    }
    const extents = picked.flatMap((device) => firstFitExtents(device, need.shareGiB, need.maxExtentsPerDevice, need.shareBandwidthGBps));
    return { outcome: 'placed', ...base, extents };
  }
}

function firstFitExtents(device: CxlDevice, shareGiB: number, maxExtents: number, bandwidthGBps: number): PlacedExtent[] {
  const block = device.extentBlockGiB;
  const perGiB = bandwidthGBps / shareGiB;
  const make = (start: number, blocks: number): PlacedExtent => ({
    deviceId: device.id,
    offsetGiB: start * block,
    sizeGiB: blocks * block,
    bandwidthGBps: blocks * block * perGiB,
  });
  const start = device.free.firstFit(shareGiB / block);
  if (start !== undefined) return [make(start, shareGiB / block)];
  const extents: PlacedExtent[] = [];
  let remaining = shareGiB / block;
  // The capacity filter counted the largest runs, so a split share takes those.
  for (const run of device.free.runsBySizeDescending()) {
    if (remaining === 0 || extents.length === maxExtents) break;
    const take = Math.min(run.length, remaining);
    extents.push(make(run.start, take));
    remaining -= take;
  }
  return extents;
}
