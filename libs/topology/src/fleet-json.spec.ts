/// <reference types="jest" />
import fc from 'fast-check';
import { tinyFleetSpec } from './__fixtures__/tiny-fleet';
import { topologyErrorOf } from './__fixtures__/topology-error';
import { Fleet } from './fleet';
import { loadFleet, parseFleetJson, saveFleet } from './fleet-json';
import { generateFleetSpec } from './generator';
import type { FleetSpec } from './spec';
import { DEVICE_HEALTH } from './spec';

function fleetWithHistory(): Fleet {
  const fleet = Fleet.fromSpec(tinyFleetSpec());
  fleet.allocate('a-1', 'vm-1', [
    { deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 8, bandwidthGBps: 4 },
    { deviceId: 'mhd-1', offsetGiB: 2, sizeGiB: 4 },
  ]);
  fleet.allocate('a-2', 'vm-2', [{ deviceId: 'mhd-1', offsetGiB: 8, sizeGiB: 6, bandwidthGBps: 1.5 }]);
  fleet.allocate('a-3', 'vm-3', [{ deviceId: 'direct-3', offsetGiB: 4, sizeGiB: 4 }]);
  fleet.allocate('a-4', 'vm-1', [{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 2 }]);
  fleet.release('a-4');
  fleet.addVm({ id: 'vm-4', tenantId: 'tenant-c', hostId: 'h-2', dramGiB: 8 });
  fleet.allocate('a-5', 'vm-4', [{ deviceId: 'pool-1', offsetGiB: 8, sizeGiB: 1 }]);
  fleet.setSwitchState('sw-1', 'down');
  fleet.setHostState('h-3', 'maintenance');
  fleet.setDeviceHealth('mhd-1', 'draining');
  return fleet;
}

/** Parses JSON text expecting `invalid-fleet-format`; returns the details. */
function formatProblems(text: string, load: (text: string) => unknown = parseFleetJson): readonly string[] {
  const error = topologyErrorOf(() => load(text));
  expect(error.code).toBe('invalid-fleet-format');
  expect(error.details.length).toBeGreaterThan(0);
  return error.details;
}

/** A detail that starts with `path: ` and mentions each fragment. */
function detail(path: string, ...fragments: string[]): unknown {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return expect.stringMatching(new RegExp(`^${escape(path)}: ${fragments.map((f) => `(?=.*${escape(f)})`).join('')}`));
}

const json = (value: unknown): string => JSON.stringify(value);

/** The tiny spec with one host or device changed, as JSON-ready data (wrong types allowed). */
function withHost(i: number, change: Record<string, unknown>): unknown {
  const spec = tinyFleetSpec();
  return { ...spec, hosts: spec.hosts.map((h, j) => (j === i ? { ...h, ...change } : h)) };
}

function withDevice(i: number, change: Record<string, unknown>): unknown {
  const spec = tinyFleetSpec();
  return { ...spec, devices: spec.devices.map((d, j) => (j === i ? { ...d, ...change } : d)) };
}

describe('fleet JSON (mxs-fleet/1)', () => {
  describe('round trip', () => {
    it('saves and loads a fleet with changed states and live allocations', () => {
      const fleet = fleetWithHistory();
      const text = saveFleet(fleet);
      expect(text.endsWith('\n')).toBe(true);
      const loaded = loadFleet(text);
      expect(loaded.toSpec()).toEqual(fleet.toSpec());
      expect(saveFleet(loaded)).toBe(text);
      // The runtime state is rebuilt, not just the data.
      expect(loaded.usedGiB).toBe(fleet.usedGiB);
      expect(loaded.switch('sw-1').state).toBe('down');
      expect(loaded.host('h-3').state).toBe('maintenance');
      expect(loaded.device('mhd-1').health).toBe('draining');
      expect(loaded.device('mhd-1').boundHostCount).toBe(2);
      expect(loaded.device('pool-1').reservedBandwidthGBps).toBe(4);
      expect([...loaded.device('mhd-1').free.freeRuns()]).toEqual([...fleet.device('mhd-1').free.freeRuns()]);
      expect(loaded.tenantUsedGiB('tenant-a')).toBe(fleet.tenantUsedGiB('tenant-a'));
      expect(loaded.hasAllocation('a-4')).toBe(false);
      expect(loaded.vm('vm-4').cxlGiB).toBe(1);
    });

    it('round-trips a generated fleet under random allocations', () => {
      const base = generateFleetSpec({ preset: 'small', seed: 21 });
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 300 })), { maxLength: 20 }),
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(...DEVICE_HEALTH)), { maxLength: 4 }),
          (wants, healths) => {
            const fleet = Fleet.fromSpec(base);
            const vms = [...fleet.vms];
            wants.forEach(([vmPick, devicePick, sizeGiB], i) => {
              const vm = vms[vmPick % vms.length];
              const path = vm?.host.paths[devicePick % vm.host.paths.length];
              const start = path?.device.free.bestFit(sizeGiB);
              if (vm !== undefined && path !== undefined && start !== undefined) {
                fleet.allocate(`a-${i}`, vm.id, [{ deviceId: path.device.id, offsetGiB: start, sizeGiB, bandwidthGBps: i }]);
              }
            });
            for (const [pick, health] of healths) {
              const device = fleet.devices[pick % fleet.devices.length];
              if (device !== undefined) fleet.setDeviceHealth(device.id, health);
            }
            const loaded = loadFleet(saveFleet(fleet));
            expect(loaded.toSpec()).toEqual(fleet.toSpec());
            expect(loaded.usedGiB).toBe(fleet.usedGiB);
          },
        ),
        { numRuns: 100 },
      );
    });

    it('takes a file without vms and allocations as having none', () => {
      const bare: Record<string, unknown> = { ...tinyFleetSpec() };
      delete bare['vms'];
      delete bare['allocations'];
      const spec = parseFleetJson(json(bare));
      expect(spec.vms).toEqual([]);
      expect(spec.allocations).toEqual([]);
    });
  });

  describe('problems, each as "path: message"', () => {
    it('reports text that is not JSON at the root', () => {
      expect(formatProblems('{"format": "mxs-fleet/1",')).toEqual([detail('(root)')]);
      expect(formatProblems('')).toEqual([detail('(root)')]);
    });

    it('reports a wrong format tag', () => {
      expect(formatProblems(json({ ...tinyFleetSpec(), format: 'mxs-fleet/2' }))).toEqual([detail('format', 'mxs-fleet/1')]);
    });

    it('reports unknown fields, at the root and inside', () => {
      expect(formatProblems(json({ ...tinyFleetSpec(), owner: 'me' }))).toEqual([detail('(root)', 'owner')]);
      expect(formatProblems(json(withHost(2, { colour: 'red' })))).toEqual([detail('hosts[2]', 'colour')]);
      expect(formatProblems(json(withDevice(1, { attachment: { kind: 'switch', switchId: 'sw-1', lane: 3 } })))).toEqual([
        detail('devices[1].attachment', 'lane'),
      ]);
    });

    it('reports wrong types with their paths, all of them at once', () => {
      const spec = tinyFleetSpec();
      const broken = {
        ...spec,
        name: 42,
        hosts: spec.hosts.map((h, i) => (i === 1 ? { ...h, dramGiB: '512', switchIds: 'sw-1' } : h)),
        devices: spec.devices.map((d, i) => (i === 3 ? { ...d, capacityGiB: 16.5, health: 'sad' } : d)),
      };
      const details = formatProblems(json(broken));
      expect(details).toEqual(
        expect.arrayContaining([
          detail('name'),
          detail('hosts[1].dramGiB', 'number'),
          detail('hosts[1].switchIds', 'array'),
          detail('devices[3].capacityGiB', 'integer'),
          detail('devices[3].health'),
        ]),
      );
      expect(details).toHaveLength(5);
    });

    it('reports out-of-range numbers and malformed ids', () => {
      expect(formatProblems(json(withDevice(0, { extentBlockGiB: 3 })))).toEqual([detail('devices[0].extentBlockGiB', 'power of two')]);
      expect(formatProblems(json(withDevice(0, { maxLogicalDevices: 17 })))).toEqual([detail('devices[0].maxLogicalDevices', '16')]);
      expect(formatProblems(json(withHost(0, { id: 'h 1' })))).toEqual(expect.arrayContaining([detail('hosts[0].id')]));
    });

    it('reports unknown racks, switches and hosts where they are referenced', () => {
      const spec = tinyFleetSpec();
      const broken: FleetSpec = {
        ...spec,
        racks: [{ id: 'rack-1', regionId: 'region-9' }],
        hosts: spec.hosts.map((h, i) => (i === 0 ? { ...h, rackId: 'rack-9' } : i === 1 ? { ...h, switchIds: ['sw-1', 'sw-9'] } : h)),
        switches: spec.switches.map((s) => ({ ...s, rackId: 'rack-8' })),
        devices: spec.devices.map((d) =>
          d.id === 'mhd-1'
            ? { ...d, attachment: { kind: 'multi-headed', hostIds: ['h-1', 'h-7'] } }
            : d.id === 'direct-3'
              ? { ...d, attachment: { kind: 'direct', hostId: 'h-8' } }
              : d.id === 'pool-1'
                ? { ...d, attachment: { kind: 'switch', switchId: 'sw-7' } }
                : d,
        ),
        vms: [...spec.vms, { id: 'vm-9', tenantId: 'tenant-a', hostId: 'h-6', dramGiB: 8 }],
        allocations: [{ id: 'a-1', vmId: 'vm-8', extents: [{ deviceId: 'pool-5', offsetGiB: 0, sizeGiB: 1 }] }],
      };
      const details = formatProblems(json(broken));
      expect(details).toEqual(
        expect.arrayContaining([
          detail('racks[0].regionId', 'region-9'),
          detail('hosts[0].rackId', 'rack-9'),
          detail('hosts[1].switchIds[1]', 'sw-9'),
          detail('switches[0].rackId', 'rack-8'),
          detail('devices[0].attachment.switchId', 'sw-7'),
          detail('devices[1].attachment.hostIds[1]', 'h-7'),
          detail('devices[3].attachment.hostId', 'h-8'),
          detail('vms[3].hostId', 'h-6'),
          detail('allocations[0].vmId', 'vm-8'),
          detail('allocations[0].extents[0].deviceId', 'pool-5'),
          // Cabling across racks, which the moved rack and switch also cause.
          detail('hosts[0].switchIds[0]', 'switch "sw-1" is in rack "rack-8", not "rack-9"'),
          detail('hosts[1].switchIds[0]', 'switch "sw-1" is in rack "rack-8", not "rack-1"'),
          detail('devices[1].attachment.hostIds[0]', 'host "h-1" is in rack "rack-9", not "rack-1"'),
          detail('devices[2].attachment.hostId', 'host "h-1" is in rack "rack-9", not "rack-1"'),
        ]),
      );
      expect(details).toHaveLength(14);
    });

    it('reports cabling across racks: a switch, its hosts and its devices share one rack', () => {
      const spec = tinyFleetSpec();
      const racks = [...spec.racks, { id: 'rack-2', regionId: spec.regions[0]?.id ?? '' }];
      const moved: FleetSpec = { ...spec, racks, switches: spec.switches.map((s) => ({ ...s, rackId: 'rack-2' })) };
      const details = formatProblems(json(moved));
      expect(details).toEqual(expect.arrayContaining([detail('hosts[0].switchIds[0]', 'is in rack "rack-2"'), detail('devices[0].attachment.switchId', 'is in rack "rack-2"')]));
    });

    it('reports duplicate ids at the second use', () => {
      const spec = tinyFleetSpec();
      const broken: FleetSpec = {
        ...spec,
        hosts: [...spec.hosts, ...spec.hosts.slice(0, 1).map((h) => ({ ...h, id: 'h-2' }))],
        devices: spec.devices.map((d, i) => (i === 2 ? { ...d, id: 'pool-1' } : d)),
        vms: [...spec.vms, { id: 'vm-1', tenantId: 'tenant-a', hostId: 'h-1', dramGiB: 8 }],
      };
      const details = formatProblems(json(broken));
      expect(details).toEqual(
        expect.arrayContaining([detail('hosts[3].id', 'duplicate', 'h-2'), detail('devices[2].id', 'duplicate', 'pool-1'), detail('vms[3].id', 'duplicate', 'vm-1')]),
      );
    });

    it('reports a switch with more links than ports', () => {
      const spec = tinyFleetSpec();
      // Two hosts and one pooled device are cabled to sw-1.
      const broken = { ...spec, switches: spec.switches.map((s) => ({ ...s, ports: 2 })) };
      expect(formatProblems(json(broken))).toEqual([detail('switches[0].ports', '3', '2')]);
      expect(() => parseFleetJson(json({ ...spec, switches: spec.switches.map((s) => ({ ...s, ports: 3 })) }))).not.toThrow();
    });

    it('reports a capacity that is not a multiple of the extent block', () => {
      expect(formatProblems(json(withDevice(3, { capacityGiB: 18 })))).toEqual([detail('devices[3].capacityGiB', '18', '4')]);
    });

    it('reports a multi-headed device with more heads than logical devices', () => {
      expect(formatProblems(json(withDevice(1, { maxLogicalDevices: 1 })))).toEqual([detail('devices[1].attachment.hostIds', '2', '1')]);
    });

    it('reports saved allocations the fleet refuses, by their index', () => {
      const spec = tinyFleetSpec();
      const overlapping: FleetSpec = {
        ...spec,
        allocations: [
          { id: 'a-1', vmId: 'vm-1', extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 8 }] },
          { id: 'a-2', vmId: 'vm-2', extents: [{ deviceId: 'pool-1', offsetGiB: 4, sizeGiB: 8 }] },
        ],
      };
      // Structurally fine: only building the fleet finds the overlap.
      expect(parseFleetJson(json(overlapping))).toEqual(overlapping);
      expect(formatProblems(json(overlapping), loadFleet)).toEqual([detail('allocations[1]', 'extent 4+8 GiB on pool-1 overlaps a live extent')]);

      const unaligned: FleetSpec = { ...spec, allocations: [{ id: 'a-1', vmId: 'vm-1', extents: [{ deviceId: 'mhd-1', offsetGiB: 1, sizeGiB: 2 }] }] };
      expect(formatProblems(json(unaligned), loadFleet)).toEqual([detail('allocations[0]', 'aligned')]);

      const unreachable: FleetSpec = { ...spec, allocations: [{ id: 'a-1', vmId: 'vm-3', extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 2 }] }] };
      expect(formatProblems(json(unreachable), loadFleet)).toEqual([detail('allocations[0]', 'no path')]);
    });
  });
});
