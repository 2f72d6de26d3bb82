import type { CxlDevice } from '@mxs/topology';
import type { Need } from './request';

export interface PlacedExtent {
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  readonly bandwidthGBps: number;
}

/**
 * Aligned extents for one device's share: the smallest free run that holds it whole (best fit
 * keeps large runs for large requests); failing that, the largest runs first, at most
 * `maxExtentsPerDevice` of them. The device must have passed the capacity filter.
 */
export function chooseExtents(device: CxlDevice, need: Need): PlacedExtent[] {
  const block = device.extentBlockGiB;
  const shareBlocks = need.shareGiB / block;
  const bandwidthPerGiB = need.shareBandwidthGBps / need.shareGiB;
  const extent = (startBlock: number, blocks: number): PlacedExtent => ({
    deviceId: device.id,
    offsetGiB: startBlock * block,
    sizeGiB: blocks * block,
    bandwidthGBps: blocks * block * bandwidthPerGiB,
  });
  const start = device.free.bestFit(shareBlocks);
  if (start !== undefined) return [extent(start, shareBlocks)];
  const extents: PlacedExtent[] = [];
  let remaining = shareBlocks;
  for (const run of device.free.runsBySizeDescending()) {
    if (remaining === 0 || extents.length === need.maxExtentsPerDevice) break;
    const take = Math.min(run.length, remaining);
    extents.push(extent(run.start, take));
    remaining -= take;
  }
  return extents;
}
