import type { DeviceStateView } from '@mxs/host-agent';
import type { SimContext, Stepped } from './context';
import { refuse } from './context';
import type { Device, DeviceExtent, Host, Release, Severity, Switch } from './state';
import { finishedAtMs, fractionDone, pause, remainingMs, startTimed } from './timed';

export type Reach = 'reachable' | 'no-path' | 'link-down';

/** Whether the host reaches the device: its own direct device, a head of it, or a switch it is cabled to with the link up. */
export function reach(host: Host, device: Device, switches: ReadonlyMap<string, Switch>): Reach {
  const attachment = device.attachment;
  switch (attachment.kind) {
    case 'direct':
      return attachment.hostId === host.id ? 'reachable' : 'no-path';
    case 'multi-headed':
      return attachment.hostIds.includes(host.id) ? 'reachable' : 'no-path';
    case 'switch': {
      if (!host.switchIds.includes(attachment.switchId)) return 'no-path';
      const sw = switches.get(attachment.switchId);
      if (sw === undefined) return 'no-path';
      return sw.up && !sw.linkDownHostIds.has(host.id) ? 'reachable' : 'link-down';
    }
  }
}

export function assertReachable(host: Host, device: Device, switches: ReadonlyMap<string, Switch>): void {
  const how = reach(host, device, switches);
  if (how === 'no-path') refuse('conflict', `${host.id} has no path to ${device.id}`);
  if (how === 'link-down') refuse('link-down', `the switch link between ${host.id} and ${device.id} is down`);
}

export function assertDeviceUp(device: Device): void {
  if (device.failed) refuse('device-failed', `${device.id} has failed`);
}

export function record(device: Device, atMs: number, severity: Severity, message: string): void {
  device.telemetry.records.push({ at: new Date(atMs).toISOString(), severity, message });
  // A device keeps a bounded event-record buffer, as real ones do.
  if (device.telemetry.records.length > 256) device.telemetry.records.shift();
}

export function extentsOf(device: Device, expansionId: string): DeviceExtent[] {
  return device.extents.filter((e) => e.expansionId === expansionId);
}

/** Checks an offer against the device: alignment, capacity, overlap with any extent in any state, free logical devices. */
export function checkOffer(device: Device, hostId: string, extents: readonly { offsetGiB: number; sizeGiB: number }[]): void {
  const block = device.extentBlockGiB;
  const sorted = [...extents].sort((a, b) => a.offsetGiB - b.offsetGiB);
  let previousEnd = -1;
  for (const { offsetGiB, sizeGiB } of sorted) {
    if (offsetGiB % block !== 0 || sizeGiB % block !== 0) {
      refuse('bad-request', `extent ${offsetGiB}+${sizeGiB} GiB is not aligned to ${device.id}'s ${block} GiB blocks`);
    }
    if (offsetGiB + sizeGiB > device.capacityGiB) refuse('bad-request', `extent ${offsetGiB}+${sizeGiB} GiB is past ${device.id}'s ${device.capacityGiB} GiB`);
    if (offsetGiB < previousEnd) refuse('bad-request', `the offered extents overlap each other at ${offsetGiB} GiB`);
    previousEnd = offsetGiB + sizeGiB;
  }
  const boundHosts = new Set<string>();
  for (const live of device.extents) {
    if (live.state !== 'sanitizing') boundHosts.add(live.hostId);
    for (const { offsetGiB, sizeGiB } of extents) {
      if (offsetGiB < live.offsetGiB + live.sizeGiB && live.offsetGiB < offsetGiB + sizeGiB) {
        const why = live.state === 'sanitizing' ? 'is still being sanitized' : `is ${live.state} to ${live.hostId}`;
        refuse('conflict', `${device.id} ${offsetGiB}+${sizeGiB} GiB overlaps ${live.offsetGiB}+${live.sizeGiB} GiB, which ${why}`);
      }
    }
  }
  if (!boundHosts.has(hostId) && boundHosts.size >= device.maxLogicalDevices) {
    refuse('conflict', `${device.id} has all ${device.maxLogicalDevices} logical devices bound to other hosts`);
  }
}

/** Moves a device's releases forward; an ended one frees its extents. True while any still runs. */
export function advanceDevice(ctx: SimContext, device: Device, nowMs: number, onFreed: (expansionId: string, release: Release) => void): boolean {
  if (device.releases.size === 0) return false;
  let running = false;
  for (const [expansionId, release] of device.releases) {
    const fraction = fractionDone(release.step, nowMs);
    if (fraction >= 1) {
      device.extents = device.extents.filter((e) => e.expansionId !== expansionId);
      device.releases.delete(expansionId);
      ctx.log.append(finishedAtMs(release.step), 'extents-freed', { hostId: release.hostId, deviceId: device.id, expansionId }, { sizeGiB: release.sizeGiB });
      onFreed(expansionId, release);
      continue;
    }
    running = true;
    const state = fraction * release.step.durationMs < release.releaseMs ? 'releasing' : 'sanitizing';
    for (const e of device.extents) if (e.expansionId === expansionId) e.state = state;
  }
  return running;
}

export function startRelease(ctx: SimContext, device: Device, hostId: string, expansionId: string, force: boolean, nowMs: number): void {
  const { options } = ctx;
  const mine = extentsOf(device, expansionId);
  const sizeGiB = mine.reduce((sum, e) => sum + e.sizeGiB, 0);
  const releaseMs = device.random.durationMs(options.durations.releasePerCall, 1, options.timeScale);
  const sanitizeMs = device.random.durationMs(options.durations.sanitizePerGiB, sizeGiB, options.timeScale);
  const step = startTimed(nowMs, releaseMs + sanitizeMs);
  // A failed device scrubs nothing until it is restored: the capacity stays unavailable.
  if (device.failed) pause(step, nowMs);
  device.releases.set(expansionId, { hostId, force, sizeGiB, releaseMs, step });
  for (const e of mine) e.state = 'releasing';
  ctx.log.append(nowMs, 'extents-release-started', { hostId, deviceId: device.id, expansionId }, { sizeGiB, force });
  ctx.busyDevices.add(device);
}

export function releaseProgress(device: Device, expansionId: string, nowMs: number): Stepped<object> {
  const release = device.releases.get(expansionId);
  if (release === undefined) return { progress: { done: true }, etaMs: 0 };
  const state = device.extents.find((e) => e.expansionId === expansionId)?.state ?? 'releasing';
  const detail = device.failed
    ? `${device.id} has failed: its ${release.sizeGiB} GiB wait to be sanitized until it is restored`
    : `${state} ${release.sizeGiB} GiB on ${device.id}`;
  return { progress: { done: false, detail }, etaMs: remainingMs(release.step, nowMs) };
}

export function deviceView(device: Device): DeviceStateView {
  return {
    deviceId: device.id,
    failed: device.failed,
    extents: device.extents.map((e) => ({
      deviceId: device.id,
      offsetGiB: e.offsetGiB,
      sizeGiB: e.sizeGiB,
      expansionId: e.expansionId,
      hostId: e.hostId,
      state: e.state,
    })),
  };
}
