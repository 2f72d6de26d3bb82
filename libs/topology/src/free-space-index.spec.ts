/// <reference types="jest" />
import fc from 'fast-check';
import { BlockModel } from './__fixtures__/block-model';
import { errorCodeOf } from './__fixtures__/topology-error';
import type { FreeRun } from './free-space-index';
import { FreeSpaceIndex, SMALL_RUNS_MAX } from './free-space-index';

interface LiveExtent {
  readonly start: number;
  readonly length: number;
  readonly align: number;
}

type Step =
  | { readonly kind: 'bestFit'; readonly length: number; readonly align: number }
  | { readonly kind: 'firstFit'; readonly length: number; readonly align: number }
  | { readonly kind: 'allocateAt'; readonly start: number; readonly length: number }
  | { readonly kind: 'allocateInRun'; readonly pick: number; readonly offset: number; readonly length: number }
  | { readonly kind: 'release'; readonly pick: number }
  | { readonly kind: 'releaseFree'; readonly start: number; readonly length: number };

const length = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 48 }));
const align = fc.constantFrom(1, 1, 2, 3, 4, 8);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('bestFit' as const), length, align }),
  fc.record({ kind: fc.constant('firstFit' as const), length, align }),
  fc.record({ kind: fc.constant('allocateAt' as const), start: fc.integer({ min: 0, max: 100 }), length }),
  fc.record({ kind: fc.constant('allocateInRun' as const), pick: fc.nat(), offset: fc.nat(), length }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('releaseFree' as const), start: fc.integer({ min: 0, max: 100 }), length }),
);

function runsOf(index: FreeSpaceIndex): FreeRun[] {
  return [...index.freeRuns()];
}

const byStart = (a: FreeRun, b: FreeRun): number => a.start - b.start;

/** What the index reports about itself, in the shape the model can predict. */
function observed(index: FreeSpaceIndex) {
  const runs = runsOf(index);
  return {
    runs,
    freeTotal: index.freeTotal,
    runCount: index.runCount,
    largestRun: index.largestRun,
    runsBySize: [...index.runsBySizeDescending()],
    largestRunsTotals: [...runs, undefined].map((_, i) => index.largestRunsTotal(i + 1)),
  };
}

function predicted(model: BlockModel): ReturnType<typeof observed> {
  const runs = model.runs();
  return {
    runs,
    freeTotal: model.freeTotal,
    runCount: runs.length,
    largestRun: model.largestRun(),
    // Largest first; among equals the higher start first (as documented).
    runsBySize: [...runs].sort((a, b) => b.length - a.length || b.start - a.start),
    largestRunsTotals: [...runs, undefined].map((_, i) => model.largestRunsTotal(i + 1)),
  };
}

/** Invariants that need no model: each broken one is named, so a failure says which. */
function violations(index: FreeSpaceIndex, live: readonly LiveExtent[]): string[] {
  const found: string[] = [];
  const runs = runsOf(index);
  runs.forEach((run, i) => {
    const next = runs[i + 1];
    if (run.length <= 0) found.push(`empty run at ${run.start}`);
    if (next !== undefined && run.start + run.length >= next.start) found.push(`runs at ${run.start} and ${next.start} touch: not coalesced`);
  });
  const sorted = [...live].sort(byStart);
  sorted.forEach((extent, i) => {
    const next = sorted[i + 1];
    if (extent.start < 0 || extent.start + extent.length > index.capacity) found.push(`extent at ${extent.start} passes the capacity`);
    if (extent.start % extent.align !== 0) found.push(`extent at ${extent.start} not aligned to ${extent.align}`);
    if (next !== undefined && extent.start + extent.length > next.start) found.push(`extents at ${extent.start} and ${next.start} overlap`);
  });
  const liveTotal = live.reduce((sum, e) => sum + e.length, 0);
  if (index.freeTotal + liveTotal !== index.capacity) found.push(`free ${index.freeTotal} + live ${liveTotal} != capacity ${index.capacity}`);
  if (index.usedTotal !== liveTotal) found.push(`usedTotal ${index.usedTotal} != live ${liveTotal}`);
  // With a threshold it may stop early, but only once it has counted `enough`.
  for (let count = 1; count <= runs.length; count++) {
    const top = index.largestRunsTotal(count);
    const enough = Math.floor(top / 2) + 1;
    const partial = index.largestRunsTotal(count, enough);
    if (top < enough ? partial !== top : partial < enough || partial > top) {
      found.push(`largestRunsTotal(${count}, ${enough}) = ${partial} with the full total ${top}`);
    }
  }
  return found;
}

/** Every invariant of the index, checked against the model and the extents we hold. */
function expectConsistent(index: FreeSpaceIndex, model: BlockModel, live: readonly LiveExtent[]): void {
  expect(violations(index, live)).toEqual([]);
  expect(observed(index)).toEqual(predicted(model));
}

/** Runs one step on both the index and the model, checking every answer the index gives. */
function apply(index: FreeSpaceIndex, model: BlockModel, live: LiveExtent[], s: Step): void {
  const take = (start: number, blocks: number, alignment: number): void => {
    expect(model.isFree(start, blocks)).toBe(true);
    index.allocateAt(start, blocks);
    model.take(start, blocks);
    live.push({ start, length: blocks, align: alignment });
  };
  switch (s.kind) {
    case 'bestFit': {
      const start = index.bestFit(s.length, s.align);
      expect(start).toBe(model.bestFit(s.length, s.align));
      expect(index.bestFitRun(s.length)).toEqual(model.bestFitRun(s.length));
      if (start !== undefined) take(start, s.length, s.align);
      break;
    }
    case 'firstFit': {
      const start = index.firstFit(s.length, s.align);
      expect(start).toBe(model.firstFit(s.length, s.align));
      if (start !== undefined) take(start, s.length, s.align);
      break;
    }
    case 'allocateAt': {
      if (s.start + s.length > index.capacity) {
        expect(errorCodeOf(() => index.allocateAt(s.start, s.length))).toBe('extent-out-of-range');
      } else if (!model.isFree(s.start, s.length)) {
        expect(index.isFree(s.start, s.length)).toBe(false);
        expect(errorCodeOf(() => index.allocateAt(s.start, s.length))).toBe('extent-not-free');
      } else {
        expect(index.isFree(s.start, s.length)).toBe(true);
        take(s.start, s.length, 1);
      }
      break;
    }
    case 'allocateInRun': {
      const runs = model.runs();
      const run = runs[s.pick % Math.max(1, runs.length)];
      if (run === undefined) break;
      const start = run.start + (s.offset % run.length);
      take(start, Math.min(s.length, run.start + run.length - start), 1);
      break;
    }
    case 'release': {
      const [extent] = live.splice(s.pick % Math.max(1, live.length), 1);
      if (extent === undefined) break;
      index.release(extent.start, extent.length);
      model.give(extent.start, extent.length);
      break;
    }
    case 'releaseFree': {
      const before = runsOf(index);
      if (s.start + s.length > index.capacity) {
        expect(errorCodeOf(() => index.release(s.start, s.length))).toBe('extent-out-of-range');
      } else if (model.hasFreeIn(s.start, s.length)) {
        expect(errorCodeOf(() => index.release(s.start, s.length))).toBe('extent-not-allocated');
      }
      expect(runsOf(index)).toEqual(before);
      break;
    }
  }
}

describe('FreeSpaceIndex', () => {
  describe('against a block-per-block model', () => {
    it('keeps every invariant through random allocate and release sequences', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 96 }), fc.array(step, { maxLength: 60, size: 'max' }), fc.nat(), (capacity, steps, releaseSeed) => {
          const index = new FreeSpaceIndex(capacity);
          const model = new BlockModel(capacity);
          const live: LiveExtent[] = [];
          expectConsistent(index, model, live);
          for (const s of steps) {
            apply(index, model, live, s);
            expectConsistent(index, model, live);
          }
          // Giving everything back, in a scrambled order, leaves one run over the whole device.
          let k = releaseSeed;
          while (live.length > 0) {
            k = (k * 31 + 7) % 1_000_003;
            apply(index, model, live, { kind: 'release', pick: k });
            expectConsistent(index, model, live);
          }
          expect(runsOf(index)).toEqual([{ start: 0, length: capacity }]);
          expect(index.freeTotal).toBe(capacity);
          expect(index.largestRun).toBe(capacity);
        }),
        { numRuns: 200 },
      );
    });

    it('keeps every invariant past SMALL_RUNS_MAX runs, where the runs move to trees', () => {
      fc.assert(
        fc.property(fc.integer({ min: 4 * SMALL_RUNS_MAX, max: 256 }), fc.array(step, { maxLength: 60, size: 'max' }), (capacity, steps) => {
          const index = new FreeSpaceIndex(capacity);
          const model = new BlockModel(capacity);
          const live: LiveExtent[] = [];
          // Every other block taken: many more free runs than the flat array holds.
          for (let b = 1; b < 2 * SMALL_RUNS_MAX + 6; b += 2) apply(index, model, live, { kind: 'allocateAt', start: b, length: 1 });
          expect(index.runCount).toBeGreaterThan(SMALL_RUNS_MAX);
          expectConsistent(index, model, live);
          for (const s of steps) {
            apply(index, model, live, s);
            expectConsistent(index, model, live);
          }
        }),
        { numRuns: 100 },
      );
    });

    it('answers isFree like the model for any in-range request', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 64 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 16 })), { maxLength: 12 }),
          fc.nat(),
          fc.integer({ min: 1, max: 64 }),
          (capacity, takes, start, blocks) => {
            const index = new FreeSpaceIndex(capacity);
            const model = new BlockModel(capacity);
            for (const [at, size] of takes) {
              const s = at % capacity;
              const n = Math.min(size, capacity - s);
              if (model.isFree(s, n)) {
                index.allocateAt(s, n);
                model.take(s, n);
              }
            }
            const s = start % capacity;
            const n = Math.min(blocks, capacity - s);
            expect(index.isFree(s, n)).toBe(model.isFree(s, n));
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('allocation at the edges', () => {
    it('fits a request of exactly the free space, then has nothing left', () => {
      const index = new FreeSpaceIndex(10);
      index.allocateAt(0, 3);
      expect(index.bestFit(7)).toBe(3);
      expect(index.bestFit(8)).toBeUndefined();
      expect(index.firstFit(7)).toBe(3);
      index.allocateAt(3, 7);
      expect(index.freeTotal).toBe(0);
      expect(index.usedTotal).toBe(10);
      expect(index.runCount).toBe(0);
      expect(index.largestRun).toBe(0);
      expect(runsOf(index)).toEqual([]);
      expect([...index.runsBySizeDescending()]).toEqual([]);
      expect(index.largestRunsTotal(3)).toBe(0);
    });

    it('finds no fit on a full device', () => {
      const index = new FreeSpaceIndex(4);
      index.allocateAt(0, 4);
      expect(index.bestFit(1)).toBeUndefined();
      expect(index.bestFitRun(1)).toBeUndefined();
      expect(index.firstFit(1)).toBeUndefined();
      expect(index.isFree(0, 1)).toBe(false);
    });

    it('prefers the smallest fitting run, then the lowest start, and honours alignment', () => {
      const index = new FreeSpaceIndex(32);
      // Free runs left: [1, 4) (3 blocks), [8, 16) (8 blocks), [20, 23) (3 blocks), [24, 32) (8 blocks).
      index.allocateAt(0, 1);
      index.allocateAt(4, 4);
      index.allocateAt(16, 4);
      index.allocateAt(23, 1);
      expect(index.bestFit(3)).toBe(1);
      expect(index.bestFit(2, 2)).toBe(2);
      expect(index.bestFit(3, 2)).toBe(20); // [1, 4) has no even start with 3 blocks after it; [20, 23) has
      expect(index.bestFit(3, 8)).toBe(8); // neither 3-block run has a multiple of 8 inside
      expect(index.bestFit(8, 8)).toBe(8);
      expect(index.bestFit(5, 12)).toBe(24);
      expect(index.bestFit(5, 16)).toBeUndefined(); // 16 + 5 > 16 and 32 + 5 > 32
      expect(index.bestFit(9)).toBeUndefined();
      expect(index.firstFit(3)).toBe(1);
      expect(index.firstFit(3, 2)).toBe(8);
      expect(index.firstFit(2, 4)).toBe(8);
      expect(index.firstFit(8, 16)).toBeUndefined();
      expect(index.bestFitRun(4)).toEqual({ start: 8, length: 8 });
    });

    it('coalesces a released extent with both free neighbours', () => {
      const index = new FreeSpaceIndex(12);
      index.allocateAt(0, 12);
      index.release(0, 4);
      index.release(8, 4);
      expect(runsOf(index)).toEqual([
        { start: 0, length: 4 },
        { start: 8, length: 4 },
      ]);
      index.release(4, 4);
      expect(runsOf(index)).toEqual([{ start: 0, length: 12 }]);
      expect(index.largestRun).toBe(12);
    });

    it('accepts the largest capacity it allows', () => {
      const index = new FreeSpaceIndex(2 ** 26);
      index.allocateAt(2 ** 26 - 1, 1);
      expect(index.bestFit(2 ** 26 - 1)).toBe(0);
      expect(index.runsBySizeDescending().next().value).toEqual({ start: 0, length: 2 ** 26 - 1 });
    });
  });

  describe('refusals', () => {
    it('refuses a double free with extent-not-allocated', () => {
      const index = new FreeSpaceIndex(16);
      expect(errorCodeOf(() => index.release(0, 4))).toBe('extent-not-allocated');
      index.allocateAt(4, 4);
      index.release(4, 4);
      expect(errorCodeOf(() => index.release(4, 4))).toBe('extent-not-allocated');
      // Partly free is refused too, and changes nothing.
      index.allocateAt(4, 4);
      expect(errorCodeOf(() => index.release(2, 4))).toBe('extent-not-allocated');
      expect(errorCodeOf(() => index.release(6, 4))).toBe('extent-not-allocated');
      expect(runsOf(index)).toEqual([
        { start: 0, length: 4 },
        { start: 8, length: 8 },
      ]);
    });

    it('refuses allocateAt on a range that is not wholly free with extent-not-free', () => {
      const index = new FreeSpaceIndex(16);
      index.allocateAt(4, 4);
      expect(errorCodeOf(() => index.allocateAt(4, 4))).toBe('extent-not-free');
      expect(errorCodeOf(() => index.allocateAt(2, 4))).toBe('extent-not-free');
      expect(errorCodeOf(() => index.allocateAt(7, 1))).toBe('extent-not-free');
      expect(errorCodeOf(() => index.allocateAt(0, 16))).toBe('extent-not-free');
      expect(index.usedTotal).toBe(4);
    });

    it('refuses ranges past the capacity with extent-out-of-range', () => {
      const index = new FreeSpaceIndex(10);
      expect(errorCodeOf(() => index.allocateAt(8, 3))).toBe('extent-out-of-range');
      expect(errorCodeOf(() => index.allocateAt(10, 1))).toBe('extent-out-of-range');
      expect(errorCodeOf(() => index.release(9, 2))).toBe('extent-out-of-range');
      expect(errorCodeOf(() => index.isFree(0, 11))).toBe('extent-out-of-range');
      expect(index.freeTotal).toBe(10);
    });

    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 26 + 1])('refuses capacity %p with invalid-argument', (capacity) => {
      expect(errorCodeOf(() => new FreeSpaceIndex(capacity))).toBe('invalid-argument');
    });

    it('refuses malformed requests and ranges with invalid-argument', () => {
      const index = new FreeSpaceIndex(10);
      const calls: (() => unknown)[] = [
        () => index.bestFit(0),
        () => index.bestFit(-2),
        () => index.bestFit(1.5),
        () => index.bestFit(2, 0),
        () => index.bestFit(2, 1.5),
        () => index.bestFitRun(0),
        () => index.firstFit(Number.NaN),
        () => index.firstFit(1, -4),
        () => index.allocateAt(-1, 2),
        () => index.allocateAt(0, 0),
        () => index.allocateAt(0.5, 2),
        () => index.release(Number.NaN, 1),
        () => index.release(1, -1),
        () => index.isFree(0, 0),
      ];
      for (const call of calls) expect(errorCodeOf(call)).toBe('invalid-argument');
      expect(runsOf(index)).toEqual([{ start: 0, length: 10 }]);
    });
  });

  describe('largest runs', () => {
    it('lists runs from the largest down, the higher start first among equals', () => {
      const index = new FreeSpaceIndex(12);
      // Free runs left: [2, 4), [6, 8) and [10, 12), all 2 blocks long; [0, 1) 1 block.
      index.allocateAt(1, 1);
      index.allocateAt(4, 2);
      index.allocateAt(8, 2);
      expect([...index.runsBySizeDescending()]).toEqual([
        { start: 10, length: 2 },
        { start: 6, length: 2 },
        { start: 2, length: 2 },
        { start: 0, length: 1 },
      ]);
    });

    it('totals the largest runs, stopping once it has enough', () => {
      const index = new FreeSpaceIndex(20);
      // Free runs left: [0, 6), [7, 10), [11, 20): 6, 3 and 9 blocks.
      index.allocateAt(6, 1);
      index.allocateAt(10, 1);
      expect(index.largestRunsTotal(1)).toBe(9);
      expect(index.largestRunsTotal(2)).toBe(15);
      expect(index.largestRunsTotal(3)).toBe(18);
      expect(index.largestRunsTotal(10)).toBe(18);
      expect(index.largestRunsTotal(2, 10)).toBe(15);
      expect(index.largestRunsTotal(2, 9)).toBe(9);
    });

    it('totals zero runs as zero', () => {
      const index = new FreeSpaceIndex(20);
      index.allocateAt(6, 1);
      expect(index.largestRunsTotal(0)).toBe(0);
    });
  });
});
