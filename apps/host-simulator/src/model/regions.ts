import type { RegionBlocks } from '@mxs/host-agent';
import type { SimContext, Stepped } from './context';
import { refuse } from './context';
import type { Host, Region } from './state';
import { finishedAtMs, fractionDone, remainingMs, startTimed } from './timed';

/** Linux's memmap costs 64 bytes per 4 KiB page: ≈1.6% of what is added. */
const MEMMAP_FRACTION = 64 / 4096;

/** Moves a region's step forward to `nowMs`; true while it still runs. */
export function advanceRegion(ctx: SimContext, host: Host, region: Region, nowMs: number): boolean {
  const step = region.step;
  if (step === undefined) return false;
  const fraction = fractionDone(step, nowMs);
  const ids = { hostId: host.id, expansionId: region.expansionId };
  if (region.state === 'onlining') {
    region.onlineBlocks = Math.floor(fraction * region.totalBlocks);
    if (fraction < 1) return true;
    region.state = 'online';
    region.onlineBlocks = region.totalBlocks;
    delete region.step;
    ctx.log.append(finishedAtMs(step), 'region-onlined', ids, { totalBlocks: region.totalBlocks, sizeGiB: region.sizeGiB });
    return false;
  }
  if (region.state === 'offlining') {
    let offlined = Math.floor(fraction * region.totalBlocks);
    // A stuck region keeps its last block online: unmovable pages the kernel cannot migrate.
    if (region.stuck) offlined = Math.min(offlined, region.totalBlocks - 1);
    region.onlineBlocks = region.totalBlocks - offlined;
    if (fraction < 1 || region.stuck) return true;
    region.state = 'offline';
    region.onlineBlocks = 0;
    region.pinnedPages = 0;
    delete region.step;
    ctx.log.append(finishedAtMs(step), 'region-offlined', ids, { totalBlocks: region.totalBlocks });
    return false;
  }
  return false;
}

export function regionProgress(region: Region | undefined, nowMs: number): Stepped<RegionBlocks> {
  if (region === undefined) return { progress: { done: true, onlineBlocks: 0, totalBlocks: 0 }, etaMs: 0 };
  const blocks = { onlineBlocks: region.onlineBlocks, totalBlocks: region.totalBlocks };
  const eta = region.step === undefined ? Infinity : region.stuck && region.state === 'offlining' ? Infinity : remainingMs(region.step, nowMs);
  switch (region.state) {
    case 'online':
    case 'offline':
      return { progress: { done: true, ...blocks }, etaMs: 0 };
    case 'onlining':
      return { progress: { done: false, detail: `onlining memory blocks as movable: ${region.onlineBlocks} of ${region.totalBlocks}`, ...blocks }, etaMs: eta };
    case 'offlining': {
      const detail = region.stuck
        ? `offlining: block ${region.totalBlocks - region.onlineBlocks + 1} of ${region.totalBlocks} will not go offline (unmovable pages)`
        : `offlining memory blocks: ${region.totalBlocks - region.onlineBlocks} of ${region.totalBlocks} offline`;
      return { progress: { done: false, detail, ...blocks }, etaMs: eta };
    }
  }
}

/** Creates the region over `sizeGiB` of accepted extents and starts onlining it as movable. */
export function startOnline(ctx: SimContext, host: Host, expansionId: string, sizeGiB: number, nowMs: number): Region {
  const { options } = ctx;
  const blockMiB = host.memoryBlockSizeMiB;
  if ((sizeGiB * 1024) % blockMiB !== 0) {
    refuse('conflict', `${sizeGiB} GiB is not a whole number of ${blockMiB} MiB memory blocks on ${host.id}`);
  }
  let mappedGiB = sizeGiB;
  for (const other of host.regions.values()) mappedGiB += other.sizeGiB;
  if (mappedGiB > host.cfmwsWindowGiB) {
    refuse('conflict', `${host.id}'s CXL window is ${host.cfmwsWindowGiB} GiB; regions would need ${mappedGiB} GiB`);
  }
  const totalBlocks = (sizeGiB * 1024) / blockMiB;
  const ids = { hostId: host.id, expansionId };
  const rateHit = host.random.chance(options.failureRates.enomem);
  const durationMs = host.random.durationMs(options.durations.onlinePerBlock, totalBlocks, options.timeScale);
  const armed = host.armed.enomem > 0;
  if (armed) host.armed.enomem--;
  const memmapMiB = Math.ceil(sizeGiB * 1024 * MEMMAP_FRACTION);
  if (armed || rateHit) {
    const region: Region = { expansionId, sizeGiB, totalBlocks, state: 'offline', onlineBlocks: 0, failed: 'enomem', stuck: false, pinnedPages: 0 };
    host.regions.set(expansionId, region);
    ctx.log.append(nowMs, 'region-online-failed', ids, { reason: 'enomem', memmapMiB, totalBlocks, forced: armed });
    return region;
  }
  const region: Region = {
    expansionId,
    sizeGiB,
    totalBlocks,
    state: 'onlining',
    onlineBlocks: 0,
    step: startTimed(nowMs, durationMs),
    stuck: false,
    pinnedPages: 0,
  };
  host.regions.set(expansionId, region);
  ctx.log.append(nowMs, 'region-onlining-started', ids, { sizeGiB, totalBlocks, memoryBlockSizeMiB: blockMiB, zone: 'movable', memmapMiB });
  ctx.busyHosts.add(host);
  advanceRegion(ctx, host, region, nowMs);
  return region;
}

/** One offline attempt on an online region: `ebusy` (pinned pages) or the offlining starts. */
export function startOffline(ctx: SimContext, host: Host, region: Region, nowMs: number): void {
  const { options } = ctx;
  const ids = { hostId: host.id, expansionId: region.expansionId };
  const rateHit = host.random.chance(options.failureRates.ebusy);
  const durationMs = host.random.durationMs(options.durations.offlinePerBlock, region.totalBlocks, options.timeScale);
  const armed = host.armed.ebusy > 0;
  if (armed) host.armed.ebusy--;
  if (armed || rateHit) {
    region.pinnedPages = host.random.int(1, 512);
    ctx.log.append(nowMs, 'region-offline-busy', ids, { pinnedPages: region.pinnedPages, forced: armed });
    refuse('ebusy', `offlining ${region.expansionId} on ${host.id}: ${region.pinnedPages} pinned pages could not be migrated`);
  }
  region.state = 'offlining';
  region.step = startTimed(nowMs, durationMs);
  ctx.log.append(nowMs, 'region-offlining-started', ids, { totalBlocks: region.totalBlocks });
  ctx.busyHosts.add(host);
  advanceRegion(ctx, host, region, nowMs);
}
