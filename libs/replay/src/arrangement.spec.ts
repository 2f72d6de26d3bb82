/// <reference types="jest" />
import type { FleetSpec } from '@mxs/topology';
import { Fleet, generateFleetSpec } from '@mxs/topology';
import { arrangeFleet, MAX_DEVICE_GIB } from './arrangement';
import { ReplayError } from './errors';

const fleet = generateFleetSpec({ preset: 'small', seed: 2 }); // 16 hosts, 12,288 GiB
const capacityOf = (spec: FleetSpec) => spec.devices.reduce((sum, d) => sum + d.capacityGiB, 0);
const sameHosts = (spec: FleetSpec) =>
  spec.hosts.map((h) => [h.id, h.dramGiB, h.memoryBlockSizeMiB, h.cfmwsWindowGiB, h.movableRatioPct, h.state]);

describe('arrangeFleet', () => {
  it('direct-attached only: each host its share on its own device, nothing shared', () => {
    const direct = arrangeFleet(fleet, null, 16 * 100 + 3);
    expect(() => Fleet.fromSpec(direct)).not.toThrow();
    expect(sameHosts(direct)).toEqual(sameHosts(fleet));
    expect(capacityOf(direct)).toBe(1603);
    expect(direct.switches).toEqual([]);
    expect(direct.devices.map((d) => d.capacityGiB)).toEqual([101, 101, 101, ...Array(13).fill(100)]);
    expect(direct.devices.every((d, i) => d.attachment.kind === 'direct' && d.attachment.hostId === fleet.hosts[i]?.id)).toBe(true);
    expect(direct.vms).toEqual([]);
  });

  it('pools: consecutive hosts in groups share one switch and the group’s share, a smaller group last', () => {
    const pooled = arrangeFleet(fleet, 6, 16 * 100);
    const built = Fleet.fromSpec(pooled);
    expect(sameHosts(pooled)).toEqual(sameHosts(fleet));
    expect(capacityOf(pooled)).toBe(1600);
    expect(pooled.switches.map((s) => s.id)).toEqual(['pool-sw-0001', 'pool-sw-0002', 'pool-sw-0003']);
    expect(pooled.devices.map((d) => [d.id, d.capacityGiB, d.maxLogicalDevices])).toEqual([
      ['pool-0001-1', 600, 16],
      ['pool-0002-1', 600, 16],
      ['pool-0003-1', 400, 16],
    ]);
    // Each host reaches its own group's device and no other.
    expect(built.hosts.map((h) => h.paths.map((p) => p.device.id).join())).toEqual([
      ...Array(6).fill('pool-0001-1'),
      ...Array(6).fill('pool-0002-1'),
      ...Array(4).fill('pool-0003-1'),
    ]);
  });

  it('splits a share past 2 TiB into near-equal devices', () => {
    const pooled = arrangeFleet(fleet, 16, 16 * 300); // 4,800 GiB in one pool
    expect(pooled.devices.map((d) => d.capacityGiB)).toEqual([1600, 1600, 1600]);
    const direct = arrangeFleet(fleet, null, 16 * 4097);
    expect(direct.devices.filter((d) => d.attachment.kind === 'direct' && d.attachment.hostId === fleet.hosts[0]?.id).map((d) => d.capacityGiB)).toEqual([1366, 1366, 1365]);
    expect(Math.max(...direct.devices.map((d) => d.capacityGiB))).toBeLessThanOrEqual(MAX_DEVICE_GIB);
    expect(() => Fleet.fromSpec(direct)).not.toThrow();
    expect(() => Fleet.fromSpec(pooled)).not.toThrow();
  });

  it('refuses pools past 16 hosts, capacity that is not whole blocks, and fleets without hosts', () => {
    expect(() => arrangeFleet(fleet, 17, 1600)).toThrow(expect.objectContaining({ code: 'invalid-arrangement' }));
    expect(() => arrangeFleet(fleet, 8, 0)).toThrow(ReplayError);
    expect(() => arrangeFleet({ ...fleet, devices: fleet.devices.map((d) => ({ ...d, extentBlockGiB: 2 })) }, 8, 1601)).toThrow(/2 GiB block/);
    expect(() => arrangeFleet({ ...fleet, hosts: [] }, null, 1600)).toThrow(/no hosts/);
  });
});
