import { z } from 'zod';
import { TopologyError } from './errors';
import type { FleetSpec } from './spec';
import { DEVICE_HEALTH, FLEET_FORMAT, HOST_STATES, SWITCH_STATES } from './spec';

/** Ids: 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const idSchema = z.string().regex(ID_PATTERN, 'must be 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
const id = idSchema;
const positiveInt = (max: number) => z.number().int('must be an integer').positive('must be positive').max(max, `must be at most ${max}`);
const powerOfTwo = (max: number) =>
  positiveInt(max).refine((n) => (n & (n - 1)) === 0, 'must be a power of two');

const host = z.strictObject({
  id,
  rackId: id,
  dramGiB: positiveInt(65_536),
  memoryBlockSizeMiB: powerOfTwo(2048),
  cfmwsWindowGiB: positiveInt(1 << 20),
  movableRatioPct: positiveInt(10_000),
  state: z.enum(HOST_STATES),
  switchIds: z.array(id),
});

const attachment = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('direct'), hostId: id }),
  z.strictObject({ kind: z.literal('switch'), switchId: id }),
  z.strictObject({ kind: z.literal('multi-headed'), hostIds: z.array(id).min(2).max(16) }),
]);

const device = z.strictObject({
  id,
  rackId: id,
  attachment,
  capacityGiB: positiveInt(2048),
  bandwidthGBps: z.number().positive('must be positive').max(1024),
  extentBlockGiB: powerOfTwo(256),
  maxLogicalDevices: positiveInt(16),
  baseLatencyNs: z.number().int('must be an integer').nonnegative().max(10_000),
  health: z.enum(DEVICE_HEALTH),
});

const extent = z.strictObject({
  deviceId: id,
  offsetGiB: z.number().int('must be an integer').nonnegative(),
  sizeGiB: positiveInt(2048),
  bandwidthGBps: z.number().nonnegative().optional(),
});

/** The structural schema of `mxs-fleet/1`; cross-references are checked by `fleetSpecProblems`. */
export const vmSpecSchema = z.strictObject({ id, tenantId: id, hostId: id, dramGiB: positiveInt(65_536) });

export const fleetSpecSchema = z.strictObject({
  format: z.literal(FLEET_FORMAT),
  name: z.string().min(1).max(200),
  regions: z.array(z.strictObject({ id, name: z.string().min(1).max(200) })).min(1),
  racks: z.array(z.strictObject({ id, regionId: id })).min(1),
  hosts: z.array(host),
  switches: z.array(z.strictObject({ id, rackId: id, ports: positiveInt(1024), hopLatencyNs: z.number().int().nonnegative().max(10_000), state: z.enum(SWITCH_STATES) })),
  devices: z.array(device),
  vms: z.array(vmSpecSchema).default([]),
  allocations: z.array(z.strictObject({ id, vmId: id, extents: z.array(extent).min(1) })).default([]),
});

/** Every cross-reference problem of a structurally valid spec, each as "path: message". */
export function fleetSpecProblems(spec: FleetSpec): string[] {
  const problems: string[] = [];
  const known = (kind: string, items: readonly { id: string }[]) => {
    const ids = new Set<string>();
    items.forEach((item, i) => {
      if (ids.has(item.id)) problems.push(`${kind}[${i}].id: duplicate id "${item.id}"`);
      ids.add(item.id);
    });
    return ids;
  };
  const regions = known('regions', spec.regions);
  const racks = known('racks', spec.racks);
  const hosts = known('hosts', spec.hosts);
  const switches = known('switches', spec.switches);
  const devices = known('devices', spec.devices);
  const vms = known('vms', spec.vms);
  known('allocations', spec.allocations);
  const ref = (path: string, set: Set<string>, value: string, what: string) => {
    if (!set.has(value)) problems.push(`${path}: unknown ${what} "${value}"`);
  };

  spec.racks.forEach((r, i) => ref(`racks[${i}].regionId`, regions, r.regionId, 'region'));
  spec.switches.forEach((s, i) => ref(`switches[${i}].rackId`, racks, s.rackId, 'rack'));
  // A switch, and what hangs off it, lives in one rack (DESIGN.md §3): no cabling across racks.
  const rackOfSwitch = new Map(spec.switches.map((s) => [s.id, s.rackId]));
  const rackOfHost = new Map(spec.hosts.map((h) => [h.id, h.rackId]));
  const sameRack = (path: string, rackId: string, other: string | undefined, what: string) => {
    if (other !== undefined && other !== rackId) problems.push(`${path}: ${what} is in rack "${other}", not "${rackId}"`);
  };
  const portsUsed = new Map<string, number>();
  const usePort = (switchId: string) => portsUsed.set(switchId, (portsUsed.get(switchId) ?? 0) + 1);
  const noRepeats = (path: string, ids: readonly string[]) => {
    const seen = new Set<string>();
    ids.forEach((id, j) => {
      if (seen.has(id)) problems.push(`${path}[${j}]: "${id}" is listed twice`);
      seen.add(id);
    });
  };
  spec.hosts.forEach((h, i) => {
    ref(`hosts[${i}].rackId`, racks, h.rackId, 'rack');
    noRepeats(`hosts[${i}].switchIds`, h.switchIds);
    h.switchIds.forEach((s, j) => {
      ref(`hosts[${i}].switchIds[${j}]`, switches, s, 'switch');
      sameRack(`hosts[${i}].switchIds[${j}]`, h.rackId, rackOfSwitch.get(s), `switch "${s}"`);
      usePort(s);
    });
  });
  spec.devices.forEach((d, i) => {
    const path = `devices[${i}]`;
    ref(`${path}.rackId`, racks, d.rackId, 'rack');
    if (d.capacityGiB % d.extentBlockGiB !== 0) {
      problems.push(`${path}.capacityGiB: ${d.capacityGiB} is not a multiple of extentBlockGiB ${d.extentBlockGiB}`);
    }
    const a = d.attachment;
    switch (a.kind) {
      case 'direct':
        ref(`${path}.attachment.hostId`, hosts, a.hostId, 'host');
        sameRack(`${path}.attachment.hostId`, d.rackId, rackOfHost.get(a.hostId), `host "${a.hostId}"`);
        break;
      case 'switch':
        ref(`${path}.attachment.switchId`, switches, a.switchId, 'switch');
        sameRack(`${path}.attachment.switchId`, d.rackId, rackOfSwitch.get(a.switchId), `switch "${a.switchId}"`);
        usePort(a.switchId);
        break;
      case 'multi-headed':
        a.hostIds.forEach((h, j) => {
          ref(`${path}.attachment.hostIds[${j}]`, hosts, h, 'host');
          sameRack(`${path}.attachment.hostIds[${j}]`, d.rackId, rackOfHost.get(h), `host "${h}"`);
        });
        noRepeats(`${path}.attachment.hostIds`, a.hostIds);
        if (a.hostIds.length > d.maxLogicalDevices) {
          problems.push(`${path}.attachment.hostIds: ${a.hostIds.length} heads but only ${d.maxLogicalDevices} logical devices`);
        }
        break;
    }
  });
  spec.switches.forEach((s, i) => {
    const used = portsUsed.get(s.id) ?? 0;
    if (used > s.ports) problems.push(`switches[${i}].ports: ${used} links cabled but only ${s.ports} ports`);
  });
  spec.vms.forEach((v, i) => ref(`vms[${i}].hostId`, hosts, v.hostId, 'host'));
  spec.allocations.forEach((a, i) => {
    ref(`allocations[${i}].vmId`, vms, a.vmId, 'VM');
    a.extents.forEach((e, j) => ref(`allocations[${i}].extents[${j}].deviceId`, devices, e.deviceId, 'device'));
  });
  return problems;
}

export function assertValidFleetSpec(spec: FleetSpec): void {
  const problems = fleetSpecProblems(spec);
  if (problems.length > 0) {
    throw new TopologyError('invalid-fleet-format', `fleet "${spec.name}" is invalid: ${problems.length} problem(s)`, problems);
  }
}

/** Validates untrusted input as a fleet spec; throws `invalid-fleet-format` with every problem. */
export function parseFleetSpec(input: unknown): FleetSpec {
  const result = fleetSpecSchema.safeParse(input);
  if (!result.success) {
    const details = problemsOf(result.error);
    throw new TopologyError('invalid-fleet-format', `fleet JSON is invalid: ${details.length} problem(s)`, details);
  }
  const spec: FleetSpec = result.data;
  assertValidFleetSpec(spec);
  return spec;
}

/** One "path: message" line per schema issue. */
export function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
