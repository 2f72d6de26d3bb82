import type { RequestedTier } from '@mxs/policy';
import type { Trace, TraceExpansion, TraceVm } from '@mxs/replay';
import { Rng } from '@mxs/topology';

export interface DenseTraceOptions {
  readonly seed: number;
  readonly vms: number;
  readonly requests: number;
  /** Trace seconds (default 3,600). */
  readonly durationSec?: number;
}

const DRAM_GIB: readonly (readonly [number, number])[] = [[128, 0.4], [256, 0.6]];
const SIZE_GIB: readonly (readonly [number, number])[] = [[32, 0.15], [64, 0.25], [128, 0.3], [256, 0.2], [512, 0.1]];
const TIERS: readonly (readonly [RequestedTier, number])[] = [['any', 0.5], ['pooled', 0.3], ['direct', 0.2]];
const TENANTS = 4;

/**
 * A seeded trace that pushes a small fleet to full: large VMs asking for large expansions, most
 * given back within the trace, a third of the VMs leaving early. The synthetic generator models
 * public-cloud sizes (mostly small VMs), which leave the `small` fleet nearly empty; the replicas
 * test and bench need contention: refusals, releases and departures under load.
 */
export function denseTrace(options: DenseTraceOptions): Trace {
  const rng = new Rng(options.seed);
  const durationSec = options.durationSec ?? 3_600;
  const vms: TraceVm[] = Array.from({ length: options.vms }, (_, i) => {
    const arrivalSec = Math.floor(rng.next() * durationSec * 0.1);
    const leaves = rng.next() < 1 / 3;
    return {
      vmId: `vm-${String(i + 1).padStart(3, '0')}`,
      tenantId: `tenant-${1 + (i % TENANTS)}`,
      arrivalSec,
      departureSec: leaves ? arrivalSec + Math.floor(durationSec * (0.5 + rng.next() * 0.4)) : null,
      dramGiB: rng.weighted(DRAM_GIB),
    };
  });
  const drafts = Array.from({ length: options.requests }, () => {
    const vm = rng.pick(vms);
    const endSec = vm.departureSec ?? durationSec;
    const atSec = vm.arrivalSec + Math.floor(rng.next() * (endSec - vm.arrivalSec));
    const heldSec = Math.floor(durationSec * (0.05 + rng.next() * 0.35));
    const releaseSec = rng.next() < 0.75 ? atSec + Math.max(1, heldSec) : null;
    return { vmId: vm.vmId, atSec, sizeGiB: rng.weighted(SIZE_GIB), tier: rng.weighted(TIERS), releaseSec };
  });
  drafts.sort((a, b) => a.atSec - b.atSec || a.vmId.localeCompare(b.vmId));
  const perVm = new Map<string, number>();
  const expansions: TraceExpansion[] = drafts.map((d) => {
    const n = (perVm.get(d.vmId) ?? 0) + 1;
    perVm.set(d.vmId, n);
    return { id: `${d.vmId}/${n}`, ...d };
  });
  return { vms, expansions };
}
