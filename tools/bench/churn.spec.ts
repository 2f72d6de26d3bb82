/// <reference types="jest" />
import { FirstFitPolicy as NaiveFirstFit, PlacementEngine } from '@mxs/policy';
import { Fleet, generateFleetSpec } from '@mxs/topology';
import type { ChurnOptions } from './churn';
import { percentile, runChurn } from './churn';
import { RequestStream } from './request-stream';

const spec = generateFleetSpec({ preset: 'small', seed: 11 });
const options: ChurnOptions = {
  seed: 11,
  targetUtilization: 0.85,
  measuredRequests: 600,
  maxFillRequests: 10_000,
  sampleEvery: 50,
  vmCxlToDramRatioCap: 16,
};

describe('RequestStream', () => {
  it('is the same for the same seed, and sizes stay in 1..512 GiB (interleaves split evenly)', () => {
    const a = new RequestStream(Fleet.fromSpec(spec), 3);
    const b = new RequestStream(Fleet.fromSpec(spec), 3);
    for (let i = 0; i < 2000; i++) {
      const r = a.next();
      expect(b.next()).toEqual(r);
      expect(r.sizeGiB).toBeGreaterThanOrEqual(1);
      expect(r.sizeGiB).toBeLessThanOrEqual(512);
      if (r.layout === 'interleave') expect(r.sizeGiB % (r.interleaveWays ?? 0)).toBe(0);
    }
  });
});

describe('runChurn', () => {
  it.each([
    ['engine', () => new PlacementEngine()],
    ['naive first fit', () => new NaiveFirstFit()],
  ])('holds the target utilization and gives the same counts for the same seed (%s)', (_name, placer) => {
    // Every placed decision is committed with Fleet.allocate, which throws on an overlap.
    const first = runChurn(Fleet.fromSpec(spec), placer(), options);
    const again = runChurn(Fleet.fromSpec(spec), placer(), options);
    expect(again.accepted).toBe(first.accepted);
    expect(again.rejectedByReason).toEqual(first.rejectedByReason);
    expect(again.meanStrandedGiB).toBe(first.meanStrandedGiB);
    expect(first.accepted + Object.values(first.rejectedByReason).reduce((a, b) => a + b, 0)).toBe(600);
    expect(first.meanUtilization).toBeGreaterThan(0.8);
    expect(first.meanUtilization).toBeLessThan(0.9);
    expect(first.decisionUs).toHaveLength(600);
  });
});

describe('percentile', () => {
  it('is the nearest rank of a sorted array', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(new Float64Array(0), 50)).toBe(0);
  });
});
