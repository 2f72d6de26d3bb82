import type { FleetSpec } from '@mxs/topology';
import { parseFleetSpec } from '@mxs/topology';
import { z } from 'zod';
import type { Clock } from './clock';
import type { SimEvent } from './event-log';
import { EventLog } from './event-log';
import type { SimOptions } from './options';
import { SimRandom } from './random';
import { Simulator } from './simulator';
import type { ArmedFaults, DeviceExtent, Region, Release, Telemetry, VmShare } from './state';

/** `mxs-sim-state/1`: the fleet it was built from plus everything that changed since. */
export const SIM_STATE_FORMAT = 'mxs-sim-state/1';

interface SavedHost {
  id: string;
  up: boolean;
  regions: Region[];
  vms: { vmId: string; shares: VmShare[] }[];
  armed: ArmedFaults;
  draws: number;
}

interface SavedDevice {
  id: string;
  failed: boolean;
  extents: DeviceExtent[];
  releases: (Release & { expansionId: string })[];
  telemetry: Telemetry;
  draws: number;
}

export interface SimState {
  format: typeof SIM_STATE_FORMAT;
  seed: number;
  savedAt: string;
  fleet: FleetSpec;
  hosts: SavedHost[];
  devices: SavedDevice[];
  switches: { id: string; up: boolean; linkDownHostIds: string[] }[];
  log: { nextSeq: number; events: SimEvent[] };
}

const stateEnvelope = z.looseObject({
  format: z.literal(SIM_STATE_FORMAT),
  seed: z.number(),
  fleet: z.unknown(),
  hosts: z.array(z.looseObject({ id: z.string() })),
  devices: z.array(z.looseObject({ id: z.string() })),
  switches: z.array(z.looseObject({ id: z.string() })),
  log: z.looseObject({ nextSeq: z.number(), events: z.array(z.unknown()) }),
});

/** Only what differs from a fresh fleet is saved, so a 10,000-host fleet at rest stays small. */
export function saveState(sim: Simulator): SimState {
  if (sim.fleet === undefined) throw new Error('no fleet loaded: nothing to save');
  sim.advanceAll();
  const hosts: SavedHost[] = [];
  for (const h of sim.hosts.values()) {
    const armed = h.armed.ebusy + h.armed.enomem + h.armed.unplugStopShort > 0;
    if (h.up && h.regions.size === 0 && h.vms.size === 0 && !armed && h.random.draws === 0) continue;
    hosts.push({
      id: h.id,
      up: h.up,
      regions: [...h.regions.values()],
      vms: [...h.vms.values()].map((vm) => ({ vmId: vm.vmId, shares: [...vm.shares.values()] })),
      armed: h.armed,
      draws: h.random.draws,
    });
  }
  const devices: SavedDevice[] = [];
  for (const d of sim.devices.values()) {
    const t = d.telemetry;
    const quiet = !d.failed && d.extents.length === 0 && t.records.length === 0 && t.lifeUsedPct === 0 && t.correctedVolatileErrors === 0;
    if (quiet && d.random.draws === 0 && t.poison.length === 0) continue;
    devices.push({
      id: d.id,
      failed: d.failed,
      extents: d.extents,
      releases: [...d.releases].map(([expansionId, r]) => ({ ...r, expansionId })),
      telemetry: t,
      draws: d.random.draws,
    });
  }
  const switches = [...sim.switches.values()].map((s) => ({ id: s.id, up: s.up, linkDownHostIds: [...s.linkDownHostIds] }));
  return {
    format: SIM_STATE_FORMAT,
    seed: sim.ctx.options.seed,
    savedAt: new Date(sim.now).toISOString(),
    fleet: sim.fleet,
    hosts,
    devices,
    switches,
    log: JSON.parse(JSON.stringify(sim.ctx.log)) as SimState['log'],
  };
}

/** Rebuilds a simulator from a saved state; the random streams resume where they stopped. */
export function restoreState(input: unknown, options: SimOptions, clock: Clock): Simulator {
  const envelope = stateEnvelope.parse(input);
  const saved = envelope as unknown as SimState;
  const sim = new Simulator({ ...options, seed: saved.seed }, clock, EventLog.restore(options.eventLogLimit, saved.log));
  const fleet = parseFleetSpec(saved.fleet);
  sim.loadFleet(fleet, { recordEvent: false });
  for (const h of saved.hosts) {
    const host = sim.hosts.get(h.id);
    if (host === undefined) throw new Error(`saved host ${h.id} is not in the saved fleet`);
    const rebuilt = { ...host, up: h.up, armed: { ...h.armed }, random: new SimRandom(host.random.seed, h.draws) };
    for (const r of h.regions) rebuilt.regions.set(r.expansionId, { ...r });
    for (const vm of h.vms) rebuilt.vms.set(vm.vmId, { vmId: vm.vmId, shares: new Map(vm.shares.map((s) => [s.expansionId, { ...s }])) });
    sim.hosts.set(h.id, rebuilt);
    sim.ctx.busyHosts.add(rebuilt);
  }
  for (const d of saved.devices) {
    const device = sim.devices.get(d.id);
    if (device === undefined) throw new Error(`saved device ${d.id} is not in the saved fleet`);
    const rebuilt = {
      ...device,
      failed: d.failed,
      extents: d.extents.map((e) => ({ ...e })),
      releases: new Map(d.releases.map(({ expansionId, ...r }) => [expansionId, r])),
      telemetry: d.telemetry,
      random: new SimRandom(device.random.seed, d.draws),
    };
    sim.devices.set(d.id, rebuilt);
    if (rebuilt.releases.size > 0) sim.ctx.busyDevices.add(rebuilt);
    // The expansion index is derived: which host each expansion's extents belong to.
    for (const e of rebuilt.extents) {
      const entry = sim.expansions.get(e.expansionId);
      if (entry === undefined) sim.expansions.set(e.expansionId, { hostId: e.hostId, deviceIds: new Set([d.id]) });
      else entry.deviceIds.add(d.id);
      sim.hosts.get(e.hostId)?.expansionIds.add(e.expansionId);
    }
  }
  for (const s of saved.switches) {
    const sw = sim.switches.get(s.id);
    if (sw === undefined) continue;
    sw.up = s.up;
    for (const id of s.linkDownHostIds) sw.linkDownHostIds.add(id);
  }
  sim.ctx.log.append(sim.now, 'state-loaded', {}, { savedAt: (input as { savedAt?: unknown }).savedAt ?? null, fleet: fleet.name });
  return sim;
}
