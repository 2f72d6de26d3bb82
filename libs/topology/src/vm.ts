import type { CxlDevice } from './device';
import type { Host } from './host';
import type { CxlSwitch, Path } from './path';
import type { VmSpec } from './spec';

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
