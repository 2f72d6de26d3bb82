import type { PlacedExtent, PlacementConfig, PlacementConfigOverrides, PlacementDecision, PlacementRequest } from '@mxs/policy';
import { admit, DEVICE_FILTERS, extentUnitGiB, resolveConfig } from '@mxs/policy';
import type { Fleet, Path } from '@mxs/topology';

/**
 * The naive baseline: the same hard constraints as the engine, but it scans every device of the
 * fleet in order and takes the first that fits, at the lowest free offset. No scoring.
 */
export class NaiveFirstFit {
  readonly config: PlacementConfig;

  constructor(config: PlacementConfigOverrides = {}) {
    this.config = resolveConfig(config);
  }

  place(fleet: Fleet, request: PlacementRequest): PlacementDecision {
    const { need, vm, rejection } = admit(fleet, request, this.config);
    const host = vm.host;
    const explanation = { vmId: vm.id, hostId: host.id, candidates: host.paths.length, hostUnderPressure: false, dropped: [], chosen: [] };
    const base = { vmId: vm.id, sizeGiB: need.sizeGiB, explanation };
    if (rejection !== undefined) return { outcome: 'rejected', ...base, reason: rejection };
    const picked: Path[] = [];
    for (const device of fleet.devices) {
      const path = fleet.pathBetween(host, device);
      if (path === undefined || DEVICE_FILTERS.some((f) => f.check(path, need) !== undefined)) continue;
      picked.push(path);
      if (picked.length === need.ways) break;
    }
    if (picked.length < need.ways) {
      return { outcome: 'rejected', ...base, reason: { code: 'no-capacity', message: 'no device fits' } };
    }
    const extents = picked.flatMap((path) => firstFitExtents(path, need.shareGiB, need.maxExtentsPerDevice, need.shareBandwidthGBps));
    return { outcome: 'placed', ...base, extents };
  }
}

/** The lowest-addressed run that holds the share; else the largest runs, cut to whole units. */
function firstFitExtents(path: Path, shareGiB: number, maxExtents: number, bandwidthGBps: number): PlacedExtent[] {
  const device = path.device;
  const block = device.extentBlockGiB;
  const unitBlocks = extentUnitGiB(path) / block;
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
    const take = Math.min(run.length - (run.length % unitBlocks), remaining);
    if (take === 0) break;
    extents.push(make(run.start, take));
    remaining -= take;
  }
  return extents;
}
