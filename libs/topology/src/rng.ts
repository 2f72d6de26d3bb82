import { TopologyError } from './errors';

/**
 * A small seeded PRNG (sfc32 seeded through splitmix32): the same seed gives the same stream on
 * every machine, which is what makes fleets, traces and simulations reproducible.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new TopologyError('invalid-argument', `seed must be a safe integer, got ${seed}`);
    }
    // Seeds past 32 bits fold their high part in, so 1 and 2^32 + 1 differ.
    const high = Math.floor(seed / 4294967296) | 0;
    let s = ((seed >>> 0) ^ Math.imul(high, 0x9e3779b1)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new TopologyError('invalid-argument', `int(${min}, ${max}) needs integers with min <= max`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new TopologyError('invalid-argument', 'pick() from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    if (choices.some(([, w]) => !(w >= 0) || !Number.isFinite(w))) {
      throw new TopologyError('invalid-argument', 'weighted() takes finite weights >= 0');
    }
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    if (!(total > 0)) throw new TopologyError('invalid-argument', 'weighted() needs a positive total weight');
    let x = this.next() * total;
    for (const [value, w] of choices) {
      x -= w;
      if (x < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [T, number])[0];
  }

  /** Exponential with the given mean; used for inter-arrival times. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A new generator whose stream depends only on this one's seed and the label. */
  fork(label: number): Rng {
    return new Rng((this.nextUint32() ^ Math.imul(label, 0x27d4eb2d)) | 0);
  }
}
