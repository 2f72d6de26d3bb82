import type { Rng } from '@mxs/topology';

/**
 * The few distributions the trace generator draws from, on a seeded `Rng`. Each documents its
 * parameters; the library README lists the values the generator uses.
 */

/** Standard normal (Box-Muller; one of the pair is dropped so each call is one draw). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal with the given median and log-space spread `sigma`: heavy right tail. */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * standardNormal(rng));
}

/** Poisson count with the given mean (Knuth's method; the means here are small). */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Geometric count >= 1 with the given mean (the number of trials to the first success). */
export function geometric(rng: Rng, mean: number): number {
  if (mean <= 1) return 1;
  const p = 1 / mean;
  return 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(1 - p));
}

/** Zipf weights 1/k for k = 1..n: a few large tenants and a long tail of small ones. */
export function zipfWeights<T>(items: readonly T[]): (readonly [T, number])[] {
  return items.map((item, i) => [item, 1 / (i + 1)]);
}

/** Picks by relative weight in O(log n) per draw: cumulative weights and a binary search. */
export class WeightedPicker<T> {
  private readonly items: T[] = [];
  private readonly cumulative: number[] = [];

  constructor(choices: readonly (readonly [T, number])[]) {
    let total = 0;
    for (const [item, weight] of choices) {
      total += weight;
      this.items.push(item);
      this.cumulative.push(total);
    }
  }

  pick(rng: Rng): T {
    const x = rng.next() * (this.cumulative[this.cumulative.length - 1] as number);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < (this.cumulative[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}
