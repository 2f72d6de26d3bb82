import type { DeviceSpec, FleetSpec, HostSpec } from '@mxs/topology';
import { FLEET_FORMAT } from '@mxs/topology';

/**
 * A fleet small enough to follow each number of a replay by hand: hosts h1 and h2 (64 GiB DRAM,
 * so 57 GiB for VMs each) on switch sw1; direct-1 (h1's own, 16 GiB) and pool (32 GiB, both hosts).
 */
export function handFleet(edit: { h1?: Partial<HostSpec>; direct?: Partial<DeviceSpec> } = {}): FleetSpec {
  const host = (id: string, extra: Partial<HostSpec> = {}): HostSpec => ({
    id,
    rackId: 'r1',
    dramGiB: 64,
    memoryBlockSizeMiB: 128,
    cfmwsWindowGiB: 4096,
    movableRatioPct: 301,
    state: 'healthy',
    switchIds: ['sw1'],
    ...extra,
  });
  const device = (id: string, attachment: DeviceSpec['attachment'], capacityGiB: number, extra: Partial<DeviceSpec> = {}): DeviceSpec => ({
    id,
    rackId: 'r1',
    attachment,
    capacityGiB,
    bandwidthGBps: 64,
    extentBlockGiB: 1,
    maxLogicalDevices: attachment.kind === 'direct' ? 1 : 16,
    baseLatencyNs: 120,
    health: 'healthy',
    ...extra,
  });
  return {
    format: FLEET_FORMAT,
    name: 'hand',
    regions: [{ id: 'reg', name: 'Region' }],
    racks: [{ id: 'r1', regionId: 'reg' }],
    hosts: [host('h1', edit.h1), host('h2')],
    switches: [{ id: 'sw1', rackId: 'r1', ports: 8, hopLatencyNs: 200, state: 'up' }],
    devices: [device('direct-1', { kind: 'direct', hostId: 'h1' }, 16, edit.direct), device('pool', { kind: 'switch', switchId: 'sw1' }, 32)],
    // Stripped by the replay: it starts from an empty fleet.
    vms: [{ id: 'old', tenantId: 'x', hostId: 'h1', dramGiB: 8 }],
    allocations: [{ id: 'old-1', vmId: 'old', extents: [{ deviceId: 'pool', offsetGiB: 0, sizeGiB: 8 }] }],
  };
}
