import BTree from 'sorted-btree';
import { TopologyError } from './errors';

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
 * The free space of one device, as maximal free runs kept twice: by start (to coalesce on
 * release) and by (length, start) (best fit, largest runs). Allocation, release and best-fit
 * cost O(log n) in the number of runs; `firstFit` walks runs in address order and is O(n), for
 * baselines only.
 */
export class FreeSpaceIndex implements FreeSpaceView {
  private readonly byStart = new BTree<number, number>();
  // Key = length * scale + start: one number orders by length, then start, with no comparator.
  private readonly bySize = new BTree<number, true>();
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
    return this.byStart.size;
  }

  get largestRun(): number {
    if (this.largestStale) {
      const key = this.bySize.maxKey();
      this.largest = key === undefined ? 0 : Math.floor(key / this.scale);
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
    for (const key of this.bySize.keys(length * this.scale)) {
      const start = this.alignedStartIn(key % this.scale, Math.floor(key / this.scale), length, align);
      if (start !== undefined) return start;
    }
    return undefined;
  }

  /** The smallest free run that holds `length` (lowest start on ties), or undefined. */
  bestFitRun(length: number): FreeRun | undefined {
    this.checkRequest(length, 1);
    const key = this.bySize.getPairOrNextHigher(length * this.scale)?.[0];
    return key === undefined ? undefined : { start: key % this.scale, length: Math.floor(key / this.scale) };
  }

  /** Start of the lowest-addressed free run that holds `length` aligned. O(n): for baselines. */
  firstFit(length: number, align = 1): number | undefined {
    this.checkRequest(length, align);
    for (const [runStart, runLength] of this.byStart.entries()) {
      const start = this.alignedStartIn(runStart, runLength, length, align);
      if (start !== undefined) return start;
    }
    return undefined;
  }

  isFree(start: number, length: number): boolean {
    this.checkRange(start, length);
    const run = this.byStart.getPairOrNextLower(start);
    return run !== undefined && run[0] + run[1] >= start + length;
  }

  /** Takes [start, start + length), which must be wholly free. */
  allocateAt(start: number, length: number): void {
    this.checkRange(start, length);
    const run = this.byStart.getPairOrNextLower(start);
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
    const before = this.byStart.getPairOrNextLower(start);
    const after = this.byStart.getPairOrNextHigher(start);
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
    if (this.byStart.size <= count) return this.free;
    let total = 0;
    let taken = 0;
    for (const [key] of this.bySize.entriesReversed()) {
      total += Math.floor(key / this.scale);
      if (++taken === count || total >= enough) break;
    }
    return total;
  }

  /** Free runs in address order. */
  *freeRuns(): IterableIterator<FreeRun> {
    for (const [start, length] of this.byStart.entries()) yield { start, length };
  }

  /** Free runs from the largest down (the higher start first among equals). */
  *runsBySizeDescending(): IterableIterator<FreeRun> {
    for (const [key] of this.bySize.entriesReversed()) {
      yield { start: key % this.scale, length: Math.floor(key / this.scale) };
    }
  }

  private alignedStartIn(runStart: number, runLength: number, length: number, align: number): number | undefined {
    const start = Math.ceil(runStart / align) * align;
    return start + length <= runStart + runLength ? start : undefined;
  }

  private insertRun(start: number, length: number): void {
    this.byStart.set(start, length);
    this.bySize.set(length * this.scale + start, true);
    this.free += length;
    if (!this.largestStale && length > this.largest) this.largest = length;
  }

  private deleteRun(start: number, length: number): void {
    this.byStart.delete(start);
    this.bySize.delete(length * this.scale + start);
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
