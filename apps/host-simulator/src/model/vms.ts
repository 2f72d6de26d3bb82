import type { VmMemory } from '@mxs/host-agent';
import type { SimContext, Stepped } from './context';
import type { Host, Vm, VmShare } from './state';
import { finishedAtMs, fractionDone, remainingMs, startTimed } from './timed';

/** Blocks of the share the guest has plugged now: whole blocks, moving from `fromBlocks` to the target. */
export function pluggedBlocks(share: VmShare, nowMs: number): number {
  if (share.settled) return share.targetBlocks;
  const moved = (share.targetBlocks - share.fromBlocks) * fractionDone(share.step, nowMs);
  return share.fromBlocks + (moved >= 0 ? Math.floor(moved) : Math.ceil(moved));
}

export function vmMemory(host: Host, vm: Vm | undefined, nowMs: number): VmMemory {
  if (vm === undefined) return { requestedGiB: 0, pluggedGiB: 0 };
  let requestedGiB = 0;
  let plugged = 0;
  for (const share of vm.shares.values()) {
    if (share.direction === 'plug') requestedGiB += share.sizeGiB;
    plugged += pluggedBlocks(share, nowMs);
  }
  return { requestedGiB, pluggedGiB: (plugged * host.memoryBlockSizeMiB) / 1024 };
}

/** Moves a share forward to `nowMs`; true while it still moves. */
export function advanceShare(ctx: SimContext, host: Host, vm: Vm, share: VmShare, nowMs: number): boolean {
  if (share.settled) return false;
  if (fractionDone(share.step, nowMs) < 1) return true;
  share.settled = true;
  const ids = { hostId: host.id, expansionId: share.expansionId };
  const at = finishedAtMs(share.step);
  if (share.direction === 'plug') {
    ctx.log.append(at, 'vm-plugged', ids, { vmId: vm.vmId, sizeGiB: share.sizeGiB });
  } else if (share.targetBlocks === 0) {
    vm.shares.delete(share.expansionId);
    ctx.log.append(at, 'vm-unplugged', ids, { vmId: vm.vmId, sizeGiB: share.sizeGiB });
  } else {
    share.stoppedShort = true;
    const stuckGiB = (share.targetBlocks * host.memoryBlockSizeMiB) / 1024;
    ctx.log.append(at, 'vm-unplug-stopped-short', ids, { vmId: vm.vmId, stuckGiB, reason: 'unmovable pages in the guest' });
  }
  return false;
}

export function shareProgress(host: Host, vm: Vm | undefined, share: VmShare | undefined, nowMs: number): Stepped<VmMemory> {
  const memory = vmMemory(host, vm, nowMs);
  if (share === undefined) return { progress: { done: true, ...memory }, etaMs: 0 };
  if (share.settled && !share.stoppedShort) return { progress: { done: true, ...memory }, etaMs: 0 };
  const blocks = pluggedBlocks(share, nowMs);
  if (share.stoppedShort) {
    const detail = `the guest stopped unplugging with ${blocks} of ${share.blocks} blocks still plugged (unmovable pages); ask again to retry`;
    return { progress: { done: false, detail, ...memory }, etaMs: Infinity };
  }
  const verb = share.direction === 'plug' ? 'plugging' : 'unplugging';
  return { progress: { done: false, detail: `guest ${verb} blocks: ${blocks} of ${share.blocks} plugged`, ...memory }, etaMs: remainingMs(share.step, nowMs) };
}

export function startPlug(ctx: SimContext, host: Host, vm: Vm, expansionId: string, sizeGiB: number, blocks: number, nowMs: number): VmShare {
  const durationMs = host.random.durationMs(ctx.options.durations.plugPerBlock, blocks, ctx.options.timeScale);
  const share: VmShare = {
    expansionId,
    sizeGiB,
    blocks,
    direction: 'plug',
    fromBlocks: 0,
    targetBlocks: blocks,
    step: startTimed(nowMs, durationMs),
    settled: false,
    stoppedShort: false,
  };
  vm.shares.set(expansionId, share);
  ctx.log.append(nowMs, 'vm-plug-started', { hostId: host.id, expansionId }, { vmId: vm.vmId, sizeGiB, requestedGiB: vmMemory(host, vm, nowMs).requestedGiB });
  ctx.busyHosts.add(host);
  advanceShare(ctx, host, vm, share, nowMs);
  return share;
}

/** Starts (or, after stopping short, retries) unplugging the share; it may stop short again. */
export function startUnplug(ctx: SimContext, host: Host, vm: Vm, share: VmShare, nowMs: number): void {
  const { options } = ctx;
  const from = pluggedBlocks(share, nowMs);
  const rateHit = host.random.chance(options.failureRates.unplugStopShort);
  const armed = host.armed.unplugStopShort > 0;
  if (armed) host.armed.unplugStopShort--;
  // Stopping short leaves about a quarter of the share behind (at least a block, at most what is plugged).
  const target = armed || rateHit ? Math.min(from, Math.max(1, Math.floor(share.blocks / 4))) : 0;
  const durationMs = host.random.durationMs(options.durations.unplugPerBlock, from - target, options.timeScale);
  const retry = share.direction === 'unplug';
  share.direction = 'unplug';
  share.fromBlocks = from;
  share.targetBlocks = target;
  share.step = startTimed(nowMs, durationMs);
  share.settled = false;
  share.stoppedShort = false;
  const detail = { vmId: vm.vmId, sizeGiB: share.sizeGiB, requestedGiB: vmMemory(host, vm, nowMs).requestedGiB, ...(armed ? { forcedStopShort: true } : {}) };
  ctx.log.append(nowMs, retry ? 'vm-unplug-retried' : 'vm-unplug-started', { hostId: host.id, expansionId: share.expansionId }, detail);
  ctx.busyHosts.add(host);
  advanceShare(ctx, host, vm, share, nowMs);
}
