import type { DeviceAttachment } from '@mxs/topology';
import type { ExtentState } from '@mxs/host-agent';
import type { SimRandom } from './random';
import type { Timed } from './timed';

/** The simulator's state as plain data: what is saved, reloaded and shown. */

export type RegionState = 'onlining' | 'online' | 'offlining' | 'offline';

export interface Region {
  readonly expansionId: string;
  readonly sizeGiB: number;
  readonly totalBlocks: number;
  state: RegionState;
  /** Blocks online at the last look (the step's progress decides between looks). */
  onlineBlocks: number;
  step?: Timed;
  /** Onlining failed for good: the blocks stay offline. */
  failed?: 'enomem';
  /** Fault: the last block never offlines while set. */
  stuck: boolean;
  /** Pages that refused to move at the last `ebusy`. */
  pinnedPages: number;
}

/** One expansion's part of a VM's virtio-mem device. */
export interface VmShare {
  readonly expansionId: string;
  readonly sizeGiB: number;
  readonly blocks: number;
  direction: 'plug' | 'unplug';
  fromBlocks: number;
  targetBlocks: number;
  step: Timed;
  /** The step has ended (target reached). */
  settled: boolean;
  /** An unplug that ended short of zero (unmovable pages). */
  stoppedShort: boolean;
}

export interface Vm {
  readonly vmId: string;
  readonly shares: Map<string, VmShare>;
}

export interface ArmedFaults {
  ebusy: number;
  enomem: number;
  unplugStopShort: number;
}

export interface Host {
  readonly id: string;
  readonly memoryBlockSizeMiB: number;
  readonly cfmwsWindowGiB: number;
  readonly dramGiB: number;
  readonly switchIds: readonly string[];
  up: boolean;
  readonly regions: Map<string, Region>;
  readonly vms: Map<string, Vm>;
  /** Expansions with extents offered to this host (any state), for O(host) views. */
  readonly expansionIds: Set<string>;
  readonly armed: ArmedFaults;
  readonly random: SimRandom;
}

export interface DeviceExtent {
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  readonly hostId: string;
  readonly expansionId: string;
  state: ExtentState;
}

export interface Release {
  readonly hostId: string;
  readonly force: boolean;
  readonly sizeGiB: number;
  /** The fabric's part; the scrub takes the rest of `step`. */
  readonly releaseMs: number;
  readonly step: Timed;
}

export type Severity = 'info' | 'warning' | 'failure' | 'fatal';

export interface Telemetry {
  lifeUsedPct: number;
  temperatureC: number;
  correctedVolatileErrors: number;
  correctedPersistentErrors: number;
  readonly poison: { dpa: number; lengthBytes: number }[];
  readonly records: { at: string; severity: Severity; message: string }[];
}

export interface Device {
  readonly id: string;
  readonly attachment: DeviceAttachment;
  readonly capacityGiB: number;
  readonly extentBlockGiB: number;
  readonly maxLogicalDevices: number;
  failed: boolean;
  extents: DeviceExtent[];
  /** Releases in flight, by expansion. */
  readonly releases: Map<string, Release>;
  readonly telemetry: Telemetry;
  readonly random: SimRandom;
}

export interface Switch {
  readonly id: string;
  up: boolean;
  readonly linkDownHostIds: Set<string>;
}
