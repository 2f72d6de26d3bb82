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
 * change only through `Fleet` methods, which keep them consistent with each other.
 */
export class CxlSwitch {
  readonly id: string;
  state: SwitchState;

  constructor(
    readonly index: number,
    readonly spec: SwitchSpec,
  ) {
    this.id = spec.id;
    this.state = spec.state;
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
  readonly id: string;
  state: HostState;
  /** CXL GiB mapped into this host by live extents. */
  mappedGiB = 0;
  readonly paths: Path[] = [];

  constructor(
    readonly index: number,
    readonly spec: HostSpec,
  ) {
    this.id = spec.id;
    this.state = spec.state;
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
  // Placement reads these for every candidate: keep them on this object, not behind `spec`.
  readonly id: string;
  health: DeviceHealth;
  /** Free space in blocks of `extentBlockGiB`, to read; `Fleet` changes it. */
  readonly free: FreeSpaceView;
  private readonly space: FreeSpaceIndex;
  /** Bandwidth reserved by live extents, in whole MB/s so that sums stay exact. */
  reservedBandwidthMBps = 0;
  /** Hosts bound through a logical device (holding live extents here). */
  boundHostCount = 0;
  readonly tier: Tier;
  /** Paths into this device, one per host that reaches it (any state). */
  readonly paths: Path[] = [];
  readonly extentBlockGiB: number;
  readonly maxLogicalDevices: number;
  readonly bandwidthGBps: number;
  private freeNowGiB: number;
  private largestRunNowGiB: number;

  constructor(
    readonly index: number,
    readonly spec: DeviceSpec,
  ) {
    this.id = spec.id;
    this.health = spec.health;
    this.tier = tierOf(spec.attachment);
    this.extentBlockGiB = spec.extentBlockGiB;
    this.maxLogicalDevices = spec.maxLogicalDevices;
    this.bandwidthGBps = spec.bandwidthGBps;
    this.space = new FreeSpaceIndex(Math.floor(spec.capacityGiB / spec.extentBlockGiB));
    this.free = this.space;
    this.freeNowGiB = this.free.freeTotal * this.extentBlockGiB;
    this.largestRunNowGiB = this.freeNowGiB;
  }

  get attachment(): DeviceAttachment {
    return this.spec.attachment;
  }

  /** Only one host can ever use it (a direct device); set once the fleet is wired. */
  exclusive = false;

  get capacityGiB(): number {
    return this.free.capacity * this.extentBlockGiB;
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

export class Vm {
  readonly id: string;
  readonly tenantId: string;
  readonly dramGiB: number;
  /** CXL GiB this VM holds in live extents. */
  cxlGiB = 0;
  /** Live allocations: a VM holds a few, so a list is cheaper to keep and to scan than maps. */
  readonly allocations: Allocation[] = [];

  constructor(
    readonly spec: VmSpec,
    readonly host: Host,
  ) {
    this.id = spec.id;
    this.tenantId = spec.tenantId;
    this.dramGiB = spec.dramGiB;
  }

  get allocationCount(): number {
    return this.allocations.length;
  }

  /** Live extents this VM holds on `device`: a failure of the device hits each. */
  extentsOn(device: CxlDevice): number {
    let count = 0;
    for (const a of this.allocations) for (const e of a.extents) if (e.device === device) count++;
    return count;
  }

  /** Live extents this VM holds on devices behind `sw`: a failure of the switch hits each. */
  extentsBehind(sw: CxlSwitch): number {
    let count = 0;
    for (const a of this.allocations) for (const e of a.extents) if (e.path.viaSwitch === sw) count++;
    return count;
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
