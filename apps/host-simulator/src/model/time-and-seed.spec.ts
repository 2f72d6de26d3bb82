/// <reference types="jest" />
import { hotAdd, tinySim } from '../testing/tiny-fleet';
import { restoreState, saveState } from './snapshot';

const req = { expansionId: 'exp-1', hostId: 'host-a' };

describe('time scale, driven by the injected clock', () => {
  it('at scale 1 onlining advances block by block with the clock and completes only when its time is up', () => {
    const { sim, clock } = tinySim({ timeScale: 1 });
    sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB: 64 }] });
    sim.acceptExtents(req);
    const started = sim.onlineRegion({ ...req, sizeGiB: 64 });
    expect(started.progress).toMatchObject({ done: false, onlineBlocks: 0, totalBlocks: 512 });
    clock.advance(Math.floor(started.etaMs / 2));
    const half = sim.onlineRegion({ ...req, sizeGiB: 64 }).progress as { onlineBlocks: number };
    expect(half.onlineBlocks).toBeGreaterThan(200);
    expect(half.onlineBlocks).toBeLessThan(312);
    clock.advance(started.etaMs);
    expect(sim.onlineRegion({ ...req, sizeGiB: 64 }).progress.done).toBe(true);
    const onlined = sim.ctx.log.list({ kind: 'region-onlined' })[0];
    expect(Date.parse(onlined?.at ?? '')).toBe(Date.UTC(2030, 0, 1) + started.etaMs);
  });

  it('time grows with size: a 256 GiB online takes longer than a 2 GiB one on the same seed', () => {
    const eta = (sizeGiB: number) => {
      const { sim } = tinySim({ timeScale: 1, durations: { onlinePerBlock: { medianMs: 2, sigma: 0, tailProbability: 0, tailAlpha: 2 } } });
      sim.offerExtents('pool-1', { ...req, extents: [{ offsetGiB: 0, sizeGiB }] });
      sim.acceptExtents(req);
      return sim.onlineRegion({ ...req, sizeGiB }).etaMs;
    };
    expect(eta(256)).toBe(128 * eta(2));
  });

  it('at scale 0 every step completes within its call', () => {
    const { sim } = tinySim({ timeScale: 0 });
    hotAdd(sim, 'exp-1');
    expect(sim.unplugVmMemory({ ...req, vmId: 'vm-1' }).progress.done).toBe(true);
    expect(sim.offlineRegion(req).progress.done).toBe(true);
  });
});

describe('determinism and saved state', () => {
  function run(seed: number): unknown[] {
    const { sim } = tinySim({ seed, timeScale: 1, failureRates: { enomem: 0.3, ebusy: 0.5, unplugStopShort: 0.3 } });
    const outcomes: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      const expansionId = `exp-${i}`;
      const r = { expansionId, hostId: 'host-a' };
      sim.offerExtents('pool-1', { ...r, extents: [{ offsetGiB: i * 4, sizeGiB: 4 }] });
      sim.acceptExtents(r);
      try {
        outcomes.push(sim.onlineRegion({ ...r, sizeGiB: 4 }).etaMs);
        outcomes.push(sim.offlineRegion(r).etaMs);
      } catch (error) {
        outcomes.push((error as { code: string }).code);
      }
    }
    return outcomes;
  }

  it('the same seed and calls give the same outcomes; another seed differs', () => {
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('saves and restores the whole state, random streams included', () => {
    const { sim, clock, options } = tinySim({ failureRates: { ebusy: 0.5 } });
    hotAdd(sim, 'exp-1');
    const saved = JSON.parse(JSON.stringify(saveState(sim))) as unknown;
    const copy = restoreState(saved, options, clock);
    expect(copy.device('pool-1').extents).toEqual(sim.device('pool-1').extents);
    expect(copy.ctx.log.lastSeq).toBe(sim.ctx.log.lastSeq + 1);
    const outcome = (s: typeof sim) => {
      try {
        return s.offlineRegion(req).etaMs;
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    sim.unplugVmMemory({ ...req, vmId: 'vm-1' });
    copy.unplugVmMemory({ ...req, vmId: 'vm-1' });
    expect([outcome(copy), outcome(copy), outcome(copy)]).toEqual([outcome(sim), outcome(sim), outcome(sim)]);
  });
});
