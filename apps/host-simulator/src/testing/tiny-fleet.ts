import type { DeviceSpec, FleetSpec, HostSpec } from '@mxs/topology';
import { FLEET_FORMAT } from '@mxs/topology';
import { ManualClock } from '../model/clock';
import type { SimOptions } from '../model/options';
import { simOptions } from '../model/options';
import { Simulator } from '../model/simulator';

const host = (id: string, extra: Partial<HostSpec> = {}): HostSpec => ({
  id,
  rackId: 'rack-1',
  dramGiB: 512,
  memoryBlockSizeMiB: 128,
  cfmwsWindowGiB: 4096,
  movableRatioPct: 301,
  state: 'healthy',
  switchIds: ['sw-1'],
  ...extra,
});

const device = (id: string, attachment: DeviceSpec['attachment'], extra: Partial<DeviceSpec> = {}): DeviceSpec => ({
  id,
  rackId: 'rack-1',
  attachment,
  capacityGiB: 1024,
  bandwidthGBps: 64,
  extentBlockGiB: 1,
  maxLogicalDevices: 16,
  baseLatencyNs: 150,
  health: 'healthy',
  ...extra,
});

/**
 * host-a and host-b on switch sw-1 with pooled device pool-1; host-c not cabled to it; host-a's
 * own direct-a; pool-2 takes one host at a time (one logical device).
 */
export function tinyFleet(): FleetSpec {
  return {
    format: FLEET_FORMAT,
    name: 'tiny',
    regions: [{ id: 'region-1', name: 'Region 1' }],
    racks: [{ id: 'rack-1', regionId: 'region-1' }],
    hosts: [host('host-a'), host('host-b'), host('host-c', { switchIds: [] })],
    switches: [{ id: 'sw-1', rackId: 'rack-1', ports: 64, hopLatencyNs: 200, state: 'up' }],
    devices: [
      device('pool-1', { kind: 'switch', switchId: 'sw-1' }),
      device('pool-2', { kind: 'switch', switchId: 'sw-1' }, { maxLogicalDevices: 1 }),
      device('direct-a', { kind: 'direct', hostId: 'host-a' }, { capacityGiB: 512, maxLogicalDevices: 1 }),
    ],
    vms: [],
    allocations: [],
  };
}

export interface TinySim {
  readonly sim: Simulator;
  readonly clock: ManualClock;
  readonly options: SimOptions;
}

/** A simulator on the tiny fleet with a hand-driven clock; time scale 0 unless told. */
export function tinySim(overrides: Parameters<typeof simOptions>[0] = {}): TinySim {
  const clock = new ManualClock();
  const options = simOptions({ timeScale: 0, ...overrides });
  const sim = new Simulator(options, clock);
  sim.loadFleet(tinyFleet());
  return { sim, clock, options };
}

/** Offer, accept, online, plug: the hot-add sequence at time scale 0. */
export function hotAdd(sim: Simulator, expansionId: string, hostId = 'host-a', vmId = 'vm-1', offsetGiB = 0, sizeGiB = 4): void {
  sim.offerExtents('pool-1', { expansionId, hostId, extents: [{ offsetGiB, sizeGiB }] });
  sim.acceptExtents({ expansionId, hostId });
  sim.onlineRegion({ expansionId, hostId, sizeGiB });
  sim.plugVmMemory({ expansionId, hostId, vmId, sizeGiB });
}
