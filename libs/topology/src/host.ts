import type { Path } from './path';
import type { HostSpec, HostState } from './spec';

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
