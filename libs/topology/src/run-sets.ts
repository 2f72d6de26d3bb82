import BTree from 'sorted-btree';

/** A free run as [start, length]. */
export type RunPair = readonly [number, number];

/**
 * A device's free runs, ordered by start and by (length, start). `FreeSpaceIndex` builds on
 * these few operations; the two implementations trade constant factors against growth.
 */
export interface RunSet {
  readonly size: number;
  /** The run starting at or before `start`. */
  atOrBefore(start: number): RunPair | undefined;
  /** The run starting at or after `start`. */
  atOrAfter(start: number): RunPair | undefined;
  insert(start: number, length: number): void;
  delete(start: number, length: number): void;
  /** The longest run's length, 0 when there is none. */
  longest(): number;
  /** The smallest run of at least `length`, lowest start among equals. */
  smallestAtLeast(length: number): RunPair | undefined;
  /** Runs of at least `length`, smallest first, lowest start among equals. */
  bySizeFrom(length: number): Iterable<RunPair>;
  byStart(): Iterable<RunPair>;
  /** From the longest down, the higher start first among equals. */
  bySizeDescending(): Iterable<RunPair>;
}

/**
 * Up to a handful of runs in one flat array sorted by start: every operation is a short scan
 * over one or two cache lines, which beats two trees for the few runs most devices have.
 */
export class SmallRuns implements RunSet {
  // [start0, length0, start1, length1, ...], by start.
  private readonly pairs: number[] = [];

  get size(): number {
    return this.pairs.length / 2;
  }

  atOrBefore(start: number): RunPair | undefined {
    const p = this.pairs;
    for (let i = p.length - 2; i >= 0; i -= 2) if ((p[i] as number) <= start) return [p[i] as number, p[i + 1] as number];
    return undefined;
  }

  atOrAfter(start: number): RunPair | undefined {
    const p = this.pairs;
    for (let i = 0; i < p.length; i += 2) if ((p[i] as number) >= start) return [p[i] as number, p[i + 1] as number];
    return undefined;
  }

  insert(start: number, length: number): void {
    const p = this.pairs;
    let i = 0;
    while (i < p.length && (p[i] as number) < start) i += 2;
    p.splice(i, 0, start, length);
  }

  delete(start: number): void {
    const p = this.pairs;
    for (let i = 0; i < p.length; i += 2) {
      if (p[i] === start) {
        p.splice(i, 2);
        return;
      }
    }
  }

  longest(): number {
    let max = 0;
    for (let i = 1; i < this.pairs.length; i += 2) max = Math.max(max, this.pairs[i] as number);
    return max;
  }

  smallestAtLeast(length: number): RunPair | undefined {
    const p = this.pairs;
    let best = -1;
    for (let i = 0; i < p.length; i += 2) {
      const l = p[i + 1] as number;
      if (l >= length && (best < 0 || l < (p[best + 1] as number))) best = i;
    }
    return best < 0 ? undefined : [p[best] as number, p[best + 1] as number];
  }

  bySizeFrom(length: number): RunPair[] {
    return this.pairsList()
      .filter(([, l]) => l >= length)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  }

  byStart(): RunPair[] {
    return this.pairsList();
  }

  bySizeDescending(): RunPair[] {
    return this.pairsList().sort((a, b) => b[1] - a[1] || b[0] - a[0]);
  }

  private pairsList(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.pairs.length; i += 2) out.push([this.pairs[i] as number, this.pairs[i + 1] as number]);
    return out;
  }
}

/** Any number of runs in two B+ trees: O(log n) for every operation. */
export class TreeRuns implements RunSet {
  private readonly starts = new BTree<number, number>();
  // Key = length * scale + start: one number orders by length, then start, with no comparator.
  private readonly sizes = new BTree<number, true>();

  constructor(private readonly scale: number) {}

  static from(runs: RunSet, scale: number): TreeRuns {
    const tree = new TreeRuns(scale);
    for (const [start, length] of runs.byStart()) tree.insert(start, length);
    return tree;
  }

  get size(): number {
    return this.starts.size;
  }

  atOrBefore(start: number): RunPair | undefined {
    return this.starts.getPairOrNextLower(start);
  }

  atOrAfter(start: number): RunPair | undefined {
    return this.starts.getPairOrNextHigher(start);
  }

  insert(start: number, length: number): void {
    this.starts.set(start, length);
    this.sizes.set(length * this.scale + start, true);
  }

  delete(start: number, length: number): void {
    this.starts.delete(start);
    this.sizes.delete(length * this.scale + start);
  }

  longest(): number {
    const key = this.sizes.maxKey();
    return key === undefined ? 0 : Math.floor(key / this.scale);
  }

  smallestAtLeast(length: number): RunPair | undefined {
    const key = this.sizes.getPairOrNextHigher(length * this.scale)?.[0];
    return key === undefined ? undefined : this.pairOf(key);
  }

  *bySizeFrom(length: number): IterableIterator<RunPair> {
    for (const key of this.sizes.keys(length * this.scale)) yield this.pairOf(key);
  }

  byStart(): IterableIterator<RunPair> {
    return this.starts.entries();
  }

  *bySizeDescending(): IterableIterator<RunPair> {
    for (const [key] of this.sizes.entriesReversed()) yield this.pairOf(key);
  }

  private pairOf(key: number): RunPair {
    return [key % this.scale, Math.floor(key / this.scale)];
  }
}
