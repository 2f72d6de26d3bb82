/// <reference types="jest" />
import fc from 'fast-check';
import type { Fleet } from '@mxs/topology';
import { Fleet as FleetClass, generateFleetSpec, Rng } from '@mxs/topology';
import { randomFleet } from './testing/fixtures';
import type { PlacementDecision } from './engine';
import { PlacementEngine } from './engine';
import type { Layout, PlacementRequest, RequestedTier } from './request';
import { DEFAULT_PLACEMENT_CONFIG, needOf } from './request';
import { DEVICE_FILTERS } from './device-filters';
import type { RejectionCode } from './rejection';

const REQUEST_LEVEL_CODES: readonly RejectionCode[] = ['host-unavailable', 'over-quota', 'vm-ratio-cap', 'host-window', 'host-movable-ratio'];

const engine = new PlacementEngine();

/** A seeded request on a random VM of the fleet. */
function randomRequest(rng: Rng, fleet: Fleet): PlacementRequest {
  const vms = [...fleet.vms];
  const layout = rng.pick<Layout>(['pack', 'spread', 'interleave']);
  const ways = layout === 'interleave' ? rng.int(2, 8) : undefined;
  const size = rng.int(1, 300);
  return {
    vmId: rng.pick(vms).id,
    sizeGiB: ways === undefined ? size : Math.max(1, Math.floor(size / ways)) * ways,
    tier: rng.pick<RequestedTier>(['direct', 'pooled', 'any']),
    layout,
    interleaveWays: ways,
    maxAddedLatencyNs: rng.next() < 0.4 ? rng.int(100, 500) : undefined,
    tenantQuotaGiB: rng.next() < 0.3 ? rng.int(0, 2000) : undefined,
    vmCxlToDramRatioCap: rng.pick([2, 16, 64]),
  };
}

/**
 * An independent count of the devices that could take one share: a scan of the whole fleet
 * with the filters, not the engine's walk over the host's paths.
 */
function devicesThatFit(fleet: Fleet, request: PlacementRequest): number {
  const host = fleet.vm(request.vmId).host;
  const need = needOf(request, DEFAULT_PLACEMENT_CONFIG);
  return fleet.devices.filter((device) => {
    const path = device.paths.find((p) => p.host === host);
    return path !== undefined && DEVICE_FILTERS.every((f) => f.check(path, need) === undefined);
  }).length;
}

function checkDecision(fleet: Fleet, request: PlacementRequest, decision: PlacementDecision): void {
  const vm = fleet.vm(request.vmId);
  const ways = request.interleaveWays ?? 1;
  if (decision.outcome === 'rejected') {
    const code = decision.reason.code;
    if (code === 'over-quota') {
      expect(fleet.tenantUsedGiB(vm.tenantId) + request.sizeGiB).toBeGreaterThan(request.tenantQuotaGiB ?? Infinity);
    } else if (!REQUEST_LEVEL_CODES.includes(code)) {
      // Liveness: a device-level rejection only when fewer devices fit than the request needs.
      expect(devicesThatFit(fleet, request)).toBeLessThan(ways);
    }
    return;
  }
  expect(devicesThatFit(fleet, request)).toBeGreaterThanOrEqual(ways);
  expect(vm.host.mappedGiB + request.sizeGiB).toBeLessThanOrEqual(vm.host.spec.cfmwsWindowGiB);
  expect(vm.host.mappedGiB + request.sizeGiB).toBeLessThanOrEqual(vm.host.movableCapGiB);
  const total = decision.extents.reduce((sum, e) => sum + e.sizeGiB, 0);
  expect(total).toBe(request.sizeGiB);
  expect(vm.host.state).toBe('healthy');
  if (request.tenantQuotaGiB !== undefined) {
    expect(fleet.tenantUsedGiB(vm.tenantId) + request.sizeGiB).toBeLessThanOrEqual(request.tenantQuotaGiB);
  }
  expect(vm.cxlGiB + request.sizeGiB).toBeLessThanOrEqual(vm.dramGiB * (request.vmCxlToDramRatioCap ?? 4));
  for (const extent of decision.extents) {
    const device = fleet.device(extent.deviceId);
    const path = fleet.pathBetween(vm.host, device);
    expect(path).toBeDefined(); // reachable from the VM's host
    expect(path?.isUp).toBe(true);
    expect(device.health).toBe('healthy');
    expect(path?.addedLatencyNs ?? Infinity).toBeLessThanOrEqual(request.maxAddedLatencyNs ?? Infinity);
    if (request.tier !== 'any') expect(device.tier).toBe(request.tier);
    expect(extent.offsetGiB % device.extentBlockGiB).toBe(0);
  }
  if (request.layout === 'interleave') {
    const devices = new Set(decision.extents.map((e) => e.deviceId));
    expect(devices.size).toBe(request.interleaveWays);
    expect(new Set(decision.extents.map((e) => e.sizeGiB)).size).toBe(1);
  } else {
    expect(new Set(decision.extents.map((e) => e.deviceId)).size).toBe(1);
    expect(decision.extents.length).toBeLessThanOrEqual(DEFAULT_PLACEMENT_CONFIG.maxExtentsPerDevice);
  }
}

/** Places, commits and sometimes releases a seeded stream; returns every decision. */
function churn(seed: number, steps: number, check: boolean): PlacementDecision[] {
  const fleet = randomFleet(seed);
  const rng = new Rng(seed ^ 0x51ab);
  const decisions: PlacementDecision[] = [];
  const live: string[] = [];
  for (let i = 0; i < steps; i++) {
    if (live.length > 0 && rng.next() < 0.3) {
      const k = rng.int(0, live.length - 1);
      fleet.release(live.splice(k, 1)[0] as string);
      continue;
    }
    const request = randomRequest(rng, fleet);
    const decision = engine.place(fleet, request);
    if (check) checkDecision(fleet, request, decision);
    decisions.push(decision);
    if (decision.outcome === 'placed') {
      fleet.allocate(`a${i}`, request.vmId, decision.extents); // throws on overlap or misalignment
      live.push(`a${i}`);
    }
    if (check) {
      for (const device of fleet.devices) {
        expect(device.boundHostCount).toBeLessThanOrEqual(device.maxLogicalDevices);
        expect(device.reservedBandwidthGBps).toBeLessThanOrEqual(device.bandwidthGBps * (1 - DEFAULT_PLACEMENT_CONFIG.bandwidthHeadroomFraction) + 1e-9);
      }
    }
  }
  return decisions;
}

describe('placement properties', () => {
  it('never picks a device the host cannot reach, an unhealthy one, one over the latency bound, the wrong tier, or over quota; extents are free and aligned', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        churn(seed, 120, true);
      }),
      { numRuns: 40 },
    );
  });

  it('the same seed gives the same decisions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        expect(churn(seed, 80, false)).toEqual(churn(seed, 80, false));
      }),
      { numRuns: 15 },
    );
  });

  it('never reads the fleet-wide lists: a decision walks the VM’s host only', () => {
    const fleet = FleetClass.fromSpec(generateFleetSpec({ preset: 'rack64', seed: 7 }));
    const rng = new Rng(8);
    const requests = Array.from({ length: 300 }, () => randomRequest(rng, fleet));
    for (const list of ['hosts', 'devices', 'switches', 'vms', 'allocations'] as const) {
      Object.defineProperty(fleet, list, {
        get() {
          throw new Error(`placement read fleet.${list}`);
        },
      });
    }
    let placedCount = 0;
    for (const request of requests) {
      const decision = engine.place(fleet, request);
      if (decision.outcome === 'placed') {
        fleet.allocate(`p${placedCount++}`, request.vmId, decision.extents);
      }
    }
    expect(placedCount).toBeGreaterThan(100);
  });

  it('considers only the devices the VM’s host reaches', () => {
    const fleet = FleetClass.fromSpec(generateFleetSpec({ preset: 'rack64', seed: 7 }));
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const request = randomRequest(rng, fleet);
      const decision = engine.place(fleet, request);
      const host = fleet.vm(request.vmId).host;
      expect(decision.explanation.candidates).toBe(host.paths.length);
      expect(host.paths.length).toBe(9); // its direct device and the 8 pooled devices of its rack
      const seen = [...decision.explanation.dropped.map((d) => d.deviceId), ...decision.explanation.chosen.map((c) => c.deviceId)];
      for (const id of seen) expect(fleet.pathBetween(host, fleet.device(id))).toBeDefined();
    }
  });
});
