/**
 * The fleet as plain data: what is saved to and loaded from JSON (format `mxs-fleet/1`, see
 * the library README) and what the generator produces. Runtime state lives in `Fleet`.
 */
export const FLEET_FORMAT = 'mxs-fleet/1';

export type DeviceHealth = 'healthy' | 'degraded' | 'draining' | 'failed';
export type HostState = 'healthy' | 'draining' | 'maintenance' | 'failed';
export type SwitchState = 'up' | 'down';
/** How a tenant sees a device: one host's own (`direct`) or shared by many (`pooled`). */
export type Tier = 'direct' | 'pooled';

export const DEVICE_HEALTH: readonly DeviceHealth[] = ['healthy', 'degraded', 'draining', 'failed'];
export const HOST_STATES: readonly HostState[] = ['healthy', 'draining', 'maintenance', 'failed'];
export const SWITCH_STATES: readonly SwitchState[] = ['up', 'down'];

export interface RegionSpec {
  readonly id: string;
  readonly name: string;
}

/** A rack is the failure domain for power and for its switch. */
export interface RackSpec {
  readonly id: string;
  readonly regionId: string;
}

export interface HostSpec {
  readonly id: string;
  readonly rackId: string;
  readonly dramGiB: number;
  /** Linux memory block size: the unit the host onlines (128 MiB, 2 GiB on large bare metal). */
  readonly memoryBlockSizeMiB: number;
  /** CFMWS window: the most CXL capacity this host can ever map. */
  readonly cfmwsWindowGiB: number;
  /** Linux `auto_movable_ratio`: movable memory may reach this percent of kernel (DRAM) memory. */
  readonly movableRatioPct: number;
  readonly state: HostState;
  /** Switches this host is cabled to (upstream ports). */
  readonly switchIds: readonly string[];
}

export interface SwitchSpec {
  readonly id: string;
  readonly rackId: string;
  readonly ports: number;
  /** Latency one hop through this switch adds on top of the device's own. */
  readonly hopLatencyNs: number;
  readonly state: SwitchState;
}

export type DeviceAttachment =
  | { readonly kind: 'direct'; readonly hostId: string }
  | { readonly kind: 'switch'; readonly switchId: string }
  | { readonly kind: 'multi-headed'; readonly hostIds: readonly string[] };

/** A CXL Type-3 memory expander. */
export interface DeviceSpec {
  readonly id: string;
  readonly rackId: string;
  readonly attachment: DeviceAttachment;
  readonly capacityGiB: number;
  readonly bandwidthGBps: number;
  /** Dynamic-capacity block size: extents are whole multiples of it, at aligned offsets. */
  readonly extentBlockGiB: number;
  /** Logical-device slots: at most this many hosts bound at once (CXL: 16). */
  readonly maxLogicalDevices: number;
  /** Latency the device adds over local DRAM on its shortest path (no switch hop). */
  readonly baseLatencyNs: number;
  readonly health: DeviceHealth;
}

export interface VmSpec {
  readonly id: string;
  readonly tenantId: string;
  readonly hostId: string;
  readonly dramGiB: number;
}

/** A live extent of an allocation (an expansion's share of one device). */
export interface ExtentRef {
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
}

export interface AllocationSpec {
  readonly id: string;
  readonly vmId: string;
  readonly extents: readonly (ExtentRef & { readonly bandwidthGBps?: number })[];
}

export interface FleetSpec {
  readonly format: typeof FLEET_FORMAT;
  readonly name: string;
  readonly regions: readonly RegionSpec[];
  readonly racks: readonly RackSpec[];
  readonly hosts: readonly HostSpec[];
  readonly switches: readonly SwitchSpec[];
  readonly devices: readonly DeviceSpec[];
  readonly vms: readonly VmSpec[];
  readonly allocations: readonly AllocationSpec[];
}

export function tierOf(attachment: DeviceAttachment): Tier {
  return attachment.kind === 'direct' ? 'direct' : 'pooled';
}
