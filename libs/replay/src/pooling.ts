import type { FleetSpec } from '@mxs/topology';
import { arrangeFleet, arrangementBlockGiB, MAX_HOSTS_PER_POOL } from './arrangement';
import { ReplayError } from './errors';
import { traceEvents } from './events';
import type { PolicyName } from './policies';
import { createPolicy, isPolicyName } from './policies';
import type { PoolingArrangement, PoolingStudy } from './report';
import { ReplaySimulation } from './simulation';
import type { Trace } from './trace';

export interface PoolingStudyOptions {
  readonly policy: PolicyName;
  /** Pool sizes to compare with direct-attached only (default [8, 16]). */
  readonly hostsPerPool?: readonly number[];
  /** Called after each replay; `total` is an upper bound until the last call. */
  readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_HOSTS_PER_POOL: readonly number[] = [8, 16];
/** "Unbounded": each host's share is this many times the most CXL any host can map. */
const UNBOUNDED_FACTOR = 2;

/**
 * The pooling study (Pond's comparison): the same requests on the fleet's hosts with CXL
 * capacity arranged as direct-attached only and as pools of N hosts (see `arrangeFleet`).
 * Requests are replayed with tier `any`: the study compares capacity, not tiers.
 *
 * Target: the requests accepted when capacity is unbounded. They are the same for every
 * arrangement (then only host and VM limits refuse, and those do not depend on where the
 * memory sits); each arrangement is checked to accept them all at that capacity.
 *
 * Search: capacity in steps of one block per host. A binary search keeps a capacity that
 * accepts every target request (`hi`) and one that does not (`lo`) until they are one step
 * apart; `hi` is the answer. Acceptance is not strictly monotone in capacity (a different
 * placement history can fit by luck at a smaller size), so the answer is verified as a
 * bracket, both ends replayed: it accepts every target, one step less does not. A smaller
 * capacity that happens to pass below `lo` is possible and not looked for.
 */
export function poolingStudy(trace: Trace, fleet: FleetSpec, options: PoolingStudyOptions): PoolingStudy {
  if (!isPolicyName(options.policy)) throw new ReplayError('unknown-policy', `unknown policy "${String(options.policy)}"`);
  const pools = options.hostsPerPool ?? DEFAULT_HOSTS_PER_POOL;
  for (const n of pools) {
    if (!Number.isInteger(n) || n < 2 || n > MAX_HOSTS_PER_POOL) {
      throw new ReplayError('invalid-replay-options', `hostsPerPool takes integers in 2..${MAX_HOSTS_PER_POOL}, got ${n}`);
    }
  }
  if (fleet.hosts.length === 0) throw new ReplayError('invalid-arrangement', `fleet "${fleet.name}" has no hosts`);
  const anyTier = withTierAny(trace);
  const requests = anyTier.expansions.length;
  const blockGiB = arrangementBlockGiB(fleet);
  const stepGiB = blockGiB * fleet.hosts.length;
  const baselineCapacityGiB = fleet.devices.reduce((sum, d) => sum + d.capacityGiB, 0);
  const maxSteps = Math.ceil((UNBOUNDED_FACTOR * Math.max(...fleet.hosts.map(hostCeilingGiB))) / blockGiB);
  const layouts: (number | null)[] = [null, ...pools];

  let done = 0;
  const total = layouts.length * (3 + Math.ceil(Math.log2(maxSteps + 1))) + 1;
  const progress = () => options.onProgress?.(++done, total);
  const accepted = (hostsPerPool: number | null, capacityGiB: number, mustAccept?: ReadonlySet<string>) => {
    const result = acceptedRequests(anyTier, arrangeFleet(fleet, hostsPerPool, capacityGiB), options.policy, mustAccept);
    progress();
    return result;
  };

  const target = accepted(null, maxSteps * stepGiB);
  const arrangements: PoolingArrangement[] = layouts.map((hostsPerPool) => {
    const name = hostsPerPool === null ? 'direct' : `pools-of-${hostsPerPool}`;
    const passes = (steps: number) => containsAll(accepted(hostsPerPool, steps * stepGiB, target), target);
    if (hostsPerPool !== null && !passes(maxSteps)) {
      throw new ReplayError('pooling-target-unreachable', `${name} does not accept every target request even with unbounded capacity (${maxSteps * stepGiB} GiB)`);
    }
    const atBaseline = Math.floor(baselineCapacityGiB / blockGiB) * blockGiB;
    const acceptanceRateAtBaseline = requests === 0 ? 1 : atBaseline < blockGiB ? 0 : accepted(hostsPerPool, atBaseline).size / requests;
    const neededSteps = target.size === 0 ? 0 : leastPassing(maxSteps, passes);
    return { name, hostsPerPool, acceptanceRateAtBaseline, capacityNeededGiB: neededSteps * stepGiB, savingVsDirect: 0 };
  });
  const directGiB = (arrangements[0] as PoolingArrangement).capacityNeededGiB;
  options.onProgress?.(total, total);
  return {
    policy: options.policy,
    baselineCapacityGiB,
    targetAccepted: target.size,
    capacityStepGiB: stepGiB,
    unboundedCapacityGiB: maxSteps * stepGiB,
    arrangements: arrangements.map((a) => ({ ...a, savingVsDirect: directGiB === 0 ? 0 : 1 - a.capacityNeededGiB / directGiB })),
  };
}

/**
 * The ids of the requests a replay accepts. With `mustAccept` it stops at the first of those
 * it rejects (the caller only wants to know whether all pass), so a short answer means "no".
 */
export function acceptedRequests(trace: Trace, fleet: FleetSpec, policy: PolicyName, mustAccept?: ReadonlySet<string>): Set<string> {
  const sim = new ReplaySimulation(trace, fleet, createPolicy(policy));
  const accepted = new Set<string>();
  for (const event of traceEvents(trace)) {
    const outcome = sim.apply(event);
    if (outcome.kind === 'accepted') accepted.add(outcome.expansion.id);
    else if (outcome.kind === 'rejected' && mustAccept?.has(outcome.expansion.id) === true) break;
  }
  return accepted;
}

export function containsAll(accepted: ReadonlySet<string>, target: ReadonlySet<string>): boolean {
  for (const id of target) if (!accepted.has(id)) return false;
  return true;
}

/** The trace with every request's tier set to `any`. */
export function withTierAny(trace: Trace): Trace {
  return { vms: trace.vms, expansions: trace.expansions.map((x) => ({ ...x, tier: 'any' })) };
}

/** Least steps in 1..max that pass, by bisection; `max` must pass. See `poolingStudy` on monotonicity. */
function leastPassing(max: number, passes: (steps: number) => boolean): number {
  let lo = 0; // no capacity accepts nothing: fails whenever there is a target
  let hi = max;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (passes(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The most CXL memory a host can ever hold: its CFMWS window or its movable-ratio cap, the tighter. */
function hostCeilingGiB(host: FleetSpec['hosts'][number]): number {
  return Math.min(host.cfmwsWindowGiB, Math.floor((host.dramGiB * host.movableRatioPct) / 100));
}
