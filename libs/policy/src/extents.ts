import type { Path } from '@mxs/topology';
import { extentUnitGiB } from './device-filters';
import { PolicyError } from './errors';
import type { Need } from './request';

export interface PlacedExtent {
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  readonly bandwidthGBps: number;
}

/**
 * Aligned extents for one device's share: the smallest free run that holds it whole (best fit
 * keeps large runs for large requests; `first` takes the lowest-addressed one instead, for
 * baselines); failing that, the largest runs first, at most `maxExtentsPerDevice` of them, each
 * cut to whole units of `extentUnitGiB`. The device must have passed the capacity filter.
 */
export function chooseExtents(path: Path, need: Need, fit: 'best' | 'first' = 'best'): PlacedExtent[] {
  const device = path.device;
  const block = device.extentBlockGiB;
  const unitBlocks = extentUnitGiB(path) / block;
  const shareBlocks = need.shareGiB / block;
  const bandwidthPerGiB = need.shareBandwidthGBps / need.shareGiB;
  const extent = (startBlock: number, blocks: number): PlacedExtent => ({
    deviceId: device.id,
    offsetGiB: startBlock * block,
    sizeGiB: blocks * block,
    bandwidthGBps: blocks * block * bandwidthPerGiB,
  });
  const start = fit === 'best' ? device.free.bestFit(shareBlocks) : device.free.firstFit(shareBlocks);
  if (start !== undefined) return [extent(start, shareBlocks)];
  const extents: PlacedExtent[] = [];
  let remaining = shareBlocks;
  for (const run of device.free.runsBySizeDescending()) {
    if (remaining === 0 || extents.length === need.maxExtentsPerDevice) break;
    const take = Math.min(run.length - (run.length % unitBlocks), remaining);
    if (take === 0) break; // runs come largest first: the rest are shorter than a unit
    extents.push(extent(run.start, take));
    remaining -= take;
  }
  if (remaining > 0) {
    // The capacity filter counted this space; finding less means the fleet changed under us.
    throw new PolicyError('inconsistent-fleet', `${device.id} was counted with room for ${need.shareGiB} GiB but holds ${need.shareGiB - remaining * block} GiB`);
  }
  return extents;
}
