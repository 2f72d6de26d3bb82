/// <reference types="jest" />
import type { DeviceSpec, FleetSpec, HostSpec } from '@mxs/topology';
import { FLEET_FORMAT, Fleet } from '@mxs/topology';
import { capacitySummary, deviceFragmentation, fleetFragmentation, fleetUtilization, strandedGiB } from './capacity';

/** Hosts h1, h2 on switch sw1; pool (512 GiB) behind it; d1, d2 direct 256 GiB each. */
function fleet(edit: (spec: FleetSpec) => FleetSpec = (s) => s): Fleet {
  const host = (id: string): HostSpec => ({
    id,
    rackId: 'r',
    dramGiB: 256,
    memoryBlockSizeMiB: 128,
    cfmwsWindowGiB: 4096,
    movableRatioPct: 301,
    state: 'healthy',
    switchIds: ['sw1'],
  });
  const device = (id: string, attachment: DeviceSpec['attachment'], capacityGiB: number): DeviceSpec => ({
    id,
    rackId: 'r',
    attachment,
    capacityGiB,
    bandwidthGBps: 64,
    extentBlockGiB: 1,
    maxLogicalDevices: attachment.kind === 'direct' ? 1 : 16,
    baseLatencyNs: 120,
    health: 'healthy',
  });
  return Fleet.fromSpec(
    edit({
      format: FLEET_FORMAT,
      name: 'capacity',
      regions: [{ id: 'reg', name: 'Region' }],
      racks: [{ id: 'r', regionId: 'reg' }],
      hosts: [host('h1'), host('h2')],
      switches: [{ id: 'sw1', rackId: 'r', ports: 8, hopLatencyNs: 200, state: 'up' }],
      devices: [device('pool', { kind: 'switch', switchId: 'sw1' }, 512), device('d1', { kind: 'direct', hostId: 'h1' }, 256), device('d2', { kind: 'direct', hostId: 'h2' }, 256)],
      vms: [
        { id: 'v1', tenantId: 't', hostId: 'h1', dramGiB: 64 },
        { id: 'v2', tenantId: 't', hostId: 'h2', dramGiB: 64 },
      ],
      allocations: [],
    }),
  );
}

describe('fleetUtilization', () => {
  it('is used over capacity', () => {
    const f = fleet();
    expect(fleetUtilization(f)).toBe(0);
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 256 }]);
    expect(fleetUtilization(f)).toBe(256 / 1024);
  });
});

describe('strandedGiB', () => {
  it('is 0 when every device is reachable by a host with room', () => {
    expect(strandedGiB(fleet())).toBe(0);
  });

  it('counts a direct device whose only host cannot grow (movable ratio used up)', () => {
    // h1 with 128 GiB DRAM at 301% may online 385 GiB as movable memory.
    const f = fleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, dramGiB: 128 } : h)) }));
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 300 }]);
    f.allocate('b', 'v1', [{ deviceId: 'd1', offsetGiB: 0, sizeGiB: 84 }]);
    expect(f.host('h1').growthRoomGiB).toBe(1);
    expect(strandedGiB(f)).toBe(0);
    f.allocate('c', 'v1', [{ deviceId: 'd1', offsetGiB: 84, sizeGiB: 1 }]);
    expect(f.host('h1').growthRoomGiB).toBe(0);
    expect(strandedGiB(f)).toBe(256 - 85); // d1's rest; the pool is still reachable by h2
  });

  it('counts the free GiB of a host’s direct device once the host is out of room', () => {
    const f = fleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, cfmwsWindowGiB: 100 } : h)) }));
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 100 }]);
    expect(strandedGiB(f)).toBe(256); // all of d1; the pool is still reachable by h2
  });

  it('counts a host that is not healthy as having no room', () => {
    const f = fleet();
    f.setHostState('h2', 'maintenance');
    expect(strandedGiB(f)).toBe(256);
  });

  it('counts pooled free space when the switch to it is down', () => {
    const f = fleet();
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 12 }]);
    f.setSwitchState('sw1', 'down');
    expect(strandedGiB(f)).toBe(500);
  });

  it('counts pooled free space whose logical-device slots are all bound to hosts with no room', () => {
    const f = fleet((s) => ({
      ...s,
      hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, cfmwsWindowGiB: 10 } : h)),
      devices: s.devices.map((d) => (d.id === 'pool' ? { ...d, maxLogicalDevices: 1 } : d)),
    }));
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 10 }]);
    // h1 holds the only slot and is full; h2 has room but no slot; d1 is h1's and stranded too.
    expect(strandedGiB(f)).toBe(502 + 256);
  });

  it('does not count devices that take no new memory', () => {
    const f = fleet();
    f.setHostState('h2', 'maintenance');
    f.setDeviceHealth('d2', 'failed');
    expect(strandedGiB(f)).toBe(0);
  });
});

describe('fragmentation', () => {
  it('is 0 for one free run or none, and grows as free space shatters', () => {
    const f = fleet();
    expect(deviceFragmentation(f.device('pool'))).toBe(0);
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 100, sizeGiB: 100 }]);
    // free runs of 100 and 312 GiB
    expect(deviceFragmentation(f.device('pool'))).toBeCloseTo(1 - 312 / 412);
    f.allocate('b', 'v1', [{ deviceId: 'd1', offsetGiB: 0, sizeGiB: 256 }]);
    expect(deviceFragmentation(f.device('d1'))).toBe(0);
  });

  it('weights each healthy device by its free space', () => {
    const f = fleet();
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 100, sizeGiB: 100 }]);
    const pool = (1 - 312 / 412) * 412;
    expect(fleetFragmentation(f)).toBeCloseTo(pool / (412 + 256 + 256));
    f.setDeviceHealth('pool', 'draining');
    expect(fleetFragmentation(f)).toBe(0);
  });
});

describe('capacitySummary', () => {
  it('gathers the figures', () => {
    const f = fleet();
    f.allocate('a', 'v1', [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 24 }]);
    f.setDeviceHealth('d2', 'degraded');
    expect(capacitySummary(f)).toEqual({
      capacityGiB: 1024,
      placeableCapacityGiB: 768,
      usedGiB: 24,
      freeGiB: 1000,
      utilization: 24 / 1024,
      strandedGiB: 0,
      fragmentation: 0,
    });
  });
});
