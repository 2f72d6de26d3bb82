import type { FreeRun } from '../free-space-index';

/**
 * The obvious model of a device's free space, one boolean per block, used to check
 * `FreeSpaceIndex` and `Fleet` against something too simple to be wrong.
 */
export class BlockModel {
  private readonly used: boolean[];

  constructor(readonly capacity: number) {
    this.used = new Array<boolean>(capacity).fill(false);
  }

  clone(): BlockModel {
    const copy = new BlockModel(this.capacity);
    this.used.forEach((u, i) => (copy.used[i] = u));
    return copy;
  }

  get usedTotal(): number {
    return this.used.filter((u) => u).length;
  }

  get freeTotal(): number {
    return this.capacity - this.usedTotal;
  }

  /** True when every block of [start, start + length) is inside the device and free. */
  isFree(start: number, length: number): boolean {
    if (start < 0 || start + length > this.capacity) return false;
    for (let i = start; i < start + length; i++) if (this.used[i] === true) return false;
    return true;
  }

  /** True when some block of [start, start + length) is free. */
  hasFreeIn(start: number, length: number): boolean {
    for (let i = start; i < start + length; i++) if (this.used[i] === false) return true;
    return false;
  }

  take(start: number, length: number): void {
    if (!this.isFree(start, length)) throw new Error(`model: [${start}, ${start + length}) is not free`);
    for (let i = start; i < start + length; i++) this.used[i] = true;
  }

  give(start: number, length: number): void {
    for (let i = start; i < start + length; i++) {
      if (this.used[i] !== true) throw new Error(`model: block ${i} is not taken`);
      this.used[i] = false;
    }
  }

  /** Maximal free runs in address order. */
  runs(): FreeRun[] {
    const runs: FreeRun[] = [];
    let start = -1;
    for (let i = 0; i <= this.capacity; i++) {
      const free = i < this.capacity && this.used[i] === false;
      if (free && start < 0) start = i;
      if (!free && start >= 0) {
        runs.push({ start, length: i - start });
        start = -1;
      }
    }
    return runs;
  }

  largestRun(): number {
    return this.runs().reduce((max, run) => Math.max(max, run.length), 0);
  }

  /** Smallest run holding `length` at an aligned start (lowest start on ties): the aligned start. */
  bestFit(length: number, align: number): number | undefined {
    let best: FreeRun | undefined;
    let bestStart: number | undefined;
    for (const run of this.runs()) {
      const start = Math.ceil(run.start / align) * align;
      if (start + length > run.start + run.length) continue;
      if (best === undefined || run.length < best.length) {
        best = run;
        bestStart = start;
      }
    }
    return bestStart;
  }

  /** Lowest aligned address where `length` free blocks start, by brute force. */
  firstFit(length: number, align: number): number | undefined {
    for (let start = 0; start + length <= this.capacity; start += align) {
      if (this.isFree(start, length)) return start;
    }
    return undefined;
  }

  /** Smallest run of at least `length` blocks (lowest start on ties). */
  bestFitRun(length: number): FreeRun | undefined {
    let best: FreeRun | undefined;
    for (const run of this.runs()) {
      if (run.length >= length && (best === undefined || run.length < best.length)) best = run;
    }
    return best;
  }

  /** Sum of the `count` largest runs. */
  largestRunsTotal(count: number): number {
    return this.runs()
      .map((run) => run.length)
      .sort((a, b) => b - a)
      .slice(0, count)
      .reduce((sum, length) => sum + length, 0);
  }
}
