import { nearestRank } from '@mxs/sla-metrics';
import type { ExpansionRequest } from '@mxs/contracts';
import { Rng } from '@mxs/topology';

/** A VM the benchmark sends requests for, with the API key of the tenant that owns it. */
export interface BenchVm {
  readonly id: string;
  readonly tenantKey: string;
}

export interface BenchRequest {
  readonly vmId: string;
  readonly tenantKey: string;
  readonly idempotencyKey: string;
  readonly body: ExpansionRequest;
}

// Modest sizes (mean about 9 GiB): a 20 s run at a few thousand placements a second must not
// fill the fleet, or the figure would be about rejections instead of placements. Whole 2 GiB
// steps, as a client that knows its hosts asks: the larger hosts online CXL memory in 2 GiB
// blocks and refuse 1 GiB pieces (422 block-size), which would measure rejections again.
const BLOCK_GIB = 2;
const SIZES_GIB: readonly (readonly [number, number])[] = [[2, 25], [4, 25], [8, 25], [16, 15], [32, 10]];
const TIERS: readonly (readonly [ExpansionRequest['tier'], number])[] = [['any', 50], ['pooled', 30], ['direct', 20]];
const LAYOUTS: readonly (readonly ['pack' | 'spread' | 'interleave', number])[] = [['pack', 60], ['spread', 25], ['interleave', 15]];
// Most callers state no bound; a few ask for one that every direct device and most pooled meet.
const LATENCY_BOUNDS_NS: readonly (readonly [number | undefined, number])[] = [[undefined, 85], [600, 10], [500, 5]];

/**
 * The benchmark's request stream: seeded, so two runs send the same requests; round-robin over
 * the VMs (in a seeded order, so neighbours in the stream sit on different racks and tenants);
 * each request with its own Idempotency-Key.
 */
export class ExpansionMix {
  private readonly rng: Rng;
  private readonly order: readonly BenchVm[];
  private count = 0;

  constructor(
    vms: readonly BenchVm[],
    seed: number,
    private readonly keyPrefix: string,
  ) {
    if (vms.length === 0) throw new Error('ExpansionMix needs at least one VM');
    this.rng = new Rng(seed);
    this.order = shuffled(vms, this.rng);
  }

  /** Requests handed out so far. */
  get sent(): number {
    return this.count;
  }

  next(): BenchRequest {
    const vm = this.order[this.count % this.order.length] as BenchVm;
    const idempotencyKey = `${this.keyPrefix}-${this.count}`;
    this.count++;
    return { vmId: vm.id, tenantKey: vm.tenantKey, idempotencyKey, body: nextBody(this.rng) };
  }
}

function nextBody(rng: Rng): ExpansionRequest {
  const layout = rng.weighted(LAYOUTS);
  const latency = rng.weighted(LATENCY_BOUNDS_NS);
  const size = rng.weighted(SIZES_GIB);
  if (layout === 'interleave') {
    // Interleaving spreads over pooled devices in equal parts, each a whole number of blocks.
    const ways = rng.pick([2, 4] as const);
    const step = ways * BLOCK_GIB;
    return { sizeGiB: Math.ceil(size / step) * step, tier: 'pooled', layout, interleaveWays: ways, ...bound(latency) };
  }
  return { sizeGiB: size, tier: rng.weighted(TIERS), layout, ...bound(latency) };
}

function bound(latencyNs: number | undefined): { maxAddedLatencyNs?: number } {
  return latencyNs === undefined ? {} : { maxAddedLatencyNs: latencyNs };
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Nearest-rank percentile of an ascending array (the benches' name for it). */
export const percentile = nearestRank;

/** Latencies of one run, in milliseconds, collected as they arrive. */
export class LatencyRecorder {
  private values = new Float64Array(1 << 14);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  summary(): { count: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
    const sorted = this.values.slice(0, this.size).sort();
    let total = 0;
    for (const v of sorted) total += v;
    return {
      count: this.size,
      p50Ms: round(percentile(sorted, 50), 2),
      p90Ms: round(percentile(sorted, 90), 2),
      p99Ms: round(percentile(sorted, 99), 2),
      maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
      meanMs: round(this.size === 0 ? 0 : total / this.size, 2),
    };
  }
}

/** The statuses the create route answers, and the rest counted apart. */
export interface StatusCounts {
  readonly '202': number;
  readonly '409': number;
  readonly '422': number;
  readonly other: Readonly<Record<string, number>>;
}

export function countStatuses(byStatus: ReadonlyMap<number, number>): StatusCounts {
  const other: Record<string, number> = {};
  for (const [status, n] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (status !== 202 && status !== 409 && status !== 422) other[String(status)] = n;
  }
  return { '202': byStatus.get(202) ?? 0, '409': byStatus.get(409) ?? 0, '422': byStatus.get(422) ?? 0, other };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
