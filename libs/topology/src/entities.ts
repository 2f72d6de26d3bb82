import type { FreeSpaceView } from './free-space-index';
import { FreeSpaceIndex } from './free-space-index';
import { TopologyError } from './errors';
import type {
  DeviceAttachment,
  DeviceHealth,
  DeviceSpec,
  HostSpec,
  HostState,
  SwitchSpec,
  SwitchState,
  Tier,
  VmSpec,
} from './spec';
import { tierOf } from './spec';

/**
 * Runtime entities of a `Fleet`. Their identity and wiring are fixed; their state and counters
 * are read-only here and change only through `Fleet` methods (the `@internal` ones are for it),
 * which keep them consistent with each other.
 */
export class CxlSwitch {
  readonly id: string;
  private current: SwitchState;

  constructor(
    readonly index: number,
    readonly spec: SwitchSpec,
  ) {
    this.id = spec.id;
    this.current = spec.state;
  }

  get state(): SwitchState {
    return this.current;
  }

  /** @internal `Fleet.setSwitchState` only. */
  setState(state: SwitchState): void {
    this.current = state;
  }
}

export type PathKind = 'direct' | 'switch' | 'multi-headed';

/**
 * How a host reaches a device, and what it costs in latency. A path also carries the host's
 * logical-device binding to the device: bound while the host holds live extents there.
 */
export class Path {
  private liveExtents = 0;

  constructor(
    readonly host: Host,
    readonly device: CxlDevice,
    readonly kind: PathKind,
    /** The switch on the path, for `switch` paths: its failure cuts the path. */
    readonly viaSwitch: CxlSwitch | undefined,
    readonly addedLatencyNs: number,
  ) {}

  /** Live extents this host holds on the device through this path. */
  get boundExtents(): number {
    return this.liveExtents;
  }

  get bound(): boolean {
    return this.liveExtents > 0;
  }

  /** @internal `Fleet` only: counts an extent in or out; true when the binding began or ended. */
  countExtent(sign: 1 | -1): boolean {
    const wasBound = this.liveExtents > 0;
    this.liveExtents += sign;
    return wasBound !== this.liveExtents > 0;
  }

  /** Usable while the switch on it (if any) is up; device health is placement's call. */
  get isUp(): boolean {
    return this.viaSwitch === undefined || this.viaSwitch.state === 'up';
  }
}

export class Host {
  readonly id: string;
  private current: HostState;
  private mapped = 0;
  private readonly wired: Path[] = [];
  // Read by every placement: kept on this object rather than behind `spec`.
  readonly cfmwsWindowGiB: number;
  /** Most CXL GiB the host may online as movable memory (auto_movable_ratio over its DRAM). */
  readonly movableCapGiB: number;
  /** The unit the host onlines memory in, in GiB (at least 1: extents are whole GiB). */
  readonly memoryBlockGiB: number;

  constructor(
    readonly index: number,
    readonly spec: HostSpec,
  ) {
    this.id = spec.id;
    this.current = spec.state;
    this.cfmwsWindowGiB = spec.cfmwsWindowGiB;
    this.movableCapGiB = Math.floor((spec.dramGiB * spec.movableRatioPct) / 100);
    this.memoryBlockGiB = Math.max(1, spec.memoryBlockSizeMiB / 1024);
  }

  get state(): HostState {
    return this.current;
  }

  /** CXL GiB mapped into this host by live extents. */
  get mappedGiB(): number {
    return this.mapped;
  }

  /** The host's paths to the devices it reaches. */
  get paths(): readonly Path[] {
    return this.wired;
  }

  /** @internal `Fleet` only. */
  setState(state: HostState): void {
    this.current = state;
  }

  /** @internal `Fleet` only. */
  addMapped(deltaGiB: number): void {
    this.mapped += deltaGiB;
  }

  /** @internal `Fleet` only, while wiring. */
  addPath(path: Path): void {
    this.wired.push(path);
  }

  /** How many more CXL GiB this host could take: the tighter of its window and movable ratio. */
  get growthRoomGiB(): number {
    if (this.state !== 'healthy') return 0;
    return Math.max(0, Math.min(this.cfmwsWindowGiB, this.movableCapGiB) - this.mapped);
  }
}

export class CxlDevice {
  // Placement reads these for every candidate: keep them on this object, not behind `spec`.
  readonly id: string;
  private currentHealth: DeviceHealth;
  /** Free space in blocks of `extentBlockGiB`, to read; `Fleet` changes it. */
  readonly free: FreeSpaceView;
  private readonly space: FreeSpaceIndex;
  private reservedMBps = 0;
  private boundHosts = 0;
  private onlyOneHost = false;
  readonly tier: Tier;
  private readonly wired: Path[] = [];
  readonly extentBlockGiB: number;
  readonly maxLogicalDevices: number;
  readonly bandwidthGBps: number;
  readonly capacityGiB: number;
  private freeNowGiB: number;
  private largestRunNowGiB: number;

  constructor(
    readonly index: number,
    readonly spec: DeviceSpec,
  ) {
    this.id = spec.id;
    this.currentHealth = spec.health;
    this.tier = tierOf(spec.attachment);
    this.extentBlockGiB = spec.extentBlockGiB;
    this.maxLogicalDevices = spec.maxLogicalDevices;
    this.bandwidthGBps = spec.bandwidthGBps;
    this.space = new FreeSpaceIndex(Math.floor(spec.capacityGiB / spec.extentBlockGiB));
    this.capacityGiB = this.space.capacity * this.extentBlockGiB;
    this.free = this.space;
    this.freeNowGiB = this.free.freeTotal * this.extentBlockGiB;
    this.largestRunNowGiB = this.freeNowGiB;
  }

  get attachment(): DeviceAttachment {
    return this.spec.attachment;
  }

  get health(): DeviceHealth {
    return this.currentHealth;
  }

  /** Paths into this device, one per host that reaches it (any state). */
  get paths(): readonly Path[] {
    return this.wired;
  }

  /** Only one host can ever use it (a direct device). */
  get exclusive(): boolean {
    return this.onlyOneHost;
  }

  /** Bandwidth reserved by live extents, in whole MB/s so that sums stay exact. */
  get reservedBandwidthMBps(): number {
    return this.reservedMBps;
  }

  /** Hosts bound through a logical device (holding live extents here). */
  get boundHostCount(): number {
    return this.boundHosts;
  }

  /** @internal `Fleet` only. */
  setHealth(health: DeviceHealth): void {
    this.currentHealth = health;
  }

  /** @internal `Fleet` only, while wiring. */
  addPath(path: Path): void {
    this.wired.push(path);
    this.onlyOneHost = this.wired.length === 1;
  }

  /** @internal `Fleet` only: an extent on `path` comes (+1) or goes (-1). */
  countExtent(path: Path, bandwidthMBps: number, sign: 1 | -1): void {
    this.reservedMBps += sign * bandwidthMBps;
    if (path.countExtent(sign)) this.boundHosts += sign;
  }


  get freeGiB(): number {
    return this.freeNowGiB;
  }

  get usedGiB(): number {
    return this.free.usedTotal * this.extentBlockGiB;
  }

  get largestFreeRunGiB(): number {
    return this.largestRunNowGiB;
  }

  get reservedBandwidthGBps(): number {
    return this.reservedBandwidthMBps / 1000;
  }

  /** @internal `Fleet.allocate` only: takes a free, aligned range. */
  take(offsetGiB: number, sizeGiB: number): void {
    try {
      this.space.allocateAt(offsetGiB / this.extentBlockGiB, sizeGiB / this.extentBlockGiB);
    } catch (error) {
      if (error instanceof TopologyError && error.code === 'extent-not-free') {
        throw new TopologyError('extent-not-free', `extent ${offsetGiB}+${sizeGiB} GiB on ${this.id} overlaps a live extent`);
      }
      throw error;
    }
    this.refreshFree();
  }

  /** @internal `Fleet.release` only: gives a taken range back. */
  giveBack(offsetGiB: number, sizeGiB: number): void {
    this.space.release(offsetGiB / this.extentBlockGiB, sizeGiB / this.extentBlockGiB);
    this.refreshFree();
  }

  // Kept on this object because every placement filter reads them: one object, one cache miss.
  private refreshFree(): void {
    this.freeNowGiB = this.space.freeTotal * this.extentBlockGiB;
    this.largestRunNowGiB = this.space.largestRun * this.extentBlockGiB;
  }

  /** A host not yet bound needs a free logical-device slot. */
  hasSlotFor(path: Path): boolean {
    return this.boundHostCount < this.maxLogicalDevices || path.boundExtents > 0;
  }
}

/** A device a VM has extents on, and how many: where a failure would hit it. */
export interface DeviceUse {
  readonly device: CxlDevice;
  readonly viaSwitch: CxlSwitch | undefined;
  readonly extents: number;
}

export class Vm {
  readonly id: string;
  readonly tenantId: string;
  readonly dramGiB: number;
  private held = 0;
  private count = 0;
  // One entry per device in use: never more than the devices the host reaches, however many
  // allocations the VM holds, so scanning it is cheap.
  private readonly footprint: { device: CxlDevice; viaSwitch: CxlSwitch | undefined; extents: number }[] = [];

  constructor(
    readonly spec: VmSpec,
    readonly host: Host,
  ) {
    this.id = spec.id;
    this.tenantId = spec.tenantId;
    this.dramGiB = spec.dramGiB;
  }

  /** CXL GiB this VM holds in live extents. */
  get cxlGiB(): number {
    return this.held;
  }

  /** Live allocations this VM holds (the fleet keeps them: `Fleet.allocationsOf`). */
  get allocationCount(): number {
    return this.count;
  }

  /** The devices this VM has live extents on. */
  get devicesInUse(): readonly DeviceUse[] {
    return this.footprint;
  }

  /** Live extents this VM holds on `device`: a failure of the device hits each. */
  extentsOn(device: CxlDevice): number {
    for (const use of this.footprint) if (use.device === device) return use.extents;
    return 0;
  }

  /** Live extents this VM holds on devices behind `sw`: a failure of the switch hits each. */
  extentsBehind(sw: CxlSwitch): number {
    let count = 0;
    for (const use of this.footprint) if (use.viaSwitch === sw) count += use.extents;
    return count;
  }

  /** @internal `Fleet` only. */
  attach(allocation: Allocation): void {
    this.count++;
    this.held += allocation.sizeGiB;
    for (const e of allocation.extents) {
      const use = this.footprint.find((u) => u.device === e.device);
      if (use) use.extents++;
      else this.footprint.push({ device: e.device, viaSwitch: e.path.viaSwitch, extents: 1 });
    }
  }

  /** @internal `Fleet` only. */
  detach(allocation: Allocation): void {
    this.count--;
    this.held -= allocation.sizeGiB;
    for (const e of allocation.extents) {
      const i = this.footprint.findIndex((u) => u.device === e.device);
      const use = this.footprint[i];
      if (use && --use.extents === 0) this.footprint.splice(i, 1);
    }
  }
}

export interface AllocatedExtent {
  readonly device: CxlDevice;
  /** The VM's host's path to the device: its logical-device binding. */
  readonly path: Path;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  /** Bandwidth reserved, in whole MB/s (requests in GB/s are rounded to the MB/s). */
  readonly bandwidthMBps: number;
}

export interface Allocation {
  readonly id: string;
  readonly vm: Vm;
  readonly extents: readonly AllocatedExtent[];
  readonly sizeGiB: number;
}
