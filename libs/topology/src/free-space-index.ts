import { TopologyError } from './errors';
import type { RunSet } from './run-sets';
import { SmallRuns, TreeRuns } from './run-sets';

/** Runs kept in a flat array up to this many, in trees past it (and from then on). */
export const SMALL_RUNS_MAX = 16;

/** A contiguous free range, in the index's units (blocks of the device's extent size). */
export interface FreeRun {
  readonly start: number;
  readonly length: number;
}

/** What may be read of a device's free space; only `Fleet` changes it. */
export interface FreeSpaceView {
  readonly capacity: number;
  readonly freeTotal: number;
  readonly usedTotal: number;
  readonly runCount: number;
  readonly largestRun: number;
  bestFit(length: number, align?: number): number | undefined;
  bestFitRun(length: number): FreeRun | undefined;
  firstFit(length: number, align?: number): number | undefined;
  isFree(start: number, length: number): boolean;
  largestRunsTotal(count: number, enough?: number): number;
  freeRuns(): IterableIterator<FreeRun>;
  runsBySizeDescending(): IterableIterator<FreeRun>;
}

/**
 * The free space of one device, as maximal free runs ordered by start (to coalesce on release)
 * and by (length, start) (best fit, largest runs). Up to SMALL_RUNS_MAX runs live in one flat
 * array (a constant bound, and one or two cache lines); past that, in two B+ trees, where
 * allocation, release and best fit cost O(log n) in the number of runs. `firstFit` walks runs
 * in address order and is O(n), for baselines only.
 */
export class FreeSpaceIndex implements FreeSpaceView {
  private runs: RunSet = new SmallRuns();
  private readonly scale: number;
  private free: number;
  // Cached because every placement filter reads it; recomputed only after the largest run goes.
  private largest = 0;
  private largestStale = false;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0 || capacity > 2 ** 26) {
      throw new TopologyError('invalid-argument', `capacity must be an integer in 1..2^26, got ${capacity}`);
    }
    this.scale = capacity + 1;
    this.free = 0;
    this.insertRun(0, capacity);
  }

  get freeTotal(): number {
    return this.free;
  }

  get usedTotal(): number {
    return this.capacity - this.free;
  }

  get runCount(): number {
    return this.runs.size;
  }

  get largestRun(): number {
    if (this.largestStale) {
      this.largest = this.runs.longest();
      this.largestStale = false;
    }
    return this.largest;
  }

  /**
   * Start of the smallest free run that holds `length` at an `align`-aligned start (lowest start
   * on ties). O(log n) for `align` 1; a larger alignment may pass over runs too short once aligned.
   */
  bestFit(length: number, align = 1): number | undefined {
    this.checkRequest(length, align);
    if (length > this.largestRun) return undefined;
    if (align === 1) return this.runs.smallestAtLeast(length)?.[0];
    for (const [runStart, runLength] of this.runs.bySizeFrom(length)) {
      const start = this.alignedStartIn(runStart, runLength, length, align);
      if (start !== undefined) return start;
    }
    return undefined;
  }

  /** The smallest free run that holds `length` (lowest start on ties), or undefined. */
  bestFitRun(length: number): FreeRun | undefined {
    this.checkRequest(length, 1);
    const run = this.runs.smallestAtLeast(length);
    return run === undefined ? undefined : { start: run[0], length: run[1] };
  }

  /** Start of the lowest-addressed free run that holds `length` aligned. O(n): for baselines. */
  firstFit(length: number, align = 1): number | undefined {
    this.checkRequest(length, align);
    for (const [runStart, runLength] of this.runs.byStart()) {
      const start = this.alignedStartIn(runStart, runLength, length, align);
      if (start !== undefined) return start;
    }
    return undefined;
  }

  isFree(start: number, length: number): boolean {
    this.checkRange(start, length);
    const run = this.runs.atOrBefore(start);
    return run !== undefined && run[0] + run[1] >= start + length;
  }

  /** Takes [start, start + length), which must be wholly free. */
  allocateAt(start: number, length: number): void {
    this.checkRange(start, length);
    const run = this.runs.atOrBefore(start);
    if (run === undefined || run[0] + run[1] < start + length) {
      throw new TopologyError('extent-not-free', `range [${start}, ${start + length}) is not wholly free`);
    }
    const [runStart, runLength] = run;
    this.deleteRun(runStart, runLength);
    if (start > runStart) this.insertRun(runStart, start - runStart);
    const runEnd = runStart + runLength;
    if (start + length < runEnd) this.insertRun(start + length, runEnd - start - length);
  }

  /** Gives [start, start + length) back, merging it with free neighbours. Refuses a double free. */
  release(start: number, length: number): void {
    this.checkRange(start, length);
    const end = start + length;
    const before = this.runs.atOrBefore(start);
    const after = this.runs.atOrAfter(start);
    if ((before !== undefined && before[0] + before[1] > start) || (after !== undefined && after[0] < end)) {
      throw new TopologyError('extent-not-allocated', `range [${start}, ${end}) overlaps free space`);
    }
    let mergedStart = start;
    let mergedEnd = end;
    if (before !== undefined && before[0] + before[1] === start) {
      this.deleteRun(before[0], before[1]);
      mergedStart = before[0];
    }
    if (after !== undefined && after[0] === end) {
      this.deleteRun(after[0], after[1]);
      mergedEnd = after[0] + after[1];
    }
    this.insertRun(mergedStart, mergedEnd - mergedStart);
  }

  /** Total of the `count` largest runs, counting no further once it reaches `enough`. */
  largestRunsTotal(count: number, enough = Number.POSITIVE_INFINITY): number {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new TopologyError('invalid-argument', `count must be a whole number >= 0, got ${count}`);
    }
    if (count === 0) return 0;
    if (this.runs.size <= count) return this.free;
    let total = 0;
    let taken = 0;
    for (const [, length] of this.runs.bySizeDescending()) {
      total += length;
      if (++taken === count || total >= enough) break;
    }
    return total;
  }

  /** Free runs in address order. */
  *freeRuns(): IterableIterator<FreeRun> {
    for (const [start, length] of this.runs.byStart()) yield { start, length };
  }

  /** Free runs from the largest down (the higher start first among equals). */
  *runsBySizeDescending(): IterableIterator<FreeRun> {
    for (const [start, length] of this.runs.bySizeDescending()) yield { start, length };
  }

  private alignedStartIn(runStart: number, runLength: number, length: number, align: number): number | undefined {
    const start = Math.ceil(runStart / align) * align;
    return start + length <= runStart + runLength ? start : undefined;
  }

  private insertRun(start: number, length: number): void {
    if (this.runs.size === SMALL_RUNS_MAX && this.runs instanceof SmallRuns) this.runs = TreeRuns.from(this.runs, this.scale);
    this.runs.insert(start, length);
    this.free += length;
    if (!this.largestStale && length > this.largest) this.largest = length;
  }

  private deleteRun(start: number, length: number): void {
    this.runs.delete(start, length);
    this.free -= length;
    if (length === this.largest) this.largestStale = true;
  }

  private checkRequest(length: number, align: number): void {
    if (!Number.isSafeInteger(length) || length <= 0) {
      throw new TopologyError('invalid-argument', `length must be a positive integer, got ${length}`);
    }
    if (!Number.isSafeInteger(align) || align <= 0) {
      throw new TopologyError('invalid-argument', `align must be a positive integer, got ${align}`);
    }
  }

  private checkRange(start: number, length: number): void {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length <= 0) {
      throw new TopologyError('invalid-argument', `range start ${start}, length ${length} is not a positive integer range`);
    }
    if (start + length > this.capacity) {
      throw new TopologyError('extent-out-of-range', `range [${start}, ${start + length}) passes capacity ${this.capacity}`);
    }
  }
}
