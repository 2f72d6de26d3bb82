import type { RequestedTier } from '@mxs/policy';
import { MAX_REQUEST_GIB } from '@mxs/policy';
import { Rng } from '@mxs/topology';
import { geometric, lognormal, poisson, WeightedPicker, zipfWeights } from './distributions';
import { ReplayError } from './errors';
import type { Trace, TraceExpansion, TraceVm } from './trace';
import { traceEndSec } from './trace';

export interface TraceGenOptions {
  readonly seed: number;
  readonly vms: number;
  /** Length of the trace (default 86,400: one day). */
  readonly durationSec?: number;
  /** Default max(2, vms / 50), rounded down. */
  readonly tenants?: number;
  /** Mean expansion requests per VM (default 1.5). */
  readonly expansionsPerVm?: number;
  /** Share of VMs that arrive in bursts; 0 is a plain Poisson process (default 0.3). */
  readonly burstiness?: number;
}

/**
 * The generator's distributions and their parameters (the library README explains each).
 * Every size is a power of two GiB; every time a whole second.
 */
export const DEFAULT_TRACE_GEN = {
  durationSec: 86_400,
  vmsPerTenant: 50,
  expansionsPerVm: 1.5,
  burstiness: 0.3,
  /** VM DRAM GiB and relative weight: mostly small VMs, as in public cloud traces. */
  vmDramGiB: [
    [4, 0.22],
    [8, 0.26],
    [16, 0.22],
    [32, 0.14],
    [64, 0.09],
    [128, 0.05],
    [256, 0.02],
  ],
  /** Bursts: a geometric number of VMs (mean 16) arriving at exponential gaps (mean 5 s). */
  burst: { meanVms: 16, meanGapSec: 5 },
  /** VM lifetime: lognormal, median 2 h, sigma 1.5 (mean ≈ 6.2 h, ~5% live past a day). */
  lifetime: { medianSec: 7_200, sigma: 1.5, minSec: 60 },
  /** Expansion size as a multiple of the VM's DRAM, with relative weight. */
  sizeOfDram: [
    [0.25, 0.35],
    [0.5, 0.35],
    [1, 0.2],
    [2, 0.1],
  ],
  /** Whole 2 GiB: hosts with 2 GiB memory blocks online nothing smaller. */
  minExpansionGiB: 2,
  /** The engine's default CXL:DRAM cap per VM: a VM's live requests never pass it. */
  vmCxlToDramRatioCap: 4,
  /** Share of expansions held until their VM departs (empty releaseSec). */
  heldToDepartureShare: 0.3,
  /** Hold time of the others: lognormal, median 1 h, sigma 1.2. */
  hold: { medianSec: 3_600, sigma: 1.2, minSec: 60 },
  tiers: [
    ['any', 0.5],
    ['pooled', 0.3],
    ['direct', 0.2],
  ],
} as const satisfies {
  readonly vmDramGiB: readonly (readonly [number, number])[];
  readonly sizeOfDram: readonly (readonly [number, number])[];
  readonly tiers: readonly (readonly [RequestedTier, number])[];
  readonly [key: string]: unknown;
};

const MAX_VMS = 1_000_000;
const sizePicker = new WeightedPicker(DEFAULT_TRACE_GEN.sizeOfDram);
const tierPicker = new WeightedPicker(DEFAULT_TRACE_GEN.tiers);
const dramPicker = new WeightedPicker(DEFAULT_TRACE_GEN.vmDramGiB);
const MAX_DURATION_SEC = 366 * 86_400;
const G = DEFAULT_TRACE_GEN;

/**
 * A seeded synthetic trace (`npm run trace:gen`): the same options give the same trace, row for
 * row. VMs are numbered in arrival order; expansions are listed by time.
 */
export function generateTrace(options: TraceGenOptions): Trace {
  const o = resolveOptions(options);
  const rng = new Rng(o.seed);
  // One stream per aspect, so a change to one distribution leaves the others' draws alone.
  const arrivalRng = rng.fork(1);
  const vmRng = rng.fork(2);
  const expansionRng = rng.fork(3);

  const arrivals = arrivalTimes(arrivalRng, o.vms, o.durationSec, o.burstiness);
  const idWidth = Math.max(6, String(o.vms).length);
  const tenantIds = Array.from({ length: o.tenants }, (_, i) => `tenant-${String(i + 1).padStart(Math.max(3, String(o.tenants).length), '0')}`);
  const tenantPicker = new WeightedPicker(zipfWeights(tenantIds));

  const vms = arrivals.map((arrivalSec, i): TraceVm => {
    const lifetimeSec = Math.max(G.lifetime.minSec, Math.round(lognormal(vmRng, G.lifetime.medianSec, G.lifetime.sigma)));
    const departure = arrivalSec + lifetimeSec;
    return {
      vmId: `vm-${String(i + 1).padStart(idWidth, '0')}`,
      tenantId: tenantPicker.pick(vmRng),
      arrivalSec,
      departureSec: departure <= o.durationSec ? departure : null,
      dramGiB: dramPicker.pick(vmRng),
    };
  });
  return { vms, expansions: expansionsFor(expansionRng, vms, o.expansionsPerVm, o.durationSec) };
}

export interface SynthesizeOptions {
  readonly seed: number;
  /** Mean requests per VM (default 1.5). */
  readonly expansionsPerVm?: number;
  /** End of the trace: VMs that never depart ask until then (default: the VMs' last arrival or departure). */
  readonly durationSec?: number;
}

/**
 * Expansion requests for VMs from elsewhere (a public VM trace has none), drawn from the
 * generator's expansion distributions: the VMs with a seeded set of requests.
 */
export function synthesizeExpansions(vms: readonly TraceVm[], options: SynthesizeOptions): Trace {
  const expansionsPerVm = options.expansionsPerVm ?? G.expansionsPerVm;
  const durationSec = options.durationSec ?? traceEndSec({ vms, expansions: [] });
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.seed)) problems.push(`seed must be a safe integer, got ${options.seed}`);
  if (!(Number.isFinite(expansionsPerVm) && expansionsPerVm >= 0 && expansionsPerVm <= 64)) problems.push(`expansionsPerVm must be a number in 0..64, got ${expansionsPerVm}`);
  if (!(Number.isFinite(durationSec) && durationSec >= 0)) problems.push(`durationSec must be a number of seconds >= 0, got ${durationSec}`);
  if (problems.length > 0) throw new ReplayError('invalid-trace-options', problems.join('; '));
  return { vms, expansions: expansionsFor(new Rng(options.seed), vms, expansionsPerVm, durationSec) };
}

/** Every VM's requests, listed by time, then VM, then the VM's own order: the file order that numbers ids `<vmId>/<n>`. */
function expansionsFor(rng: Rng, vms: readonly TraceVm[], expansionsPerVm: number, durationSec: number): TraceExpansion[] {
  const expansions: (TraceExpansion & { readonly order: number })[] = [];
  vms.forEach((vm, i) => {
    expansionsOf(rng, vm, expansionsPerVm, durationSec).forEach((x, n) => expansions.push({ id: `${vm.vmId}/${n + 1}`, ...x, order: i }));
  });
  expansions.sort((a, b) => a.atSec - b.atSec || a.order - b.order || seqOf(a.id) - seqOf(b.id));
  return expansions.map(({ order: _order, ...x }) => x);
}

interface ResolvedOptions {
  readonly seed: number;
  readonly vms: number;
  readonly durationSec: number;
  readonly tenants: number;
  readonly expansionsPerVm: number;
  readonly burstiness: number;
}

function resolveOptions(options: TraceGenOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    seed: options.seed,
    vms: options.vms,
    durationSec: options.durationSec ?? G.durationSec,
    tenants: options.tenants ?? Math.max(2, Math.floor(options.vms / G.vmsPerTenant)),
    expansionsPerVm: options.expansionsPerVm ?? G.expansionsPerVm,
    burstiness: options.burstiness ?? G.burstiness,
  };
  const problems: string[] = [];
  if (!Number.isSafeInteger(o.seed)) problems.push(`seed must be a safe integer, got ${o.seed}`);
  if (!Number.isInteger(o.vms) || o.vms < 1 || o.vms > MAX_VMS) problems.push(`vms must be an integer in 1..${MAX_VMS}, got ${o.vms}`);
  if (!Number.isInteger(o.durationSec) || o.durationSec < 60 || o.durationSec > MAX_DURATION_SEC) {
    problems.push(`durationSec must be an integer in 60..${MAX_DURATION_SEC}, got ${o.durationSec}`);
  }
  if (!Number.isInteger(o.tenants) || o.tenants < 1 || o.tenants > MAX_VMS) problems.push(`tenants must be an integer in 1..${MAX_VMS}, got ${o.tenants}`);
  if (!(Number.isFinite(o.expansionsPerVm) && o.expansionsPerVm >= 0 && o.expansionsPerVm <= 64)) {
    problems.push(`expansionsPerVm must be a number in 0..64, got ${o.expansionsPerVm}`);
  }
  if (!(o.burstiness >= 0 && o.burstiness <= 1)) problems.push(`burstiness must be a number in 0..1, got ${o.burstiness}`);
  if (problems.length > 0) throw new ReplayError('invalid-trace-options', problems.join('; '));
  return o;
}

/**
 * A two-state modulated Poisson process: `burstiness` of the VMs come in bursts (geometric
 * size, exponential gaps of a few seconds, at a uniform start), the rest as a Poisson process
 * over the whole trace (conditioned on its count: uniform times). Sorted, whole seconds.
 */
function arrivalTimes(rng: Rng, vms: number, durationSec: number, burstiness: number): number[] {
  const times: number[] = [];
  let inBursts = Math.round(vms * burstiness);
  for (let i = 0; i < vms - inBursts; i++) times.push(Math.floor(rng.next() * durationSec));
  while (inBursts > 0) {
    const size = Math.min(inBursts, geometric(rng, G.burst.meanVms));
    let t = rng.next() * durationSec;
    for (let i = 0; i < size; i++) {
      times.push(Math.min(durationSec - 1, Math.floor(t)));
      t += rng.exponential(G.burst.meanGapSec);
    }
    inBursts -= size;
  }
  return times.sort((a, b) => a - b);
}

/**
 * A VM's requests in time order: a Poisson count at uniform times over its life in the trace;
 * each a power of two GiB, cut to what the VM's CXL:DRAM cap leaves (dropped when under
 * 2 GiB), held until departure or for a lognormal time.
 */
function expansionsOf(rng: Rng, vm: TraceVm, expansionsPerVm: number, durationSec: number): Omit<TraceExpansion, 'id'>[] {
  const count = poisson(rng, expansionsPerVm);
  const endSec = vm.departureSec ?? durationSec;
  if (count === 0 || endSec <= vm.arrivalSec) return [];
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(vm.arrivalSec + Math.floor(rng.next() * (endSec - vm.arrivalSec)));
  times.sort((a, b) => a - b);
  const capGiB = vm.dramGiB * G.vmCxlToDramRatioCap;
  const out: Omit<TraceExpansion, 'id'>[] = [];
  for (const atSec of times) {
    // Held at atSec: a release at the same second comes first (events.ts), so it no longer counts.
    const liveGiB = out.reduce((sum, x) => (x.releaseSec === null || x.releaseSec > atSec ? sum + x.sizeGiB : sum), 0);
    const wantedGiB = Math.max(G.minExpansionGiB, vm.dramGiB * sizePicker.pick(rng));
    const sizeGiB = Math.min(wantedGiB, largestPowerOfTwoAtMost(Math.min(capGiB - liveGiB, MAX_REQUEST_GIB)));
    const tier = tierPicker.pick(rng);
    const releaseSec = holdUntil(rng, atSec, vm, durationSec);
    if (sizeGiB < G.minExpansionGiB) continue;
    out.push({ vmId: vm.vmId, atSec, sizeGiB, tier, releaseSec });
  }
  return out;
}

/** When the expansion is given back; `null` when its VM's departure (or the trace's end) comes first. */
function holdUntil(rng: Rng, atSec: number, vm: TraceVm, durationSec: number): number | null {
  if (rng.next() < G.heldToDepartureShare) return null;
  const releaseSec = atSec + Math.max(G.hold.minSec, Math.round(lognormal(rng, G.hold.medianSec, G.hold.sigma)));
  if (vm.departureSec !== null ? releaseSec >= vm.departureSec : releaseSec > durationSec) return null;
  return releaseSec;
}

function largestPowerOfTwoAtMost(n: number): number {
  if (n < 1) return 0;
  return 2 ** Math.floor(Math.log2(n));
}

function seqOf(id: string): number {
  return Number(id.slice(id.lastIndexOf('/') + 1));
}
