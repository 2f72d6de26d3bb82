import type { Fault } from '@mxs/host-agent';
import { refuse } from './context';
import { record } from './devices';
import type { Simulator } from './simulator';
import type { Host } from './state';
import type { Timed } from './timed';
import { pause, resume } from './timed';

/** Every step in flight on the host: a crash freezes them where they are. */
function eachHostStep(host: Host, visit: (step: Timed | undefined) => void): void {
  for (const region of host.regions.values()) visit(region.step);
  for (const vm of host.vms.values()) for (const share of vm.shares.values()) visit(share.step);
}

/**
 * Applies one fault and records it as one `fault-injected` event (a forced release adds the
 * release's own events). Deterministic: armed counts are consumed by the next matching calls.
 */
export function injectFault(sim: Simulator, fault: Fault): number {
  const now = sim.now;
  switch (fault.kind) {
    case 'host-crash': {
      const host = sim.host(fault.hostId);
      if (host.up) eachHostStep(host, (step) => step !== undefined && pause(step, now));
      host.up = false;
      break;
    }
    case 'host-restart': {
      const host = sim.host(fault.hostId);
      if (!host.up) eachHostStep(host, (step) => step !== undefined && resume(step, now));
      host.up = true;
      sim.ctx.busyHosts.add(host);
      break;
    }
    case 'device-fail': {
      const device = sim.device(fault.deviceId);
      if (!device.failed) for (const release of device.releases.values()) pause(release.step, now);
      device.failed = true;
      record(device, now, 'fatal', `media failure${fault.reason === undefined ? '' : `: ${fault.reason}`}`);
      break;
    }
    case 'device-restore': {
      const device = sim.device(fault.deviceId);
      if (device.failed) for (const release of device.releases.values()) resume(release.step, now);
      device.failed = false;
      record(device, now, 'info', 'media restored');
      sim.ctx.busyDevices.add(device);
      break;
    }
    case 'link-down':
    case 'link-up': {
      const sw = sim.switchOf(fault.switchId);
      const up = fault.kind === 'link-up';
      if (fault.hostId === undefined) sw.up = up;
      else if (up) sw.linkDownHostIds.delete(sim.host(fault.hostId).id);
      else sw.linkDownHostIds.add(sim.host(fault.hostId).id);
      break;
    }
    case 'poison': {
      const device = sim.device(fault.deviceId);
      const lengthBytes = fault.lengthBytes ?? 64;
      device.telemetry.poison.push({ dpa: fault.dpa, lengthBytes });
      record(device, now, 'failure', `poison at DPA ${fault.dpa} (${lengthBytes} bytes)`);
      break;
    }
    case 'wear': {
      const t = sim.device(fault.deviceId).telemetry;
      if (fault.lifeUsedPct !== undefined) t.lifeUsedPct = fault.lifeUsedPct;
      if (fault.temperatureC !== undefined) t.temperatureC = fault.temperatureC;
      if (fault.correctedVolatileErrors !== undefined) t.correctedVolatileErrors = fault.correctedVolatileErrors;
      if (fault.correctedPersistentErrors !== undefined) t.correctedPersistentErrors = fault.correctedPersistentErrors;
      record(sim.device(fault.deviceId), now, t.lifeUsedPct >= 90 ? 'warning' : 'info', `health: life used ${t.lifeUsedPct}%, ${t.temperatureC} °C`);
      break;
    }
    case 'stuck-offline': {
      const host = sim.host(fault.hostId);
      const region = host.regions.get(fault.expansionId) ?? refuse('not-found', `no region ${fault.expansionId} on ${host.id}`);
      region.stuck = fault.stuck ?? true;
      sim.ctx.busyHosts.add(host);
      break;
    }
    case 'ebusy':
      sim.host(fault.hostId).armed.ebusy = fault.count;
      break;
    case 'enomem':
      sim.host(fault.hostId).armed.enomem = fault.count;
      break;
    case 'unplug-stop-short':
      sim.host(fault.hostId).armed.unplugStopShort = fault.count;
      break;
    case 'force-release': {
      const entry = sim.expansions.get(fault.expansionId) ?? refuse('not-found', `no extents of ${fault.expansionId} on any device`);
      const seq = sim.ctx.log.append(now, 'fault-injected', { hostId: entry.hostId, expansionId: fault.expansionId }, { ...fault }).seq;
      sim.releaseExtents({ expansionId: fault.expansionId, hostId: entry.hostId, force: true });
      return seq;
    }
  }
  const ids = {
    hostId: 'hostId' in fault ? fault.hostId : undefined,
    deviceId: 'deviceId' in fault ? fault.deviceId : undefined,
    expansionId: 'expansionId' in fault ? fault.expansionId : undefined,
  };
  return sim.ctx.log.append(now, 'fault-injected', ids, { ...fault }).seq;
}
