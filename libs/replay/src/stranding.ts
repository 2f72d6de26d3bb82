import { isReachableByGrowingHost } from '@mxs/sla-metrics';
import type { CxlDevice, Fleet, Host } from '@mxs/topology';

/**
 * `strandedGiB(fleet)` of `@mxs/sla-metrics`, kept up to date after each change instead of
 * recounted over the fleet: an allocation or release on a host changes only the devices that
 * host reaches (their free space, their bound hosts, and the host's room to grow), so only
 * those are looked at again. A replay reads it after every event for exact time-weighted means.
 */
export class StrandingTracker {
  private readonly strandedOf: number[];
  private total = 0;

  constructor(fleet: Fleet) {
    this.strandedOf = fleet.devices.map(() => 0);
    for (const device of fleet.devices) this.refresh(device);
  }

  get strandedGiB(): number {
    return this.total;
  }

  /** The host mapped or gave back memory: look again at every device it reaches. */
  hostChanged(host: Host): void {
    for (const path of host.paths) this.refresh(path.device);
  }

  private refresh(device: CxlDevice): void {
    const stranded = device.health === 'healthy' && device.freeGiB > 0 && !isReachableByGrowingHost(device) ? device.freeGiB : 0;
    this.total += stranded - (this.strandedOf[device.index] as number);
    this.strandedOf[device.index] = stranded;
  }
}
