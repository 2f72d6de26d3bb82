/// <reference types="jest" />
import { generateFleetSpec } from '@mxs/topology';
import { effectiveReleaseSec, traceEvents } from './events';
import { DEFAULT_SAMPLES, replayOnEngine } from './engine-replay';
import { generateTrace } from './generator';
import { acceptedRequests } from './pooling';
import { handFleet } from './testing/fixtures';
import { parseTrace, traceEndSec } from './trace';

describe('replayOnEngine on a trace followed by hand', () => {
  // h1 and h2 have 57 GiB for VMs each: a goes to h1 (tie, lowest index), b to h2, c fits nowhere.
  const trace = parseTrace(
    [
      'vm,a,t1,0,7200,32',
      'vm,b,t2,0,,32',
      'vm,c,t1,100,3600,32',
      'expansion,a,0,16,direct,3600', // direct-1 0..16: fills it
      'expansion,a,60,8,direct,', // direct-1 is full: no-capacity
      'expansion,b,60,16,pooled,1800', // pool 0..16
      'expansion,a,120,8,any,', // direct-1 full, so pool 16..24, held until a leaves at 7200
      'expansion,c,200,4,any,', // c has no host: vm-unplaced
      'expansion,b,1800,256,any,', // b/1 is released first; 256 > 4 × 32: vm-ratio-cap
    ].join('\n'),
  );
  const run = replayOnEngine(trace, handFleet(), { policy: 'mxs', samples: 5 });

  it('counts requests, acceptances and rejections by the engine’s reason', () => {
    expect(run).toMatchObject({ policy: 'mxs', mode: 'engine', requests: 6, accepted: 3, rejected: 3, acceptanceRate: 0.5, timeToReadySec: null, currency: 'USD', wallSec: 0 });
    expect(run.rejectionsByReason).toEqual({ 'no-capacity': 1, 'vm-ratio-cap': 1, 'vm-unplaced': 1 });
    expect(run.vms).toEqual({ arrived: 3, placed: 2, unplaced: 1 });
  });

  it('samples the fleet at even times after applying every event up to each', () => {
    // used: 16 from 0, 32 from 60, 40 from 120, 24 from 1800, 8 from 3600, 0 at 7200; 48 GiB in all.
    expect(run.series.map((p) => [p.atSec, p.usedGiB, p.utilization, p.strandedGiB])).toEqual([
      [0, 16, 16 / 48, 0],
      [1800, 24, 24 / 48, 0],
      [3600, 8, 8 / 48, 0],
      [5400, 8, 8 / 48, 0],
      [7200, 0, 0, 0],
    ]);
    expect(run.peakUsedGiB).toBe(40);
  });

  it('takes exact time-weighted means over every change, not over the samples', () => {
    const usedGiBSeconds = 16 * 60 + 32 * 60 + 40 * 1680 + 24 * 1800 + 8 * 3600;
    expect(run.meanUtilization).toBeCloseTo(usedGiBSeconds / 7200 / 48, 12);
    expect(run.meanStrandedGiB).toBe(0);
  });

  it('bills GiB-hours by the tier each placement got, at list price, rounded once per tier', () => {
    // direct: 16 GiB × 1 h = 16 GiB·h, 0.128 USD; pooled: 16 GiB × 1740 s + 8 GiB × 7080 s = 23.47 GiB·h, 0.1173 USD.
    expect(run.revenueByTier.direct).toEqual({ gibHours: 16, amountMinor: 13 });
    expect(run.revenueByTier.pooled.gibHours).toBeCloseTo((16 * 1740 + 8 * 7080) / 3600, 9);
    expect(run.revenueByTier.pooled.amountMinor).toBe(12);
    const priced = replayOnEngine(trace, handFleet(), { policy: 'mxs', prices: { currency: 'EUR', minorDigits: 3, perGiBHour: { direct: '1', pooled: '0.5' } } });
    expect(priced.currency).toBe('EUR');
    expect(priced.revenueByTier.direct.amountMinor).toBe(16_000);
    expect(priced.revenueByTier.pooled.amountMinor).toBe(Math.round(((16 * 1740 + 8 * 7080) / 3600) * 500));
  });

  it('bills a request for tier any by the tier it got', () => {
    // first-fit takes direct-1 first (fleet order) until it is full, then the pool.
    const anyTier = parseTrace(['vm,a,t,0,3600,32', 'expansion,a,0,16,any,', 'expansion,a,0,8,any,'].join('\n'));
    const r = replayOnEngine(anyTier, handFleet(), { policy: 'first-fit' });
    expect([r.revenueByTier.direct.gibHours, r.revenueByTier.pooled.gibHours]).toEqual([16, 8]);
  });

  it('counts free space no host with room to grow can reach as stranded', () => {
    // h1 may online only 50% of its 64 GiB DRAM: once it holds 32 GiB, the rest of its 64 GiB direct-1 is stranded.
    const fleet = handFleet({ h1: { movableRatioPct: 50 }, direct: { capacityGiB: 64 } });
    const stranding = parseTrace(['vm,a,t,0,,32', 'expansion,a,0,32,direct,600', 'expansion,a,1200,16,any,'].join('\n'));
    const r = replayOnEngine(stranding, fleet, { policy: 'mxs', samples: 3 });
    expect(r.series.map((p) => [p.atSec, p.strandedGiB])).toEqual([
      [0, 32],
      [600, 0],
      [1200, 0],
    ]);
    expect(r.meanStrandedGiB).toBe((32 * 600) / 1200);
  });
});

describe('replayOnEngine on a generated trace', () => {
  const fleet = generateFleetSpec({ preset: 'small', seed: 3, vmsPerHost: 0 });
  const trace = generateTrace({ seed: 9, vms: 1200, expansionsPerVm: 4 });
  const progress: [number, number][] = [];
  const run = replayOnEngine(trace, fleet, { policy: 'mxs', onProgress: (done, total) => progress.push([done, total]) });

  it('accounts for every request once, and rejects some for want of capacity', () => {
    expect(run.requests).toBe(trace.expansions.length);
    expect(run.accepted + run.rejected).toBe(run.requests);
    expect(Object.values(run.rejectionsByReason).reduce((a, b) => a + b, 0)).toBe(run.rejected);
    expect(run.rejectionsByReason['no-capacity']).toBeGreaterThan(0);
    expect(run.vms.arrived).toBe(trace.vms.length);
  });

  it('ends with exactly the memory still held at the end of the trace in use', () => {
    const accepted = acceptedRequests(trace, fleet, 'mxs');
    expect(accepted.size).toBe(run.accepted);
    const vmOf = new Map(trace.vms.map((v) => [v.vmId, v]));
    const stillHeldGiB = trace.expansions
      .filter((x) => accepted.has(x.id))
      .filter((x) => {
        const vm = vmOf.get(x.vmId);
        return vm !== undefined && effectiveReleaseSec(x, vm) === null;
      })
      .reduce((sum, x) => sum + x.sizeGiB, 0);
    expect(run.series[run.series.length - 1]?.usedGiB).toBe(stillHeldGiB);
  });

  it('samples from 0 to the end of the trace, within capacity and under the peak', () => {
    expect(run.series).toHaveLength(DEFAULT_SAMPLES);
    expect(run.series[0]?.atSec).toBe(0);
    expect(run.series[run.series.length - 1]?.atSec).toBe(traceEndSec(trace));
    const capacityGiB = fleet.devices.reduce((sum, d) => sum + d.capacityGiB, 0);
    for (const p of run.series) {
      expect(p.usedGiB).toBeLessThanOrEqual(run.peakUsedGiB);
      expect(p.utilization).toBeCloseTo(p.usedGiB / capacityGiB, 12);
      expect(p.strandedGiB).toBeGreaterThanOrEqual(0);
    }
    expect(run.peakUsedGiB).toBeLessThanOrEqual(capacityGiB);
    expect(run.meanUtilization).toBeGreaterThan(0);
    expect(run.meanUtilization).toBeLessThan(1);
  });

  it('is the same run again (pure: no clock unless one is passed)', () => {
    expect(replayOnEngine(trace, fleet, { policy: 'mxs' })).toEqual(run);
  });

  it('reports progress in order up to the last event', () => {
    expect(progress.length).toBeGreaterThan(50);
    expect(progress.every(([done], i) => i === 0 || done > (progress[i - 1] as [number, number])[0])).toBe(true);
    const events = traceEvents(trace).length;
    expect(progress[progress.length - 1]).toEqual([events, events]);
  });

  it('refuses unknown policies, bad sample counts and bad prices with codes', () => {
    expect(() => replayOnEngine(trace, fleet, { policy: 'best' as never })).toThrow(expect.objectContaining({ code: 'unknown-policy' }));
    expect(() => replayOnEngine(trace, fleet, { policy: 'mxs', samples: 1 })).toThrow(expect.objectContaining({ code: 'invalid-replay-options' }));
    expect(() => replayOnEngine(trace, fleet, { policy: 'mxs', prices: { currency: 'usd', minorDigits: 2, perGiBHour: { direct: '1', pooled: '1' } } })).toThrow(
      expect.objectContaining({ code: 'invalid-prices' }),
    );
  });
});
