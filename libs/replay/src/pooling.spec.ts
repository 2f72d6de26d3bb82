/// <reference types="jest" />
import { generateFleetSpec } from '@mxs/topology';
import { arrangeFleet } from './arrangement';
import { generateTrace } from './generator';
import { acceptedRequests, containsAll, poolingStudy, withTierAny } from './pooling';
import type { PoolingStudy } from './report';

const fleet = generateFleetSpec({ preset: 'small', seed: 1, vmsPerHost: 0 }); // 16 hosts, 12,288 GiB
const trace = generateTrace({ seed: 11, vms: 400 });
const progress: [number, number][] = [];
const study = poolingStudy(trace, fleet, { policy: 'mxs', onProgress: (done, total) => progress.push([done, total]) });
const anyTier = withTierAny(trace);

function figure(s: PoolingStudy, name: string) {
  const a = s.arrangements.find((x) => x.name === name);
  if (a === undefined) throw new Error(`no arrangement ${name}`);
  return a;
}

describe('poolingStudy', () => {
  it('compares direct-attached only with pools of 8 and 16 hosts on the fleet’s total capacity', () => {
    expect(study.policy).toBe('mxs');
    expect(study.baselineCapacityGiB).toBe(12_288);
    expect(study.arrangements.map((a) => [a.name, a.hostsPerPool])).toEqual([
      ['direct', null],
      ['pools-of-8', 8],
      ['pools-of-16', 16],
    ]);
    expect(study.capacityStepGiB).toBe(16);
  });

  it('finds that pools need less capacity than direct-attached memory to accept the same requests', () => {
    const direct = figure(study, 'direct');
    expect(figure(study, 'pools-of-8').capacityNeededGiB).toBeLessThan(direct.capacityNeededGiB);
    expect(figure(study, 'pools-of-16').capacityNeededGiB).toBeLessThanOrEqual(figure(study, 'pools-of-8').capacityNeededGiB);
    expect(direct.savingVsDirect).toBe(0);
    for (const a of study.arrangements) {
      expect(a.savingVsDirect).toBeCloseTo(1 - a.capacityNeededGiB / direct.capacityNeededGiB, 12);
      expect(a.acceptanceRateAtBaseline).toBeGreaterThan(0);
      expect(a.acceptanceRateAtBaseline).toBeLessThanOrEqual(1);
    }
  });

  it('targets the requests accepted with unbounded capacity, and each arrangement accepts them all there', () => {
    const unbounded = study.unboundedCapacityGiB ?? 0;
    const target = acceptedRequests(anyTier, arrangeFleet(fleet, null, unbounded), 'mxs');
    expect(target.size).toBe(study.targetAccepted);
    expect(target.size).toBeGreaterThan(0.9 * trace.expansions.length);
    for (const n of [8, 16]) expect(acceptedRequests(anyTier, arrangeFleet(fleet, n, unbounded), 'mxs')).toEqual(target);
  });

  it('reports for each arrangement a capacity that accepts every target request, where one step less does not', () => {
    const target = acceptedRequests(anyTier, arrangeFleet(fleet, null, study.unboundedCapacityGiB ?? 0), 'mxs');
    const step = study.capacityStepGiB ?? 0;
    for (const a of study.arrangements) {
      expect(a.capacityNeededGiB % step).toBe(0);
      expect(containsAll(acceptedRequests(anyTier, arrangeFleet(fleet, a.hostsPerPool, a.capacityNeededGiB), 'mxs'), target)).toBe(true);
      expect(containsAll(acceptedRequests(anyTier, arrangeFleet(fleet, a.hostsPerPool, a.capacityNeededGiB - step), 'mxs'), target)).toBe(false);
    }
  });

  it('reports progress up to its total', () => {
    expect(progress.length).toBeGreaterThan(10);
    const [done, total] = progress[progress.length - 1] as [number, number];
    expect(done).toBe(total);
    expect(progress.every(([d, t]) => d <= t)).toBe(true);
  });

  it('needs no capacity for a trace without requests, and refuses bad pool sizes', () => {
    const idle = poolingStudy({ vms: trace.vms, expansions: [] }, fleet, { policy: 'first-fit', hostsPerPool: [4] });
    expect(idle.targetAccepted).toBe(0);
    expect(idle.arrangements.map((a) => [a.name, a.capacityNeededGiB, a.acceptanceRateAtBaseline, a.savingVsDirect])).toEqual([
      ['direct', 0, 1, 0],
      ['pools-of-4', 0, 1, 0],
    ]);
    expect(() => poolingStudy(trace, fleet, { policy: 'mxs', hostsPerPool: [32] })).toThrow(expect.objectContaining({ code: 'invalid-replay-options' }));
  });
});
