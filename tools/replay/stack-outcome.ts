import type { Hold, PolicyRun, SeriesPoint } from '@mxs/replay';
import { DEFAULT_LIST_PRICES, percentiles, revenueByTier, timeWeightedMean } from '@mxs/replay';
import type { Tier } from '@mxs/topology';
import type { ReplayClock } from './stack-clock';
import type { DriverTally } from './stack-driver';

/** GET /v1/expansions/{id}, the part a replay reads. */
export interface ExpansionDetail {
  readonly id: string;
  readonly state: string;
  readonly sizeGiB: number;
  readonly placedTier: Tier | null;
  readonly createdAt: string;
  readonly timeline: readonly { readonly from: string | null; readonly to: string; readonly at: string }[];
}

/** What a stack replay adds to the report's run. */
export interface StackReplayExtras {
  /** API ids of the accepted expansions, in the order they were accepted. */
  readonly expansionIds: readonly string[];
  /** Expansion requests answered per wall second. */
  readonly requestsPerSecond: number;
  /** Hot-adds and hot-removes that ended (active, failed, released) per wall second. */
  readonly completedSagasPerSecond: number;
  readonly sagasCompleted: number;
  /** Answers each API process gave (every call of the replay: admin, tenant, polls). */
  readonly answersByApi: Readonly<Record<string, number>>;
  /** The signal stopped the replay before the trace's end: the figures cover what was sent. */
  readonly aborted: boolean;
}

export type StackReplayResult = PolicyRun & StackReplayExtras;

/** The report's run alone, without the stack's extras (a report holds no per-expansion ids). */
export function policyRunOf(r: StackReplayResult): PolicyRun {
  return {
    policy: r.policy, mode: r.mode, requests: r.requests, accepted: r.accepted, rejected: r.rejected, acceptanceRate: r.acceptanceRate,
    rejectionsByReason: r.rejectionsByReason, vms: r.vms, series: r.series, peakUsedGiB: r.peakUsedGiB, meanUtilization: r.meanUtilization,
    meanStrandedGiB: r.meanStrandedGiB, timeToReadySec: r.timeToReadySec, revenueByTier: r.revenueByTier, currency: r.currency, wallSec: r.wallSec,
  };
}

const SAGA_START = new Set(['attaching', 'detaching']);
const SAGA_END = new Set(['active', 'failed', 'released']);

/** Seconds (wall) from the request to `active`; null for one never active. */
export function timeToReadySec(detail: ExpansionDetail): number | null {
  const active = detail.timeline.find((t) => t.to === 'active');
  if (active === undefined) return null;
  return Math.max(0, (Date.parse(active.at) - Date.parse(detail.createdAt)) / 1000);
}

/** The capacity it held while active, on the trace clock: from `active` to its release (or the trace's end). */
export function holdOf(detail: ExpansionDetail, clock: ReplayClock): Hold | null {
  const activeAt = detail.timeline.findIndex((t) => t.to === 'active');
  if (activeAt < 0 || detail.placedTier === null) return null;
  const start = clock.traceSecAt(Date.parse((detail.timeline[activeAt] as { at: string }).at));
  const end = detail.timeline.slice(activeAt + 1).find((t) => t.to === 'released' || t.to === 'failed');
  const endSec = end === undefined ? clock.endSec : clock.traceSecAt(Date.parse(end.at));
  return { tier: detail.placedTier, sizeGiB: detail.sizeGiB, seconds: Math.max(0, endSec - start) };
}

/** Sagas that ended between `fromMs` and `toMs`: a hot-add reaching active or failed, a hot-remove reaching released or failed (or giving up). */
export function sagasEnded(details: readonly ExpansionDetail[], fromMs: number, toMs: number): number {
  let count = 0;
  for (const d of details) {
    for (const t of d.timeline) {
      if (t.from === null || !SAGA_START.has(t.from) || !SAGA_END.has(t.to)) continue;
      const at = Date.parse(t.at);
      if (at >= fromMs && at <= toMs) count++;
    }
  }
  return count;
}

export interface OutcomeInput {
  readonly tally: DriverTally;
  readonly details: readonly ExpansionDetail[];
  readonly series: readonly SeriesPoint[];
  readonly clock: ReplayClock;
  readonly endMs: number;
  readonly answersByApi: Readonly<Record<string, number>>;
  readonly aborted: boolean;
}

export function stackOutcome(input: OutcomeInput): StackReplayResult {
  const { tally, details, clock } = input;
  const wallSec = Math.max(0.001, (input.endMs - clock.startMs) / 1000);
  const series = [...input.series].sort((a, b) => a.atSec - b.atSec);
  const holds = details.map((d) => holdOf(d, clock)).filter((h): h is Hold => h !== null);
  const ready = details.map(timeToReadySec).filter((s): s is number => s !== null);
  const sagas = sagasEnded(details, clock.startMs, input.endMs);
  return {
    policy: 'mxs',
    mode: 'stack',
    requests: tally.requests,
    accepted: tally.accepted,
    rejected: tally.rejected,
    acceptanceRate: tally.requests === 0 ? 1 : tally.accepted / tally.requests,
    rejectionsByReason: { ...tally.rejectionsByReason },
    vms: { ...tally.vms },
    series,
    peakUsedGiB: series.reduce((peak, p) => Math.max(peak, p.usedGiB), 0),
    meanUtilization: timeWeightedMean(series.map((p) => ({ atSec: p.atSec, value: p.utilization })), clock.endSec),
    meanStrandedGiB: timeWeightedMean(series.map((p) => ({ atSec: p.atSec, value: p.strandedGiB })), clock.endSec),
    timeToReadySec: percentiles(ready),
    revenueByTier: revenueByTier(holds),
    currency: DEFAULT_LIST_PRICES.currency,
    wallSec,
    expansionIds: details.map((d) => d.id),
    requestsPerSecond: tally.requests / wallSec,
    completedSagasPerSecond: sagas / wallSec,
    sagasCompleted: sagas,
    answersByApi: input.answersByApi,
    aborted: input.aborted,
  };
}
