import { nearestRank } from '@mxs/sla-metrics';
import { groupBy } from '../soak/db-state';

/** One expansion of a latency burst, as its rows tell it; times in ms since the epoch. */
export interface BurstExpansion {
  readonly id: string;
  readonly hostId: string;
  /** When the client sent its POST. */
  readonly sentAt: number;
  /** The API's placement decision (the expansion's created_at). */
  readonly decidedAt: number;
  /** When its hot-add job was put on the queue (BullMQ's timestamp); null if unknown. */
  readonly queuedAt: number | null;
  /** When a worker last fetched that job (BullMQ's processedOn); null if unknown. */
  readonly fetchedAt: number | null;
  /** When its hot-add saga took the host's lease (the operation's started_at); null if it never did. */
  readonly begunAt: number | null;
  /** When it went active; null if it never did (it is then left out). */
  readonly readyAt: number | null;
  /** Its hot-add's steps as the worker timed them: [start, end]. */
  readonly steps: readonly (readonly [number, number])[];
}

/** A burst expansion's row as the bench's SQL reads it: times in ms since the epoch, null where not reached. */
export interface BurstRow {
  readonly id: string;
  readonly host_id: string;
  readonly t0: number;
  readonly begun: number | null;
  readonly t1: number | null;
  readonly steps: [number, number][];
}

/**
 * Rows with their hot-add jobs' BullMQ times (in the same order) as BurstExpansions, each with
 * its POST's send time. PostgreSQL's numerics arrive as strings, hence the Number()s.
 */
export function toBurstExpansions(
  rows: readonly BurstRow[],
  jobs: readonly { queuedAt: number | null; fetchedAt: number | null }[],
  sentAt: ReadonlyMap<string, number>,
): BurstExpansion[] {
  return rows.map((r, i) => ({
    id: r.id, hostId: r.host_id, sentAt: sentAt.get(r.id) ?? NaN, decidedAt: Number(r.t0), ...(jobs[i] ?? { queuedAt: null, fetchedAt: null }),
    begunAt: r.begun === null ? null : Number(r.begun), readyAt: r.t1 === null ? null : Number(r.t1), steps: r.steps,
  }));
}

export interface Spread {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

/**
 * Where mxs's own time goes in a burst (ms). A host runs one hot-plug at a time, so a saga
 * either starts on a host that was idle when it was decided (`decisionToBegin` then
 * `beginToFirstStep`: the commit, the queue, the fetch and the lease), or waits for the one
 * before it and starts after a `handoff` (that saga's last step to this one's first). Within a
 * saga, `betweenSteps` is the time no step ran (checkpoints, the worker's turn).
 */
export interface OverheadBreakdown {
  /** From the POST to the decision: the API reading, parsing and placing (not in the overhead). */
  readonly postToDecision: Spread;
  readonly decisionToBegin: Spread;
  /** decisionToBegin in three: the commit and the add, the job's wait for a fetch, the lease. */
  readonly decisionToQueued: Spread;
  readonly queuedToFetched: Spread;
  readonly fetchedToBegin: Spread;
  readonly beginToFirstStep: Spread;
  readonly handoff: Spread;
  readonly betweenSteps: Spread;
}

export interface BurstFigures {
  readonly readyP50Ms: number;
  readonly readyP99Ms: number;
  readonly overheadP50Ms: number;
  readonly overheadP99Ms: number;
  readonly hostP50Ms: number;
  readonly overheadWithHostWaitP50Ms: number;
  readonly overheadWithHostWaitP99Ms: number;
  /** The same two counted from the client's POST rather than from the decision. */
  readonly readyFromPostP99Ms: number;
  readonly overheadFromPostP99Ms: number;
  /** Expansions that went active, over all bursts. */
  readonly expansions: number;
  /** Each burst's own overhead p99, in the order run. */
  readonly overheadP99ByBurstMs: readonly number[];
  /**
   * The overhead of the sagas that were first on their host (by their first steps), second,
   * third, and fourth or later (the last entry): a later one counts every gap its host sat idle
   * after its decision, its predecessors' too. A saga that ran no step has no place.
   */
  readonly overheadByPlaceMs: readonly Spread[];
  /**
   * Per burst, from its first decision until the last of each host's first saga held its lease:
   * how long those sagas took to get through commit, queue and lease together (NaN if none did).
   */
  readonly firstLeasesDoneMsByBurst: readonly number[];
  readonly breakdown: OverheadBreakdown;
}

interface Measured {
  readonly sentAt: number;
  /** 1 for the first saga on its host in the burst, 2 for the next… (by their first steps); null if it ran none. */
  readonly place: number | null;
  readonly ready: number;
  /** Total minus the time the host spent on steps meanwhile (its own, and those ahead of it). */
  readonly overhead: number;
  /** Total minus its own steps: counts the wait for a busy host. */
  readonly overheadWithHostWait: number;
  readonly own: number;
  readonly readyFromPost: number;
  readonly overheadFromPost: number;
}

const spreadOf = (values: number[]): Spread => ({ p50: percentile(values, 50), p99: percentile(values, 99), n: values.length });

function percentile(values: number[], p: number): number {
  return values.length === 0 ? NaN : nearestRank([...values].sort((a, b) => a - b), p);
}

const duration = ([start, end]: readonly [number, number]): number => end - start;

/** A burst's sagas that ran a step, each with its first and last step, in their order on their host. */
function linesOf(burst: readonly BurstExpansion[]): Map<string, Ran[]> {
  const ran = burst.filter((x) => x.steps.length > 0).map((x) => ({ x, first: Math.min(...x.steps.map(([start]) => start)), last: Math.max(...x.steps.map(([, end]) => end)) }));
  const lines = groupBy(ran, (r) => r.x.hostId);
  for (const sagas of lines.values()) sagas.sort((a, b) => a.first - b.first);
  return lines;
}

interface Ran {
  readonly x: BurstExpansion;
  readonly first: number;
  readonly last: number;
}

/** A burst with its hosts' lines (linesOf), worked out once for every figure that needs them. */
interface Lined {
  readonly burst: readonly BurstExpansion[];
  readonly lines: ReadonlyMap<string, readonly Ran[]>;
}

/** Each host's step spans, [start, end], as the given sagas ran them. */
type HostSteps = ReadonlyMap<string, readonly (readonly [number, number])[]>;

const stepsOf = (sagas: readonly BurstExpansion[]): HostSteps => new Map([...groupBy(sagas, (x) => x.hostId)].map(([host, xs]) => [host, xs.flatMap((x) => x.steps)]));

/**
 * A burst's expansions that went active, each with its total, its own steps and mxs's part.
 * `stepsOnHost`: what each host did, by default the burst's own steps (a burst runs alone).
 */
function measure({ burst, lines }: Lined, stepsOnHost: HostSteps = stepsOf(burst)): Measured[] {
  const placeOf = new Map([...lines.values()].flatMap((sagas) => sagas.map(({ x }, i) => [x.id, i + 1] as const)));
  return burst.flatMap((x) => {
    if (x.readyAt === null) return [];
    const t0 = x.decidedAt;
    const t1 = x.readyAt;
    // A step's span counts where it overlaps [from, ready]: what the host did meanwhile.
    const hostBusy = (from: number): number => (stepsOnHost.get(x.hostId) ?? []).reduce((sum, [start, end]) => sum + Math.max(0, Math.min(end, t1) - Math.max(start, from)), 0);
    const own = x.steps.reduce((sum, s) => sum + duration(s), 0);
    return [{
      sentAt: x.sentAt, place: placeOf.get(x.id) ?? null, ready: t1 - t0, overhead: t1 - t0 - hostBusy(t0), overheadWithHostWait: t1 - t0 - own, own,
      readyFromPost: t1 - x.sentAt, overheadFromPost: t1 - x.sentAt - hostBusy(x.sentAt),
    }];
  });
}

/** The places overheadByPlaceMs tells apart; later ones count with the last. */
const PLACES = 4;

/** A place as overheadByPlaceMs counts it, by its index there: 1, 2, 3, then '4+' for the last, which pools the rest. */
export function placeName(index: number): string {
  return index + 1 === PLACES ? `${PLACES}+` : String(index + 1);
}

/** Per burst: from its first decision to the last lease taken by a saga that was first on its host. */
function firstLeasesDone({ burst, lines }: Lined): number {
  const leases = [...lines.values()].flatMap(([first]) => (first === undefined || first.x.begunAt === null ? [] : [first.x.begunAt]));
  return leases.length === 0 ? NaN : Math.max(...leases) - Math.min(...burst.map((x) => x.decidedAt));
}

/** Splits each saga's waiting into the parts OverheadBreakdown names. */
function breakdownOf(bursts: readonly Lined[]): OverheadBreakdown {
  const parts = {
    postToDecision: [] as number[], decisionToBegin: [] as number[], decisionToQueued: [] as number[], queuedToFetched: [] as number[], fetchedToBegin: [] as number[],
    beginToFirstStep: [] as number[], handoff: [] as number[], betweenSteps: [] as number[],
  };
  for (const { burst, lines } of bursts) {
    for (const x of burst) parts.postToDecision.push(x.decidedAt - x.sentAt);
    for (const sagas of lines.values()) {
      for (const { x, first, last } of sagas) parts.betweenSteps.push(last - first - x.steps.reduce((sum, s) => sum + duration(s), 0));
      sagas.forEach(({ x, first }, i) => {
        const before = sagas[i - 1];
        if (before !== undefined && before.last > x.decidedAt) {
          parts.handoff.push(first - before.last);
        } else if (x.begunAt !== null) {
          parts.decisionToBegin.push(x.begunAt - x.decidedAt);
          parts.beginToFirstStep.push(first - x.begunAt);
          if (x.queuedAt !== null && x.fetchedAt !== null) {
            parts.decisionToQueued.push(x.queuedAt - x.decidedAt);
            parts.queuedToFetched.push(x.fetchedAt - x.queuedAt);
            parts.fetchedToBegin.push(x.begunAt - x.fetchedAt);
          }
        }
      });
    }
  }
  return {
    postToDecision: spreadOf(parts.postToDecision),
    decisionToBegin: spreadOf(parts.decisionToBegin),
    decisionToQueued: spreadOf(parts.decisionToQueued),
    queuedToFetched: spreadOf(parts.queuedToFetched),
    fetchedToBegin: spreadOf(parts.fetchedToBegin),
    beginToFirstStep: spreadOf(parts.beginToFirstStep),
    handoff: spreadOf(parts.handoff),
    betweenSteps: spreadOf(parts.betweenSteps),
  };
}

/**
 * The latency figures of bursts measured one after another: percentiles over all their
 * expansions together (one burst's p99 is its second-worst expansion of 200, and moved by
 * 100–200 ms between runs of the same code on a busy 2-core machine), each burst's own p99
 * beside them, and the breakdown.
 */
export function burstFigures(bursts: readonly (readonly BurstExpansion[])[]): BurstFigures {
  const lined = bursts.map((burst) => ({ burst, lines: linesOf(burst) }));
  const perBurst = lined.map((b) => measure(b));
  const all = perBurst.flat();
  const spread = (f: (m: Measured) => number): Spread => spreadOf(all.map(f));
  const ready = spread((m) => m.ready);
  const overhead = spread((m) => m.overhead);
  const withHostWait = spread((m) => m.overheadWithHostWait);
  return {
    readyP50Ms: ready.p50,
    readyP99Ms: ready.p99,
    overheadP50Ms: overhead.p50,
    overheadP99Ms: overhead.p99,
    hostP50Ms: spread((m) => m.own).p50,
    overheadWithHostWaitP50Ms: withHostWait.p50,
    overheadWithHostWaitP99Ms: withHostWait.p99,
    readyFromPostP99Ms: spread((m) => m.readyFromPost).p99,
    overheadFromPostP99Ms: spread((m) => m.overheadFromPost).p99,
    expansions: all.length,
    overheadP99ByBurstMs: perBurst.map((ms) => percentile(ms.map((m) => m.overhead), 99)),
    overheadByPlaceMs: Array.from({ length: PLACES }, (_, i) => spreadOf(all.filter((m) => m.place !== null && Math.min(m.place, PLACES) === i + 1).map((m) => m.overhead))),
    firstLeasesDoneMsByBurst: lined.map(firstLeasesDone),
    breakdown: breakdownOf(lined),
  };
}

/** Time to ready and mxs's part of it for expansions added while others were added and removed. */
export interface SustainedFigures {
  readonly readyP50Ms: number;
  readonly readyP99Ms: number;
  readonly overheadP50Ms: number;
  readonly overheadP99Ms: number;
  readonly hostP50Ms: number;
  /** Expansions that went active and count. */
  readonly expansions: number;
  /** The overhead of those sent in each slice of the window, in order: a steady load gives like figures. */
  readonly bySlice: readonly Spread[];
}

/** The measured window (ms since the epoch, the POSTs sent in [from, to)) and how many equal slices it is cut in. */
export interface Slicing {
  readonly from: number;
  readonly to: number;
  readonly slices: number;
}

/**
 * The figures of expansions measured under a sustained load, where their hosts also ran sagas
 * that are not measured (hot-removes, hot-adds begun before the window): `hostSteps` holds
 * every saga's steps on each host, so that the time a host spent on any of them is taken out.
 */
export function sustainedFigures(measured: readonly BurstExpansion[], hostSteps: HostSteps, { from, to, slices: count }: Slicing): SustainedFigures {
  const all = measure({ burst: measured, lines: linesOf(measured) }, hostSteps);
  const ready = spreadOf(all.map((m) => m.ready));
  const overhead = spreadOf(all.map((m) => m.overhead));
  const slices: number[][] = Array.from({ length: count }, () => []);
  const sliceMs = (to - from) / count;
  for (const m of all) slices[Math.min(count - 1, Math.max(0, Math.floor((m.sentAt - from) / sliceMs)))]?.push(m.overhead);
  return {
    readyP50Ms: ready.p50, readyP99Ms: ready.p99, overheadP50Ms: overhead.p50, overheadP99Ms: overhead.p99, hostP50Ms: spreadOf(all.map((m) => m.own)).p50, expansions: all.length,
    bySlice: slices.map(spreadOf),
  };
}
