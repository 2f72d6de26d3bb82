import type { DeviceSpec, FleetSpec, HostSpec, RackSpec, SwitchSpec } from '@mxs/topology';
import { ReplayError } from './errors';

/** Largest device the fleet format takes (a CXL expander of 2 TiB). */
export const MAX_DEVICE_GIB = 2048;
/** A pooled device has 16 logical devices: at most 16 hosts can share it. */
export const MAX_HOSTS_PER_POOL = 16;
const MAX_SWITCH_PORTS = 1024;
// x16 PCIe 5: at the engine's 0.02 GB/s per GiB, 2 TiB needs 41 of its 57.6 usable GB/s, so
// bandwidth never decides a study that compares capacity.
const DEVICE_BANDWIDTH_GBPS = 64;
const DEFAULT_LATENCY_NS = { direct: 120, pooled: 150, hop: 200 };

/**
 * The fleet's hosts (ids, DRAM, memory block size, CFMWS window, movable ratio, state) with
 * `totalCapacityGiB` of CXL memory arranged anew:
 * - `hostsPerPool` null: direct-attached only, each host its share (total / hosts) on its own
 *   device(s); hosts keep their racks and lose their switches;
 * - `hostsPerPool` N: consecutive hosts in fleet order in groups of N (the last may be smaller),
 *   each group in a rack of its own with one switch and the group's share (total · n / hosts)
 *   on pooled devices behind it.
 * Capacity is dealt in whole blocks (the largest `extentBlockGiB` of the fleet's devices), the
 * remainder one block each to the first hosts; a share past 2 TiB is split into near-equal devices.
 */
export function arrangeFleet(fleet: FleetSpec, hostsPerPool: number | null, totalCapacityGiB: number): FleetSpec {
  const hosts = fleet.hosts;
  const blockGiB = arrangementBlockGiB(fleet);
  if (hosts.length === 0) throw new ReplayError('invalid-arrangement', `fleet "${fleet.name}" has no hosts to arrange capacity for`);
  if (hostsPerPool !== null && !(Number.isInteger(hostsPerPool) && hostsPerPool >= 1 && hostsPerPool <= MAX_HOSTS_PER_POOL)) {
    throw new ReplayError('invalid-arrangement', `hostsPerPool must be an integer in 1..${MAX_HOSTS_PER_POOL} (a device's logical devices), got ${hostsPerPool}`);
  }
  if (!Number.isSafeInteger(totalCapacityGiB) || totalCapacityGiB < blockGiB || totalCapacityGiB % blockGiB !== 0) {
    throw new ReplayError('invalid-arrangement', `totalCapacityGiB must be a positive multiple of the ${blockGiB} GiB block, got ${totalCapacityGiB}`);
  }
  const shareGiB = dealBlocks(totalCapacityGiB / blockGiB, hosts.length).map((blocks) => blocks * blockGiB);
  const latency = latencies(fleet);
  const device = (id: string, rackId: string, attachment: DeviceSpec['attachment'], capacityGiB: number): DeviceSpec => ({
    id,
    rackId,
    attachment,
    capacityGiB,
    bandwidthGBps: DEVICE_BANDWIDTH_GBPS,
    extentBlockGiB: blockGiB,
    maxLogicalDevices: attachment.kind === 'direct' ? 1 : MAX_HOSTS_PER_POOL,
    baseLatencyNs: attachment.kind === 'direct' ? latency.direct : latency.pooled,
    health: 'healthy',
  });
  const base = { format: fleet.format, regions: fleet.regions, vms: [], allocations: [] } as const;

  if (hostsPerPool === null) {
    const devices = hosts.flatMap((h, i) =>
      splitDevices(shareGiB[i] as number, blockGiB).map((cap, n) => device(`direct-${pad(i + 1)}-${n + 1}`, h.rackId, { kind: 'direct', hostId: h.id }, cap)),
    );
    return { ...base, name: `${fleet.name}-direct`, racks: fleet.racks, hosts: hosts.map((h) => ({ ...h, switchIds: [] })), switches: [], devices };
  }

  const regionId = (fleet.regions[0] as { id: string }).id;
  const racks: RackSpec[] = [];
  const switches: SwitchSpec[] = [];
  const devices: DeviceSpec[] = [];
  const arranged: HostSpec[] = [];
  for (let first = 0, pool = 1; first < hosts.length; first += hostsPerPool, pool++) {
    const group = hosts.slice(first, first + hostsPerPool);
    const poolGiB = shareGiB.slice(first, first + hostsPerPool).reduce((sum, g) => sum + g, 0);
    const rackId = `pool-rack-${pad(pool)}`;
    const switchId = `pool-sw-${pad(pool)}`;
    const caps = splitDevices(poolGiB, blockGiB);
    const ports = group.length + caps.length;
    if (ports > MAX_SWITCH_PORTS) throw new ReplayError('invalid-arrangement', `pool ${pool} needs ${ports} switch ports (${caps.length} devices), more than ${MAX_SWITCH_PORTS}`);
    racks.push({ id: rackId, regionId });
    switches.push({ id: switchId, rackId, ports, hopLatencyNs: latency.hop, state: 'up' });
    caps.forEach((cap, n) => devices.push(device(`pool-${pad(pool)}-${n + 1}`, rackId, { kind: 'switch', switchId }, cap)));
    for (const h of group) arranged.push({ ...h, rackId, switchIds: [switchId] });
  }
  return { ...base, name: `${fleet.name}-pools-of-${hostsPerPool}`, racks, hosts: arranged, switches, devices };
}

/** The unit capacity is dealt in: the largest extent block of the fleet's devices (1 GiB without devices). */
export function arrangementBlockGiB(fleet: FleetSpec): number {
  return fleet.devices.reduce((max, d) => Math.max(max, d.extentBlockGiB), 1);
}

/** `blocks` dealt over `ways`: the same to each, one more to the first `blocks % ways`. */
function dealBlocks(blocks: number, ways: number): number[] {
  const each = Math.floor(blocks / ways);
  const extra = blocks % ways;
  return Array.from({ length: ways }, (_, i) => each + (i < extra ? 1 : 0));
}

/** Near-equal devices of at most 2 TiB, in whole blocks; none for no capacity. */
function splitDevices(capacityGiB: number, blockGiB: number): number[] {
  if (capacityGiB === 0) return [];
  const count = Math.ceil(capacityGiB / MAX_DEVICE_GIB);
  return dealBlocks(capacityGiB / blockGiB, count).map((blocks) => blocks * blockGiB);
}

/** Latencies taken from the fleet (its first direct device, pooled device and switch), so the study keeps its flavour. */
function latencies(fleet: FleetSpec): { direct: number; pooled: number; hop: number } {
  const direct = fleet.devices.find((d) => d.attachment.kind === 'direct');
  const pooled = fleet.devices.find((d) => d.attachment.kind !== 'direct');
  return {
    direct: direct?.baseLatencyNs ?? DEFAULT_LATENCY_NS.direct,
    pooled: pooled?.baseLatencyNs ?? DEFAULT_LATENCY_NS.pooled,
    hop: fleet.switches[0]?.hopLatencyNs ?? DEFAULT_LATENCY_NS.hop,
  };
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
