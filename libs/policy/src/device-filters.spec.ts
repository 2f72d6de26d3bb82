/// <reference types="jest" />
import fc from 'fast-check';
import type { Fleet } from '@mxs/topology';
import { Rng } from '@mxs/topology';
import {
  bandwidthHeadroom,
  capacityFits,
  DEVICE_FILTERS,
  deviceHealthy,
  extentUnitGiB,
  firstDrop,
  pathUp,
  placeableGiB,
  slotFree,
  tierMatches,
  wholeBlocks,
  withinLatency,
} from './device-filters';
import type { Need, PlacementRequest } from './request';
import { DEFAULT_PLACEMENT_CONFIG, needOf } from './request';
import { fill, pathTo, randomFleet, tinyFleet } from './testing/fixtures';

const need = (request: Partial<PlacementRequest> = {}): Need =>
  needOf({ vmId: 'vm1', sizeGiB: 64, tier: 'any', ...request }, DEFAULT_PLACEMENT_CONFIG);


describe('device filters', () => {
  it('path-down: drops devices behind a switch that is down, not direct ones', () => {
    const fleet = tinyFleet();
    fleet.setSwitchState('sw1', 'down');
    expect(pathUp(pathTo(fleet, 'h1', 'pool-a'))).toMatchObject({ deviceId: 'pool-a', filter: 'path-down' });
    expect(pathUp(pathTo(fleet, 'h1', 'direct-1'))).toBeUndefined();
  });

  it('tier: direct and pooled requests keep only their tier; any keeps both', () => {
    const fleet = tinyFleet();
    const pooled = pathTo(fleet, 'h1', 'pool-a');
    const direct = pathTo(fleet, 'h1', 'direct-1');
    expect(tierMatches(pooled, need({ tier: 'direct' }))?.filter).toBe('tier');
    expect(tierMatches(direct, need({ tier: 'direct' }))).toBeUndefined();
    expect(tierMatches(direct, need({ tier: 'pooled' }))?.filter).toBe('tier');
    expect(tierMatches(pooled, need({ tier: 'any' }))).toBeUndefined();
  });

  it.each(['degraded', 'draining', 'failed'] as const)('health: drops a %s device', (health) => {
    const fleet = tinyFleet();
    fleet.setDeviceHealth('pool-a', health);
    expect(deviceHealthy(pathTo(fleet, 'h1', 'pool-a'))?.filter).toBe('health');
    expect(deviceHealthy(pathTo(fleet, 'h1', 'pool-b'))).toBeUndefined();
  });

  it('latency: a bound equal to the path latency passes, one below it drops', () => {
    const fleet = tinyFleet();
    const path = pathTo(fleet, 'h1', 'pool-a');
    expect(path.addedLatencyNs).toBe(300);
    expect(withinLatency(path, need({ maxAddedLatencyNs: 300 }))).toBeUndefined();
    expect(withinLatency(path, need({ maxAddedLatencyNs: 299 }))).toEqual({ deviceId: 'pool-a', filter: 'latency', limit: 299, actual: 300 });
  });

  it('block-size: a share must be whole blocks of the device', () => {
    const fleet = tinyFleet((s) => ({ ...s, devices: s.devices.map((d) => (d.id === 'pool-b' ? { ...d, extentBlockGiB: 4 } : d)) }));
    expect(wholeBlocks(pathTo(fleet, 'h1', 'pool-b'), need({ sizeGiB: 6 }))).toMatchObject({ filter: 'block-size', limit: 4, actual: 6 });
    expect(wholeBlocks(pathTo(fleet, 'h1', 'pool-b'), need({ sizeGiB: 8 }))).toBeUndefined();
  });

  it('slots: a host not yet bound needs a free logical-device slot; a bound host keeps its own', () => {
    const fleet = tinyFleet((s) => ({ ...s, devices: s.devices.map((d) => (d.id === 'pool-a' ? { ...d, maxLogicalDevices: 1 } : d)) }));
    fill(fleet, 'pool-a', 0, 8, 'vm2'); // h2 takes the only slot
    expect(slotFree(pathTo(fleet, 'h1', 'pool-a'))).toMatchObject({ filter: 'slots', limit: 1, actual: 1 });
    expect(slotFree(pathTo(fleet, 'h2', 'pool-a'))).toBeUndefined();
  });

  it('bandwidth: keeps the headroom free and counts what is reserved', () => {
    const fleet = tinyFleet();
    // 64 GB/s with 10% headroom leaves 57.6 GB/s; reserve 50 of it.
    fleet.allocate('bw', 'vm2', [{ deviceId: 'pool-a', offsetGiB: 0, sizeGiB: 1, bandwidthGBps: 50 }]);
    const path = pathTo(fleet, 'h1', 'pool-a');
    expect(bandwidthHeadroom(path, need({ bandwidthGBps: 7.5 }))).toBeUndefined();
    const drop = bandwidthHeadroom(path, need({ bandwidthGBps: 8 }));
    expect(drop).toMatchObject({ filter: 'bandwidth', limit: 8 });
    expect(drop?.actual).toBeCloseTo(7.6);
  });

  it('capacity: a request of exactly the free space fits; one GiB more does not', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-b', 0, 412);
    const path = pathTo(fleet, 'h1', 'pool-b');
    expect(capacityFits(path, need({ sizeGiB: 100 }))).toBeUndefined();
    expect(capacityFits(path, need({ sizeGiB: 101 }))).toEqual({ deviceId: 'pool-b', filter: 'capacity', limit: 101, actual: 100 });
  });

  it('capacity: a full device drops every request', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-b', 0, 512);
    expect(capacityFits(pathTo(fleet, 'h1', 'pool-b'), need({ sizeGiB: 1 }))).toMatchObject({ filter: 'capacity', actual: 0 });
  });

  it('block-size and capacity: a host with 2 GiB memory blocks counts whole 2 GiB units only', () => {
    const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, memoryBlockSizeMiB: 2048 } : h)) }));
    fill(fleet, 'pool-b', 3, 1); // runs of 3 and 508 GiB
    fill(fleet, 'pool-b', 7, 505, 'vm1'); // runs of 3 and 3 GiB
    const path = pathTo(fleet, 'h1', 'pool-b');
    expect(extentUnitGiB(path)).toBe(2);
    expect(extentUnitGiB(pathTo(fleet, 'h2', 'pool-b'))).toBe(1);
    expect(wholeBlocks(path, need({ sizeGiB: 5 }))).toMatchObject({ filter: 'block-size', limit: 2, actual: 5 });
    expect(placeableGiB(fleet.device('pool-b'), 4, Number.POSITIVE_INFINITY, 2)).toBe(4);
    expect(placeableGiB(fleet.device('pool-b'), 4)).toBe(6);
    expect(capacityFits(path, need({ sizeGiB: 4 }))).toBeUndefined();
    expect(capacityFits(path, need({ sizeGiB: 6 }))).toMatchObject({ filter: 'capacity', limit: 6, actual: 4 });
    expect(capacityFits(pathTo(fleet, 'h2', 'pool-b'), need({ sizeGiB: 6 }))).toBeUndefined();
  });

  it('capacity: counts up to maxExtentsPerDevice runs for pack, one run for an interleave way', () => {
    const fleet = tinyFleet();
    // pool-b: free runs of 100 at 0, 100 at 200, 212 at 300 after two fills.
    fill(fleet, 'pool-b', 100, 100);
    fill(fleet, 'pool-b', 200, 100, 'vm1');
    const device = fleet.device('pool-b');
    expect([...device.free.freeRuns()]).toEqual([
      { start: 0, length: 100 },
      { start: 300, length: 212 },
    ]);
    expect(placeableGiB(device, 1)).toBe(212);
    expect(placeableGiB(device, 4)).toBe(312);
    const path = pathTo(fleet, 'h1', 'pool-b');
    expect(capacityFits(path, need({ sizeGiB: 300 }))).toBeUndefined();
    expect(capacityFits(path, need({ sizeGiB: 300, layout: 'interleave', interleaveWays: 2 }))).toBeUndefined();
    expect(capacityFits(path, need({ sizeGiB: 440, layout: 'interleave', interleaveWays: 2 }))).toMatchObject({ filter: 'capacity', limit: 220, actual: 212 });
  });
});

describe('firstDrop', () => {
  it('is DEVICE_FILTERS run in order, on random fleet states and requests', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.constantFrom('direct', 'pooled', 'any' as const),
        fc.integer({ min: 1, max: 600 }),
        fc.option(fc.integer({ min: 100, max: 600 }), { nil: undefined }),
        (seed, tier, sizeGiB, maxAddedLatencyNs) => {
          const fleet = randomFleet(seed);
          allocateRandomly(fleet, seed);
          const n = needOf({ vmId: 'x', sizeGiB, tier, maxAddedLatencyNs }, DEFAULT_PLACEMENT_CONFIG);
          for (const host of fleet.hosts) {
            for (const path of host.paths) {
              const expected = DEVICE_FILTERS.map((f) => f.check(path, n)).find((d) => d !== undefined);
              expect(firstDrop(path, n)).toEqual(expected);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** Forty seeded allocations of random sizes on random reachable devices, at best-fit offsets. */
function allocateRandomly(fleet: Fleet, seed: number): void {
  const rng = new Rng(seed);
  const vms = [...fleet.vms];
  for (let i = 0; i < 40; i++) {
    const vm = rng.pick(vms);
    const path = rng.pick(vm.host.paths);
    const size = rng.int(1, 256);
    const start = path.device.free.bestFit(size);
    if (start !== undefined) fleet.allocate(`r${i}`, vm.id, [{ deviceId: path.device.id, offsetGiB: start, sizeGiB: size, bandwidthGBps: rng.next() * 8 }]);
  }
}
