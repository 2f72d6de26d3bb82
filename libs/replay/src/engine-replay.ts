import type { Allocation, FleetSpec } from '@mxs/topology';
import { ReplayError } from './errors';
import { traceEvents } from './events';
import type { Hold, ListPrices, StepPoint } from './figures';
import { DEFAULT_LIST_PRICES, parsePrices, revenueByTier, timeWeightedMean } from './figures';
import type { PolicyName } from './policies';
import { createPolicy, isPolicyName } from './policies';
import type { PolicyRun, SeriesPoint } from './report';
import { ReplaySimulation } from './simulation';
import { StrandingTracker } from './stranding';
import type { Trace } from './trace';
import { traceEndSec } from './trace';

export interface EngineReplayOptions {
  readonly policy: PolicyName;
  /** Series points, first and last moment included (default 240). */
  readonly samples?: number;
  readonly prices?: ListPrices;
  /** Called every 1% of the events and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Milliseconds, for `wallSec` only; default `() => 0` keeps the replay pure (the CLI passes `performance.now`). */
  readonly clock?: () => number;
}

export const DEFAULT_SAMPLES = 240;
const MAX_SAMPLES = 100_000;

/**
 * `engine` mode: the trace replayed in-process through a policy on a simulated clock, no
 * services. Each VM is placed by the `HostLedger` (a VM it cannot place has its requests
 * rejected as `vm-unplaced`), each request by the policy and committed with `Fleet.allocate`,
 * each release given back with `Fleet.release`. The fleet starts empty: its VMs and
 * allocations are dropped, its hosts and devices kept.
 */
export function replayOnEngine(trace: Trace, fleet: FleetSpec, options: EngineReplayOptions): PolicyRun {
  if (!isPolicyName(options.policy)) throw new ReplayError('unknown-policy', `unknown policy "${String(options.policy)}"`);
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 2 || samples > MAX_SAMPLES) {
    throw new ReplayError('invalid-replay-options', `samples must be an integer in 2..${MAX_SAMPLES}, got ${samples}`);
  }
  const prices = options.prices ?? DEFAULT_LIST_PRICES;
  parsePrices(prices); // refuse bad prices before the work, not after it
  const clock = options.clock ?? (() => 0);
  const startedMs = clock();

  const sim = new ReplaySimulation(trace, fleet, createPolicy(options.policy));
  const stranding = new StrandingTracker(sim.fleet);
  const capacityGiB = sim.fleet.capacityGiB;
  const utilizationOf = (usedGiB: number) => (capacityGiB === 0 ? 0 : usedGiB / capacityGiB);
  const events = traceEvents(trace);
  const endSec = traceEndSec(trace);
  const sampleTimes = endSec === 0 ? [0] : Array.from({ length: samples }, (_, i) => (endSec * i) / (samples - 1));

  const series: SeriesPoint[] = [];
  const sample = (atSec: number) => {
    const usedGiB = sim.fleet.usedGiB;
    series.push({ atSec, usedGiB, utilization: utilizationOf(usedGiB), strandedGiB: stranding.strandedGiB });
  };
  // Exact step functions: one point after the last event of each moment.
  const usedSteps: StepPoint[] = [{ atSec: 0, value: 0 }];
  const strandedSteps: StepPoint[] = [{ atSec: 0, value: stranding.strandedGiB }];
  const holds: Hold[] = [];
  const hold = (allocation: Allocation, seconds: number) => {
    for (const e of allocation.extents) holds.push({ tier: e.device.tier, sizeGiB: e.sizeGiB, seconds });
  };
  const rejections = new Map<string, number>();
  const counts = { requests: 0, accepted: 0, arrived: 0, placed: 0 };
  let peakUsedGiB = 0;
  let nextSample = 0;
  const progressEvery = Math.max(1, Math.floor(events.length / 100));

  events.forEach((event, i) => {
    while (nextSample < sampleTimes.length && (sampleTimes[nextSample] as number) < event.atSec) sample(sampleTimes[nextSample++] as number);
    const outcome = sim.apply(event);
    switch (outcome.kind) {
      case 'arrive':
        counts.arrived++;
        if (outcome.placed) counts.placed++;
        break;
      case 'depart':
        break;
      case 'accepted':
        counts.requests++;
        counts.accepted++;
        stranding.hostChanged(outcome.allocation.vm.host);
        peakUsedGiB = Math.max(peakUsedGiB, sim.fleet.usedGiB);
        break;
      case 'rejected':
        counts.requests++;
        rejections.set(outcome.code, (rejections.get(outcome.code) ?? 0) + 1);
        break;
      case 'released':
        if (outcome.allocation !== undefined) {
          stranding.hostChanged(outcome.allocation.vm.host);
          hold(outcome.allocation, event.atSec - outcome.placedAtSec);
        }
        break;
    }
    const next = events[i + 1];
    if (next === undefined || next.atSec !== event.atSec) {
      usedSteps.push({ atSec: event.atSec, value: sim.fleet.usedGiB });
      strandedSteps.push({ atSec: event.atSec, value: stranding.strandedGiB });
    }
    if ((i + 1) % progressEvery === 0 && i + 1 < events.length) options.onProgress?.(i + 1, events.length);
  });
  while (nextSample < sampleTimes.length) sample(sampleTimes[nextSample++] as number);
  for (const held of sim.held()) hold(held.allocation, endSec - held.placedAtSec);
  options.onProgress?.(events.length, events.length);

  return {
    policy: options.policy,
    mode: 'engine',
    requests: counts.requests,
    accepted: counts.accepted,
    rejected: counts.requests - counts.accepted,
    acceptanceRate: counts.requests === 0 ? 1 : counts.accepted / counts.requests,
    rejectionsByReason: Object.fromEntries([...rejections].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    vms: { arrived: counts.arrived, placed: counts.placed, unplaced: counts.arrived - counts.placed },
    series,
    peakUsedGiB,
    meanUtilization: utilizationOf(timeWeightedMean(usedSteps, endSec)),
    meanStrandedGiB: timeWeightedMean(strandedSteps, endSec),
    timeToReadySec: null,
    revenueByTier: revenueByTier(holds, prices),
    currency: prices.currency,
    wallSec: (clock() - startedMs) / 1000,
  };
}
