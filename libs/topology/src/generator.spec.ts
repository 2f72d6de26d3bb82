/// <reference types="jest" />
import fc from 'fast-check';
import { errorCodeOf } from './__fixtures__/topology-error';
import { TopologyError } from './errors';
import { Fleet } from './fleet';
import { parseFleetSpec } from './fleet-validation';
import type { FleetPresetName, GenerateFleetOptions } from './generator';
import { FLEET_PRESETS, generateFleetSpec, isFleetPresetName } from './generator';
import type { FleetSpec } from './spec';

interface RackCounts {
  hosts: number;
  switches: number;
  pooledDevices: number;
  directDevices: number;
  pooledGiB: number[];
  directGiB: number[];
}

/** Per rack: what sits in it, and whether its wiring stays inside it. */
function racksOf(spec: FleetSpec): Map<string, RackCounts> {
  const racks = new Map<string, RackCounts>(
    spec.racks.map((r) => [r.id, { hosts: 0, switches: 0, pooledDevices: 0, directDevices: 0, pooledGiB: [], directGiB: [] }]),
  );
  const rack = (id: string): RackCounts => {
    const found = racks.get(id);
    if (found === undefined) throw new Error(`unknown rack ${id}`);
    return found;
  };
  const rackOfHost = new Map(spec.hosts.map((h) => [h.id, h.rackId]));
  const rackOfSwitch = new Map(spec.switches.map((s) => [s.id, s.rackId]));
  for (const h of spec.hosts) rack(h.rackId).hosts++;
  for (const s of spec.switches) rack(s.rackId).switches++;
  for (const d of spec.devices) {
    const r = rack(d.rackId);
    switch (d.attachment.kind) {
      case 'direct':
        // Each direct device sits in its host's rack, and each pooled one behind its rack's switch.
        if (rackOfHost.get(d.attachment.hostId) !== d.rackId) throw new Error(`${d.id} is cabled out of its rack`);
        r.directDevices++;
        r.directGiB.push(d.capacityGiB);
        break;
      case 'switch':
        if (rackOfSwitch.get(d.attachment.switchId) !== d.rackId) throw new Error(`${d.id} is cabled out of its rack`);
        r.pooledDevices++;
        r.pooledGiB.push(d.capacityGiB);
        break;
      case 'multi-headed':
        throw new Error(`the generator makes no multi-headed devices, got ${d.id}`);
    }
  }
  return racks;
}

function standardRack(pooledDevices: number): RackCounts {
  return {
    hosts: 16,
    switches: 1,
    pooledDevices,
    directDevices: 16,
    pooledGiB: new Array<number>(pooledDevices).fill(1024),
    directGiB: new Array<number>(16).fill(512),
  };
}

function expectUniqueIds(spec: FleetSpec): void {
  for (const items of [spec.racks, spec.hosts, spec.switches, spec.devices, spec.vms]) {
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  }
}

/** VM DRAM per host, next to the host's own DRAM. */
function vmDramByHost(spec: FleetSpec): { hostId: string; dramGiB: number; vmDramGiB: number }[] {
  const sums = new Map<string, number>();
  for (const vm of spec.vms) sums.set(vm.hostId, (sums.get(vm.hostId) ?? 0) + vm.dramGiB);
  return spec.hosts.map((h) => ({ hostId: h.id, dramGiB: h.dramGiB, vmDramGiB: sums.get(h.id) ?? 0 }));
}

/** Ids of everything drawn outside its documented range (switch ports and latencies, DRAM sizes). */
function outOfRange(spec: FleetSpec): string[] {
  return [
    ...spec.switches.filter((s) => s.hopLatencyNs < 150 || s.hopLatencyNs > 300 || s.ports !== 64).map((s) => s.id),
    ...spec.devices
      .filter((d) => (d.attachment.kind === 'direct' ? d.baseLatencyNs < 100 || d.baseLatencyNs > 150 : d.baseLatencyNs < 100 || d.baseLatencyNs > 200))
      .map((d) => d.id),
    ...spec.hosts
      .filter((h) => ![384, 512, 768, 1024].includes(h.dramGiB) || h.memoryBlockSizeMiB !== (h.dramGiB >= 1024 ? 2048 : 128))
      .map((h) => h.id),
    ...spec.vms.filter((vm) => ![8, 16, 32, 64, 128, 256].includes(vm.dramGiB)).map((vm) => vm.id),
  ];
}

const withoutName = (spec: FleetSpec): FleetSpec => ({ ...spec, name: '' });

describe('generateFleetSpec', () => {
  describe('presets', () => {
    it('small: 1 rack, 16 hosts, 1 switch, 4 pooled 1 TiB devices, a 512 GiB direct device per host', () => {
      const spec = generateFleetSpec({ preset: 'small', seed: 1 });
      expect(spec.regions).toHaveLength(1);
      expect(spec.racks).toHaveLength(1);
      expect(spec.hosts).toHaveLength(16);
      expect(spec.switches).toHaveLength(1);
      expect(spec.devices).toHaveLength(20);
      expect([...racksOf(spec).values()]).toEqual([standardRack(4)]);
      // One direct device per host: every host is the owner of exactly one.
      const owners = spec.devices.flatMap((d) => (d.attachment.kind === 'direct' ? [d.attachment.hostId] : []));
      expect(owners.sort()).toEqual(spec.hosts.map((h) => h.id).sort());
      // Every host is cabled to its rack's switch.
      expect(spec.hosts.map((h) => h.switchIds)).toEqual(spec.hosts.map(() => ['sw-001']));
      expect(spec.vms).toHaveLength(16 * 4);
      expect(spec.allocations).toEqual([]);
      expect(spec.name).toBe('small-seed1');
      expectUniqueIds(spec);
    });

    it('rack64: 64 racks of 16 hosts with 8 pooled devices each, 1,024 hosts in all', () => {
      const spec = generateFleetSpec({ preset: 'rack64', seed: 2 });
      expect(spec.racks).toHaveLength(64);
      expect(spec.hosts).toHaveLength(1024);
      expect(spec.switches).toHaveLength(64);
      expect(spec.devices.filter((d) => d.attachment.kind === 'switch')).toHaveLength(64 * 8);
      expect(spec.devices.filter((d) => d.attachment.kind === 'direct')).toHaveLength(1024);
      const racks = [...racksOf(spec).values()];
      expect(racks).toEqual(racks.map(() => standardRack(8)));
      expectUniqueIds(spec);
      // It is a valid fleet, as JSON too.
      expect(parseFleetSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    });

    it('region: at least 10,000 hosts in racks of the rack64 shape, and a valid fleet', () => {
      const spec = generateFleetSpec({ preset: 'region', seed: 3 });
      expect(spec.hosts.length).toBeGreaterThanOrEqual(10_000);
      expect(spec.racks.length * 16).toBe(spec.hosts.length);
      const racks = [...racksOf(spec).values()];
      expect(racks.filter((r) => JSON.stringify(r) !== JSON.stringify(standardRack(8)))).toEqual([]);
      expectUniqueIds(spec);
      // 625 switches and 15,000 devices: the bounds of every range get drawn.
      expect(outOfRange(spec)).toEqual([]);
      const fleet = Fleet.fromSpec(spec);
      expect(fleet.hosts).toHaveLength(spec.hosts.length);
      expect(fleet.capacityGiB).toBe(spec.racks.length * (8 * 1024 + 16 * 512));
    });

    it('knows its presets by name, and only them', () => {
      expect(Object.keys(FLEET_PRESETS).sort()).toEqual(['rack64', 'region', 'small']);
      expect(['small', 'rack64', 'region'].every(isFleetPresetName)).toBe(true);
      expect(['huge', 'toString', '__proto__', 'constructor', ''].some(isFleetPresetName)).toBe(false);
    });
  });

  describe('seeds', () => {
    it('gives a deep-equal spec for the same seed and options', () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 9 }), (seed, vmsPerHost, tenants) => {
          const options: GenerateFleetOptions = { preset: 'small', seed, vmsPerHost, tenants };
          expect(generateFleetSpec(options)).toEqual(generateFleetSpec(options));
        }),
        { numRuns: 100 },
      );
    });

    it('gives a different spec for a different seed, beyond its name', () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer(), (a, b) => {
          fc.pre(a !== b);
          expect(withoutName(generateFleetSpec({ preset: 'small', seed: a }))).not.toEqual(withoutName(generateFleetSpec({ preset: 'small', seed: b })));
        }),
        { numRuns: 100 },
      );
    });

    it('draws every parameter from its documented range', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          expect(outOfRange(generateFleetSpec({ preset: 'small', seed }))).toEqual([]);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('VMs', () => {
    it('give each VM between a quarter of and all its share of 90% of the host’s DRAM, for up to 8 VMs per host', () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 1, max: 8 }), (seed, vmsPerHost) => {
          const spec = generateFleetSpec({ preset: 'small', seed, vmsPerHost });
          const dramOf = new Map(spec.hosts.map((h) => [h.id, h.dramGiB]));
          const misfits = spec.vms.filter((vm) => {
            const shareGiB = ((dramOf.get(vm.hostId) ?? 0) * 0.9) / vmsPerHost;
            return !(vm.dramGiB <= shareGiB && vm.dramGiB * 4 > shareGiB);
          });
          expect(misfits).toEqual([]);
          expect(vmDramByHost(spec).filter((h) => h.vmDramGiB > h.dramGiB * 0.9)).toEqual([]);
        }),
        { numRuns: 100 },
      );
    });

    it('never give a host’s VMs more than its DRAM, however many VMs per host are asked for', () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 0, max: 64 }), (seed, vmsPerHost) => {
          let spec: FleetSpec;
          try {
            spec = generateFleetSpec({ preset: 'small', seed, vmsPerHost });
          } catch (error) {
            // Refusing a count that cannot fit is a fine answer too.
            expect(error).toBeInstanceOf(TopologyError);
            expect(error).toMatchObject({ code: 'invalid-argument' });
            return;
          }
          expect(vmDramByHost(spec).filter((h) => h.vmDramGiB > h.dramGiB)).toEqual([]);
        }),
        { numRuns: 100 },
      );
    });

    it('puts vmsPerHost VMs on every host, spread over the given tenants', () => {
      const spec = generateFleetSpec({ preset: 'small', seed: 5, vmsPerHost: 2, tenants: 3 });
      expect(spec.vms).toHaveLength(32);
      expect(spec.hosts.map((h) => spec.vms.filter((vm) => vm.hostId === h.id).length)).toEqual(spec.hosts.map(() => 2));
      expect([...new Set(spec.vms.map((vm) => vm.tenantId))].every((t) => ['tenant-1', 'tenant-2', 'tenant-3'].includes(t))).toBe(true);
      expect(generateFleetSpec({ preset: 'small', seed: 5, vmsPerHost: 0 }).vms).toEqual([]);
      // Default: one tenant per four hosts.
      const byDefault = generateFleetSpec({ preset: 'small', seed: 5 });
      expect(byDefault.vms.every((vm) => /^tenant-[1-4]$/.test(vm.tenantId))).toBe(true);
    });
  });

  describe('refusals', () => {
    it.each(['huge', 'toString', '__proto__'])('refuses the unknown preset %p', (name) => {
      const preset = name as FleetPresetName;
      expect(errorCodeOf(() => generateFleetSpec({ preset, seed: 1 }))).toBe('invalid-argument');
    });

    it.each<[string, Partial<GenerateFleetOptions>]>([
      ['a negative vmsPerHost', { vmsPerHost: -1 }],
      ['a fractional vmsPerHost', { vmsPerHost: 1.5 }],
      ['zero tenants', { tenants: 0 }],
      ['a fractional seed', { seed: 1.5 }],
      ['a NaN seed', { seed: Number.NaN }],
    ])('refuses %s with invalid-argument', (_what, options) => {
      expect(errorCodeOf(() => generateFleetSpec({ preset: 'small', seed: 1, ...options }))).toBe('invalid-argument');
    });
  });
});
