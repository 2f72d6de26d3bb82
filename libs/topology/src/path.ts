import type { CxlDevice } from './device';
import type { Host } from './host';
import type { SwitchSpec, SwitchState } from './spec';

/** A CXL switch, in one rack: its failure cuts every path through it. */
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
