import type { DurationDistribution } from './random';

/** How long each kind of step takes, per unit (named in the key). */
export interface SimDurations {
  /** Fabric manager: one offer (bind the logical device or add dynamic-capacity extents). */
  readonly offerPerCall: DurationDistribution;
  /** Host: accepting offered extents. */
  readonly acceptPerCall: DurationDistribution;
  /** Host: onlining one memory block as movable. */
  readonly onlinePerBlock: DurationDistribution;
  /** Host: offlining one memory block (migrating its pages away). */
  readonly offlinePerBlock: DurationDistribution;
  /** Host: destroying an offline region. */
  readonly destroyPerCall: DurationDistribution;
  /** Guest: virtio-mem plugging one block. */
  readonly plugPerBlock: DurationDistribution;
  /** Guest: virtio-mem unplugging one block. */
  readonly unplugPerBlock: DurationDistribution;
  /** Fabric manager: taking extents back from the host, before the scrub. */
  readonly releasePerCall: DurationDistribution;
  /** Device: sanitizing (scrubbing) one GiB. */
  readonly sanitizePerGiB: DurationDistribution;
}

/** Probabilities, 0..1, of the failures real hosts show; faults force them deterministically. */
export interface SimFailureRates {
  readonly enomem: number;
  readonly ebusy: number;
  readonly unplugStopShort: number;
}

export interface SimOptions {
  readonly seed: number;
  /** Multiplies every duration: 1 = real time, 0 = every step completes within its call. */
  readonly timeScale: number;
  readonly durations: SimDurations;
  readonly failureRates: SimFailureRates;
  /** Oldest events are dropped past this many. */
  readonly eventLogLimit: number;
}

const d = (medianMs: number, sigma = 0.5, tailProbability = 0.02, tailAlpha = 1.8): DurationDistribution => ({
  medianMs,
  sigma,
  tailProbability,
  tailAlpha,
});

// Orders of magnitude from kernel and QEMU reports: onlining a 128 MiB block takes a few ms,
// offlining more (pages migrate), scrubbing runs at ~10 GB/s.
export const DEFAULT_DURATIONS: SimDurations = {
  offerPerCall: d(20),
  acceptPerCall: d(10),
  onlinePerBlock: d(2),
  offlinePerBlock: d(5, 0.8, 0.05, 1.5),
  destroyPerCall: d(10),
  plugPerBlock: d(1),
  unplugPerBlock: d(3, 0.8, 0.05, 1.5),
  releasePerCall: d(20),
  sanitizePerGiB: d(100, 0.3, 0.01, 2.5),
};

export const DEFAULT_FAILURE_RATES: SimFailureRates = { enomem: 0, ebusy: 0, unplugStopShort: 0 };

export function simOptions(partial: Partial<Omit<SimOptions, 'durations' | 'failureRates'>> & {
  durations?: Partial<SimDurations>;
  failureRates?: Partial<SimFailureRates>;
} = {}): SimOptions {
  return {
    seed: partial.seed ?? 1,
    timeScale: partial.timeScale ?? 1,
    durations: { ...DEFAULT_DURATIONS, ...partial.durations },
    failureRates: { ...DEFAULT_FAILURE_RATES, ...partial.failureRates },
    eventLogLimit: partial.eventLogLimit ?? 200_000,
  };
}
