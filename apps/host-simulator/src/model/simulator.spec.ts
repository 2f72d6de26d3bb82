/// <reference types="jest" />
import type { HostAgentErrorCode } from '@mxs/host-agent';
import { isHostAgentError } from '@mxs/host-agent';
import { hotAdd, tinySim } from '../testing/tiny-fleet';
import { hostView } from './views';

function codeOf(run: () => unknown): HostAgentErrorCode | 'none' {
  try {
    run();
  } catch (error) {
    if (isHostAgentError(error)) return error.code;
    throw error;
  }
  return 'none';
}

describe('Simulator: the hot-add and hot-remove sequence', () => {
  it('runs add then remove, one event per effect, and frees the range only after the scrub', () => {
    const { sim } = tinySim();
    const req = { expansionId: 'exp-1', hostId: 'host-a' };
    sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 2 }, { offsetGiB: 4, sizeGiB: 2 }] });
    expect(hostView(sim, sim.host('host-a')).extents).toHaveLength(2);
    sim.acceptExtents(req);
    expect(sim.onlineRegion({ ...req, sizeGiB: 4 }).progress).toEqual({ done: true, onlineBlocks: 32, totalBlocks: 32 });
    expect(sim.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 4 }).progress).toEqual({ done: true, requestedGiB: 4, pluggedGiB: 4 });

    expect(sim.unplugVmMemory({ ...req, vmId: 'vm-1' }).progress).toEqual({ done: true, requestedGiB: 0, pluggedGiB: 0 });
    expect(sim.offlineRegion(req).progress).toEqual({ done: true, onlineBlocks: 0, totalBlocks: 32 });
    sim.destroyRegion(req);
    expect(sim.releaseExtents({ ...req, force: false }).progress).toEqual({ done: true });
    expect(sim.device('pool-1').extents).toEqual([]);

    expect(sim.ctx.log.list({ expansionId: 'exp-1' }).map((e) => e.kind)).toEqual([
      'extents-offered',
      'extents-accepted',
      'region-onlining-started',
      'region-onlined',
      'vm-plug-started',
      'vm-plugged',
      'vm-unplug-started',
      'vm-unplugged',
      'region-offlining-started',
      'region-offlined',
      'region-destroyed',
      'extents-release-started',
      'extents-freed',
    ]);
  });

  it('appends nothing when every step is repeated, and answers the same', () => {
    const { sim } = tinySim();
    const req = { expansionId: 'exp-1', hostId: 'host-a' };
    const steps = [
      () => sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 4 }] }),
      () => sim.acceptExtents(req),
      () => sim.onlineRegion({ ...req, sizeGiB: 4 }).progress,
      () => sim.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 4 }).progress,
      () => sim.unplugVmMemory({ ...req, vmId: 'vm-1' }).progress,
      () => sim.offlineRegion(req).progress,
      () => sim.destroyRegion(req),
      () => sim.releaseExtents({ ...req, force: false }).progress,
    ];
    for (const step of steps) {
      const first = step();
      const events = sim.ctx.log.lastSeq;
      const again = step();
      expect(sim.ctx.log.lastSeq).toBe(events);
      if (typeof first === 'object') expect(again).toEqual(first);
    }
    const kinds = sim.ctx.log.list({ expansionId: 'exp-1' }).map((e) => e.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});

describe('Simulator: checks that refuse', () => {
  it('refuses offers the fabric would: no path, overlap (sanitizing too), unaligned, logical devices used up, another host', () => {
    const { sim } = tinySim();
    const offer = (deviceId: string, expansionId: string, hostId: string, offsetGiB: number, sizeGiB = 2) =>
      codeOf(() => sim.offerExtents(deviceId, { expansionId, hostId, extents: [{ offsetGiB, sizeGiB }] }));
    expect(offer('pool-1', 'exp-c', 'host-c', 0)).toBe('conflict');
    expect(offer('direct-a', 'exp-b', 'host-b', 0)).toBe('conflict');
    expect(offer('pool-1', 'exp-1', 'host-a', 0)).toBe('none');
    expect(offer('pool-1', 'exp-2', 'host-b', 1)).toBe('conflict');
    expect(offer('pool-1', 'exp-2', 'host-b', 2000)).toBe('bad-request');
    expect(offer('pool-1', 'exp-1', 'host-b', 0)).toBe('conflict');
    expect(offer('pool-1', 'exp-1', 'host-a', 8)).toBe('conflict');
    expect(offer('pool-2', 'exp-3', 'host-a', 0)).toBe('none');
    expect(offer('pool-2', 'exp-4', 'host-b', 8)).toBe('conflict');
    expect(offer('nope', 'exp-5', 'host-b', 8)).toBe('not-found');
  });

  it('accepts only the host\'s own offered extents, onlines only accepted ones of the right size', () => {
    const { sim } = tinySim();
    const req = { expansionId: 'exp-1', hostId: 'host-a' };
    expect(codeOf(() => sim.acceptExtents(req))).toBe('not-found');
    sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 4 }] });
    expect(codeOf(() => sim.acceptExtents({ ...req, hostId: 'host-b' }))).toBe('not-found');
    expect(codeOf(() => sim.onlineRegion({ ...req, sizeGiB: 4 }))).toBe('conflict');
    sim.acceptExtents(req);
    expect(codeOf(() => sim.onlineRegion({ ...req, sizeGiB: 8 }))).toBe('conflict');
    expect(codeOf(() => sim.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 4 }))).toBe('conflict');
    sim.onlineRegion({ ...req, sizeGiB: 4 });
    expect(codeOf(() => sim.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 2 }))).toBe('conflict');
    sim.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 4 });
    expect(codeOf(() => sim.plugVmMemory({ ...req, vmId: 'vm-2', sizeGiB: 4 }))).toBe('conflict');
  });

  it('refuses to offline a region still plugged, to destroy one not offline, and to release under a region', () => {
    const { sim } = tinySim();
    hotAdd(sim, 'exp-1');
    const req = { expansionId: 'exp-1', hostId: 'host-a' };
    expect(codeOf(() => sim.offlineRegion(req))).toBe('conflict');
    expect(codeOf(() => sim.destroyRegion(req))).toBe('conflict');
    expect(codeOf(() => sim.releaseExtents({ ...req, force: false }))).toBe('conflict');
    expect(codeOf(() => sim.releaseExtents({ ...req, hostId: 'host-b', force: false }))).toBe('conflict');
    sim.unplugVmMemory({ ...req, vmId: 'vm-1' });
    sim.offlineRegion(req);
    expect(codeOf(() => sim.releaseExtents({ ...req, force: false }))).toBe('conflict');
    expect(codeOf(() => sim.onlineRegion({ ...req, sizeGiB: 4 }))).toBe('conflict');
  });

  it('keeps a released range unavailable until it is scrubbed, then offers it to anyone', () => {
    const { sim, clock } = tinySim({ timeScale: 1 });
    const req = { expansionId: 'exp-1', hostId: 'host-a' };
    sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 8 }] });
    const release = sim.releaseExtents({ ...req, force: false });
    expect(release.progress.done).toBe(false);
    expect(sim.device('pool-1').extents[0]?.state).toBe('releasing');
    const offerAgain = () => sim.offerExtents('pool-1', { expansionId: 'exp-2', hostId: 'host-b', extents: [{ offsetGiB: 0, sizeGiB: 8 }] });
    clock.advance(release.etaMs - 1);
    expect(sim.device('pool-1').extents[0]?.state).toBe('sanitizing');
    expect(codeOf(offerAgain)).toBe('conflict');
    expect(sim.releaseProgress(req).progress.done).toBe(false);
    clock.advance(1);
    expect(sim.releaseProgress(req).progress).toEqual({ done: true });
    expect(codeOf(offerAgain)).toBe('none');
  });
});
