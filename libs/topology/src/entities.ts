import { FreeSpaceIndex } from './free-space-index';
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
 * change only through `Fleet` methods, which keep them consistent with each other.
 */
export class CxlSwitch {
  state: SwitchState;

  constructor(
    readonly index: number,
    readonly spec: SwitchSpec,
  ) {
    this.state = spec.state;
  }

  get id(): string {
    return this.spec.id;
  }
}

export type PathKind = 'direct' | 'switch' | 'multi-headed';

/**
 * How a host reaches a device, and what it costs in latency. A path also carries the host's
 * logical-device binding to the device: bound while the host holds live extents there.
 */
export class Path {
  /** Live extents this host holds on the device through this path. */
  boundExtents = 0;

  constructor(
    readonly host: Host,
    readonly device: CxlDevice,
    readonly kind: PathKind,
    /** The switch on the path, for `switch` paths: its failure cuts the path. */
    readonly viaSwitch: CxlSwitch | undefined,
    readonly addedLatencyNs: number,
  ) {}

  get bound(): boolean {
    return this.boundExtents > 0;
  }

  /** Usable while the switch on it (if any) is up; device health is placement's call. */
  get isUp(): boolean {
    return this.viaSwitch === undefined || this.viaSwitch.state === 'up';
  }
}

export class Host {
  state: HostState;
  /** CXL GiB mapped into this host by live extents. */
  mappedGiB = 0;
  readonly paths: Path[] = [];

  constructor(
    readonly index: number,
    readonly spec: HostSpec,
  ) {
    this.state = spec.state;
  }

  get id(): string {
    return this.spec.id;
  }

  /** Most CXL GiB the host may online as movable memory (auto_movable_ratio over its DRAM). */
  get movableCapGiB(): number {
    return Math.floor((this.spec.dramGiB * this.spec.movableRatioPct) / 100);
  }

  /** How many more CXL GiB this host could take: the tighter of its window and movable ratio. */
  get growthRoomGiB(): number {
    if (this.state !== 'healthy') return 0;
    return Math.max(0, Math.min(this.spec.cfmwsWindowGiB, this.movableCapGiB) - this.mappedGiB);
  }
}

export class CxlDevice {
  health: DeviceHealth;
  /** Free space in blocks of `extentBlockGiB`. */
  readonly free: FreeSpaceIndex;
  reservedBandwidthGBps = 0;
  /** Hosts bound through a logical device (holding live extents here). */
  boundHostCount = 0;
  readonly tier: Tier;
  /** Paths into this device, one per host that reaches it (any state). */
  readonly paths: Path[] = [];
  // Copied from the spec: placement reads them for every candidate, so keep them on one object.
  readonly extentBlockGiB: number;
  readonly maxLogicalDevices: number;
  readonly bandwidthGBps: number;

  constructor(
    readonly index: number,
    readonly spec: DeviceSpec,
  ) {
    this.health = spec.health;
    this.tier = tierOf(spec.attachment);
    this.extentBlockGiB = spec.extentBlockGiB;
    this.maxLogicalDevices = spec.maxLogicalDevices;
    this.bandwidthGBps = spec.bandwidthGBps;
    this.free = new FreeSpaceIndex(Math.floor(spec.capacityGiB / spec.extentBlockGiB));
  }

  get id(): string {
    return this.spec.id;
  }

  get attachment(): DeviceAttachment {
    return this.spec.attachment;
  }

  /** Only one host can ever use it (a direct device). */
  get exclusive(): boolean {
    return this.paths.length <= 1;
  }

  get capacityGiB(): number {
    return this.free.capacity * this.extentBlockGiB;
  }

  get freeGiB(): number {
    return this.free.freeTotal * this.extentBlockGiB;
  }

  get usedGiB(): number {
    return this.free.usedTotal * this.extentBlockGiB;
  }

  get largestFreeRunGiB(): number {
    return this.free.largestRun * this.extentBlockGiB;
  }

  /** A host not yet bound needs a free logical-device slot. */
  hasSlotFor(path: Path): boolean {
    return this.boundHostCount < this.maxLogicalDevices || path.boundExtents > 0;
  }
}

export class Vm {
  /** CXL GiB this VM holds in live extents. */
  cxlGiB = 0;
  readonly allocations = new Set<Allocation>();
  /** Live extents of this VM per device and per switch: where a failure would hit it. */
  readonly extentsOnDevice = new Map<CxlDevice, number>();
  readonly extentsBehindSwitch = new Map<CxlSwitch, number>();

  constructor(
    readonly spec: VmSpec,
    readonly host: Host,
  ) {}

  get id(): string {
    return this.spec.id;
  }

  get tenantId(): string {
    return this.spec.tenantId;
  }

  get allocationCount(): number {
    return this.allocations.size;
  }
}

export interface AllocatedExtent {
  readonly device: CxlDevice;
  /** The VM's host's path to the device: its logical-device binding. */
  readonly path: Path;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  readonly bandwidthGBps: number;
}

export interface Allocation {
  readonly id: string;
  readonly vm: Vm;
  readonly extents: readonly AllocatedExtent[];
  readonly sizeGiB: number;
}
