import { TopologyError } from './errors';
import type { FreeSpaceView } from './free-space-index';
import { FreeSpaceIndex } from './free-space-index';
import type { Path } from './path';
import type { DeviceAttachment, DeviceHealth, DeviceSpec, Tier } from './spec';
import { tierOf } from './spec';

export class CxlDevice {
  // Placement reads these for every candidate: keep them on this object, not behind `spec`.
  readonly id: string;
  private currentHealth: DeviceHealth;
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
    this.freeNowGiB = this.free.freeTotal * this.extentBlockGiB;
    this.largestRunNowGiB = this.freeNowGiB;
  }

  get attachment(): DeviceAttachment {
    return this.spec.attachment;
  }

  /** Free space in blocks of `extentBlockGiB`, to read; `Fleet` changes it. */
  get free(): FreeSpaceView {
    return this.space;
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
