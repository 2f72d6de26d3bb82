import { TopologyError } from './errors';
import { Rng } from './rng';
import type { DeviceSpec, FleetSpec, HostSpec, RackSpec, SwitchSpec, VmSpec } from './spec';
import { FLEET_FORMAT } from './spec';

/** The shape of one rack: hosts with a direct device each, one switch, pooled devices behind it. */
export interface RackShape {
  readonly hosts: number;
  readonly pooledDevices: number;
  readonly pooledCapacityGiB: number;
  readonly directCapacityGiB: number;
}

export interface FleetPreset {
  readonly racks: number;
  readonly rack: RackShape;
}

const STANDARD_RACK = { hosts: 16, pooledCapacityGiB: 1024, directCapacityGiB: 512 } as const;

export const FLEET_PRESETS = {
  /** 1 rack: 16 hosts, 1 switch, 4 pooled 1 TiB devices, one 512 GiB direct device per host. */
  small: { racks: 1, rack: { ...STANDARD_RACK, pooledDevices: 4 } },
  /** 64 racks of 16 hosts with 8 pooled 1 TiB devices each: 1,024 hosts. */
  rack64: { racks: 64, rack: { ...STANDARD_RACK, pooledDevices: 8 } },
  /** 625 racks of the rack64 shape: 10,000 hosts. */
  region: { racks: 625, rack: { ...STANDARD_RACK, pooledDevices: 8 } },
} as const satisfies Record<string, FleetPreset>;

export type FleetPresetName = keyof typeof FLEET_PRESETS;

export function isFleetPresetName(name: string): name is FleetPresetName {
  return Object.hasOwn(FLEET_PRESETS, name);
}

export interface GenerateFleetOptions {
  readonly preset: FleetPresetName;
  readonly seed: number;
  /** VMs placed on each host (default 4). */
  readonly vmsPerHost?: number;
  /** Tenants the VMs are spread over (default: one per four hosts, at least 2). */
  readonly tenants?: number;
}

// Parameters, not truths (DESIGN.md §3): x16 pooled ≈ 64 GB/s, x8 direct ≈ 32 GB/s.
const HOST_DRAM_GIB = [384, 512, 768, 1024] as const;
const VM_DRAM_GIB = [8, 16, 32, 64, 128, 256] as const;
const SWITCH_PORTS = 64;

/** A seeded fleet: the same preset and seed give the same fleet, field for field. */
export function generateFleetSpec(options: GenerateFleetOptions): FleetSpec {
  const preset: FleetPreset | undefined = isFleetPresetName(options.preset) ? FLEET_PRESETS[options.preset] : undefined;
  if (preset === undefined) {
    throw new TopologyError('invalid-argument', `unknown fleet preset "${options.preset}"; known: ${Object.keys(FLEET_PRESETS).join(', ')}`);
  }
  const vmsPerHost = options.vmsPerHost ?? 4;
  const shape = preset.rack;
  const tenants = options.tenants ?? Math.max(2, Math.floor((preset.racks * shape.hosts) / 4));
  if (!Number.isInteger(vmsPerHost) || vmsPerHost < 0 || !Number.isInteger(tenants) || tenants < 1) {
    throw new TopologyError('invalid-argument', 'vmsPerHost must be an integer >= 0 and tenants an integer >= 1');
  }
  const rng = new Rng(options.seed);
  const regionId = 'region-1';
  const racks: RackSpec[] = [];
  const hosts: HostSpec[] = [];
  const switches: SwitchSpec[] = [];
  const devices: DeviceSpec[] = [];
  const vms: VmSpec[] = [];
  const rackWidth = String(preset.racks).length;

  for (let r = 0; r < preset.racks; r++) {
    const rackNo = String(r + 1).padStart(Math.max(3, rackWidth), '0');
    const rackId = `rack-${rackNo}`;
    const switchId = `sw-${rackNo}`;
    racks.push({ id: rackId, regionId });
    switches.push({ id: switchId, rackId, ports: SWITCH_PORTS, hopLatencyNs: rng.int(150, 300), state: 'up' });
    for (let p = 0; p < shape.pooledDevices; p++) {
      devices.push({
        id: `pool-${rackNo}-${p + 1}`,
        rackId,
        attachment: { kind: 'switch', switchId },
        capacityGiB: shape.pooledCapacityGiB,
        bandwidthGBps: 64,
        extentBlockGiB: 1,
        maxLogicalDevices: 16,
        baseLatencyNs: rng.int(100, 200),
        health: 'healthy',
      });
    }
    for (let h = 0; h < shape.hosts; h++) {
      const hostNo = `${rackNo}-${String(h + 1).padStart(2, '0')}`;
      const hostId = `host-${hostNo}`;
      const dramGiB = rng.pick(HOST_DRAM_GIB);
      hosts.push({
        id: hostId,
        rackId,
        dramGiB,
        memoryBlockSizeMiB: dramGiB >= 1024 ? 2048 : 128,
        cfmwsWindowGiB: 4096,
        movableRatioPct: 301,
        state: 'healthy',
        switchIds: [switchId],
      });
      devices.push({
        id: `direct-${hostNo}`,
        rackId,
        attachment: { kind: 'direct', hostId },
        capacityGiB: shape.directCapacityGiB,
        bandwidthGBps: 32,
        extentBlockGiB: 1,
        maxLogicalDevices: 1,
        baseLatencyNs: rng.int(100, 150),
        health: 'healthy',
      });
      // VMs share the host's DRAM: each takes between a quarter of and its whole part of 90% of it.
      const budgetGiB = (dramGiB * 0.9) / Math.max(1, vmsPerHost);
      if (vmsPerHost > 0 && budgetGiB < VM_DRAM_GIB[0]) {
        throw new TopologyError(
          'invalid-argument',
          `vmsPerHost ${vmsPerHost} leaves less than ${VM_DRAM_GIB[0]} GiB of DRAM per VM on ${hostId} (${dramGiB} GiB)`,
        );
      }
      const fitting = VM_DRAM_GIB.filter((size) => size <= budgetGiB);
      const sizes = fitting.filter((size) => size * 4 > budgetGiB);
      for (let v = 0; v < vmsPerHost; v++) {
        vms.push({
          id: `vm-${hostNo}-${v + 1}`,
          tenantId: `tenant-${rng.int(1, tenants)}`,
          hostId,
          dramGiB: rng.pick(sizes.length > 0 ? sizes : fitting.slice(-1)),
        });
      }
    }
  }
  return {
    format: FLEET_FORMAT,
    name: `${options.preset}-seed${options.seed}`,
    regions: [{ id: regionId, name: 'Region 1' }],
    racks,
    hosts,
    switches,
    devices,
    vms,
    allocations: [],
  };
}
