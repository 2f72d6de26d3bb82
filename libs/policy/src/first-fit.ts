import type { Fleet, Path } from '@mxs/topology';
import { DEVICE_FILTERS, firstDrop } from './device-filters';
import type { Drop } from './device-filters';
import type { PlacementDecision } from './engine';
import { chooseExtents } from './extents';
import { admit, rejectionFromDrops } from './rejection';
import type { PlacementConfig, PlacementConfigOverrides, PlacementRequest } from './request';
import { resolveConfig } from './request';

/**
 * The naive baseline placements are measured against: the same hard constraints as the engine
 * (request limits, then `DEVICE_FILTERS`), but it scans every device of the fleet in fleet
 * order and takes the first that passes, at its lowest free offset. No scoring. Its cost grows
 * with the fleet on purpose: `bench:placement` shows what the engine's per-host view buys.
 */
export class FirstFitPolicy {
  readonly config: PlacementConfig;

  constructor(config: PlacementConfigOverrides = {}) {
    this.config = resolveConfig(config);
  }

  place(fleet: Fleet, request: PlacementRequest): PlacementDecision {
    const { need, vm, rejection } = admit(fleet, request, this.config);
    const host = vm.host;
    const explanation = { vmId: vm.id, hostId: host.id, candidates: host.paths.length, hostUnderPressure: false, dropped: [], chosen: [] };
    const base = { vmId: vm.id, sizeGiB: need.sizeGiB, explanation };
    if (rejection !== undefined) return { outcome: 'rejected', ...base, reason: rejection };
    const picked: Path[] = [];
    for (const device of fleet.devices) {
      const path = fleet.pathBetween(host, device);
      if (path === undefined || DEVICE_FILTERS.some((f) => f.check(path, need) !== undefined)) continue;
      picked.push(path);
      if (picked.length === need.ways) break;
    }
    if (picked.length < need.ways) {
      // Only on a refusal: name the filter the engine would, so reports compare reasons across placers.
      const dropped = host.paths.map((p) => firstDrop(p, need)).filter((d): d is Drop => d !== undefined);
      return { outcome: 'rejected', ...base, reason: rejectionFromDrops(host, need, dropped, picked.length) };
    }
    const extents = picked.flatMap((path) => chooseExtents(path, need, 'first'));
    return { outcome: 'placed', ...base, extents };
  }
}
