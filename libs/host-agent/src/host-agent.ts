/**
 * How mxs touches machines (DESIGN §5, §6): the worker drives hosts and the CXL fabric only
 * through this interface, so the simulator and a real agent (kernel `cxl`/`daxctl` plus QEMU's
 * QMP, and a fabric manager) are interchangeable.
 *
 * Every mutating call is idempotent, keyed by the expansion id: calling it again after a crash
 * (or a lost answer) continues or confirms the same effect and never applies it twice. Long
 * steps answer `{ done: false }` while they run; ask again (optionally holding the request open
 * with `waitMs`) until `done`. Failures throw `HostAgentError`, whose `transient` flag tells the
 * caller whether retrying can help.
 */

/** A piece of one device given to an expansion, in GiB (aligned to the device's block size). */
export interface ExtentRef {
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
}

export interface CallOptions {
  /** Hold the request open up to this long for a long step to finish (long-poll). */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
}

/** A long step still running: `detail` says what it waits for, in the operator's words. */
export interface Pending {
  readonly done: false;
  readonly detail: string;
}

export type Progress<T extends object = object> = ({ readonly done: true } & T) | (Pending & Partial<T>);

export interface VmMemory {
  /** virtio-mem requested size of the whole VM (all its expansions), GiB. */
  readonly requestedGiB: number;
  /** What the guest has plugged so far, GiB. */
  readonly pluggedGiB: number;
}

export interface RegionBlocks {
  readonly onlineBlocks: number;
  readonly totalBlocks: number;
}

export interface ExpansionOnHost {
  readonly expansionId: string;
  readonly hostId: string;
}

export interface HostAgent {
  // ---- fabric manager: switches, multi-headed and direct devices ----

  /** Binds the logical device (direct) or adds dynamic-capacity extents (pooled) for the host. */
  offerExtents(req: ExpansionOnHost & { readonly extents: readonly ExtentRef[] }, opts?: CallOptions): Promise<void>;

  /**
   * Takes the extents back from the host and sanitizes (scrubs) them; `done` only once they are
   * free for anyone else. Refused while the host still has a region over them, unless `force`
   * (device failure, operator force: immediate loss for the VM).
   */
  releaseExtents(req: ExpansionOnHost & { readonly force?: boolean }, opts?: CallOptions): Promise<Progress>;

  // ---- host agent ----

  /** The host accepts the offered extents; until then they are not usable. */
  acceptExtents(req: ExpansionOnHost, opts?: CallOptions): Promise<void>;

  /**
   * Creates the region over the accepted extents and onlines its memory blocks as movable. Can
   * fail for good with `enomem` (no free memory for the memory map, ≈1.6% of the added size).
   */
  onlineRegion(req: ExpansionOnHost & { readonly sizeGiB: number }, opts?: CallOptions): Promise<Progress<RegionBlocks>>;

  /** Offlines the region's blocks; `ebusy` on pinned pages, and it can hang (stays pending). */
  offlineRegion(req: ExpansionOnHost, opts?: CallOptions): Promise<Progress<RegionBlocks>>;

  /** Destroys the (offline) region; the extents stay the host's until the fabric releases them. */
  destroyRegion(req: ExpansionOnHost, opts?: CallOptions): Promise<void>;

  /** Raises the VM's virtio-mem requested size by this expansion; done when plugged = requested. */
  plugVmMemory(req: ExpansionOnHost & { readonly vmId: string; readonly sizeGiB: number }, opts?: CallOptions): Promise<Progress<VmMemory>>;

  /** Lowers it again; can stop short (unmovable pages): pending with plugged > requested. */
  unplugVmMemory(req: ExpansionOnHost & { readonly vmId: string }, opts?: CallOptions): Promise<Progress<VmMemory>>;

  // ---- what is really there: reconciliation, telemetry, tests ----

  hostState(hostId: string, opts?: CallOptions): Promise<HostStateView>;
  deviceState(deviceId: string, opts?: CallOptions): Promise<DeviceStateView>;
  /** Like a CXL device's Get Health Info and event records. */
  deviceHealth(deviceId: string, opts?: CallOptions): Promise<DeviceHealthInfo>;
  /** A switch's links, as its fabric manager sees them. */
  switchState(switchId: string, opts?: CallOptions): Promise<SwitchStateView>;
}

export interface SwitchStateView {
  readonly switchId: string;
  readonly up: boolean;
  /** Hosts whose own link to this switch is down (the whole switch may be up). */
  readonly linkDownHostIds: readonly string[];
}

export type BlockState = 'offline' | 'going-online' | 'online' | 'going-offline';

export interface HostStateView {
  readonly hostId: string;
  readonly up: boolean;
  readonly memoryBlockSizeMiB: number;
  readonly regions: readonly {
    readonly expansionId: string;
    readonly sizeGiB: number;
    readonly state: 'creating' | 'onlining' | 'online' | 'offlining' | 'offline';
    readonly onlineBlocks: number;
    readonly totalBlocks: number;
  }[];
  /** Extents the fabric has offered to this host, and whether it accepted them. */
  readonly extents: readonly (ExtentRef & { readonly expansionId: string; readonly accepted: boolean })[];
  readonly vms: readonly (VmMemory & { readonly vmId: string; readonly expansions: Readonly<Record<string, number>> })[];
}

export type ExtentState = 'offered' | 'accepted' | 'releasing' | 'sanitizing';

export interface DeviceStateView {
  readonly deviceId: string;
  readonly failed: boolean;
  /** Extents that are not free: bound to a host, or on their way back (releasing, sanitizing). */
  readonly extents: readonly (ExtentRef & { readonly expansionId: string; readonly hostId: string; readonly state: ExtentState })[];
}

export interface DeviceHealthInfo {
  readonly deviceId: string;
  readonly mediaStatus: 'normal' | 'not-ready' | 'write-persistency-lost' | 'data-lost' | 'failed';
  /** Percent of rated endurance used, 0-100. */
  readonly lifeUsedPct: number;
  readonly temperatureC: number;
  readonly correctedVolatileErrors: number;
  readonly correctedPersistentErrors: number;
  /** Poisoned addresses (device physical, bytes), like Get Poison List. */
  readonly poison: readonly { readonly dpa: number; readonly lengthBytes: number }[];
  readonly events: readonly { readonly at: string; readonly severity: 'info' | 'warning' | 'failure' | 'fatal'; readonly message: string }[];
}

export const HOST_AGENT_ERROR_CODES = {
  /** Could not reach the agent, or it did not answer in time. */
  unreachable: { transient: true },
  /** The host is down (crashed, rebooting): try again later. */
  'host-down': { transient: true },
  /** Pinned pages: offlining could not move them this time. */
  ebusy: { transient: true },
  /** Another step holds the object; try again. */
  busy: { transient: true },
  'device-failed': { transient: false },
  /** A switch link on the path is down: the host cannot reach the device. */
  'link-down': { transient: false },
  /** No free memory for the memory map of the blocks being onlined. */
  enomem: { transient: false },
  /** The host refused the offered extents. */
  rejected: { transient: false },
  'not-found': { transient: false },
  /** The request contradicts the state (another expansion's extents, a size mismatch…). */
  conflict: { transient: false },
  'bad-request': { transient: false },
  unauthorized: { transient: false },
} as const satisfies Record<string, { readonly transient: boolean }>;

export type HostAgentErrorCode = keyof typeof HOST_AGENT_ERROR_CODES;

export class HostAgentError extends Error {
  override readonly name = 'HostAgentError';
  readonly transient: boolean;

  constructor(
    readonly code: HostAgentErrorCode,
    message: string,
  ) {
    super(message);
    this.transient = HOST_AGENT_ERROR_CODES[code].transient;
  }
}

export function isHostAgentError(error: unknown, code?: HostAgentErrorCode): error is HostAgentError {
  return error instanceof HostAgentError && (code === undefined || error.code === code);
}
