import type { DeviceHealthInfo, HostStateView, SwitchStateView, VmStateView } from '@mxs/host-agent';
import { extentsOf } from './devices';
import type { Simulator } from './simulator';
import type { Device, Host, Region } from './state';
import { pluggedBlocks, vmMemory } from './vms';

function blocksOf(region: Region): Record<'offline' | 'goingOnline' | 'online' | 'goingOffline', number> {
  const moving = region.state === 'onlining' || region.state === 'offlining' ? Math.min(1, region.totalBlocks - region.onlineBlocks, region.onlineBlocks + 1) : 0;
  if (region.state === 'onlining') {
    return { offline: region.totalBlocks - region.onlineBlocks - moving, goingOnline: moving, online: region.onlineBlocks, goingOffline: 0 };
  }
  if (region.state === 'offlining') {
    const going = Math.min(1, region.onlineBlocks);
    return { offline: region.totalBlocks - region.onlineBlocks, goingOnline: 0, online: region.onlineBlocks - going, goingOffline: going };
  }
  return { offline: region.totalBlocks - region.onlineBlocks, goingOnline: 0, online: region.onlineBlocks, goingOffline: 0 };
}

/** The host as its agent reports it, plus the simulator's extras (block states, pinned pages, armed faults). */
export function hostView(sim: Simulator, host: Host): HostStateView & Record<string, unknown> {
  const now = sim.now;
  const extents: HostStateView['extents'][number][] = [];
  for (const expansionId of host.expansionIds) {
    for (const deviceId of sim.expansions.get(expansionId)?.deviceIds ?? []) {
      const device = sim.devices.get(deviceId) as Device;
      for (const e of extentsOf(device, expansionId)) {
        if (e.state !== 'offered' && e.state !== 'accepted') continue;
        extents.push({ deviceId, offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB, expansionId, accepted: e.state === 'accepted' });
      }
    }
  }
  return {
    hostId: host.id,
    up: host.up,
    memoryBlockSizeMiB: host.memoryBlockSizeMiB,
    regions: [...host.regions.values()].map((r) => ({
      expansionId: r.expansionId,
      sizeGiB: r.sizeGiB,
      state: r.state,
      onlineBlocks: r.onlineBlocks,
      totalBlocks: r.totalBlocks,
      zone: 'movable',
      blocks: blocksOf(r),
      stuck: r.stuck,
      pinnedPages: r.pinnedPages,
      ...(r.failed === undefined ? {} : { failed: r.failed }),
    })),
    extents,
    vms: [...host.vms.values()].map((vm) => ({
      vmId: vm.vmId,
      ...vmMemory(host, vm, now),
      expansions: Object.fromEntries([...vm.shares.values()].map((s) => [s.expansionId, s.sizeGiB])),
    })),
    armedFaults: { ...host.armed },
  };
}

export function vmView(sim: Simulator, host: Host, vmId: string): VmStateView | undefined {
  const vm = host.vms.get(vmId);
  if (vm === undefined) return undefined;
  const now = sim.now;
  return {
    hostId: host.id,
    vmId,
    ...vmMemory(host, vm, now),
    shares: [...vm.shares.values()].map((s) => ({
      expansionId: s.expansionId,
      sizeGiB: s.sizeGiB,
      pluggedGiB: (pluggedBlocks(s, now) * host.memoryBlockSizeMiB) / 1024,
      direction: s.direction,
      stoppedShort: s.stoppedShort,
    })),
  };
}

export function healthView(device: Device): DeviceHealthInfo {
  const t = device.telemetry;
  return {
    deviceId: device.id,
    mediaStatus: device.failed ? 'failed' : 'normal',
    lifeUsedPct: t.lifeUsedPct,
    temperatureC: t.temperatureC,
    correctedVolatileErrors: t.correctedVolatileErrors,
    correctedPersistentErrors: t.correctedPersistentErrors,
    poison: t.poison.map((p) => ({ ...p })),
    events: t.records.map((r) => ({ ...r })),
  };
}

export function switchView(sim: Simulator, switchId: string): SwitchStateView {
  const sw = sim.switchOf(switchId);
  return { switchId: sw.id, up: sw.up, linkDownHostIds: [...sw.linkDownHostIds].sort() };
}
