/// <reference types="jest" />
import type { FleetSpec } from './spec';
import { Fleet } from './fleet';
import { loadFleet, saveFleet } from './fleet-json';
import { tinyFleetSpec } from './__fixtures__/tiny-fleet';

const tiny = (edit: (spec: FleetSpec) => FleetSpec = (s) => s) => Fleet.fromSpec(edit(tinyFleetSpec()));

describe('Fleet.fromSpec validates like a file load', () => {
  it.each<[string, (s: FleetSpec) => FleetSpec, string]>([
    ['a NaN DRAM size', (s) => ({ ...s, hosts: s.hosts.map((h, i) => (i === 0 ? { ...h, dramGiB: Number.NaN } : h)) }), 'hosts[0].dramGiB'],
    ['more logical devices than CXL allows', (s) => ({ ...s, devices: s.devices.map((d, i) => (i === 0 ? { ...d, maxLogicalDevices: 100 } : d)) }), 'devices[0].maxLogicalDevices'],
    ['a negative latency', (s) => ({ ...s, devices: s.devices.map((d, i) => (i === 0 ? { ...d, baseLatencyNs: -1000 } : d)) }), 'devices[0].baseLatencyNs'],
  ])('refuses %s', (_what, edit, path) => {
    expect(() => tiny(edit)).toThrow(expect.objectContaining({ code: 'invalid-fleet-format', details: expect.arrayContaining([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `))]) }));
  });

  it('reports every refused allocation, not just the first', () => {
    const overlapping = (id: string) => ({ id, vmId: 'vm-1', extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 8 }] });
    const spec: FleetSpec = { ...tinyFleetSpec(), allocations: [overlapping('a-1'), overlapping('a-2'), overlapping('a-3')] };
    expect(() => Fleet.fromSpec(spec)).toThrow(
      expect.objectContaining({ details: [expect.stringMatching(/^allocations\[1\]: /), expect.stringMatching(/^allocations\[2\]: /)] }),
    );
  });
});

describe('Fleet keeps what it accepts savable', () => {
  it.each([
    ['an id with a space', { id: 'vm 9', tenantId: 'tenant-a', hostId: 'h-1', dramGiB: 8 }],
    ['a tenant id with a slash', { id: 'vm-9', tenantId: 'tenant/x', hostId: 'h-1', dramGiB: 8 }],
    ['a DRAM size past the schema', { id: 'vm-9', tenantId: 'tenant-a', hostId: 'h-1', dramGiB: 100_000 }],
  ])('addVm refuses %s', (_what, vm) => {
    expect(() => tiny().addVm(vm)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('allocate refuses an id the file format cannot hold', () => {
    const fleet = tiny();
    for (const id of ['', 'alloc#1', 'a b']) {
      expect(() => fleet.allocate(id, 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1 }])).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
    expect(fleet.usedGiB).toBe(0);
  });

  it('what it accepts saves and loads back the same', () => {
    const fleet = tiny();
    fleet.addVm({ id: 'vm-9', tenantId: 'tenant-c', hostId: 'h-2', dramGiB: 48 });
    fleet.allocate('alloc-1', 'vm-9', [{ deviceId: 'pool-1', offsetGiB: 4, sizeGiB: 6, bandwidthGBps: 0.1 }]);
    expect(loadFleet(saveFleet(fleet)).toSpec()).toEqual(fleet.toSpec());
  });
});

describe('Fleet.allocate refuses what the hardware cannot do', () => {
  it('a host mapping past its CFMWS window', () => {
    // h-2 has a 64 GiB window.
    const fleet = tiny();
    fleet.allocate('a-1', 'vm-2', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 60 }]);
    expect(() => fleet.allocate('a-2', 'vm-2', [{ deviceId: 'mhd-1', offsetGiB: 0, sizeGiB: 6 }])).toThrow(expect.objectContaining({ code: 'host-window-exceeded' }));
    expect(fleet.allocate('a-3', 'vm-2', [{ deviceId: 'mhd-1', offsetGiB: 0, sizeGiB: 4 }]).sizeGiB).toBe(4);
  });

  it('a host binding a device whose logical devices are all bound to others', () => {
    const fleet = tiny((s) => ({ ...s, devices: s.devices.map((d) => (d.id === 'pool-1' ? { ...d, maxLogicalDevices: 1 } : d)) }));
    fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 2 }]);
    expect(() => fleet.allocate('a-2', 'vm-2', [{ deviceId: 'pool-1', offsetGiB: 8, sizeGiB: 2 }])).toThrow(expect.objectContaining({ code: 'slots-exhausted' }));
    // The host that holds the slot may add more.
    expect(fleet.allocate('a-3', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 8, sizeGiB: 2 }]).sizeGiB).toBe(2);
    expect(fleet.device('pool-1').boundHostCount).toBe(1);
  });

  it.each([Number.POSITIVE_INFINITY, Number.NaN, -1])('a bandwidth of %p', (bandwidthGBps) => {
    const fleet = tiny();
    expect(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1, bandwidthGBps }])).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(fleet.device('pool-1').reservedBandwidthGBps).toBe(0);
  });

  it('keeps bandwidth sums exact through fractional reservations and releases', () => {
    const fleet = tiny();
    fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1, bandwidthGBps: 0.1 }]);
    fleet.allocate('a-2', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 1, sizeGiB: 1, bandwidthGBps: 0.2 }]);
    expect(fleet.device('pool-1').reservedBandwidthGBps).toBe(0.3);
    fleet.release('a-1');
    fleet.release('a-2');
    expect(fleet.device('pool-1').reservedBandwidthGBps).toBe(0);
  });
});

describe('a device’s free space', () => {
  it('offers no mutators on its public type (the typecheck target fails if it does)', () => {
    const fleet = tiny();
    const device = fleet.device('pool-1');
    const bypass = (): void => {
      // @ts-expect-error FreeSpaceView has no allocateAt: only the fleet changes free space
      device.free.allocateAt(0, 1);
    };
    expect(bypass).toBeInstanceOf(Function);
    expect(device.freeGiB).toBe(64);
  });
});
