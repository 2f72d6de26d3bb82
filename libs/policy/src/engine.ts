import type { Fleet, Path, Vm } from '@mxs/topology';
import type { Drop } from './device-filters';
import { firstDrop } from './device-filters';
import type { PlacedExtent } from './extents';
import { chooseExtents } from './extents';
import type { Rejection } from './rejection';
import { admit, rejectionFromDrops } from './rejection';
import type { Layout, Need, PlacementConfig, PlacementConfigOverrides, PlacementRequest, ScoreWeights } from './request';
import { resolveConfig } from './request';
import type { ScoreParts } from './scorers';
import { scoreParts, strandsExclusive, weightedScore } from './scorers';

export interface ChosenDevice {
  readonly deviceId: string;
  readonly score: number;
  readonly parts: ScoreParts;
}

/** How the engine reached its answer: every candidate it dropped and why, and what it chose. */
export interface Explanation {
  readonly vmId: string;
  readonly hostId: string;
  /** Devices the VM's host has a path to: the only ones ever considered. */
  readonly candidates: number;
  /** The host was near its limit, so the devices only it reaches were weighed first. */
  readonly hostUnderPressure: boolean;
  readonly dropped: readonly Drop[];
  readonly chosen: readonly ChosenDevice[];
}

export interface PlacedDecision {
  readonly outcome: 'placed';
  readonly vmId: string;
  readonly sizeGiB: number;
  readonly extents: readonly PlacedExtent[];
  readonly explanation: Explanation;
}

export interface RejectedDecision {
  readonly outcome: 'rejected';
  readonly vmId: string;
  readonly sizeGiB: number;
  readonly reason: Rejection;
  readonly explanation: Explanation;
}

export type PlacementDecision = PlacedDecision | RejectedDecision;

interface Survivor {
  readonly path: Path;
  readonly score: number;
}

/** Higher score first; the lower device index breaks ties, so decisions are deterministic. */
function better(a: Survivor, b: Survivor): number {
  return b.score - a.score || a.path.device.index - b.path.device.index;
}

/**
 * The placement engine of DESIGN.md §4: filter the devices the VM's host reaches, score the
 * survivors, choose aligned extents. Pure and deterministic: it reads the fleet and never
 * changes it; the caller commits a placed decision (`Fleet.allocate`). Its cost grows with the
 * devices one host reaches, never with the fleet.
 */
export class PlacementEngine {
  readonly config: PlacementConfig;
  private readonly pressuredWeights: Readonly<Record<Layout, ScoreWeights>>;

  constructor(config: PlacementConfigOverrides = {}) {
    this.config = resolveConfig(config);
    const bonus = (w: ScoreWeights): ScoreWeights => ({ ...w, sharing: w.sharing + this.config.strandingSharingBonus });
    const { pack, spread, interleave } = this.config.weights;
    this.pressuredWeights = { pack: bonus(pack), spread: bonus(spread), interleave: bonus(interleave) };
  }

  place(fleet: Fleet, request: PlacementRequest): PlacementDecision {
    const { need, vm, rejection } = admit(fleet, request, this.config);
    if (rejection !== undefined) return rejected(vm, need, rejection, []);
    const host = vm.host;

    const underPressure = strandsExclusive(host, need.sizeGiB);
    const weights = (underPressure ? this.pressuredWeights : this.config.weights)[need.layout];
    const dropped: Drop[] = [];
    const survivors: Survivor[] = [];
    for (const path of host.paths) {
      const drop = firstDrop(path, need);
      if (drop !== undefined) dropped.push(drop);
      else survivors.push({ path, score: weightedScore(path, need, weights, vm) });
    }
    if (survivors.length < need.ways) {
      return rejected(vm, need, rejectionFromDrops(host, need, dropped, survivors.length), dropped);
    }
    const picked = need.ways === 1 ? [best(survivors)] : survivors.sort(better).slice(0, need.ways);
    const extents: PlacedExtent[] = [];
    const chosen: ChosenDevice[] = [];
    for (const s of picked) {
      extents.push(...chooseExtents(s.path, need));
      chosen.push({ deviceId: s.path.device.id, score: s.score, parts: scoreParts(s.path, need, vm) });
    }
    return {
      outcome: 'placed',
      vmId: vm.id,
      sizeGiB: need.sizeGiB,
      extents,
      explanation: { vmId: vm.id, hostId: host.id, candidates: host.paths.length, hostUnderPressure: underPressure, dropped, chosen },
    };
  }
}

function best(survivors: readonly Survivor[]): Survivor {
  let top = survivors[0] as Survivor;
  for (const s of survivors) if (better(s, top) < 0) top = s;
  return top;
}

function rejected(vm: Vm, need: Need, reason: Rejection, dropped: readonly Drop[]): RejectedDecision {
  return {
    outcome: 'rejected',
    vmId: vm.id,
    sizeGiB: need.sizeGiB,
    reason,
    explanation: { vmId: vm.id, hostId: vm.host.id, candidates: vm.host.paths.length, hostUnderPressure: false, dropped, chosen: [] },
  };
}
