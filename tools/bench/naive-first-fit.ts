import type { PlacementConfig, PlacementConfigOverrides, PlacementDecision, PlacementRequest } from '@mxs/policy';
import { admit, chooseExtents, DEVICE_FILTERS, resolveConfig } from '@mxs/policy';
import type { Fleet, Path } from '@mxs/topology';

/**
 * The naive baseline: the same hard constraints as the engine, but it scans every device of the
 * fleet in order and takes the first that fits, at the lowest free offset. No scoring.
 */
export class NaiveFirstFit {
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
      return { outcome: 'rejected', ...base, reason: { code: 'no-capacity', message: 'no device fits' } };
    }
    const extents = picked.flatMap((path) => chooseExtents(path, need, 'first'));
    return { outcome: 'placed', ...base, extents };
  }
}
