import type { Tier } from '@mxs/topology';

/**
 * What a replay found, as operators read it: printed as a table, written as JSON
 * (`mxs-replay-report/1`) and drawn as an HTML page. Engine and stack mode fill the same shape;
 * only stack mode measures time to ready.
 */
export const REPORT_FORMAT = 'mxs-replay-report/1';

export type ReplayMode = 'engine' | 'stack';

/** Fleet state at one moment of the replay's clock. */
export interface SeriesPoint {
  readonly atSec: number;
  readonly usedGiB: number;
  /** Used over all CXL capacity. */
  readonly utilization: number;
  /** Free GiB no host with room to grow can reach (`@mxs/sla-metrics` rules). */
  readonly strandedGiB: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface TierRevenue {
  /** GiB × hours the accepted expansions of this tier held, to the second. */
  readonly gibHours: number;
  /** At the report's list price, in minor units, rounded once. */
  readonly amountMinor: number;
}

/** One policy's replay of the trace. */
export interface PolicyRun {
  readonly policy: string;
  readonly mode: ReplayMode;
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  /** accepted / requests; 1 for a trace without requests. */
  readonly acceptanceRate: number;
  /** Rejection code (the engine's or the API's) → count. */
  readonly rejectionsByReason: Readonly<Record<string, number>>;
  readonly vms: { readonly arrived: number; readonly placed: number; readonly unplaced: number };
  /** Sampled on the replay clock, first and last moment included. */
  readonly series: readonly SeriesPoint[];
  readonly peakUsedGiB: number;
  /** Time-weighted mean utilization over the trace. */
  readonly meanUtilization: number;
  /** Time-weighted mean stranded GiB over the trace. */
  readonly meanStrandedGiB: number;
  /** Seconds from request to `active` (stack mode only; `null` in engine mode). */
  readonly timeToReadySec: Percentiles | null;
  readonly revenueByTier: Readonly<Record<Tier, TierRevenue>>;
  readonly currency: string;
  /** Wall-clock seconds the replay took. */
  readonly wallSec: number;
}

/** One CXL arrangement of the pooling study. */
export interface PoolingArrangement {
  readonly name: string;
  /** Hosts sharing one pool; `null` for direct-attached only. */
  readonly hostsPerPool: number | null;
  /** Acceptance with the baseline capacity. */
  readonly acceptanceRateAtBaseline: number;
  /** The least total CXL capacity (GiB) at which it accepts all `targetAccepted` requests. */
  readonly capacityNeededGiB: number;
  /** 1 − needed / direct's needed: what pooling saves over direct-attached only. */
  readonly savingVsDirect: number;
}

/**
 * The same trace on the same total CXL capacity arranged three ways: direct-attached only,
 * pools of 8 hosts, pools of 16 hosts (Pond's comparison for Azure).
 */
export interface PoolingStudy {
  readonly policy: string;
  readonly baselineCapacityGiB: number;
  /** Requests to accept: those accepted when capacity is unbounded (the rest fail for reasons capacity cannot fix). */
  readonly targetAccepted: number;
  /**
   * The search's granularity: one extent block per host (optional so reports written before it
   * still read). Each `capacityNeededGiB` accepts every target; that less one step does not.
   */
  readonly capacityStepGiB?: number;
  /** The capacity taken as unbounded when finding the target (optional, as above). */
  readonly unboundedCapacityGiB?: number;
  readonly arrangements: readonly PoolingArrangement[];
}

export interface ReplayReport {
  readonly format: typeof REPORT_FORMAT;
  readonly generatedAt: string;
  readonly trace: { readonly source: string; readonly vms: number; readonly expansions: number; readonly durationSec: number };
  readonly fleet: { readonly name: string; readonly hosts: number; readonly devices: number; readonly capacityGiB: number };
  readonly runs: readonly PolicyRun[];
  readonly pooling: PoolingStudy | null;
}
