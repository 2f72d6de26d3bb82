import { TopologyError } from './errors';
import { Fleet } from './fleet';
import { parseFleetSpec } from './fleet-validation';
import type { FleetSpec } from './spec';

/** Parses and validates `mxs-fleet/1` JSON text; every problem is listed in the error's details. */
export function parseFleetJson(text: string): FleetSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TopologyError('invalid-fleet-format', `fleet JSON does not parse: ${reason}`, [`(root): ${reason}`]);
  }
  return parseFleetSpec(raw);
}

export function loadFleet(text: string): Fleet {
  return Fleet.fromSpec(parseFleetJson(text));
}

export function saveFleet(fleet: Fleet): string {
  return `${JSON.stringify(fleet.toSpec(), null, 2)}\n`;
}
