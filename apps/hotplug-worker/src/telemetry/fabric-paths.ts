import type { FleetSpec } from '@mxs/topology';

/** A switch as its fabric manager reports it. */
export interface SwitchReport {
  readonly up: boolean;
  /** Hosts whose own link to the switch is down. */
  readonly linkDownHostIds: readonly string[];
}

/** What one sweep saw of the fabric; a device or switch missing from a map was not seen. */
export interface FabricReport {
  /** Device id → whether it has failed. */
  readonly deviceFailed: ReadonlyMap<string, boolean>;
  readonly switches: ReadonlyMap<string, SwitchReport>;
}

/**
 * Why the host cannot use the device: `null` when its path is whole, `undefined` when the sweep
 * could not tell (the device or its switch did not answer), so nothing is moved on a guess.
 */
export type PathCut = string | null | undefined;

/** The path from a host to a device: the device itself, and for a switched device the switch and the host's link to it. */
export function pathCut(fleet: FleetSpec, report: FabricReport, hostId: string, deviceId: string): PathCut {
  const failed = report.deviceFailed.get(deviceId);
  if (failed === undefined) return undefined;
  if (failed) return `device ${deviceId} failed`;
  const device = fleet.devices.find((d) => d.id === deviceId);
  if (device?.attachment.kind !== 'switch') return null;
  const switchId = device.attachment.switchId;
  const sw = report.switches.get(switchId);
  if (sw === undefined) return undefined;
  if (!sw.up) return `switch ${switchId} down`;
  if (sw.linkDownHostIds.includes(hostId)) return `link between ${hostId} and switch ${switchId} down`;
  return null;
}

/** The first cut among an expansion's devices; `undefined` if any path could not be told and none is cut. */
export function expansionCut(fleet: FleetSpec, report: FabricReport, hostId: string, deviceIds: readonly string[]): PathCut {
  let unknown = false;
  for (const deviceId of deviceIds) {
    const cut = pathCut(fleet, report, hostId, deviceId);
    if (typeof cut === 'string') return cut;
    if (cut === undefined) unknown = true;
  }
  return unknown ? undefined : null;
}
