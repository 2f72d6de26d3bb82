import { Rng } from '@mxs/topology';

/**
 * A heavy-tailed duration: lognormal around `medianMs` per unit (a block, a GiB, a call), and with
 * probability `tailProbability` an extra Pareto(`tailAlpha`) factor: most steps are close to the
 * median, a few take many times longer, as real hot-plug steps do.
 */
export interface DurationDistribution {
  readonly medianMs: number;
  /** Spread of the lognormal body (0 = always the median). */
  readonly sigma: number;
  readonly tailProbability: number;
  /** Pareto shape of the tail; smaller is heavier (1.5 ≈ very heavy, 3 ≈ mild). */
  readonly tailAlpha: number;
}

/** No sampled step takes longer than this many medians, so a test run cannot hang on one draw. */
const MAX_FACTOR = 200;

/** A seeded stream that counts its draws, so a saved state can resume it exactly. */
export class SimRandom {
  private readonly rng: Rng;
  private drawCount = 0;

  constructor(
    readonly seed: number,
    draws = 0,
  ) {
    this.rng = new Rng(seed);
    for (let i = 0; i < draws; i++) this.uniform();
  }

  get draws(): number {
    return this.drawCount;
  }

  /** For a host or device: its own stream, so its outcomes do not depend on other hosts' calls. */
  static forObject(seed: number, id: string): SimRandom {
    let hash = 0x811c9dc5 ^ (seed | 0);
    for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    return new SimRandom(hash >>> 0);
  }

  uniform(): number {
    this.drawCount++;
    return this.rng.next();
  }

  /** True with probability `rate` (always draws, so outcomes line up whatever the rate). */
  chance(rate: number): boolean {
    return this.uniform() < rate;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  /** Samples `units` × a heavy-tailed factor of the distribution, times `scale` (0 = instant). */
  durationMs(dist: DurationDistribution, units: number, scale: number): number {
    // Box-Muller: two uniforms, one standard normal.
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    let factor = Math.exp(dist.sigma * normal);
    const tail = this.uniform();
    if (tail < dist.tailProbability) factor *= Math.pow(1 - this.uniform(), -1 / dist.tailAlpha);
    return Math.round(dist.medianMs * units * Math.min(factor, MAX_FACTOR) * scale);
  }
}
