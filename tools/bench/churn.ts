import type { PlacementDecision, PlacementRequest, RejectionCode } from '@mxs/policy';
import { fleetUtilization, nearestRank, strandedGiB } from '@mxs/sla-metrics';
import type { Fleet } from '@mxs/topology';
import { Rng } from '@mxs/topology';
import type { StreamRequest } from './request-stream';
import { RequestStream } from './request-stream';

export interface Placer {
  place(fleet: Fleet, request: PlacementRequest): PlacementDecision;
}

export interface ChurnOptions {
  readonly seed: number;
  /** Utilization the churn holds: above it, live allocations are released before each request. */
  readonly targetUtilization: number;
  /** Requests measured once the fleet has first reached the target. */
  readonly measuredRequests: number;
  /** Give up filling after this many requests (a fleet that cannot reach the target). */
  readonly maxFillRequests: number;
  /** Take a stranding and utilization sample every this many measured requests. */
  readonly sampleEvery: number;
  readonly vmCxlToDramRatioCap: number;
}

export interface ChurnResult {
  readonly decisions: number;
  readonly accepted: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Time of each measured decision (place + commit), in microseconds, sorted ascending. */
  readonly decisionUs: Float64Array;
  readonly meanStrandedGiB: number;
  readonly meanUtilization: number;
  /** Mean time of one release (Fleet.release) during the measured requests, in microseconds. */
  readonly meanReleaseUs: number;
}

/**
 * Drives one placer through churn on its own fleet: fill to the target utilization, then before
 * each request release random live allocations (seeded) while above it. Only requests after the
 * fill are measured; the request stream is the same for every placer.
 */
export function runChurn(fleet: Fleet, placer: Placer, options: ChurnOptions): ChurnResult {
  const stream = new RequestStream(fleet, options.seed);
  const pickRelease = new Rng(options.seed ^ 0x7e1ea5e);
  const live: string[] = [];
  const decisionUs = new Float64Array(options.measuredRequests);
  const rejectedByReason: Record<string, number> = {};
  let accepted = 0;
  let stranded = 0;
  let utilization = 0;
  let samples = 0;
  let fillRequests = 0;
  let releases = 0;
  let releaseMs = 0;
  while (fleetUtilization(fleet) < options.targetUtilization && fillRequests < options.maxFillRequests) {
    decide(fleet, placer, stream.next(), options.vmCxlToDramRatioCap, live);
    fillRequests++;
  }
  for (let n = 0; n < options.measuredRequests; n++) {
    while (live.length > 0 && fleetUtilization(fleet) > options.targetUtilization) {
      const i = pickRelease.int(0, live.length - 1);
      const releaseStarted = performance.now();
      fleet.release(live[i] as string);
      releaseMs += performance.now() - releaseStarted;
      releases++;
      live[i] = live[live.length - 1] as string;
      live.pop();
    }
    const request = stream.next();
    const started = performance.now();
    const rejection = decide(fleet, placer, request, options.vmCxlToDramRatioCap, live);
    decisionUs[n] = (performance.now() - started) * 1000;
    if (rejection === undefined) accepted++;
    else rejectedByReason[rejection] = (rejectedByReason[rejection] ?? 0) + 1;
    if (n % options.sampleEvery === 0) {
      stranded += strandedGiB(fleet);
      utilization += fleetUtilization(fleet);
      samples++;
    }
  }
  decisionUs.sort();
  return {
    decisions: options.measuredRequests,
    accepted,
    rejectedByReason,
    decisionUs,
    meanStrandedGiB: samples === 0 ? 0 : stranded / samples,
    meanUtilization: samples === 0 ? 0 : utilization / samples,
    meanReleaseUs: releases === 0 ? 0 : (releaseMs * 1000) / releases,
  };
}

/** Places and commits one request; the rejection code when it was not placed. */
function decide(fleet: Fleet, placer: Placer, request: StreamRequest, vmCxlToDramRatioCap: number, live: string[]): RejectionCode | undefined {
  const decision = placer.place(fleet, {
    vmId: request.vmId,
    sizeGiB: request.sizeGiB,
    tier: request.tier,
    layout: request.layout,
    interleaveWays: request.interleaveWays,
    maxAddedLatencyNs: request.maxAddedLatencyNs,
    vmCxlToDramRatioCap,
  });
  if (decision.outcome === 'rejected') return decision.reason.code;
  fleet.allocate(request.id, request.vmId, decision.extents);
  live.push(request.id);
  return undefined;
}

/** Nearest-rank percentile of an ascending array (the benches' name for it). */
export const percentile = nearestRank;
