import type { FleetSpec } from '../spec';

/**
 * A hand-written fleet small enough to reason about by hand:
 * - h-1 reaches direct-1 (direct), mhd-1 (multi-headed) and pool-1 (through sw-1);
 * - h-2 reaches mhd-1 and pool-1;
 * - h-3 is cabled to no switch and reaches only direct-3.
 * mhd-1 and direct-1 use 2 GiB extent blocks, direct-3 4 GiB blocks, so alignment matters.
 */
export function tinyFleetSpec(): FleetSpec {
  return {
    format: 'mxs-fleet/1',
    name: 'tiny',
    regions: [{ id: 'region-1', name: 'Region 1' }],
    racks: [{ id: 'rack-1', regionId: 'region-1' }],
    hosts: [
      { id: 'h-1', rackId: 'rack-1', dramGiB: 256, memoryBlockSizeMiB: 128, cfmwsWindowGiB: 512, movableRatioPct: 100, state: 'healthy', switchIds: ['sw-1'] },
      { id: 'h-2', rackId: 'rack-1', dramGiB: 512, memoryBlockSizeMiB: 128, cfmwsWindowGiB: 64, movableRatioPct: 301, state: 'healthy', switchIds: ['sw-1'] },
      { id: 'h-3', rackId: 'rack-1', dramGiB: 128, memoryBlockSizeMiB: 128, cfmwsWindowGiB: 512, movableRatioPct: 50, state: 'healthy', switchIds: [] },
    ],
    switches: [{ id: 'sw-1', rackId: 'rack-1', ports: 8, hopLatencyNs: 200, state: 'up' }],
    devices: [
      { id: 'pool-1', rackId: 'rack-1', attachment: { kind: 'switch', switchId: 'sw-1' }, capacityGiB: 64, bandwidthGBps: 64, extentBlockGiB: 1, maxLogicalDevices: 16, baseLatencyNs: 150, health: 'healthy' },
      { id: 'mhd-1', rackId: 'rack-1', attachment: { kind: 'multi-headed', hostIds: ['h-1', 'h-2'] }, capacityGiB: 32, bandwidthGBps: 32, extentBlockGiB: 2, maxLogicalDevices: 2, baseLatencyNs: 120, health: 'healthy' },
      { id: 'direct-1', rackId: 'rack-1', attachment: { kind: 'direct', hostId: 'h-1' }, capacityGiB: 16, bandwidthGBps: 32, extentBlockGiB: 2, maxLogicalDevices: 1, baseLatencyNs: 100, health: 'healthy' },
      { id: 'direct-3', rackId: 'rack-1', attachment: { kind: 'direct', hostId: 'h-3' }, capacityGiB: 16, bandwidthGBps: 32, extentBlockGiB: 4, maxLogicalDevices: 1, baseLatencyNs: 110, health: 'healthy' },
    ],
    vms: [
      { id: 'vm-1', tenantId: 'tenant-a', hostId: 'h-1', dramGiB: 32 },
      { id: 'vm-2', tenantId: 'tenant-b', hostId: 'h-2', dramGiB: 64 },
      { id: 'vm-3', tenantId: 'tenant-a', hostId: 'h-3', dramGiB: 16 },
    ],
    allocations: [],
  };
}
