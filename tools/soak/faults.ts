import { Rng } from '@mxs/topology';
import { SoakError } from './soak-error';

/** What the soak breaks, in the operator's words; each is healed again before the run ends. */
export const SOAK_FAULT_KINDS = ['device-failure', 'switch-link-down', 'host-crash', 'worker-kill', 'redis-restart'] as const;
export type SoakFaultKind = (typeof SOAK_FAULT_KINDS)[number];

/** What there is to break: the fleet's devices, switches (with their hosts), hosts, and worker processes. */
export interface FaultTargets {
  readonly deviceIds: readonly string[];
  readonly switches: readonly { readonly switchId: string; readonly hostIds: readonly string[] }[];
  readonly hostIds: readonly string[];
  readonly workers: number;
}

export type FaultTarget =
  | { readonly kind: 'device-failure'; readonly deviceId: string }
  /** `hostId: null`: the whole switch goes down, else only that host's link. */
  | { readonly kind: 'switch-link-down'; readonly switchId: string; readonly hostId: string | null }
  | { readonly kind: 'host-crash'; readonly hostId: string }
  | { readonly kind: 'worker-kill'; readonly worker: number }
  | { readonly kind: 'redis-restart' };

/** One fault of the schedule: injected at `atMs`, healed at `healAtMs` (ms from the run's start). */
export interface PlannedFault {
  readonly id: number;
  readonly kind: SoakFaultKind;
  readonly atMs: number;
  /** For a Redis restart, when it is started again (the restart is one call: stop, wait, start). */
  readonly healAtMs: number;
  readonly target: FaultTarget;
}

export interface PlanFaultsOptions {
  readonly seed: number;
  /** The run's length: every fault is healed at least `quietTailMs` before it. */
  readonly durationMs: number;
  /** Mean time between two fault injections (exponential gaps). */
  readonly meanGapMs: number;
  readonly kinds: readonly SoakFaultKind[];
  readonly targets: FaultTargets;
  /** Faults in effect at once (default 2): the fleet always keeps most of its capacity. */
  readonly maxConcurrent?: number;
  /** Nothing is broken during the run's last stretch (default: a tenth of it, at most 30 s). */
  readonly quietTailMs?: number;
}

/** How long each kind lasts before it is healed: [min, max] ms, cut to fit the run. */
const OUTAGE_MS: Readonly<Record<SoakFaultKind, readonly [number, number]>> = {
  'device-failure': [4_000, 25_000],
  'switch-link-down': [3_000, 20_000],
  'host-crash': [2_000, 15_000],
  // The worker's restart delay: its jobs wait for their lock to lapse meanwhile.
  'worker-kill': [500, 4_000],
  'redis-restart': [500, 3_000],
};

function targetKey(target: FaultTarget): string {
  switch (target.kind) {
    case 'device-failure':
      return `device:${target.deviceId}`;
    case 'switch-link-down':
      return `switch:${target.switchId}:${target.hostId ?? '*'}`;
    case 'host-crash':
      return `host:${target.hostId}`;
    case 'worker-kill':
      return `worker:${target.worker}`;
    case 'redis-restart':
      return 'redis';
  }
}

/** A link fault conflicts with its whole switch, and a whole-switch fault with any of its links. */
function conflicts(a: FaultTarget, b: FaultTarget): boolean {
  if (a.kind === 'switch-link-down' && b.kind === 'switch-link-down' && a.switchId === b.switchId) {
    return a.hostId === null || b.hostId === null || a.hostId === b.hostId;
  }
  return targetKey(a) === targetKey(b);
}

function candidates(kind: SoakFaultKind, targets: FaultTargets): FaultTarget[] {
  switch (kind) {
    case 'device-failure':
      return targets.deviceIds.map((deviceId) => ({ kind, deviceId }));
    case 'switch-link-down':
      return targets.switches.flatMap((s) => [{ kind, switchId: s.switchId, hostId: null }, ...s.hostIds.map((hostId) => ({ kind, switchId: s.switchId, hostId }))]);
    case 'host-crash':
      return targets.hostIds.map((hostId) => ({ kind, hostId }));
    case 'worker-kill':
      return Array.from({ length: targets.workers }, (_, worker) => ({ kind, worker }));
    case 'redis-restart':
      return [{ kind }];
  }
}

/**
 * A seeded fault schedule: injections at exponential gaps, each kind drawn evenly from `kinds`
 * (a kind with nothing to break is left out), each on a target not already broken, with at most
 * `maxConcurrent` in effect and never every worker down at once. Every fault heals before the
 * quiet tail, so the fleet ends whole. Pure: the same options give the same schedule.
 */
export function planFaults(options: PlanFaultsOptions): PlannedFault[] {
  const { seed, durationMs, meanGapMs, targets } = options;
  if (!(durationMs > 0) || !(meanGapMs > 0)) throw new SoakError('invalid-options', `durationMs and meanGapMs must be positive, got ${durationMs} and ${meanGapMs}`);
  const unknown = options.kinds.filter((k) => !SOAK_FAULT_KINDS.includes(k));
  if (unknown.length > 0) throw new SoakError('invalid-options', `unknown fault kinds: ${unknown.join(', ')}; known: ${SOAK_FAULT_KINDS.join(', ')}`);
  const maxConcurrent = options.maxConcurrent ?? 2;
  const quietTailMs = options.quietTailMs ?? Math.min(30_000, Math.round(durationMs / 10));
  const lastHealMs = durationMs - quietTailMs;
  const kinds = [...new Set(options.kinds)].filter((k) => candidates(k, targets).length > 0);
  const rng = new Rng(seed);
  const faults: PlannedFault[] = [];
  let atMs = 0;
  for (;;) {
    atMs += Math.max(1, Math.round(rng.exponential(meanGapMs)));
    if (kinds.length === 0 || atMs >= lastHealMs) break;
    const kind = rng.pick(kinds);
    const [minMs, maxMs] = OUTAGE_MS[kind];
    const healAtMs = Math.min(lastHealMs, atMs + rng.int(minMs, maxMs));
    // A fault that cannot last its shortest outage before the tail is not worth injecting.
    if (healAtMs - atMs < minMs) continue;
    const inEffect = faults.filter((f) => f.atMs <= atMs && atMs < f.healAtMs);
    if (inEffect.length >= maxConcurrent) continue;
    const workersDown = inEffect.filter((f) => f.kind === 'worker-kill').length;
    if (kind === 'worker-kill' && targets.workers > 1 && workersDown >= targets.workers - 1) continue;
    const free = candidates(kind, targets).filter((t) => !inEffect.some((f) => conflicts(f.target, t)));
    if (free.length === 0) continue;
    faults.push({ id: faults.length + 1, kind, atMs, healAtMs, target: rng.pick(free) });
  }
  return faults;
}

/** The target as one line of the fault log. */
export function describeTarget(target: FaultTarget): string {
  switch (target.kind) {
    case 'device-failure':
      return `device ${target.deviceId}`;
    case 'switch-link-down':
      return target.hostId === null ? `switch ${target.switchId} (all links)` : `link ${target.hostId} - switch ${target.switchId}`;
    case 'host-crash':
      return `host ${target.hostId}`;
    case 'worker-kill':
      return `worker ${target.worker}`;
    case 'redis-restart':
      return 'redis';
  }
}

/** Faults per kind, every kind present (0 when none). */
export function countByKind(faults: readonly { readonly kind: SoakFaultKind }[]): Record<SoakFaultKind, number> {
  const counts = Object.fromEntries(SOAK_FAULT_KINDS.map((k) => [k, 0])) as Record<SoakFaultKind, number>;
  for (const f of faults) counts[f.kind]++;
  return counts;
}
