/// <reference types="jest" />
import type { HostAgentErrorCode } from '@mxs/host-agent';
import { isHostAgentError } from '@mxs/host-agent';
import { hotAdd, tinySim } from '../testing/tiny-fleet';
import { injectFault } from './faults';
import { healthView, hostView, switchView, vmView } from './views';

function codeOf(run: () => unknown): HostAgentErrorCode | 'none' {
  try {
    run();
  } catch (error) {
    if (isHostAgentError(error)) return error.code;
    throw error;
  }
  return 'none';
}

const req = { expansionId: 'exp-1', hostId: 'host-a' };

describe('faults', () => {
  it('host crash: host-down until restart; regions and VMs come back as they were; progress pauses', () => {
    const { sim, clock } = tinySim({ timeScale: 1 });
    sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 64 }] });
    sim.acceptExtents(req);
    const first = sim.onlineRegion({ ...req, sizeGiB: 64 });
    expect(first.progress.done).toBe(false);
    clock.advance(Math.floor(first.etaMs / 2));
    injectFault(sim, { kind: 'host-crash', hostId: 'host-a' });
    const before = hostView(sim, sim.host('host-a')).regions;
    expect(codeOf(() => sim.onlineRegion({ ...req, sizeGiB: 64 }))).toBe('host-down');
    clock.advance(first.etaMs * 10);
    expect(hostView(sim, sim.host('host-a')).regions).toEqual(before);
    injectFault(sim, { kind: 'host-restart', hostId: 'host-a' });
    expect(sim.onlineRegion({ ...req, sizeGiB: 64 }).progress.done).toBe(false);
    clock.advance(first.etaMs);
    expect(sim.onlineRegion({ ...req, sizeGiB: 64 }).progress.done).toBe(true);
  });

  it('device failure: device-failed, media status failed, a fatal record; restore clears it', () => {
    const { sim } = tinySim();
    injectFault(sim, { kind: 'device-fail', deviceId: 'pool-1', reason: 'test' });
    expect(codeOf(() => sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 4 }] }))).toBe('device-failed');
    const health = healthView(sim.device('pool-1'));
    expect(health.mediaStatus).toBe('failed');
    expect(health.events.at(-1)?.severity).toBe('fatal');
    injectFault(sim, { kind: 'device-restore', deviceId: 'pool-1' });
    expect(codeOf(() => sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 4 }] }))).toBe('none');
  });

  it('a failed device keeps released extents unscrubbed until it is restored', () => {
    const { sim } = tinySim();
    hotAdd(sim, 'exp-1');
    injectFault(sim, { kind: 'device-fail', deviceId: 'pool-1' });
    expect(codeOf(() => sim.acceptExtents(req))).toBe('device-failed');
    expect(codeOf(() => sim.releaseExtents({ ...req, force: false }))).toBe('conflict');
    const released = sim.releaseExtents({ ...req, force: true });
    expect(released.progress.done).toBe(false);
    expect(sim.releaseProgress(req).progress.done).toBe(false);
    injectFault(sim, { kind: 'device-restore', deviceId: 'pool-1' });
    expect(sim.releaseProgress(req).progress.done).toBe(true);
  });

  it('switch link down: link-down for paths through it, per host or the whole switch', () => {
    const { sim } = tinySim();
    const offer = (hostId: string, expansionId: string, offsetGiB: number) =>
      codeOf(() => sim.offerExtents('pool-1', { expansionId, hostId, extents: [{ offsetGiB, sizeGiB: 1 }] }));
    injectFault(sim, { kind: 'link-down', switchId: 'sw-1', hostId: 'host-a' });
    expect(offer('host-a', 'exp-1', 0)).toBe('link-down');
    expect(offer('host-b', 'exp-2', 1)).toBe('none');
    expect(switchView(sim, 'sw-1')).toEqual({ switchId: 'sw-1', up: true, linkDownHostIds: ['host-a'] });
    injectFault(sim, { kind: 'link-up', switchId: 'sw-1', hostId: 'host-a' });
    injectFault(sim, { kind: 'link-down', switchId: 'sw-1' });
    expect(offer('host-a', 'exp-3', 2)).toBe('link-down');
    expect(codeOf(() => sim.acceptExtents({ expansionId: 'exp-2', hostId: 'host-b' }))).toBe('link-down');
    expect(codeOf(() => sim.offerExtents('direct-a', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 1 }] }))).toBe('none');
  });

  it('poison and wear show in the health info', () => {
    const { sim } = tinySim();
    injectFault(sim, { kind: 'poison', deviceId: 'pool-1', dpa: 4096 });
    injectFault(sim, { kind: 'wear', deviceId: 'pool-1', lifeUsedPct: 95, correctedVolatileErrors: 1000, temperatureC: 85 });
    expect(healthView(sim.device('pool-1'))).toMatchObject({
      poison: [{ dpa: 4096, lengthBytes: 64 }],
      lifeUsedPct: 95,
      correctedVolatileErrors: 1000,
      temperatureC: 85,
      events: [{ severity: 'failure' }, { severity: 'warning' }],
    });
  });

  it('stuck offline: pending on the last block until cleared', () => {
    const { sim } = tinySim();
    hotAdd(sim, 'exp-1');
    sim.unplugVmMemory({ ...req, vmId: 'vm-1' });
    injectFault(sim, { kind: 'stuck-offline', ...req });
    const stuck = sim.offlineRegion(req);
    expect(stuck.progress).toMatchObject({ done: false, onlineBlocks: 1, totalBlocks: 32 });
    expect(sim.offlineRegion(req).progress.done).toBe(false);
    expect(codeOf(() => sim.destroyRegion(req))).toBe('conflict');
    injectFault(sim, { kind: 'stuck-offline', ...req, stuck: false });
    expect(sim.offlineRegion(req).progress).toEqual({ done: true, onlineBlocks: 0, totalBlocks: 32 });
  });

  it('ebusy for the next N offline attempts, then the offline goes through', () => {
    const { sim } = tinySim();
    hotAdd(sim, 'exp-1');
    sim.unplugVmMemory({ ...req, vmId: 'vm-1' });
    injectFault(sim, { kind: 'ebusy', hostId: 'host-a', count: 2 });
    expect(codeOf(() => sim.offlineRegion(req))).toBe('ebusy');
    expect(codeOf(() => sim.offlineRegion(req))).toBe('ebusy');
    expect(sim.offlineRegion(req).progress.done).toBe(true);
    const kinds = sim.ctx.log.list({ expansionId: 'exp-1' }).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'region-offline-busy')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'region-offlining-started')).toHaveLength(1);
  });

  it('enomem for the next N onlines: fails for good, the region can still be destroyed', () => {
    const { sim } = tinySim();
    injectFault(sim, { kind: 'enomem', hostId: 'host-a', count: 1 });
    sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 4 }] });
    sim.acceptExtents(req);
    expect(codeOf(() => sim.onlineRegion({ ...req, sizeGiB: 4 }))).toBe('enomem');
    expect(codeOf(() => sim.onlineRegion({ ...req, sizeGiB: 4 }))).toBe('enomem');
    expect(sim.offlineRegion(req).progress.done).toBe(true);
    sim.destroyRegion(req);
    expect(sim.releaseExtents({ ...req, force: false }).progress.done).toBe(true);
    expect(sim.ctx.log.list({ expansionId: 'exp-1', kind: 'region-online-failed' })).toHaveLength(1);
  });

  it('unplug stop-short: pending with plugged > requested; asking again retries', () => {
    const { sim } = tinySim();
    hotAdd(sim, 'exp-1');
    injectFault(sim, { kind: 'unplug-stop-short', hostId: 'host-a', count: 1 });
    const short = sim.unplugVmMemory({ ...req, vmId: 'vm-1' });
    expect(short.progress).toMatchObject({ done: false, requestedGiB: 0, pluggedGiB: 1 });
    expect(vmView(sim, sim.host('host-a'), 'vm-1')?.shares[0]).toMatchObject({ stoppedShort: true, direction: 'unplug' });
    expect(sim.vmProgress({ ...req, vmId: 'vm-1' }).progress.done).toBe(false);
    expect(sim.unplugVmMemory({ ...req, vmId: 'vm-1' }).progress).toEqual({ done: true, requestedGiB: 0, pluggedGiB: 0 });
    expect(sim.ctx.log.list({ expansionId: 'exp-1' }).map((e) => e.kind).slice(-4)).toEqual([
      'vm-unplug-started',
      'vm-unplug-stopped-short',
      'vm-unplug-retried',
      'vm-unplugged',
    ]);
  });

  it('force release: region gone, the VM loses its share, extents sanitize, once', () => {
    const { sim } = tinySim();
    hotAdd(sim, 'exp-1');
    hotAdd(sim, 'exp-2', 'host-a', 'vm-1', 8, 2);
    injectFault(sim, { kind: 'force-release', expansionId: 'exp-1' });
    const host = hostView(sim, sim.host('host-a'));
    expect(host.regions.map((r) => r.expansionId)).toEqual(['exp-2']);
    expect(host.vms).toEqual([{ vmId: 'vm-1', requestedGiB: 2, pluggedGiB: 2, expansions: { 'exp-2': 2 } }]);
    expect(sim.device('pool-1').extents.map((e) => e.expansionId)).toEqual(['exp-2']);
    expect(sim.ctx.log.list({ expansionId: 'exp-1' }).map((e) => e.kind).slice(-4)).toEqual([
      'fault-injected',
      'expansion-lost',
      'extents-release-started',
      'extents-freed',
    ]);
    expect(sim.unplugVmMemory({ ...req, vmId: 'vm-1' }).progress.done).toBe(true);
    expect(codeOf(() => injectFault(sim, { kind: 'force-release', expansionId: 'exp-1' }))).toBe('not-found');
  });
});
