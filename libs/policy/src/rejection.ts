import type { Fleet, Host, Vm } from '@mxs/topology';
import type { DeviceFilterName, Drop } from './device-filters';
import { DEVICE_FILTERS } from './device-filters';
import type { Need, PlacementConfig, PlacementRequest } from './request';
import { needOf } from './request';

export type RejectionCode =
  | 'host-unavailable'
  | 'over-quota'
  | 'vm-ratio-cap'
  | 'host-window'
  | 'host-movable-ratio'
  | 'no-reachable-device'
  | 'path-down'
  | 'no-matching-tier'
  | 'no-healthy-device'
  | 'latency-bound'
  | 'block-size'
  | 'no-slots'
  | 'no-bandwidth'
  | 'no-capacity';

/** Why nothing was placed, in words a tenant can act on. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
}

export interface RequestLimits {
  readonly tenantQuotaGiB: number | undefined;
  readonly tenantUsedGiB: number;
  readonly vmCxlToDramRatioCap: number;
}

export interface Admission {
  readonly need: Need;
  readonly vm: Vm;
  /** The limit the request breaks, if any: then no device is looked at. */
  readonly rejection: Rejection | undefined;
}

/**
 * The first step of every placer: validate the request, find its VM, and check the limits that
 * hold for the request as a whole (host state, quota, VM ratio, host window and movable ratio).
 */
export function admit(fleet: Fleet, request: PlacementRequest, config: PlacementConfig): Admission {
  const need = needOf(request, config);
  const vm = fleet.vm(request.vmId);
  const quota = request.tenantQuotaGiB;
  const rejection = checkRequestLimits(vm, need, {
    tenantQuotaGiB: quota,
    // Only a quota needs the tenant's usage; skip the lookup otherwise.
    tenantUsedGiB: quota === undefined ? 0 : (request.tenantUsedGiB ?? fleet.tenantUsedGiB(vm.tenantId)),
    vmCxlToDramRatioCap: request.vmCxlToDramRatioCap ?? config.vmCxlToDramRatioCap,
  });
  return { need, vm, rejection };
}

/** Checks that hold for the request as a whole, before any device is looked at. */
export function checkRequestLimits(vm: Vm, need: Need, limits: RequestLimits): Rejection | undefined {
  const host = vm.host;
  const size = need.sizeGiB;
  if (host.state !== 'healthy') {
    return { code: 'host-unavailable', message: `host ${host.id} of VM ${vm.id} is ${host.state}; it takes no new memory` };
  }
  const quota = limits.tenantQuotaGiB;
  if (quota !== undefined && limits.tenantUsedGiB + size > quota) {
    return {
      code: 'over-quota',
      message: `needs ${size} GiB, tenant quota is ${quota} GiB with ${limits.tenantUsedGiB} GiB in use (${Math.max(0, quota - limits.tenantUsedGiB)} GiB left)`,
    };
  }
  const vmCapGiB = Math.floor(vm.dramGiB * limits.vmCxlToDramRatioCap);
  if (vm.cxlGiB + size > vmCapGiB) {
    return {
      code: 'vm-ratio-cap',
      message: `needs ${size} GiB, VM ${vm.id} may hold at most ${vmCapGiB} GiB of CXL memory (${limits.vmCxlToDramRatioCap}x its ${vm.dramGiB} GiB DRAM) and holds ${vm.cxlGiB} GiB`,
    };
  }
  const windowLeft = host.cfmwsWindowGiB - host.mappedGiB;
  if (size > windowLeft) {
    return { code: 'host-window', message: `needs ${size} GiB, host ${host.id} can map at most ${Math.max(0, windowLeft)} GiB more in its CXL window` };
  }
  const movableLeft = host.movableCapGiB - host.mappedGiB;
  if (size > movableLeft) {
    return {
      code: 'host-movable-ratio',
      message: `needs ${size} GiB, host ${host.id} can online at most ${Math.max(0, movableLeft)} GiB more as movable memory (auto_movable_ratio ${host.spec.movableRatioPct}%)`,
    };
  }
  return undefined;
}

const CODE_BY_FILTER: Record<DeviceFilterName, RejectionCode> = {
  'path-down': 'path-down',
  tier: 'no-matching-tier',
  health: 'no-healthy-device',
  latency: 'latency-bound',
  'block-size': 'block-size',
  slots: 'no-slots',
  bandwidth: 'no-bandwidth',
  capacity: 'no-capacity',
};

/**
 * Why no device could take the request. The code names the filter that stopped the devices
 * that came closest (each device is dropped by the first filter it fails, so the latest filter
 * with drops); the message counts every reason, leaving out devices of the wrong tier.
 */
export function rejectionFromDrops(host: Host, need: Need, drops: readonly Drop[], survivors: number): Rejection {
  if (host.paths.length === 0) return { code: 'no-reachable-device', message: `host ${host.id} reaches no CXL device` };
  const within = Number.isFinite(need.maxAddedLatencyNs) ? ` within ${need.maxAddedLatencyNs} ns` : '';
  const tierText = need.tier === 'any' ? '' : ` ${need.tier}`;
  const wanted = need.ways > 1 ? `${need.ways} devices with ${need.shareGiB} GiB each` : `${need.sizeGiB} GiB`;
  if (survivors > 0) {
    const message = `needs ${wanted}, only ${survivors} reachable${tierText} device(s)${within} have room; try fewer interleave ways`;
    return { code: 'no-capacity', message };
  }
  const relevant = drops.filter((d) => d.filter !== 'tier');
  if (relevant.length === 0) {
    return { code: 'no-matching-tier', message: `needs ${wanted}, host ${host.id} reaches no${tierText} device; try tier "any"` };
  }
  const groups = DEVICE_FILTERS.map((f) => relevant.filter((d) => d.filter === f.name)).filter((g) => g.length > 0);
  const last = groups[groups.length - 1] as Drop[];
  const code = CODE_BY_FILTER[(last[0] as Drop).filter];
  const others = groups.slice(0, -1).map(summary);
  if (code === 'no-capacity') {
    const note = others.length > 0 ? `; other devices: ${others.join(', ')}` : '';
    return { code, message: `needs ${wanted}, at most ${maxOf(last, 'actual')} GiB reachable${within} on one${tierText} device${note}` };
  }
  return { code, message: `needs ${wanted}${within}, no reachable${tierText} device can take it: ${[...others, summary(last)].join(', ')}` };
}

/** A few words on a group of devices dropped by one filter. */
function summary(group: readonly Drop[]): string {
  const n = group.length;
  const first = group[0] as Drop;
  switch (first.filter) {
    case 'tier':
      return `${n} of another tier`;
    case 'path-down':
      return `${n} behind a switch that is down`;
    case 'health':
      return `${n} not healthy (degraded, draining or failed)`;
    case 'latency':
      return `${n} beyond the latency bound (the nearest adds ${minOf(group, 'actual')} ns)`;
    case 'block-size':
      return `${n} taking only multiples of ${minOf(group, 'limit')} GiB`;
    case 'slots':
      return `${n} with every logical-device slot bound to other hosts`;
    case 'bandwidth':
      return `${n} with at most ${maxOf(group, 'actual').toFixed(1)} GB/s left of the ${(first.limit ?? 0).toFixed(1)} GB/s needed`;
    case 'capacity':
      return `${n} without room (at most ${maxOf(group, 'actual')} GiB)`;
  }
}

function maxOf(group: readonly Drop[], key: 'limit' | 'actual'): number {
  return group.reduce((max, d) => Math.max(max, d[key] ?? 0), 0);
}

function minOf(group: readonly Drop[], key: 'limit' | 'actual'): number {
  return group.reduce((min, d) => Math.min(min, d[key] ?? Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
}
