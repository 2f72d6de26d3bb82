/// <reference types="jest" />
import fc from 'fast-check';
import { BlockModel } from './__fixtures__/block-model';
import { bookkeepingOf } from './__fixtures__/fleet-bookkeeping';
import { tinyFleetSpec } from './__fixtures__/tiny-fleet';
import { errorCodeOf, topologyErrorOf } from './__fixtures__/topology-error';
import type { CxlDevice } from './entities';
import type { ExtentRequest } from './fleet';
import { Fleet } from './fleet';
import { generateFleetSpec } from './generator';
import type { FleetSpec } from './spec';

const TINY_TENANTS = ['tenant-a', 'tenant-b'];

function tinyFleet(): Fleet {
  return Fleet.fromSpec(tinyFleetSpec());
}

describe('Fleet', () => {
  describe('reachability in the small preset', () => {
    it('gives each host its own direct device and its switch’s pooled devices, and nothing else', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const spec = generateFleetSpec({ preset: 'small', seed });
          const fleet = Fleet.fromSpec(spec);
          const sw = fleet.switch('sw-001');
          const pooled = fleet.devices.filter((d) => d.attachment.kind === 'switch');
          expect(pooled).toHaveLength(4);
          const pathsOf = (hostId: string) =>
            fleet.host(hostId).paths.map((p) => ({
              hostId: p.host.id,
              deviceId: p.device.id,
              kind: p.kind,
              viaSwitchId: p.viaSwitch?.id,
              addedLatencyNs: p.addedLatencyNs,
              isUp: p.isUp,
              boundExtents: p.boundExtents,
            }));
          const expectedPathsOf = (hostId: string) => {
            const own = fleet.devices.filter((d) => d.attachment.kind === 'direct' && d.attachment.hostId === hostId);
            return [
              ...own.map((d) => ({ hostId, deviceId: d.id, kind: 'direct', viaSwitchId: undefined, addedLatencyNs: d.spec.baseLatencyNs, isUp: true, boundExtents: 0 })),
              ...pooled.map((d) => ({ hostId, deviceId: d.id, kind: 'switch', viaSwitchId: 'sw-001', addedLatencyNs: d.spec.baseLatencyNs + sw.spec.hopLatencyNs, isUp: true, boundExtents: 0 })),
            ];
          };
          const hostIds = fleet.hosts.map((h) => h.id);
          const byDevice = (a: { deviceId: string }, b: { deviceId: string }): number => a.deviceId.localeCompare(b.deviceId);
          expect(hostIds.map((id) => pathsOf(id).sort(byDevice))).toEqual(hostIds.map((id) => expectedPathsOf(id).sort(byDevice)));
          // Every host has exactly one direct device of its own.
          expect(hostIds.map((id) => expectedPathsOf(id).filter((p) => p.kind === 'direct').length)).toEqual(hostIds.map(() => 1));
          // Seen from the devices: a direct device is one host's alone, a pooled one every host's.
          const reachersOf = fleet.devices.map((d) => [d.id, d.exclusive, fleet.hosts.filter((h) => fleet.pathBetween(h, d) !== undefined).map((h) => h.id)]);
          const expectedReachers = fleet.devices.map((d) =>
            d.attachment.kind === 'direct' ? [d.id, true, [d.attachment.hostId]] : [d.id, false, hostIds],
          );
          expect(reachersOf).toEqual(expectedReachers);
          expect(fleet.devices.map((d) => d.paths.length)).toEqual(fleet.devices.map((d) => (d.tier === 'direct' ? 1 : 16)));
        }),
        { numRuns: 100 },
      );
    });

    it('counts its capacity over every device', () => {
      const fleet = Fleet.fromSpec(generateFleetSpec({ preset: 'small', seed: 3 }));
      expect(fleet.capacityGiB).toBe(4 * 1024 + 16 * 512);
      expect(fleet.usedGiB).toBe(0);
      expect(fleet.name).toBe('small-seed3');
    });
  });

  describe('paths', () => {
    const spec = tinyFleetSpec();
    it.each<[string, FleetSpec]>([
      ['a host cabled twice to one switch', { ...spec, hosts: spec.hosts.map((h) => (h.id === 'h-1' ? { ...h, switchIds: ['sw-1', 'sw-1'] } : h)) }],
      [
        'a multi-headed device listing one host twice',
        { ...spec, devices: spec.devices.map((d) => (d.id === 'mhd-1' ? { ...d, attachment: { kind: 'multi-headed', hostIds: ['h-1', 'h-1'] } } : d)) },
      ],
    ])('are refused when wired twice: %s', (_what, wiredTwice) => {
      expect(() => Fleet.fromSpec(wiredTwice)).toThrow(expect.objectContaining({ code: 'invalid-fleet-format', details: [expect.stringContaining('is listed twice')] }));
    });

    it('are one per host and device in a valid fleet', () => {
      const fleet = Fleet.fromSpec(generateFleetSpec({ preset: 'small', seed: 2 }));
      for (const device of fleet.devices) expect(new Set(device.paths.map((p) => p.host)).size).toBe(device.paths.length);
      for (const host of fleet.hosts) expect(new Set(host.paths.map((p) => p.device)).size).toBe(host.paths.length);
    });
  });

  describe('multi-headed devices', () => {
    it('are reached by each of their heads directly, at the device’s own latency', () => {
      const fleet = tinyFleet();
      const mhd = fleet.device('mhd-1');
      expect(mhd.tier).toBe('pooled');
      expect(mhd.exclusive).toBe(false);
      expect(mhd.paths.map((p) => p.host.id)).toEqual(['h-1', 'h-2']);
      for (const path of mhd.paths) {
        expect(path.kind).toBe('multi-headed');
        expect(path.viaSwitch).toBeUndefined();
        expect(path.addedLatencyNs).toBe(120);
      }
      expect(fleet.pathBetween(fleet.host('h-3'), mhd)).toBeUndefined();
      expect(fleet.host('h-1').paths.map((p) => [p.device.id, p.kind, p.addedLatencyNs]).sort()).toEqual([
        ['direct-1', 'direct', 100],
        ['mhd-1', 'multi-headed', 120],
        ['pool-1', 'switch', 350],
      ]);
      expect(fleet.host('h-3').paths.map((p) => p.device.id)).toEqual(['direct-3']);
    });

    it('bind one logical device per host holding extents there', () => {
      const fleet = tinyFleet();
      const mhd = fleet.device('mhd-1');
      const [toH1, toH2] = mhd.paths;
      if (toH1 === undefined || toH2 === undefined) throw new Error('mhd-1 should have two heads');
      expect(mhd.hasSlotFor(toH1)).toBe(true);
      fleet.allocate('a-1', 'vm-1', [{ deviceId: 'mhd-1', offsetGiB: 0, sizeGiB: 4 }]);
      fleet.allocate('a-2', 'vm-1', [{ deviceId: 'mhd-1', offsetGiB: 4, sizeGiB: 2 }]);
      expect(mhd.boundHostCount).toBe(1);
      expect(toH1.boundExtents).toBe(2);
      fleet.allocate('a-3', 'vm-2', [{ deviceId: 'mhd-1', offsetGiB: 8, sizeGiB: 2 }]);
      expect(mhd.boundHostCount).toBe(2);
      expect(toH2.bound).toBe(true);
      // Both slots taken: only a host already bound has room.
      expect(mhd.hasSlotFor(toH1)).toBe(true);
      fleet.release('a-1');
      expect(mhd.boundHostCount).toBe(2);
      fleet.release('a-2');
      expect(mhd.boundHostCount).toBe(1);
      expect(toH1.bound).toBe(false);
      fleet.release('a-3');
      expect(mhd.boundHostCount).toBe(0);
    });
  });

  describe('allocate and release', () => {
    it('keep every counter in step and return exactly to the start', () => {
      const fleet = tinyFleet();
      const start = bookkeepingOf(fleet, TINY_TENANTS);

      const a1 = fleet.allocate('a-1', 'vm-1', [
        { deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 8, bandwidthGBps: 4 },
        { deviceId: 'mhd-1', offsetGiB: 0, sizeGiB: 4, bandwidthGBps: 2 },
      ]);
      expect(a1.sizeGiB).toBe(12);
      expect(fleet.allocation('a-1')).toBe(a1);
      expect(fleet.hasAllocation('a-1')).toBe(true);

      const pool = fleet.device('pool-1');
      const mhd = fleet.device('mhd-1');
      const h1 = fleet.host('h-1');
      const vm1 = fleet.vm('vm-1');
      const sw = fleet.switch('sw-1');
      expect([pool.usedGiB, pool.freeGiB, pool.largestFreeRunGiB]).toEqual([8, 56, 56]);
      expect([mhd.usedGiB, mhd.freeGiB]).toEqual([4, 28]);
      expect(pool.reservedBandwidthGBps).toBe(4);
      expect(mhd.reservedBandwidthGBps).toBe(2);
      expect(pool.boundHostCount).toBe(1);
      expect(fleet.pathBetween(h1, pool)?.boundExtents).toBe(1);
      expect(h1.mappedGiB).toBe(12);
      expect(vm1.cxlGiB).toBe(12);
      expect(vm1.allocationCount).toBe(1);
      expect(fleet.tenantUsedGiB('tenant-a')).toBe(12);
      expect(fleet.tenantUsedGiB('tenant-b')).toBe(0);
      expect(vm1.extentsOn(pool)).toBe(1);
      expect(vm1.extentsOn(mhd)).toBe(1);
      expect(vm1.extentsBehind(sw)).toBe(1);
      expect(fleet.usedGiB).toBe(12);

      fleet.allocate('a-2', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 16, sizeGiB: 8, bandwidthGBps: 1 }]);
      fleet.allocate('a-3', 'vm-2', [{ deviceId: 'pool-1', offsetGiB: 8, sizeGiB: 8 }]);
      fleet.allocate('a-4', 'vm-3', [{ deviceId: 'direct-3', offsetGiB: 4, sizeGiB: 8 }]);
      expect(pool.usedGiB).toBe(24);
      expect(pool.boundHostCount).toBe(2);
      expect(fleet.pathBetween(h1, pool)?.boundExtents).toBe(2);
      expect(vm1.extentsOn(pool)).toBe(2);
      expect(vm1.extentsBehind(sw)).toBe(2);
      expect(fleet.vm('vm-3').extentsBehind(sw)).toBe(0);
      expect(h1.mappedGiB).toBe(20);
      expect(fleet.host('h-2').mappedGiB).toBe(8);
      expect(fleet.tenantUsedGiB('tenant-a')).toBe(28);
      expect(fleet.tenantUsedGiB('tenant-b')).toBe(8);
      expect(pool.reservedBandwidthGBps).toBe(5);
      expect(fleet.usedGiB).toBe(36);
      expect([...fleet.allocations].map((a) => a.id)).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);

      for (const id of ['a-3', 'a-1', 'a-4', 'a-2']) expect(fleet.release(id).id).toBe(id);
      expect(bookkeepingOf(fleet, TINY_TENANTS)).toEqual(start);
      expect(fleet.hasAllocation('a-1')).toBe(false);
      expect(vm1.extentsOn(pool)).toBe(0);
      expect(vm1.extentsBehind(sw)).toBe(0);
    });

    it('is all or nothing: a later extent that fails leaves nothing changed', () => {
      const fleet = tinyFleet();
      fleet.allocate('a-0', 'vm-2', [{ deviceId: 'mhd-1', offsetGiB: 16, sizeGiB: 4 }]);
      const before = bookkeepingOf(fleet, TINY_TENANTS);
      const attempts: [ExtentRequest[], string][] = [
        // Second extent overlaps the first.
        [[{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 8 }, { deviceId: 'pool-1', offsetGiB: 4, sizeGiB: 8 }], 'extent-not-free'],
        // Second extent overlaps another allocation, on another device than the first.
        [[{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 8 }, { deviceId: 'mhd-1', offsetGiB: 14, sizeGiB: 4 }], 'extent-not-free'],
        [[{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 2 }, { deviceId: 'mhd-1', offsetGiB: 1, sizeGiB: 2 }], 'extent-unaligned'],
        [[{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 2 }, { deviceId: 'direct-3', offsetGiB: 0, sizeGiB: 4 }], 'device-unreachable'],
        [[{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 2 }, { deviceId: 'nope', offsetGiB: 0, sizeGiB: 2 }], 'unknown-device'],
        [[{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 2 }, { deviceId: 'pool-1', offsetGiB: 62, sizeGiB: 4 }], 'extent-out-of-range'],
      ];
      for (const [extents, code] of attempts) {
        expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', extents))).toBe(code);
        expect(bookkeepingOf(fleet, TINY_TENANTS)).toEqual(before);
        expect(fleet.hasAllocation('a-1')).toBe(false);
      }
      // The same space is still there to take.
      expect(fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 12 }]).sizeGiB).toBe(12);
    });
  });

  describe('refusals', () => {
    it.each([
      ['an offset off the block', 1, 2],
      ['a size off the block', 0, 3],
      ['a zero size', 0, 0],
      ['a negative size', 4, -2],
      ['a negative offset', -2, 4],
      ['a fractional offset', 0.5, 2],
    ])('refuses %s with extent-unaligned', (_what, offsetGiB, sizeGiB) => {
      const fleet = tinyFleet();
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'mhd-1', offsetGiB, sizeGiB }]))).toBe('extent-unaligned');
      expect(fleet.usedGiB).toBe(0);
    });

    it('refuses an extent past the device’s end with extent-out-of-range', () => {
      const fleet = tinyFleet();
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'mhd-1', offsetGiB: 30, sizeGiB: 4 }]))).toBe('extent-out-of-range');
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'mhd-1', offsetGiB: 32, sizeGiB: 2 }]))).toBe('extent-out-of-range');
      // The last block is fine.
      expect(fleet.allocate('a-1', 'vm-1', [{ deviceId: 'mhd-1', offsetGiB: 30, sizeGiB: 2 }]).sizeGiB).toBe(2);
    });

    it('refuses a device the VM’s host cannot reach with device-unreachable', () => {
      const fleet = tinyFleet();
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-3', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1 }]))).toBe('device-unreachable');
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-3', [{ deviceId: 'mhd-1', offsetGiB: 0, sizeGiB: 2 }]))).toBe('device-unreachable');
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-2', [{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 2 }]))).toBe('device-unreachable');
      expect(fleet.usedGiB).toBe(0);
    });

    it('refuses unknown VMs, devices, allocations, hosts and switches', () => {
      const fleet = tinyFleet();
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-9', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1 }]))).toBe('unknown-vm');
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-9', offsetGiB: 0, sizeGiB: 1 }]))).toBe('unknown-device');
      expect(errorCodeOf(() => fleet.release('a-9'))).toBe('unknown-allocation');
      expect(errorCodeOf(() => fleet.allocation('a-9'))).toBe('unknown-allocation');
      expect(errorCodeOf(() => fleet.vm('vm-9'))).toBe('unknown-vm');
      expect(errorCodeOf(() => fleet.device('pool-9'))).toBe('unknown-device');
      expect(errorCodeOf(() => fleet.host('h-9'))).toBe('unknown-host');
      expect(errorCodeOf(() => fleet.switch('sw-9'))).toBe('unknown-switch');
      expect(errorCodeOf(() => fleet.setDeviceHealth('pool-9', 'failed'))).toBe('unknown-device');
      expect(errorCodeOf(() => fleet.setHostState('h-9', 'failed'))).toBe('unknown-host');
      expect(errorCodeOf(() => fleet.setSwitchState('sw-9', 'down'))).toBe('unknown-switch');
      expect(fleet.findVm('vm-9')).toBeUndefined();
    });

    it('refuses a duplicate allocation id and keeps the first', () => {
      const fleet = tinyFleet();
      const first = fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 4 }]);
      const before = bookkeepingOf(fleet, TINY_TENANTS);
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-2', [{ deviceId: 'pool-1', offsetGiB: 8, sizeGiB: 4 }]))).toBe('allocation-exists');
      expect(fleet.allocation('a-1')).toBe(first);
      expect(bookkeepingOf(fleet, TINY_TENANTS)).toEqual(before);
    });

    it('refuses an allocation without extents or with a negative bandwidth', () => {
      const fleet = tinyFleet();
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', []))).toBe('invalid-argument');
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1, bandwidthGBps: -1 }]))).toBe('invalid-argument');
      expect(errorCodeOf(() => fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1, bandwidthGBps: Number.NaN }]))).toBe('invalid-argument');
      expect(fleet.usedGiB).toBe(0);
    });

    it('refuses to remove a VM that holds allocations, then removes it once released', () => {
      const fleet = tinyFleet();
      fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 4 }]);
      const error = topologyErrorOf(() => fleet.removeVm('vm-1'));
      expect(error.code).toBe('vm-has-allocations');
      expect(fleet.findVm('vm-1')).toBeDefined();
      fleet.release('a-1');
      fleet.removeVm('vm-1');
      expect(fleet.findVm('vm-1')).toBeUndefined();
      expect(errorCodeOf(() => fleet.vm('vm-1'))).toBe('unknown-vm');
      expect(errorCodeOf(() => fleet.removeVm('vm-1'))).toBe('unknown-vm');
    });

    it('adds VMs, refusing duplicates, unknown hosts and bad sizes', () => {
      const fleet = tinyFleet();
      const vm = fleet.addVm({ id: 'vm-4', tenantId: 'tenant-c', hostId: 'h-2', dramGiB: 8 });
      expect(vm.host).toBe(fleet.host('h-2'));
      expect(fleet.vm('vm-4')).toBe(vm);
      expect(errorCodeOf(() => fleet.addVm({ id: 'vm-4', tenantId: 'tenant-c', hostId: 'h-2', dramGiB: 8 }))).toBe('duplicate-id');
      expect(errorCodeOf(() => fleet.addVm({ id: 'vm-5', tenantId: 'tenant-c', hostId: 'h-9', dramGiB: 8 }))).toBe('unknown-host');
      expect(errorCodeOf(() => fleet.addVm({ id: 'vm-5', tenantId: 'tenant-c', hostId: 'h-2', dramGiB: 0 }))).toBe('invalid-argument');
      expect(errorCodeOf(() => fleet.addVm({ id: 'vm-5', tenantId: 'tenant-c', hostId: 'h-2', dramGiB: 1.5 }))).toBe('invalid-argument');
      expect(fleet.findVm('vm-5')).toBeUndefined();
    });
  });

  describe('states', () => {
    it('cuts switch paths when the switch is down, and shows every state in toSpec', () => {
      const fleet = tinyFleet();
      fleet.setSwitchState('sw-1', 'down');
      fleet.setHostState('h-2', 'draining');
      fleet.setDeviceHealth('mhd-1', 'degraded');
      const h1 = fleet.host('h-1');
      expect(h1.paths.map((p) => [p.device.id, p.isUp]).sort()).toEqual([
        ['direct-1', true],
        ['mhd-1', true],
        ['pool-1', false],
      ]);
      const spec = fleet.toSpec();
      expect(spec.switches[0]?.state).toBe('down');
      expect(spec.hosts.map((h) => h.state)).toEqual(['healthy', 'draining', 'healthy']);
      expect(spec.devices.map((d) => d.health)).toEqual(['healthy', 'degraded', 'healthy', 'healthy']);
      // The spec the fleet was built from is not touched.
      expect(fleet.toSpec().hosts).not.toEqual(tinyFleetSpec().hosts);
    });

    it('gives a host growth room up to the tighter of its window and movable ratio, none unless healthy', () => {
      const fleet = tinyFleet();
      const h1 = fleet.host('h-1'); // 256 GiB DRAM at 100%, 512 GiB window
      const h2 = fleet.host('h-2'); // 512 GiB DRAM at 301%, 64 GiB window
      expect(h1.movableCapGiB).toBe(256);
      expect(h1.growthRoomGiB).toBe(256);
      expect(h2.growthRoomGiB).toBe(64);
      fleet.allocate('a-1', 'vm-1', [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 16 }]);
      expect(h1.growthRoomGiB).toBe(240);
      fleet.setHostState('h-1', 'maintenance');
      expect(h1.growthRoomGiB).toBe(0);
    });
  });

  describe('under random allocate and release', () => {
    // Two pooled devices get coarser blocks, so alignment is exercised too.
    const spec: FleetSpec = (() => {
      const base = generateFleetSpec({ preset: 'small', seed: 11 });
      const blockOf: Record<string, number> = { 'pool-001-2': 4, 'pool-001-3': 16 };
      return { ...base, devices: base.devices.map((d) => ({ ...d, extentBlockGiB: blockOf[d.id] ?? d.extentBlockGiB })) };
    })();
    const vmIds = spec.vms.filter((vm) => ['host-001-01', 'host-001-02', 'host-001-03'].includes(vm.hostId)).map((vm) => vm.id);
    const tenantIds = [...new Set(spec.vms.map((vm) => vm.tenantId))];

    type Op =
      | { readonly kind: 'allocate'; readonly vm: number; readonly extents: readonly (readonly [number, number, number])[] }
      | { readonly kind: 'release'; readonly pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('allocate' as const), vm: fc.nat(), extents: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
    );

    interface Live {
      readonly id: string;
      readonly vmId: string;
      readonly extents: readonly ExtentRequest[];
    }

    it('keeps extents disjoint, within capacity and counted, and releases back to the start', () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 40, size: 'max' }), (ops) => {
          const fleet = Fleet.fromSpec(spec);
          const start = bookkeepingOf(fleet, tenantIds);
          const models = new Map<CxlDevice, BlockModel>(fleet.devices.map((d) => [d, new BlockModel(d.free.capacity)]));
          const modelOf = (d: CxlDevice): BlockModel => models.get(d) ?? new BlockModel(0);
          const live: Live[] = [];
          let nextId = 0;

          const expectConsistent = (touched: readonly CxlDevice[]): void => {
            const devicesSeen = touched.map((d) => ({
              id: d.id,
              freeRuns: [...d.free.freeRuns()],
              usedGiB: d.usedGiB,
              withinCapacity: d.usedGiB <= d.capacityGiB,
              boundHostCount: d.boundHostCount,
            }));
            const devicesModelled = touched.map((d) => ({
              id: d.id,
              freeRuns: modelOf(d).runs(),
              usedGiB: modelOf(d).usedTotal * d.extentBlockGiB,
              withinCapacity: true,
              boundHostCount: new Set(live.flatMap((a) => (a.extents.some((e) => e.deviceId === d.id) ? [fleet.vm(a.vmId).host] : []))).size,
            }));
            expect(devicesSeen).toEqual(devicesModelled);
            const liveGiB = live.reduce((sum, a) => sum + a.extents.reduce((s, e) => s + e.sizeGiB, 0), 0);
            expect({
              usedGiB: fleet.usedGiB,
              devicesUsedGiB: fleet.devices.reduce((sum, d) => sum + d.usedGiB, 0),
              tenantsUsedGiB: tenantIds.reduce((sum, t) => sum + fleet.tenantUsedGiB(t), 0),
              hostsMappedGiB: fleet.hosts.reduce((sum, h) => sum + h.mappedGiB, 0),
              allocationIds: [...fleet.allocations].map((a) => a.id).sort(),
            }).toEqual({
              usedGiB: liveGiB,
              devicesUsedGiB: liveGiB,
              tenantsUsedGiB: liveGiB,
              hostsMappedGiB: liveGiB,
              allocationIds: live.map((a) => a.id).sort(),
            });
          };

          const release = (pick: number): void => {
            const [gone] = live.splice(pick % Math.max(1, live.length), 1);
            if (gone === undefined) return;
            const allocation = fleet.release(gone.id);
            for (const e of allocation.extents) modelOf(e.device).give(e.offsetGiB / e.device.extentBlockGiB, e.sizeGiB / e.device.extentBlockGiB);
            expectConsistent(allocation.extents.map((e) => e.device));
          };

          for (const o of ops) {
            if (o.kind === 'release') {
              release(o.pick);
              continue;
            }
            const vmId = vmIds[o.vm % vmIds.length] ?? '';
            const reachable = fleet.vm(vmId).host.paths.map((p) => p.device);
            // Aligned extents at random places, up to 256 GiB: they overlap often enough.
            const requests = o.extents.map(([which, size, offset]): ExtentRequest => {
              const device = reachable[which % reachable.length] ?? reachable[0];
              if (device === undefined) throw new Error('every host reaches some device');
              const blocks = 1 + (size % Math.max(1, Math.floor(256 / device.extentBlockGiB)));
              const at = offset % (device.free.capacity - blocks + 1);
              return { deviceId: device.id, offsetGiB: at * device.extentBlockGiB, sizeGiB: blocks * device.extentBlockGiB };
            });
            // The model's verdict, extents of this request included.
            const trial = new Map<string, BlockModel>();
            let fits = true;
            for (const r of requests) {
              const device = fleet.device(r.deviceId);
              const model = trial.get(r.deviceId) ?? modelOf(device).clone();
              trial.set(r.deviceId, model);
              const [at, blocks] = [r.offsetGiB / device.extentBlockGiB, r.sizeGiB / device.extentBlockGiB];
              if (!model.isFree(at, blocks)) fits = false;
              else model.take(at, blocks);
            }
            const id = `a-${nextId++}`;
            if (fits) {
              fleet.allocate(id, vmId, requests);
              for (const r of requests) {
                const device = fleet.device(r.deviceId);
                modelOf(device).take(r.offsetGiB / device.extentBlockGiB, r.sizeGiB / device.extentBlockGiB);
              }
              live.push({ id, vmId, extents: requests });
            } else {
              // Nothing changed: expectConsistent below holds the touched devices to the unchanged model.
              expect(errorCodeOf(() => fleet.allocate(id, vmId, requests))).toBe('extent-not-free');
            }
            expectConsistent(requests.map((r) => fleet.device(r.deviceId)));
          }

          while (live.length > 0) release(0);
          expect(bookkeepingOf(fleet, tenantIds)).toEqual(start);
        }),
        { numRuns: 150 },
      );
    });
  });
});
