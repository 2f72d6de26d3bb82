import type { AllocatedExtent, Allocation, Path } from './entities';
import { CxlDevice, CxlSwitch, Host, Vm } from './entities';
import { TopologyError } from './errors';
import { wirePaths } from './wiring';
import { ID_PATTERN, parseFleetSpec, problemsOf, vmSpecSchema } from './fleet-validation';
import type {
  AllocationSpec,
  DeviceHealth,
  ExtentRef,
  FleetSpec,
  HostState,
  SwitchState,
  VmSpec,
} from './spec';
import { FLEET_FORMAT } from './spec';

export type ExtentRequest = ExtentRef & { readonly bandwidthGBps?: number };

/**
 * A fleet and its live allocations. Lookups by id are O(1); each host carries its paths, so
 * everything placement needs is reached from one host, never by scanning the fleet.
 */
export class Fleet {
  readonly hosts: readonly Host[];
  readonly switches: readonly CxlSwitch[];
  readonly devices: readonly CxlDevice[];
  private readonly hostsById = new Map<string, Host>();
  private readonly switchesById = new Map<string, CxlSwitch>();
  private readonly devicesById = new Map<string, CxlDevice>();
  private readonly vmsById = new Map<string, Vm>();
  private readonly allocationsById = new Map<string, Allocation>();
  private readonly tenantUsed = new Map<string, number>();
  private capacity = 0;
  private used = 0;

  private constructor(private readonly base: FleetSpec) {
    this.switches = base.switches.map((spec, i) => new CxlSwitch(i, spec));
    this.hosts = base.hosts.map((spec, i) => new Host(i, spec));
    this.devices = base.devices.map((spec, i) => new CxlDevice(i, spec));
    for (const s of this.switches) this.switchesById.set(s.id, s);
    for (const h of this.hosts) this.hostsById.set(h.id, h);
    for (const d of this.devices) {
      this.devicesById.set(d.id, d);
      this.capacity += d.capacityGiB;
    }
    wirePaths(this.hosts, this.devices, (id) => this.switch(id), (id) => this.host(id));
    // Each refused VM or allocation changes nothing, so go on and report them all at once.
    const problems: string[] = [];
    base.vms.forEach((vm, i) => collectProblem(problems, `vms[${i}]`, () => this.addVm(vm)));
    base.allocations.forEach((a, i) => collectProblem(problems, `allocations[${i}]`, () => this.allocate(a.id, a.vmId, a.extents)));
    if (problems.length > 0) {
      throw new TopologyError('invalid-fleet-format', `fleet "${base.name}" is invalid: ${problems.length} problem(s)`, problems);
    }
  }

  /**
   * Builds a fleet from a spec, validated as a file would be: structure first, then references,
   * then the live VMs and allocations. Throws `invalid-fleet-format` with a line per problem.
   */
  static fromSpec(spec: FleetSpec): Fleet {
    return new Fleet(parseFleetSpec(spec));
  }

  get name(): string {
    return this.base.name;
  }

  get capacityGiB(): number {
    return this.capacity;
  }

  get usedGiB(): number {
    return this.used;
  }

  get vms(): IterableIterator<Vm> {
    return this.vmsById.values();
  }

  get allocations(): IterableIterator<Allocation> {
    return this.allocationsById.values();
  }

  host(id: string): Host {
    return this.lookup(this.hostsById, id, 'unknown-host', 'host');
  }

  device(id: string): CxlDevice {
    return this.lookup(this.devicesById, id, 'unknown-device', 'device');
  }

  switch(id: string): CxlSwitch {
    return this.lookup(this.switchesById, id, 'unknown-switch', 'switch');
  }

  vm(id: string): Vm {
    return this.lookup(this.vmsById, id, 'unknown-vm', 'VM');
  }

  allocation(id: string): Allocation {
    return this.lookup(this.allocationsById, id, 'unknown-allocation', 'allocation');
  }

  /** A VM's live allocations: a scan of the fleet's, for tools and tests, not placement. */
  allocationsOf(vmId: string): Allocation[] {
    const vm = this.vm(vmId);
    return [...this.allocationsById.values()].filter((a) => a.vm === vm);
  }

  hasAllocation(id: string): boolean {
    return this.allocationsById.has(id);
  }

  findVm(id: string): Vm | undefined {
    return this.vmsById.get(id);
  }

  tenantUsedGiB(tenantId: string): number {
    return this.tenantUsed.get(tenantId) ?? 0;
  }

  /** The path from `host` to `device`, or undefined when it has none. */
  pathBetween(host: Host, device: CxlDevice): Path | undefined {
    return host.paths.find((p) => p.device === device);
  }

  addVm(spec: VmSpec): Vm {
    const parsed = vmSpecSchema.safeParse(spec);
    if (!parsed.success) {
      const details = problemsOf(parsed.error);
      throw new TopologyError('invalid-argument', `VM spec is invalid: ${details.join('; ')}`, details);
    }
    if (this.vmsById.has(spec.id)) throw new TopologyError('duplicate-id', `VM ${spec.id} already exists`);
    const vm = new Vm(parsed.data, this.host(spec.hostId));
    this.vmsById.set(vm.id, vm);
    return vm;
  }

  removeVm(id: string): void {
    const vm = this.vm(id);
    if (vm.allocationCount > 0) {
      throw new TopologyError('vm-has-allocations', `VM ${id} still holds ${vm.allocationCount} allocation(s)`);
    }
    this.vmsById.delete(id);
  }

  setDeviceHealth(id: string, health: DeviceHealth): void {
    this.device(id).setHealth(health);
  }

  setHostState(id: string, state: HostState): void {
    this.host(id).setState(state);
  }

  setSwitchState(id: string, state: SwitchState): void {
    this.switch(id).setState(state);
  }

  /**
   * Records a live allocation: every extent must be aligned, in range, free and on a device the
   * VM's host reaches. All or nothing: on any error nothing changes.
   */
  allocate(id: string, vmId: string, extents: readonly ExtentRequest[]): Allocation {
    if (this.allocationsById.get(id) !== undefined) throw new TopologyError('allocation-exists', `allocation ${id} already exists`);
    if (!ID_PATTERN.test(id)) throw new TopologyError('invalid-argument', `allocation id "${id}" is not a valid id`);
    const vm = this.vm(vmId);
    if (extents.length === 0) throw new TopologyError('invalid-argument', `allocation ${id} has no extents`);
    const resolved: AllocatedExtent[] = [];
    let sizeGiB = 0;
    for (const e of extents) {
      const extent = this.resolveExtent(vm, e);
      resolved.push(extent);
      sizeGiB += extent.sizeGiB;
    }
    this.checkHardLimits(vm, resolved, sizeGiB);
    let taken = 0;
    try {
      for (const e of resolved) {
        e.device.take(e.offsetGiB, e.sizeGiB);
        taken++;
      }
    } catch (error) {
      for (const e of resolved.slice(0, taken)) e.device.giveBack(e.offsetGiB, e.sizeGiB);
      throw error;
    }
    const allocation: Allocation = { id, vm, extents: resolved, sizeGiB };
    this.account(allocation, +1);
    this.allocationsById.set(id, allocation);
    return allocation;
  }

  /** Returns an allocation's extents to the free pool. */
  release(id: string): Allocation {
    const allocation = this.allocation(id);
    for (const e of allocation.extents) {
      e.device.giveBack(e.offsetGiB, e.sizeGiB);
    }
    this.account(allocation, -1);
    this.allocationsById.delete(id);
    return allocation;
  }

  /** The fleet as it stands now (states and live allocations included), in `mxs-fleet/1`. */
  toSpec(): FleetSpec {
    return {
      format: FLEET_FORMAT,
      name: this.base.name,
      regions: this.base.regions,
      racks: this.base.racks,
      hosts: this.hosts.map((h) => ({ ...h.spec, state: h.state })),
      switches: this.switches.map((s) => ({ ...s.spec, state: s.state })),
      devices: this.devices.map((d) => ({ ...d.spec, health: d.health })),
      vms: [...this.vmsById.values()].map((vm) => vm.spec),
      allocations: [...this.allocationsById.values()].map(allocationSpec),
    };
  }

  private resolveExtent(vm: Vm, e: ExtentRequest): AllocatedExtent {
    // The host's own paths first: they are few and already at hand; the fleet map only for errors.
    const path = vm.host.paths.find((p) => p.device.id === e.deviceId);
    const device = path?.device ?? this.device(e.deviceId);
    const block = device.extentBlockGiB;
    if (!Number.isInteger(e.offsetGiB / block) || !Number.isInteger(e.sizeGiB / block) || e.sizeGiB <= 0 || e.offsetGiB < 0) {
      throw new TopologyError('extent-unaligned', `extent ${e.offsetGiB}+${e.sizeGiB} GiB on ${device.id} is not aligned to ${block} GiB`);
    }
    if (e.offsetGiB + e.sizeGiB > device.capacityGiB) {
      throw new TopologyError('extent-out-of-range', `extent ${e.offsetGiB}+${e.sizeGiB} GiB passes ${device.id}'s ${device.capacityGiB} GiB`);
    }
    if (path === undefined) {
      throw new TopologyError('device-unreachable', `host ${vm.host.id} has no path to ${device.id}`);
    }
    const bandwidthGBps = e.bandwidthGBps ?? 0;
    if (!(bandwidthGBps >= 0) || !Number.isFinite(bandwidthGBps)) {
      throw new TopologyError('invalid-argument', `bandwidthGBps must be a finite number >= 0, got ${bandwidthGBps}`);
    }
    return { device, path, offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB, bandwidthMBps: Math.round(bandwidthGBps * 1000) };
  }

  /**
   * What the hardware cannot do, whatever placement decided: map past the host's CFMWS window,
   * or bind more hosts to a device than it has logical devices.
   */
  private checkHardLimits(vm: Vm, extents: readonly AllocatedExtent[], sizeGiB: number): void {
    const host = vm.host;
    if (host.mappedGiB + sizeGiB > host.cfmwsWindowGiB) {
      throw new TopologyError('host-window-exceeded', `host ${host.id} maps ${host.mappedGiB} of ${host.cfmwsWindowGiB} GiB; ${sizeGiB} GiB more does not fit its CFMWS window`);
    }
    // A device appearing twice in one allocation binds once; the check is the same either way.
    for (const e of extents) {
      if (!e.path.bound && e.device.boundHostCount >= e.device.maxLogicalDevices) {
        throw new TopologyError('slots-exhausted', `${e.device.id} has all ${e.device.maxLogicalDevices} logical devices bound to other hosts`);
      }
    }
  }

  private account(allocation: Allocation, sign: 1 | -1): void {
    const { vm } = allocation;
    for (const e of allocation.extents) e.device.countExtent(e.path, e.bandwidthMBps, sign);
    vm.host.addMapped(sign * allocation.sizeGiB);
    if (sign > 0) vm.attach(allocation);
    else vm.detach(allocation);
    this.used += sign * allocation.sizeGiB;
    addCount(this.tenantUsed, vm.tenantId, sign * allocation.sizeGiB);
  }

  private lookup<T>(map: Map<string, T>, id: string, code: 'unknown-host' | 'unknown-device' | 'unknown-switch' | 'unknown-vm' | 'unknown-allocation', what: string): T {
    const found = map.get(id);
    if (found === undefined) throw new TopologyError(code, `unknown ${what} ${id}`);
    return found;
  }
}

/** Adds `delta` to a count, dropping the key at zero so a map's size counts live keys. */
function addCount<K>(counts: Map<K, number>, key: K, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

/** A saved VM or allocation the fleet refuses is a problem of the file, at its path. */
function collectProblem(problems: string[], path: string, load: () => unknown): void {
  try {
    load();
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    problems.push(`${path}: ${error.message}`);
  }
}

function allocationSpec(a: Allocation): AllocationSpec {
  return {
    id: a.id,
    vmId: a.vm.id,
    extents: a.extents.map((e) => ({ deviceId: e.device.id, offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB, bandwidthGBps: e.bandwidthMBps / 1000 })),
  };
}
