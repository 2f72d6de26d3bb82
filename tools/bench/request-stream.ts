import type { Layout, RequestedTier } from '@mxs/policy';
import type { Fleet } from '@mxs/topology';
import { Rng } from '@mxs/topology';

/** One request of the churn stream. */
export interface StreamRequest {
  readonly id: string;
  readonly vmId: string;
  readonly sizeGiB: number;
  readonly tier: RequestedTier;
  readonly layout: Layout;
  readonly interleaveWays?: number;
  readonly maxAddedLatencyNs?: number;
}

const POWERS: readonly (readonly [number, number])[] = [
  [1, 6], [2, 6], [4, 8], [8, 10], [16, 12], [32, 14], [64, 14], [128, 12], [256, 10], [512, 8],
];
const TIERS: readonly (readonly [RequestedTier, number])[] = [['any', 50], ['pooled', 30], ['direct', 20]];
const LAYOUTS: readonly (readonly [Layout, number])[] = [['pack', 60], ['spread', 25], ['interleave', 15]];
const LATENCY_BOUNDS: readonly (readonly [number | undefined, number])[] = [[undefined, 70], [300, 10], [400, 10], [500, 10]];

/**
 * A seeded, endless stream of placement requests on a fleet's VMs: sizes 1–512 GiB (a power of
 * two, sometimes an odd size within its octave), mixed tiers, layouts and latency bounds, VMs
 * picked in proportion to their DRAM. The
 * same seed and fleet give the same stream, whatever a placer does with it.
 */
export class RequestStream {
  private readonly rng: Rng;
  private readonly vmIds: readonly string[];
  /** Running total of VM DRAM, to pick VMs in proportion to their size. */
  private readonly dramPrefixGiB: Float64Array;
  private count = 0;

  constructor(fleet: Fleet, seed: number) {
    this.rng = new Rng(seed);
    const vms = [...fleet.vms];
    this.vmIds = vms.map((vm) => vm.id);
    this.dramPrefixGiB = new Float64Array(vms.length);
    let total = 0;
    vms.forEach((vm, i) => {
      total += vm.spec.dramGiB;
      this.dramPrefixGiB[i] = total;
    });
  }

  /** Larger VMs ask for more memory: a VM is picked in proportion to its DRAM. */
  private pickVm(): string {
    const prefix = this.dramPrefixGiB;
    const x = this.rng.next() * (prefix[prefix.length - 1] ?? 0);
    let lo = 0;
    let hi = prefix.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((prefix[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.vmIds[lo] as string;
  }

  next(): StreamRequest {
    const rng = this.rng;
    const layout = rng.weighted(LAYOUTS);
    const tier = layout === 'interleave' ? 'pooled' : rng.weighted(TIERS);
    const ways = layout === 'interleave' ? rng.pick([2, 4] as const) : undefined;
    const power = rng.weighted(POWERS);
    let sizeGiB = power >= 4 && rng.next() < 0.3 ? rng.int(power / 2 + 1, power) : power;
    if (ways !== undefined) sizeGiB = Math.ceil(sizeGiB / ways) * ways;
    return {
      id: `req-${this.count++}`,
      vmId: this.pickVm(),
      sizeGiB,
      tier,
      layout,
      interleaveWays: ways,
      maxAddedLatencyNs: rng.weighted(LATENCY_BOUNDS),
    };
  }
}
