import type { DeviceSpec, FleetSpec, HostSpec, Path } from '@mxs/topology';
import { FLEET_FORMAT, Fleet, generateFleetSpec, Rng } from '@mxs/topology';

/**
 * A hand-sized fleet for tests, small enough to reason about each number:
 * hosts h1 and h2 on switch sw1 (hop 200 ns); pool-a 1024 GiB at 300 ns and pool-b 512 GiB at
 * 450 ns behind it; direct-1 (h1) and direct-2 (h2) 256 GiB at 120 and 130 ns.
 * VMs: vm1 (tenant t1, h1, 128 GiB DRAM), vm2 (t2, h2, 64 GiB), vm3 (t1, h1, 16 GiB).
 */
export function tinyFleetSpec(): FleetSpec {
  const host = (id: string): HostSpec => ({
    id,
    rackId: 'r1',
    dramGiB: 512,
    memoryBlockSizeMiB: 128,
    cfmwsWindowGiB: 4096,
    movableRatioPct: 301,
    state: 'healthy',
    switchIds: ['sw1'],
  });
  const device = (id: string, attachment: DeviceSpec['attachment'], capacityGiB: number, baseLatencyNs: number): DeviceSpec => ({
    id,
    rackId: 'r1',
    attachment,
    capacityGiB,
    bandwidthGBps: 64,
    extentBlockGiB: 1,
    maxLogicalDevices: attachment.kind === 'direct' ? 1 : 16,
    baseLatencyNs,
    health: 'healthy',
  });
  return {
    format: FLEET_FORMAT,
    name: 'tiny',
    regions: [{ id: 'reg', name: 'Region' }],
    racks: [{ id: 'r1', regionId: 'reg' }],
    hosts: [host('h1'), host('h2')],
    switches: [{ id: 'sw1', rackId: 'r1', ports: 8, hopLatencyNs: 200, state: 'up' }],
    devices: [
      device('pool-a', { kind: 'switch', switchId: 'sw1' }, 1024, 100),
      device('pool-b', { kind: 'switch', switchId: 'sw1' }, 512, 250),
      device('direct-1', { kind: 'direct', hostId: 'h1' }, 256, 120),
      device('direct-2', { kind: 'direct', hostId: 'h2' }, 256, 130),
    ],
    vms: [
      { id: 'vm1', tenantId: 't1', hostId: 'h1', dramGiB: 128 },
      { id: 'vm2', tenantId: 't2', hostId: 'h2', dramGiB: 64 },
      { id: 'vm3', tenantId: 't1', hostId: 'h1', dramGiB: 16 },
    ],
    allocations: [],
  };
}

export function tinyFleet(edit: (spec: FleetSpec) => FleetSpec = (s) => s): Fleet {
  return Fleet.fromSpec(edit(tinyFleetSpec()));
}

/** Fills `deviceId` from offset 0 with one allocation of `sizeGiB`, held by `vmId`. */
export function fill(fleet: Fleet, deviceId: string, offsetGiB: number, sizeGiB: number, vmId = 'vm2'): void {
  fleet.allocate(`fill-${deviceId}-${offsetGiB}`, vmId, [{ deviceId, offsetGiB, sizeGiB }]);
}

export function pathTo(fleet: Fleet, hostId: string, deviceId: string): Path {
  const path = fleet.pathBetween(fleet.host(hostId), fleet.device(deviceId));
  if (path === undefined) throw new Error(`no path ${hostId} -> ${deviceId}`);
  return path;
}

/** The small preset after seeded random failures, drains, a switch or host going down. */
export function randomFleet(seed: number): Fleet {
  const rng = new Rng(seed);
  const fleet = Fleet.fromSpec(generateFleetSpec({ preset: 'small', seed }));
  for (const device of fleet.devices) {
    if (rng.next() < 0.15) fleet.setDeviceHealth(device.id, rng.pick(['degraded', 'draining', 'failed'] as const));
  }
  if (rng.next() < 0.15) fleet.setSwitchState(fleet.switches[0]?.id ?? '', 'down');
  for (const host of fleet.hosts) if (rng.next() < 0.05) fleet.setHostState(host.id, 'maintenance');
  return fleet;
}
